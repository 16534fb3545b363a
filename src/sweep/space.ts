// The sweep space file: which strategy parameters a sweep varies and over what.
//
//   {"spread_bps": [2, 4, 8],                                  a list of values
//    "order_size": {"min": 0.001, "max": 0.004, "step": 0.001}, a range on a step grid
//    "k":          {"min": 0.5, "max": 8, "count": 5, "log": true}}  n points, log-spaced
//
// Every name is checked against the strategy parameter schema (the one that checks
// the params file), every listed value and every range end against its type and
// bounds, before any backtest runs. Problems are SPREADCORE_ERR_BAD_SWEEP_SPACE
// errors naming the parameter and the bad value.
import { SpreadcoreError } from '../errors.js';
import { describeValue } from '../strategy/params/param-errors.js';
import { SPEC_BY_NAME } from '../strategy/params/param-table.js';
import { readParamInput } from '../strategy/params/read-param-input.js';
import type { ParamIssue, ParamSpec } from '../strategy/params/index.js';

export type SweepValue = number | boolean | string | null;

/** A parameter varied over given values. */
export interface ListAxis {
  readonly kind: 'list';
  /** The name as the space file wrote it (a canonical name or an alias). */
  readonly name: string;
  readonly spec: ParamSpec;
  readonly values: readonly SweepValue[];
}

/** A parameter varied over a numeric range. */
export interface RangeAxis {
  readonly kind: 'range';
  readonly name: string;
  readonly spec: ParamSpec;
  readonly min: number;
  readonly max: number;
  /** Values are min + i × step (grid) or snapped to that grid (random). */
  readonly step: number | null;
  /** Number of points from min to max inclusive (grid only; with log, geometric spacing). */
  readonly count: number | null;
  /** Log-uniform (random) or geometric spacing (grid with count). */
  readonly log: boolean;
  /** Integer parameter: values are whole numbers. */
  readonly integer: boolean;
}

export type SweepAxis = ListAxis | RangeAxis;

export interface SweepSpace {
  readonly axes: readonly SweepAxis[];
}

/** Most values one list may hold, and most points one range may make. */
export const MAX_AXIS_VALUES = 10_000;
const RANGE_KEYS = new Set(['min', 'max', 'step', 'count', 'log']);

export function spaceError(message: string): SpreadcoreError {
  return new SpreadcoreError('SPREADCORE_ERR_BAD_SWEEP_SPACE', message);
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return false;
  const proto: unknown = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}

/**
 * Checks one value of parameter `name` against the schema; returns the spec or throws.
 * `where` prefixes the message (e.g. `spread_bps[2]`).
 */
export function checkParamValue(name: string, value: unknown, where: string): ParamSpec {
  const issues: ParamIssue[] = [];
  const read = readParamInput({ [name]: value }, issues);
  const first = issues[0];
  if (first !== undefined) throw spaceError(`space file: ${where}: ${first.message}`);
  const field = read.keys[0]?.field;
  if (field === undefined) throw spaceError(`space file: ${where}: not a parameter value`);
  const spec = SPEC_BY_NAME.get(field);
  if (spec === undefined) throw spaceError(`space file: ${where}: unknown parameter "${name}"`);
  return spec;
}

function finiteNumber(v: unknown, where: string): number {
  if (typeof v !== 'number' || !Number.isFinite(v)) throw spaceError(`space file: ${where} must be a finite number, got ${describeValue(v)}`);
  return v;
}

function parseList(name: string, raw: unknown[]): ListAxis {
  if (raw.length === 0) throw spaceError(`space file: ${name}: the list of values is empty`);
  if (raw.length > MAX_AXIS_VALUES) throw spaceError(`space file: ${name}: ${raw.length} values, at most ${MAX_AXIS_VALUES} allowed`);
  let spec: ParamSpec | undefined;
  const seen = new Set<string>();
  const values: SweepValue[] = [];
  raw.forEach((v, i) => {
    if (Array.isArray(v) || (typeof v === 'object' && v !== null)) {
      throw spaceError(`space file: ${name}[${i}] must be a number, boolean, string or null, got ${describeValue(v)}`);
    }
    spec = checkParamValue(name, v, `${name}[${i}]`);
    const key = JSON.stringify(v);
    if (seen.has(key)) throw spaceError(`space file: ${name}[${i}]: ${key} is listed twice`);
    seen.add(key);
    values.push(v as SweepValue);
  });
  if (spec === undefined) throw spaceError(`space file: ${name}: the list of values is empty`);
  return { kind: 'list', name, spec, values };
}

