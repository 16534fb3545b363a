// The params file of one sweep point: the base params file with the point's values
// set in its "parameters". A swept parameter replaces the base's value for the same
// parameter under any of its names (spread_bps in the space replaces a base
// base_spread_bps), so the two never conflict.
import { ALIASES_BY_NAME, SPEC_BY_NAME } from '../strategy/params/param-table.js';
import type { SweepValue } from './space.js';

/** The canonical parameter a key names for this value (inventory_skew: a number is skew_factor). */
export function canonicalName(key: string, value: unknown): string | undefined {
  const aliases = ALIASES_BY_NAME.get(key) ?? [];
  const typed = aliases.find((a) => a.alias.whenType !== undefined && typeof value === a.alias.whenType);
  if (typed !== undefined) return typed.spec.name;
  if (SPEC_BY_NAME.has(key)) return key;
  return aliases.find((a) => a.alias.whenType === undefined)?.spec.name;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * base's JSON with parameters[name] = value for every swept name. base is not modified.
 * canonical[i] is the canonical parameter of names[i].
 */
export function pointParams(base: unknown, names: readonly string[], canonical: readonly string[], values: readonly SweepValue[]): unknown {
  if (!isRecord(base)) return base;
  const baseParams = isRecord(base['parameters']) ? base['parameters'] : {};
  const swept = new Set(canonical);
  const parameters: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(baseParams)) {
    const target = canonicalName(k, v);
    if (target !== undefined && swept.has(target)) continue;
    parameters[k] = v;
  }
  names.forEach((n, i) => { parameters[n] = values[i]; });
  return { ...base, parameters };
}
