// Hands out the WASM quote ladder's slots (0..MAX_QUOTERS-1), one per strategy ×
// symbol. One registry per WASM instance, so independent users of the same core
// never write into each other's parameter blocks.
import { SpreadcoreError } from '../errors.js';
import { MAX_QUOTERS } from '../wasm/layout.js';

const registries = new WeakMap<object, QuoterSlots>();

export class QuoterSlots {
  /** The registry of a WASM instance (its WasmCore object). */
  static forCore(core: object): QuoterSlots {
    let r = registries.get(core);
    if (r === undefined) {
      r = new QuoterSlots();
      registries.set(core, r);
    }
    return r;
  }

  private readonly used = new Map<string, number>();
  private readonly free: number[] = [];

  constructor() {
    for (let i = MAX_QUOTERS - 1; i >= 0; i--) this.free.push(i);
  }

  /** The slot held under `key`, taking a free one the first time. */
  acquire(key: string): number {
    const have = this.used.get(key);
    if (have !== undefined) return have;
    const slot = this.free.pop();
    if (slot === undefined) {
      throw new SpreadcoreError('SPREADCORE_ERR_BAD_PARAM', `all ${MAX_QUOTERS} quoter slots are in use (one per strategy and symbol)`);
    }
    this.used.set(key, slot);
    return slot;
  }

  release(key: string): void {
    const slot = this.used.get(key);
    if (slot === undefined) return;
    this.used.delete(key);
    this.free.push(slot);
  }

  get available(): number {
    return this.free.length;
  }
}
