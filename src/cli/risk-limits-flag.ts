// serve --risk-limits JSON|FILE: the risk limits every strategy (and the manual
// account) starts with, beyond the strategy parameters: largest order, largest order
// notional, price band around the mid, order rate and burst, cooldowns, the daily reset
// (src/risk/risk-limits.ts, docs/risk.md). The value is a JSON object, or the path of a
// file holding one; fields left out keep their defaults. Every problem is a usage error
// naming the flag (exit 2), before anything starts.
import { readFileSync } from 'node:fs';
import { SpreadcoreError } from '../errors.js';
import { resolveRiskLimits, type RiskLimits } from '../risk/risk-limits.js';
import { usageError } from './flags.js';

/**
 * The limits an inline JSON object or a JSON file gives, checked against the defaults
 * for what it leaves out; only the fields given are returned (the engine fills in the
 * rest per strategy: a binary contract's price band is the widest unless given).
 * `flag` names the source in messages.
 */
export function readRiskLimits(value: string, flag = '--risk-limits'): Readonly<Partial<RiskLimits>> {
  const v = value.trim();
  if (v === '') throw usageError(`${flag} needs a JSON object or a JSON file, e.g. ${flag} '{"max_order_notional": 500}'`);
  let text = v;
  let where = '';
  if (!v.startsWith('{') && !v.startsWith('[')) {
    where = ` ${value}`;
    try {
      text = readFileSync(value, 'utf8');
    } catch (e) {
      const err = e as NodeJS.ErrnoException;
      const why = err.code === 'ENOENT' ? 'no such file' : err.code === 'EISDIR' ? 'it is a directory' : err.code === 'EACCES' ? 'permission denied' : err.message;
      throw usageError(`${flag}${where}: cannot read it: ${why} (the value is a JSON object or a JSON file)`);
    }
  }
  let doc: unknown;
  try {
    doc = JSON.parse(text) as unknown;
  } catch (e) {
    throw usageError(`${flag}${where}: not valid JSON (${e instanceof Error ? e.message : String(e)}); expected e.g. {"max_order_notional": 500, "price_band_bps": 100}`);
  }
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) throw usageError(`${flag}${where}: must be a JSON object of risk limits, got ${Array.isArray(doc) ? 'an array' : JSON.stringify(doc)}`);
  try {
    resolveRiskLimits(doc as Partial<RiskLimits>);
    return Object.freeze({ ...(doc as Partial<RiskLimits>) });
  } catch (e) {
    if (e instanceof SpreadcoreError) throw usageError(`${flag}${where}: ${e.message}`);
    throw e;
  }
}
