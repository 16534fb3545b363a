// The pool's failure paths give coded errors, never a hang or a crash. Under vitest
// the pool's worker file would be src/simulate/simulate-worker.js, which does not exist
// (only the compiled dist/ has it): that is a worker failure.
import { describe, it, expect } from 'vitest';
import { SpreadcoreError } from '../src/errors.js';
import { PAPER_CONSTANTS } from '../src/simulate/experiment.js';
import { simulateOnPool } from '../src/simulate/simulation-pool.js';

const RUN = { ...PAPER_CONSTANTS, model: 'avellaneda_stoikov' as const, gamma: 0.1, seed: 1, paths: 120 };

async function failure(p: Promise<unknown>): Promise<SpreadcoreError> {
  try {
    await p;
  } catch (e) {
    if (e instanceof SpreadcoreError) return e;
    throw e;
  }
  throw new Error('expected a failure');
}

describe('simulateOnPool failures', () => {
  it('a worker that cannot load is SPREADCORE_ERR_WORKER', async () => {
    const e = await failure(simulateOnPool(RUN, { workers: 2 }));
    expect(e.code).toBe('SPREADCORE_ERR_WORKER');
    expect(e.message).toMatch(/^simulation worker failed: .*simulate-worker/);
  });

  it('bad options are refused before any worker starts', async () => {
    const e = await failure(simulateOnPool({ ...RUN, gamma: -1 }, { workers: 1 }));
    expect(e.code).toBe('SPREADCORE_ERR_BAD_PARAM');
    expect(e.message).toMatch(/gamma must be a positive finite number, got -1/);
    const w = await failure(simulateOnPool(RUN, { workers: 0 }));
    expect(w.message).toMatch(/workers must be an integer from 1 to 64, got 0/);
  });
});