function parseRange(name: string, raw: Record<string, unknown>): RangeAxis {
  for (const k of Object.keys(raw)) {
    if (!RANGE_KEYS.has(k)) throw spaceError(`space file: ${name}: unknown range key "${k}" (a range has min, max and optionally step, count, log)`);
  }
  if (raw['min'] === undefined || raw['max'] === undefined) throw spaceError(`space file: ${name}: a range needs both min and max`);
  const min = finiteNumber(raw['min'], `${name}.min`);
  const max = finiteNumber(raw['max'], `${name}.max`);
  if (min > max) throw spaceError(`space file: ${name}: min ${min} is greater than max ${max}`);
  const spec = checkParamValue(name, min, `${name}.min`);
  checkParamValue(name, max, `${name}.max`);
  if (spec.type !== 'number' && spec.type !== 'integer') {
    throw spaceError(`space file: ${name}: a range needs a numeric parameter; ${spec.name} is ${spec.type === 'enum' ? `one of ${spec.values.join(', ')}` : `a ${spec.type}`}: list its values instead`);
  }
  const integer = spec.type === 'integer';
  let step: number | null = null;
  if (raw['step'] !== undefined) {
    step = finiteNumber(raw['step'], `${name}.step`);
    if (!(step > 0)) throw spaceError(`space file: ${name}.step must be > 0, got ${step}`);
    if (integer && !Number.isInteger(step)) throw spaceError(`space file: ${name}.step must be a whole number for the integer parameter ${spec.name}, got ${step}`);
  }
  let count: number | null = null;
  if (raw['count'] !== undefined) {
    count = finiteNumber(raw['count'], `${name}.count`);
    if (!Number.isInteger(count) || count < 1 || count > MAX_AXIS_VALUES) throw spaceError(`space file: ${name}.count must be a whole number from 1 to ${MAX_AXIS_VALUES}, got ${count}`);
  }
  if (step !== null && count !== null) throw spaceError(`space file: ${name}: give step or count, not both`);
  let log = false;
  if (raw['log'] !== undefined) {
    if (typeof raw['log'] !== 'boolean') throw spaceError(`space file: ${name}.log must be true or false, got ${describeValue(raw['log'])}`);
    log = raw['log'];
  }
  if (log && !(min > 0)) throw spaceError(`space file: ${name}: a log range needs min > 0, got ${min}`);
  if (log && step !== null) throw spaceError(`space file: ${name}: log spacing takes count, not step`);
  if (integer && (!Number.isInteger(min) || !Number.isInteger(max))) throw spaceError(`space file: ${name}: min and max must be whole numbers for the integer parameter ${spec.name}`);
  return { kind: 'range', name, spec, min, max, step, count, log, integer };
}

/** Parses a space file's JSON. Throws SPREADCORE_ERR_BAD_SWEEP_SPACE. */
export function parseSweepSpace(json: unknown): SweepSpace {
  if (!isPlainObject(json)) throw spaceError(`space file must be a JSON object of parameter → values or range, got ${describeValue(json)}`);
  const names = Object.keys(json);
  if (names.length === 0) throw spaceError('space file names no parameter to sweep');
  const axes: SweepAxis[] = [];
  const canonical = new Map<string, string>();
  for (const name of names) {
    const raw = json[name];
    let axis: SweepAxis;
    if (Array.isArray(raw)) axis = parseList(name, raw);
    else if (isPlainObject(raw)) axis = parseRange(name, raw);
    else throw spaceError(`space file: ${name} must be a list of values or a range {"min":…,"max":…}, got ${describeValue(raw)}`);
    const other = canonical.get(axis.spec.name);
    if (other !== undefined) throw spaceError(`space file: ${other} and ${name} both set ${axis.spec.name}: sweep it under one name`);
    canonical.set(axis.spec.name, name);
    axes.push(axis);
  }
  return { axes };
}
