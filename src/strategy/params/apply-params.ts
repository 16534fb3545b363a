// Applies read input onto a base parameter set (the defaults for validate, the current
// parameters for a PATCH): the given values, the implied ones, the spread pair, the
// skew style, then the cross-field and instrument rules. Throws ParameterError; the
// base is never modified.
import type { Instrument } from '../../orderbook/instrument.js';
import type { ParamName, ParamValue, SkewStyle, StrategyParams } from './param-types.js';
import { PARAM_TABLE } from './param-table.js';
import { CROSS_FIELD_RULES } from './cross-field-rules.js';
import { instrumentIssues } from './instrument-checks.js';
import { ParameterError, formatValue, type ParamIssue } from './param-errors.js';
import { scaleValue } from './param-decimal.js';
import type { ReadParamInput } from './read-param-input.js';

/** Parameters of each skew style: giving one selects its skew_mode when skew_mode is not given. */
const SKEW_STYLE_FIELDS: Readonly<Record<SkewStyle, readonly ParamName[]>> = {
  factor: ['skew_factor'],
  per_unit: ['skew_price_per_unit'],
  stepped: ['skew_step_price', 'skew_step_size'],
};

export interface ApplyOptions {
  readonly base: StrategyParams;
  /** Where values not in the input come from, for messages: "default" or "current value". */
  readonly baseLabel: string;
  readonly instrument?: Instrument;
}

export function applyParams(read: ReadParamInput, issues: ParamIssue[], opts: ApplyOptions): StrategyParams {
  const next: Record<string, ParamValue> = { ...opts.base };
  for (const [field, g] of read.given) next[field] = g.value;
  for (const [field, i] of read.implied) next[field] = i.value;

  const has = (f: ParamName): boolean => read.given.has(f) || read.implied.has(f);
  const setNonNull = (f: ParamName): boolean => {
    const g = read.given.get(f);
    if (g) return g.value !== null;
    const i = read.implied.get(f);
    return i !== undefined && i.value !== null;
  };
  const keyOf = (f: ParamName): string => read.given.get(f)?.key ?? f;
  const labelOf = (f: ParamName): string => {
    const g = read.given.get(f);
    return g?.alias ? `${g.key} (alias of ${f})` : f;
  };

  // The spread pair: one of them, whichever the input names.
  if (setNonNull('spread_bps') && setNonNull('spread_price')) {
    issues.push({
      field: 'spread_bps',
      message: `${labelOf('spread_bps')} in bps of the fair value and ${labelOf('spread_price')} in price units are two different spreads: give one`,
    });
  } else if (setNonNull('spread_bps') && !has('spread_price')) {
    next.spread_price = null;
  } else if (setNonNull('spread_price') && !has('spread_bps')) {
    next.spread_bps = null;
  }

  // The skew style follows the skew parameter given, unless skew_mode is given.
  if (!has('skew_mode')) {
    const styles = (Object.keys(SKEW_STYLE_FIELDS) as SkewStyle[]).filter((s) => SKEW_STYLE_FIELDS[s].some((f) => has(f)));
    if (styles.length === 1) {
      next.skew_mode = styles[0]!;
    } else if (styles.length > 1) {
      const names = styles.flatMap((s) => SKEW_STYLE_FIELDS[s].filter((f) => has(f)).map((f) => keyOf(f)));
      issues.push({ field: 'skew_mode', message: `${names.join(', ')} belong to different skew styles (${styles.join(', ')}): set skew_mode to choose one` });
    }
  }

  const params = next as unknown as StrategyParams;
  if (issues.length === 0) {
    const ref = (f: ParamName): string => {
      const value = formatValue(params[f]);
      const g = read.given.get(f);
      if (g?.alias) {
        const scale = g.alias.scale ?? 1;
        return scale === 1
          ? `${g.key} ${value} (alias of ${f})`
          : `${g.key} ${formatValue(scaleValue(params[f] as number, 1 / scale))} (${f} ${value})`;
      }
      if (g) return `${f} ${value}`;
      const i = read.implied.get(f);
      if (i) return `${f} ${value} (implied by ${i.by})`;
      return `${f} ${value} (${opts.baseLabel})`;
    };
    for (const rule of CROSS_FIELD_RULES) {
      const message = rule.check(params, ref);
      if (message !== null) issues.push({ field: rule.fields[0]!, message });
    }
    if (issues.length === 0 && opts.instrument) issues.push(...instrumentIssues(params, opts.instrument, ref));
  }
  if (issues.length > 0) throw new ParameterError(issues);
  return freezeParams(params);
}

/** A frozen copy in table order (arrays frozen too). */
export function freezeParams(p: StrategyParams): StrategyParams {
  const out: Record<string, ParamValue> = {};
  for (const name of Object.keys(PARAM_TABLE) as ParamName[]) {
    const v = p[name];
    out[name] = Array.isArray(v) ? Object.freeze([...v]) : v;
  }
  return Object.freeze(out) as unknown as StrategyParams;
}
