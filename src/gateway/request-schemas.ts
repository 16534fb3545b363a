// The JSON Schemas of the control API's request bodies (seed 000's fields), compiled
// once by body-validator.ts. They fix the shape at the boundary — types, enums,
// bounds that need no market data, and no unknown fields — before the engine sees a
// body; the engine still checks what needs the market (symbols, tick and lot grids,
// the risk gate) and the rules between fields.
import { paramsJsonSchema, type JsonSchema } from '../strategy/params/param-json-schema.js';
import { SCANNER_PARAM_SCHEMA } from '../strategy/market-scanner.js';

export const PARAMS_SCHEMA_ID = 'spreadcore:strategy-parameters';
const PARAMS_REF = { $ref: PARAMS_SCHEMA_ID };

const SYMBOL: JsonSchema = { type: 'string', minLength: 1, maxLength: 64 };

/** Every body schema, by the name routes-api.ts uses. */
export const BODY_SCHEMAS = {
  /** POST /api/strategy/load (seed 000 Step 4). */
  load: {
    type: 'object',
    properties: {
      name: { type: 'string', pattern: '^[A-Za-z0-9_.-]{1,64}$', description: 'the strategy id' },
      type: { type: 'string', enum: ['MarketMaking', 'market_making', 'marketmaking', 'MARKET_MAKING'] },
      symbols: { type: 'array', minItems: 1, maxItems: 1000, items: SYMBOL },
      /** Instead of symbols: the markets a scanner picks from (docs/prediction-markets.md). */
      universe: {
        type: 'object',
        properties: {
          venue: { type: 'string', pattern: '^[a-z0-9_-]{1,32}$' },
          kind: { type: 'string', enum: ['binary'] },
          prefix: { type: 'string', minLength: 1, maxLength: 64 },
        },
        required: ['venue', 'kind'],
        additionalProperties: false,
      },
      parameters: PARAMS_REF,
    },
    // symbols or universe (exactly one): readStrategyDefinition says which is missing
    required: ['name'],
    additionalProperties: false,
  },
  /** PATCH /api/strategy/:id/parameters: any subset of the parameters. */
  parameters: PARAMS_REF,
  /** POST /api/order. */
  order: {
    type: 'object',
    properties: {
      side: { type: 'string', enum: ['BUY', 'SELL'] },
      symbol: SYMBOL,
      qty: { type: 'number', exclusiveMinimum: 0 },
      type: { type: 'string', enum: ['LIMIT', 'MARKET'] },
      price: { type: 'number', exclusiveMinimum: 0 },
      strategy_id: { type: 'string', minLength: 1, maxLength: 64 },
    },
    required: ['side', 'symbol', 'qty'],
    additionalProperties: false,
  },
  /** POST /api/strategy/:id/reduce_inventory. */
  reduce: {
    type: 'object',
    properties: {
      target_position: { type: 'number' },
      aggression: { type: 'string', enum: ['passive', 'moderate', 'aggressive'] },
      symbol: SYMBOL,
    },
    additionalProperties: false,
  },
  /** POST /api/kill and /api/resume. */
  note: {
    type: 'object',
    properties: { note: { type: 'string', maxLength: 500 } },
    additionalProperties: false,
  },
  /** start, stop, delete: no fields. */
  empty: { type: 'object', properties: {}, additionalProperties: false },
} as const satisfies Record<string, JsonSchema>;

export type BodySchemaName = keyof typeof BODY_SCHEMAS;

/** The schemas ajv needs registered before compiling BODY_SCHEMAS (the parameters, by $id). */
export function sharedSchemas(): JsonSchema[] {
  // the strategy parameters plus the scanner's (scan_interval_seconds, max_market_spread, min_volume, max_event_exposure)
  const base = paramsJsonSchema() as JsonSchema & { properties: Record<string, JsonSchema> };
  return [{ ...base, properties: { ...base.properties, ...(SCANNER_PARAM_SCHEMA as Record<string, JsonSchema>) } }];
}
