// Client order id → open-order row, in fixed memory: open addressing with linear
// probing over preallocated arrays, deletion by backward shift (no tombstones), so
// adding and removing ids never allocates (a Map rehashes its table as ids come
// and go). The table is kept at most half full; ids are hashed over all their
// characters (FNV-1a), and equal strings match whatever their identity.

function hashId(id: string): number {
  let h = 0x811c9dc5 ^ id.length;
  for (let i = 0; i < id.length; i++) h = Math.imul(h ^ id.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

export class OrderIdTable {
  private readonly keys: (string | undefined)[];
  private readonly hashes: Uint32Array;
  private readonly rows: Int32Array;
  private readonly mask: number;
  private count = 0;
  /** Most ids held at once. */
  readonly capacity: number;

  constructor(capacity: number) {
    let size = 16;
    while (size < 2 * capacity) size *= 2;
    this.capacity = capacity;
    this.mask = size - 1;
    this.keys = new Array<string | undefined>(size).fill(undefined);
    this.hashes = new Uint32Array(size);
    this.rows = new Int32Array(size);
  }

  get size(): number { return this.count; }

  /** The id's row, -1 when absent. */
  get(id: string): number {
    const mask = this.mask;
    for (let i = hashId(id) & mask; ; i = (i + 1) & mask) {
      const k = this.keys[i];
      if (k === undefined) return -1;
      if (k === id) return this.rows[i]!;
    }
  }

  /** Adds an id that is not present; false when the table holds `capacity` ids already. */
  add(id: string, row: number): boolean {
    if (this.count >= this.capacity) return false;
    const h = hashId(id);
    const mask = this.mask;
    let i = h & mask;
    while (this.keys[i] !== undefined) i = (i + 1) & mask;
    this.keys[i] = id;
    this.hashes[i] = h;
    this.rows[i] = row;
    this.count++;
    return true;
  }

  /** Removes an id; false when absent. */
  delete(id: string): boolean {
    const mask = this.mask;
    let i = hashId(id) & mask;
    for (; ; i = (i + 1) & mask) {
      const k = this.keys[i];
      if (k === undefined) return false;
      if (k === id) break;
    }
    // backward shift: move later entries of the cluster into the hole when their home allows
    for (let j = (i + 1) & mask; ; j = (j + 1) & mask) {
      const k = this.keys[j];
      if (k === undefined) break;
      const home = this.hashes[j]! & mask;
      // the entry at j may move to i unless its home lies cyclically in (i, j]
      const stays = i <= j ? home > i && home <= j : home > i || home <= j;
      if (stays) continue;
      this.keys[i] = k;
      this.hashes[i] = this.hashes[j]!;
      this.rows[i] = this.rows[j]!;
      i = j;
    }
    this.keys[i] = undefined;
    this.count--;
    return true;
  }
}
