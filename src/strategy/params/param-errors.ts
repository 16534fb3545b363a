// The parameter error: SPREADCORE_ERR_BAD_PARAM with one message per problem, each
// naming the field (and the alias the input used).
import { SpreadcoreError } from '../../errors.js';

export interface ParamIssue {
  /** The parameter (canonical name, or the input key when it is not one). */
  readonly field: string;
  readonly message: string;
}

export class ParameterError extends SpreadcoreError {
  readonly issues: readonly ParamIssue[];
  constructor(issues: readonly ParamIssue[]) {
    super('SPREADCORE_ERR_BAD_PARAM', issues.map((i) => i.message).join('; '));
    this.issues = Object.freeze([...issues]);
  }
}

/** A value for an error message: `string "4.0"`, `NaN`, `an array`, `null`. */
export function describeValue(v: unknown): string {
  if (v === null) return 'null';
  if (v === undefined) return 'undefined';
  if (Array.isArray(v)) return 'an array';
  switch (typeof v) {
    case 'number': return String(v);
    case 'string': {
      const text = JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}…` : v);
      return `string ${text}`;
    }
    case 'boolean': return `boolean ${v}`;
    case 'object': return 'an object';
    default: return typeof v;
  }
}

/** A canonical value for a message: numbers as JSON, arrays as [a, b]. */
export function formatValue(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map((x) => formatValue(x)).join(', ')}]`;
  if (typeof v === 'string') return JSON.stringify(v);
  return String(v);
}
