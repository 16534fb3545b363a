export type {
  StrategyParams, ParamName, ParamValue, ParamSpec, AliasSpec, SeedId, ParamGroup, SkewStyle,
} from './param-types.js';
export { PARAM_TABLE, PARAM_SPECS, SPEC_BY_NAME, ALIASES_BY_NAME, DEFAULT_PARAMS } from './param-table.js';
export { ParameterError, type ParamIssue } from './param-errors.js';
export { validateParams, validateParams as validate, tryValidateParams, type ValidateOptions, type ValidateResult } from './validate-params.js';
export { patchParams, patchParams as patch, type ParamChange, type PatchResult, type PatchOptions } from './patch-params.js';
export { toQuoteParams } from './to-quote-params.js';
export { givenParamNames } from './read-param-input.js';
export { configView, type ConfigView } from './config-view.js';
export { effectiveSoftLimit } from './soft-limit.js';
export { regimeAdjustment, type MarketRegime, type RegimeAdjustment } from './regime-adjustment.js';
export { CROSS_FIELD_RULES, type CrossFieldRule } from './cross-field-rules.js';
export { renderParametersDoc } from './parameters-doc.js';
