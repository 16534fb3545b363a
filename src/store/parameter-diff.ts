// The field-by-field difference between a strategy's stored parameters and new
// ones: what the audit log records. Fields compare by value (key order inside
// nested objects does not matter); a field that appears or disappears is a change
// from or to "absent".
import { canonicalJson } from './json-values.js';

export interface FieldChange {
  readonly field: string;
  /** undefined when the field was absent before. */
  readonly oldValue: unknown;
  /** undefined when the field is absent now. */
  readonly newValue: unknown;
}

export function diffParameters(before: Readonly<Record<string, unknown>>, after: Readonly<Record<string, unknown>>): FieldChange[] {
  const out: FieldChange[] = [];
  for (const [field, newValue] of Object.entries(after)) {
    const had = Object.hasOwn(before, field);
    const oldValue = had ? before[field] : undefined;
    if (!had || canonicalJson(oldValue) !== canonicalJson(newValue)) out.push({ field, oldValue, newValue });
  }
  for (const [field, oldValue] of Object.entries(before)) {
    if (!Object.hasOwn(after, field)) out.push({ field, oldValue, newValue: undefined });
  }
  return out;
}
