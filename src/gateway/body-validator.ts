// Request bodies checked against the compiled JSON Schemas of request-schemas.ts
// (ajv, compiled once when this module loads). The first problem becomes a coded
// error naming the field: a parameter's message comes from the parameter reader
// (units, the alias used, "did you mean"), so the API says the same thing whichever
// check caught it. A body that fails never reaches the engine.
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import { SpreadcoreError, type ErrorCode } from '../errors.js';
import { describeValue, type ParamIssue } from '../strategy/params/param-errors.js';
import { readParamInput } from '../strategy/params/read-param-input.js';
import { BODY_SCHEMAS, sharedSchemas, type BodySchemaName } from './request-schemas.js';

const ajv = new Ajv({ strict: true, allErrors: false, ownProperties: true });
for (const s of sharedSchemas()) ajv.addSchema(s);

const VALIDATORS = new Map<BodySchemaName, ValidateFunction>(
  (Object.keys(BODY_SCHEMAS) as BodySchemaName[]).map((name) => [name, ajv.compile(BODY_SCHEMAS[name])]),
);

/** The error code of a failed body: parameters are BAD_PARAM, other fields of load/order/reduce BAD_INPUT, the rest BAD_JSON. */
function codeFor(schema: BodySchemaName, inParameters: boolean): ErrorCode {
  if (inParameters) return 'SPREADCORE_ERR_BAD_PARAM';
  if (schema === 'load' || schema === 'order' || schema === 'reduce') return 'SPREADCORE_ERR_BAD_INPUT';
  return 'SPREADCORE_ERR_BAD_JSON';
}

function decodePointer(path: string): string[] {
  if (path === '') return [];
  return path.slice(1).split('/').map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
}

function valueAt(root: unknown, segments: readonly string[]): unknown {
  let v: unknown = root;
  for (const s of segments) {
    if (typeof v !== 'object' || v === null || !Object.hasOwn(v, s)) return undefined;
    v = (v as Record<string, unknown>)[s];
  }
  return v;
}

const WHERE: Record<BodySchemaName, string> = {
  load: 'the strategy definition', parameters: 'the parameters', order: 'the order',
  reduce: 'the reduce_inventory body', note: 'the body', empty: 'the body (this request takes no fields)',
};

/** The parameter reader's message for one parameter key and value (the same words as a load or PATCH). */
function parameterMessage(key: string, value: unknown): string | null {
  const issues: ParamIssue[] = [];
  readParamInput({ [key]: value }, issues);
  return issues[0]?.message ?? null;
}

function fieldLabel(segments: readonly string[]): string {
  return segments.map((s, i) => (/^\d+$/.test(s) ? `[${s}]` : `${i === 0 ? '' : '.'}${s}`)).join('');
}

function describe(schema: BodySchemaName, body: unknown, err: ErrorObject): { message: string; inParameters: boolean } {
  const segments = decodePointer(err.instancePath);
  const paramsBase = schema === 'parameters' ? 0 : schema === 'load' && segments[0] === 'parameters' ? 1 : -1;
  const unknownKey = err.keyword === 'additionalProperties' ? String((err.params as { additionalProperty?: unknown }).additionalProperty) : null;
  if (paramsBase >= 0) {
    // the parameter is the segment after the parameters object (or the unknown key in it)
    const key = unknownKey !== null && segments.length === paramsBase ? unknownKey : segments[paramsBase];
    if (key !== undefined) {
      const value = valueAt(body, [...segments.slice(0, paramsBase), key]);
      const msg = parameterMessage(key, value);
      if (msg !== null) return { message: msg, inParameters: true };
    }
    if (schema === 'load' && segments.length === 1 && err.keyword === 'type') {
      return { message: 'parameters must be a JSON object', inParameters: false };
    }
  }
  if (unknownKey !== null) {
    const inside = segments.length === 0 ? WHERE[schema] : fieldLabel(segments);
    const allowed = Object.keys(((schema === 'load' || schema === 'order' || schema === 'reduce' || schema === 'note')
      ? (BODY_SCHEMAS[schema] as { properties: Record<string, unknown> }).properties : {}));
    return {
      message: `unknown field ${JSON.stringify(unknownKey)} in ${inside}${allowed.length > 0 ? ` (expected ${allowed.join(', ')})` : ''}`,
      inParameters: false,
    };
  }
  if (err.keyword === 'required') {
    return { message: `${WHERE[schema]} needs the field ${JSON.stringify((err.params as { missingProperty?: unknown }).missingProperty)}`, inParameters: false };
  }
  const label = segments.length === 0 ? WHERE[schema] : fieldLabel(segments);
  const got = describeValue(valueAt(body, segments));
  if (err.keyword === 'enum') {
    const allowed = (err.params as { allowedValues?: unknown[] }).allowedValues ?? [];
    return { message: `${label} must be one of ${allowed.map((a) => JSON.stringify(a)).join(', ')}, got ${got}`, inParameters: false };
  }
  if (err.keyword === 'type') {
    const t = String((err.params as { type?: unknown }).type ?? 'valid');
    return { message: `${label} must be ${/^[aeiou]/.test(t) ? 'an' : 'a'} ${t}, got ${got}`, inParameters: false };
  }
  return { message: `${label} ${err.message ?? 'is invalid'}, got ${got}`, inParameters: false };
}

/** Throws SpreadcoreError (BAD_PARAM / BAD_INPUT / BAD_JSON) naming the first problem of the body. */
export function checkBody(schema: BodySchemaName, body: unknown): void {
  const validate = VALIDATORS.get(schema)!;
  if (validate(body)) return;
  const err = validate.errors?.[0];
  if (err === undefined) throw new SpreadcoreError(codeFor(schema, false), `${WHERE[schema]} is invalid`);
  const { message, inParameters } = describe(schema, body, err);
  throw new SpreadcoreError(codeFor(schema, inParameters), message);
}

/** True when the body matches the schema (for tests and tools). */
export function bodyMatches(schema: BodySchemaName, body: unknown): boolean {
  return VALIDATORS.get(schema)!(body);
}
