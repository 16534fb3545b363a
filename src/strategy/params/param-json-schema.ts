// The strategy parameters as a JSON Schema (draft 2020-12 subset that ajv compiles),
// generated from the one parameter table: every canonical name and every seed alias,
// with its JSON type, bounds (an alias's bounds in its own units) and description.
// The HTTP gateway compiles it to check request bodies at the boundary; the
// per-field reader (read-param-input.ts) gives the same verdict on every single
// field (a property test holds the two together). What a schema cannot say stays
// with the reader and the cross-field rules: two names given for one parameter,
// rules between fields, whole lots of the instrument.
import { ALIASES_BY_NAME, PARAM_SPECS } from './param-table.js';
import { scaleValue } from './param-decimal.js';
import type { AliasSpec, Bounds, ParamSpec } from './param-types.js';

export type JsonSchema = Record<string, unknown>;

function boundsSchema(b: Bounds, scale: number): JsonSchema {
  const out: JsonSchema = {};
  const show = (x: number): number => scaleValue(x, 1 / scale);
  if (b.min !== undefined) out[b.minExclusive ? 'exclusiveMinimum' : 'minimum'] = show(b.min);
  if (b.max !== undefined) out[b.maxExclusive ? 'exclusiveMaximum' : 'maximum'] = show(b.max);
  return out;
}

/** The schema of one parameter's value, in the units of the name used (alias scale applied to bounds). */
export function paramValueSchema(spec: ParamSpec, alias: AliasSpec | null = null): JsonSchema {
  const scale = alias?.scale ?? 1;
  const description = alias === null ? spec.description : `Alias of ${spec.name}: ${alias.note}`;
  switch (spec.type) {
    case 'boolean':
      return { type: 'boolean', description };
    case 'enum':
      return { type: 'string', enum: [...spec.values], description };
    case 'array':
      return { type: 'array', maxItems: spec.maxItems, items: { type: 'number', ...boundsSchema(spec.items, 1) }, description };
    case 'number':
    case 'integer': {
      const num: JsonSchema = { type: spec.type, ...boundsSchema(spec, scale) };
      if (!spec.nullable) return { ...num, description };
      return { anyOf: [num, { type: 'null' }], description };
    }
  }
}

/**
 * The schema of a whole parameters object: additional properties refused, each known
 * name (canonical or alias) with its value schema. A name that is an alias only for
 * one JSON type (inventory_skew: a number is the skew factor) accepts either.
 */
export function paramsJsonSchema(): JsonSchema {
  const properties: Record<string, JsonSchema> = {};
  for (const spec of PARAM_SPECS) properties[spec.name] = paramValueSchema(spec);
  for (const [name, entries] of ALIASES_BY_NAME) {
    const alternatives: JsonSchema[] = [];
    const canonical = properties[name];
    if (canonical !== undefined) alternatives.push(canonical);
    for (const { alias, spec } of entries) alternatives.push(paramValueSchema(spec, alias));
    properties[name] = alternatives.length === 1 ? alternatives[0]! : { anyOf: alternatives };
  }
  return {
    $id: 'spreadcore:strategy-parameters',
    type: 'object',
    description: 'Strategy parameters (docs/parameters.md): canonical snake_case names and the seeds\' aliases.',
    properties,
    additionalProperties: false,
  };
}
