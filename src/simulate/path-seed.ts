// The seed of one path's random stream, from the run's seed and the path index,
// so every path draws the same numbers however the paths are split into tasks
// and workers. Two rounds of MurmurHash3's 32-bit finaliser (fmix32) spread
// neighbouring inputs over the whole 32-bit range.

function fmix32(x: number): number {
  let h = x >>> 0;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** A 32-bit seed for path `pathIndex` of a run seeded with `seed` (both unsigned 32-bit integers). */
export function pathSeed(seed: number, pathIndex: number): number {
  const s = fmix32((seed >>> 0) ^ 0x9e3779b9);
  return fmix32(s ^ Math.imul((pathIndex >>> 0) + 1, 0x27d4eb2f));
}
