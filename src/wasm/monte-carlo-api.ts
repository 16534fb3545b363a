// The Monte-Carlo experiment's kernel (assembly/sim/monte-carlo.ts): the path seeds
// in, one call per chunk of at most MC_MAX_PATHS paths, the records out. Nothing is
// allocated per call; the quoter slots it reads are configured through WasmQuoter.
import * as L from './layout.js';
import type { WasmCore } from './load.js';
import { SpreadcoreError, WASM_STATUS_TEXT } from '../errors.js';

export class WasmMonteCarlo {
  private readonly seeds: Uint32Array;
  private readonly out: Float64Array;

  constructor(readonly core: WasmCore) {
    this.seeds = new Uint32Array(core.buffer, L.MC_SEEDS_OFFSET, L.MC_MAX_PATHS);
    this.out = new Float64Array(core.buffer, L.MC_OUT_OFFSET, L.MC_MAX_PATHS * L.MC_RECORD_FIELDS);
  }

  private static check(status: number, what: string): void {
    if (status < 0) {
      throw new SpreadcoreError('SPREADCORE_ERR_BAD_PARAM', `${what}: ${WASM_STATUS_TEXT[-status] ?? `status ${status}`}`);
    }
  }

  /** Reads the two quoter slots and fills the per-step table for `steps` steps of dt from horizon T. */
  prepare(invSlot: number, symSlot: number, steps: number, T: number, dt: number): void {
    WasmMonteCarlo.check(this.core.exports.mcPrepare(invSlot, symSlot, steps, T, dt), 'the simulation kernel refused the quoters');
  }

  /**
   * Runs paths with seeds seedOf(0 .. n−1) (n ≤ MC_MAX_PATHS) and copies their
   * MC_RECORD_FIELDS numbers per path into `records` from index `at`.
   */
  run(n: number, seedOf: (j: number) => number, s0Tick: number, moveTick: number, dt: number, records: Float64Array, at: number): void {
    if (!Number.isInteger(n) || n < 0 || n > L.MC_MAX_PATHS) throw new SpreadcoreError('SPREADCORE_ERR_BAD_PARAM', `paths per kernel call must be 0..${L.MC_MAX_PATHS}, got ${n}`);
    for (let j = 0; j < n; j++) this.seeds[j] = seedOf(j);
    // one call per block: a call that runs long stays in the engine's baseline code (no
    // on-stack replacement in WebAssembly), short calls pick up the optimised code once it is ready
    for (let start = 0; start < n; start += L.MC_BLOCK) {
      WasmMonteCarlo.check(this.core.exports.mcRun(start, Math.min(L.MC_BLOCK, n - start), s0Tick, moveTick, dt), 'the simulation kernel');
    }
    records.set(this.out.subarray(0, n * L.MC_RECORD_FIELDS), at);
  }
}
