// validate(): a raw parameters object (the "parameters" of POST /api/strategy/load)
// → the complete canonical parameters, defaults filled in. Throws ParameterError
// (SPREADCORE_ERR_BAD_PARAM) listing every problem, each naming the field.
import type { Instrument } from '../../orderbook/instrument.js';
import type { StrategyParams } from './param-types.js';
import { DEFAULT_PARAMS } from './param-table.js';
import { readParamInput } from './read-param-input.js';
import { applyParams } from './apply-params.js';
import { ParameterError, type ParamIssue } from './param-errors.js';

export interface ValidateOptions {
  /** With an instrument: quote sizes must be whole lots and a price-unit spread at least one tick. */
  readonly instrument?: Instrument;
}

export function validateParams(input: unknown, opts: ValidateOptions = {}): StrategyParams {
  const issues: ParamIssue[] = [];
  const read = readParamInput(input, issues);
  if (issues.length > 0) throw new ParameterError(issues);
  return applyParams(read, issues, { base: DEFAULT_PARAMS, baseLabel: 'default', instrument: opts.instrument });
}

export type ValidateResult =
  | { readonly ok: true; readonly params: StrategyParams }
  | { readonly ok: false; readonly error: ParameterError };

/** validateParams() without throwing. */
export function tryValidateParams(input: unknown, opts: ValidateOptions = {}): ValidateResult {
  try {
    return { ok: true, params: validateParams(input, opts) };
  } catch (e) {
    if (e instanceof ParameterError) return { ok: false, error: e };
    throw e;
  }
}
