// Reads a raw parameters object (a JSON body): resolves every key to its canonical
// parameter (directly or through a seed alias), checks its type and bounds, converts
// alias units, and catches two names given for one parameter with different values.
// Cross-field rules come later (apply-params.ts).
import { SPEC_BY_NAME, ALIASES_BY_NAME } from './param-table.js';
import type { AliasSpec, Bounds, ParamName, ParamSpec, ParamValue } from './param-types.js';
import { describeValue, formatValue, type ParamIssue } from './param-errors.js';
import { scaleValue } from './param-decimal.js';
import { closestName } from './closest-name.js';

/** One parameter as the input gave it: the key used, the alias (if any), the canonical value. */
export interface GivenParam {
  readonly key: string;
  readonly alias: AliasSpec | null;
  readonly raw: unknown;
  readonly value: ParamValue;
}

export interface ReadParamInput {
  /** Explicitly given parameters, by canonical name. */
  readonly given: ReadonlyMap<ParamName, GivenParam>;
  /** Values set by an alias's implication (skew_price_adjustment_per_10 → skew_step_size 10). */
  readonly implied: ReadonlyMap<ParamName, { readonly value: ParamValue; readonly by: string }>;
  /** Every accepted key in input order with the parameter it set (for the PATCH echo). */
  readonly keys: readonly { readonly key: string; readonly field: ParamName; readonly alias: AliasSpec | null }[];
}

/** The canonical names a raw parameters object gives (directly or by an alias); unknown keys are ignored. */
export function givenParamNames(input: unknown): Set<ParamName> {
  const out = new Set<ParamName>();
  if (!isPlainObject(input)) return out;
  for (const [key, raw] of Object.entries(input)) {
    const r = resolveKey(key, raw);
    if (r !== null) out.add(r.spec.name);
  }
  return out;
}

/** Keys that could reach an object's prototype; never parameter names. */
const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

const KNOWN_NAMES: readonly string[] = [...SPEC_BY_NAME.keys(), ...ALIASES_BY_NAME.keys()];

export function paramLabel(key: string, spec: ParamSpec, alias: AliasSpec | null): string {
  return alias ? `${key} (alias of ${spec.name})` : key;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return false;
  const proto: unknown = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}

function resolveKey(key: string, raw: unknown): { spec: ParamSpec; alias: AliasSpec | null } | null {
  const aliases = ALIASES_BY_NAME.get(key) ?? [];
  for (const { alias, spec } of aliases) {
    if (alias.whenType !== undefined && typeof raw === alias.whenType) return { spec, alias };
  }
  const spec = SPEC_BY_NAME.get(key);
  if (spec) return { spec, alias: null };
  const plain = aliases.find((a) => a.alias.whenType === undefined);
  return plain ? { spec: plain.spec, alias: plain.alias } : null;
}

/** "> 0", ">= 0", "in (0, 10000]" — in the units of the name used (bounds / alias scale). */
export function boundsText(b: Bounds, scale = 1): string | null {
  const show = (x: number): string => String(scaleValue(x, 1 / scale));
  if (b.min !== undefined && b.max !== undefined) {
    return `in ${b.minExclusive ? '(' : '['}${show(b.min)}, ${show(b.max)}${b.maxExclusive ? ')' : ']'}`;
  }
  if (b.min !== undefined) return `${b.minExclusive ? '>' : '>='} ${show(b.min)}`;
  if (b.max !== undefined) return `${b.maxExclusive ? '<' : '<='} ${show(b.max)}`;
  return null;
}

export function withinBounds(x: number, b: Bounds): boolean {
  if (b.min !== undefined && (b.minExclusive ? !(x > b.min) : !(x >= b.min))) return false;
  if (b.max !== undefined && (b.maxExclusive ? !(x < b.max) : !(x <= b.max))) return false;
  return true;
}

export function sameValue(a: unknown, b: unknown): boolean {
  if (Array.isArray(a) && Array.isArray(b)) {
    return a.length === b.length && a.every((x, i) => Object.is(x, b[i]));
  }
  return Object.is(a, b);
}

