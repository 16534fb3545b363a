// Seeded pseudo-random numbers for the simulator: xoshiro128** (Blackman & Vigna,
// "Scrambled linear pseudorandom number generators", 2021) on four 32-bit words,
// seeded through the MurmurHash3 32-bit finalizer so that nearby seeds and stream
// numbers give unrelated states. Every draw is a few integer operations on plain
// fields: no allocation, no Math.random.
import { SpreadcoreError } from '../../errors.js';

const TWO_POW_32 = 4294967296;
const TWO_POW_53 = 9007199254740992;

/** MurmurHash3 fmix32 of x + k * golden ratio (a SplitMix-style stream of seed words). */
function mixWord(x: number, k: number): number {
  let z = (x + Math.imul(k, 0x9e3779b9)) | 0;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
  return (z ^ (z >>> 16)) >>> 0;
}

export class Rng {
  private s0 = 0;
  private s1 = 0;
  private s2 = 0;
  private s3 = 0;
  private spareNormal = 0;
  private hasSpare = false;

  /**
   * seed: any safe integer (the simulator's seed); stream: a small integer that
   * separates independent generators under one seed (one per symbol and purpose).
   */
  constructor(seed: number, stream = 0) {
    if (!Number.isSafeInteger(seed)) throw new SpreadcoreError('SPREADCORE_ERR_BAD_PARAM', `seed must be a safe integer, got ${seed}`);
    if (!Number.isSafeInteger(stream) || stream < 0) throw new SpreadcoreError('SPREADCORE_ERR_BAD_PARAM', `rng stream must be a non-negative integer, got ${stream}`);
    const lo = (seed % TWO_POW_32) | 0;
    const hi = Math.floor(seed / TWO_POW_32) | 0;
    const base = mixWord(lo, hi + 1) ^ mixWord(stream, 0x51ed27);
    this.s0 = mixWord(base, 1);
    this.s1 = mixWord(base, 2);
    this.s2 = mixWord(base, 3);
    this.s3 = mixWord(base, 4);
    if ((this.s0 | this.s1 | this.s2 | this.s3) === 0) this.s0 = 1; // the all-zero state is a fixed point
  }

  /** Next 32 random bits as an unsigned integer. */
  nextU32(): number {
    const s1 = this.s1;
    const r = Math.imul(rotl(Math.imul(s1, 5), 7), 9);
    const t = s1 << 9;
    this.s2 ^= this.s0;
    this.s3 ^= s1;
    this.s1 ^= this.s2;
    this.s0 ^= this.s3;
    this.s2 ^= t;
    this.s3 = rotl(this.s3, 11);
    return r >>> 0;
  }

  /** Uniform on [0, 1) with 53 random bits. */
  uniform(): number {
    // two steps written out: small integers stay unboxed (nextU32's results can exceed V8's Smi range)
    let s0 = this.s0;
    let s1 = this.s1;
    let s2 = this.s2;
    let s3 = this.s3;
    const a = Math.imul(rotl(Math.imul(s1, 5), 7), 9) >>> 5; // 27 bits
    let t = s1 << 9;
    s2 ^= s0; s3 ^= s1; s1 ^= s2; s0 ^= s3; s2 ^= t; s3 = rotl(s3, 11);
    const b = Math.imul(rotl(Math.imul(s1, 5), 7), 9) >>> 6; // 26 bits
    t = s1 << 9;
    s2 ^= s0; s3 ^= s1; s1 ^= s2; s0 ^= s3; s2 ^= t; s3 = rotl(s3, 11);
    this.s0 = s0;
    this.s1 = s1;
    this.s2 = s2;
    this.s3 = s3;
    return (a * 67108864 + b) / TWO_POW_53;
  }

  /** Uniform on (0, 1]: safe under a logarithm. */
  uniformPositive(): number {
    return 1 - this.uniform();
  }

  /** Uniform integer in [0, n) for 1 <= n <= 2^32. */
  int(n: number): number {
    return Math.floor(this.uniform() * n);
  }

  /** Exponential with mean 1. */
  exp(): number {
    return -Math.log(this.uniformPositive());
  }

  /** Standard normal (Marsaglia's polar method; the second value of each pair is kept for the next call). */
  normal(): number {
    if (this.hasSpare) {
      this.hasSpare = false;
      return this.spareNormal;
    }
    let u = 0;
    let v = 0;
    let s = 0;
    do {
      u = 2 * this.uniform() - 1;
      v = 2 * this.uniform() - 1;
      s = u * u + v * v;
    } while (s >= 1 || s === 0);
    const f = Math.sqrt(-2 * Math.log(s) / s);
    this.spareNormal = v * f;
    this.hasSpare = true;
    return u * f;
  }

  /** Log-normal with the given median and log-space standard deviation. */
  logNormal(median: number, sigma: number): number {
    return median * Math.exp(sigma * this.normal());
  }
}

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}
