// The SpreadcoreError a call throws (anything else is rethrown; no throw fails the test).
import { SpreadcoreError } from '../../src/errors.js';

export function spreadcoreErrorOf(fn: () => unknown): SpreadcoreError {
  try {
    fn();
  } catch (e) {
    if (e instanceof SpreadcoreError) return e;
    throw e;
  }
  throw new Error('expected an error');
}
