// mulberry32: a tiny seeded 32-bit PRNG (Tommy Ettinger's public-domain
// construction) for benchmarks and tests that need repeatable noise. Returns
// uniform numbers in [0, 1). The simulator has its own generator (src/feed/sim/rng.ts).
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