/** Checks one value against its parameter; returns the canonical value or pushes an issue. */
function checkValue(key: string, spec: ParamSpec, alias: AliasSpec | null, raw: unknown, issues: ParamIssue[]): ParamValue | undefined {
  const label = paramLabel(key, spec, alias);
  const fail = (message: string): undefined => { issues.push({ field: spec.name, message: `${label} ${message}` }); return undefined; };
  switch (spec.type) {
    case 'boolean': {
      if (typeof raw === 'boolean') return raw;
      const numberAlias = (ALIASES_BY_NAME.get(key) ?? []).some((a) => a.alias.whenType === 'number');
      return fail(`must be ${numberAlias ? 'a boolean or a number (skew factor)' : 'a boolean'}, got ${describeValue(raw)}`);
    }
    case 'enum': {
      if (typeof raw === 'string' && spec.values.includes(raw)) return raw;
      return fail(`must be one of ${spec.values.join(', ')}, got ${describeValue(raw)}`);
    }
    case 'array': {
      if (!Array.isArray(raw)) return fail(`must be an array of numbers, got ${describeValue(raw)}`);
      if (raw.length > spec.maxItems) return fail(`has ${raw.length} entries, at most ${spec.maxItems} allowed`);
      const out: number[] = [];
      for (let i = 0; i < raw.length; i++) {
        const item: unknown = raw[i];
        const at = `${label}[${i}]`;
        if (typeof item !== 'number') { issues.push({ field: spec.name, message: `${at} must be a number, got ${describeValue(item)}` }); return undefined; }
        if (!Number.isFinite(item)) { issues.push({ field: spec.name, message: `${at} must be a finite number, got ${item}` }); return undefined; }
        if (!withinBounds(item, spec.items)) { issues.push({ field: spec.name, message: `${at} must be ${boundsText(spec.items) ?? ''}, got ${item}` }); return undefined; }
        out.push(item + 0);
      }
      return Object.freeze(out);
    }
    case 'number':
    case 'integer': {
      const kind = spec.type === 'integer' ? 'an integer' : 'a number';
      if (raw === null) {
        if (spec.nullable) return null;
        return fail(`must be ${kind}, got null`);
      }
      if (typeof raw !== 'number') return fail(`must be ${kind}${spec.nullable ? ' or null' : ''}, got ${describeValue(raw)}`);
      if (!Number.isFinite(raw)) return fail(`must be a finite number, got ${raw}`);
      if (spec.type === 'integer' && !Number.isInteger(raw)) return fail(`must be an integer, got ${raw}`);
      const scale = alias?.scale ?? 1;
      const value = scaleValue(raw, scale) + 0; // + 0: -0 becomes 0 (JSON cannot carry -0)
      if (!withinBounds(value, spec)) return fail(`must be ${boundsText(spec, scale) ?? ''}, got ${raw}`);
      return value;
    }
  }
}

/** Reads `input`; problems go to `issues` (the result then holds only the good keys). */
export function readParamInput(input: unknown, issues: ParamIssue[]): ReadParamInput {
  const given = new Map<ParamName, GivenParam>();
  const implied = new Map<ParamName, { value: ParamValue; by: string }>();
  const keys: { key: string; field: ParamName; alias: AliasSpec | null }[] = [];
  if (!isPlainObject(input)) {
    issues.push({ field: 'parameters', message: `parameters must be a JSON object, got ${describeValue(input)}` });
    return { given, implied, keys };
  }
  for (const key of Object.keys(input)) {
    if (FORBIDDEN_KEYS.has(key)) {
      issues.push({ field: key, message: `parameter name "${key}" is not allowed` });
      continue;
    }
    const raw = input[key];
    const target = resolveKey(key, raw);
    if (!target) {
      const near = closestName(key, KNOWN_NAMES);
      issues.push({ field: key, message: `unknown parameter "${key}"${near ? ` (did you mean ${near}?)` : ''}` });
      continue;
    }
    const { spec, alias } = target;
    const value = checkValue(key, spec, alias, raw, issues);
    if (value === undefined) continue;
    const prev = given.get(spec.name);
    if (prev) {
      if (!sameValue(prev.value, value)) {
        issues.push({
          field: spec.name,
          message: `${paramLabel(prev.key, spec, prev.alias)} and ${paramLabel(key, spec, alias)} set ${spec.name} to different values (${formatValue(prev.value)} and ${formatValue(value)}): give one`,
        });
      }
      continue;
    }
    given.set(spec.name, { key, alias, raw, value });
    keys.push({ key, field: spec.name, alias });
  }
  for (const { key, alias } of given.values()) {
    for (const [field, value] of Object.entries(alias?.implies ?? {}) as [ParamName, ParamValue][]) {
      const explicit = given.get(field);
      if (explicit && !sameValue(explicit.value, value)) {
        issues.push({ field, message: `${key} implies ${field} ${formatValue(value)}, but ${field} is given as ${formatValue(explicit.value)}` });
      } else if (!explicit) {
        implied.set(field, { value, by: key });
      }
    }
  }
  return { given, implied, keys };
}
