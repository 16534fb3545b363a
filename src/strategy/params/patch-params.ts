// patch(): PATCH /api/strategy/{id}/parameters. Applies a partial parameters object to
// the current parameters with the same rules as validate(), and returns the next
// parameters, the audit trail of changed fields (old → new) and the seed 000 echo
// `updated_parameters` (the names and units the request used). A bad patch throws
// ParameterError and changes nothing: `current` is never modified.
import type { Instrument } from '../../orderbook/instrument.js';
import type { ParamName, ParamValue, StrategyParams } from './param-types.js';
import { PARAM_SPECS } from './param-table.js';
import { readParamInput, sameValue } from './read-param-input.js';
import { applyParams } from './apply-params.js';
import { ParameterError, type ParamIssue } from './param-errors.js';
import { scaleValue } from './param-decimal.js';

export interface ParamChange {
  readonly field: ParamName;
  readonly old: ParamValue;
  readonly new: ParamValue;
}

export interface PatchResult {
  readonly next: StrategyParams;
  /** Every field whose value changed, in table order, including ones a rule changed (the other spread cleared, skew_mode selected). */
  readonly changes: readonly ParamChange[];
  /** The request's keys with their new values in the request's units: seed 000's `updated_parameters`. */
  readonly updatedParameters: Readonly<Record<string, ParamValue>>;
}

export interface PatchOptions {
  readonly instrument?: Instrument;
}

export function patchParams(current: StrategyParams, partial: unknown, opts: PatchOptions = {}): PatchResult {
  const issues: ParamIssue[] = [];
  const read = readParamInput(partial, issues);
  if (issues.length > 0) throw new ParameterError(issues);
  const next = applyParams(read, issues, { base: current, baseLabel: 'current value', instrument: opts.instrument });

  const changes: ParamChange[] = [];
  for (const { name } of PARAM_SPECS) {
    if (!sameValue(current[name], next[name])) changes.push(Object.freeze({ field: name, old: current[name], new: next[name] }));
  }
  const updated: Record<string, ParamValue> = {};
  for (const { key, field, alias } of read.keys) {
    const v = next[field];
    const scale = alias?.scale ?? 1;
    updated[key] = scale !== 1 && typeof v === 'number' ? scaleValue(v, 1 / scale) : v;
  }
  return Object.freeze({ next, changes: Object.freeze(changes), updatedParameters: Object.freeze(updated) });
}
