// Two-level occupancy bitmap over the tick window: bit i of level 0 is set when
// window index i holds a level; bit w of level 1 is set when level-0 word w is
// non-zero. Finding the next occupied index is a couple of clz/ctz steps.
import { SUMMARY_WORDS } from '../layout';

@inline export function bitSet(l0: usize, l1: usize, idx: i32): void {
  const w = idx >>> 6;
  const p = l0 + (<usize>w << 3);
  const word = load<u64>(p);
  if (word == 0) {
    const sp = l1 + (<usize>(w >>> 6) << 3);
    store<u64>(sp, load<u64>(sp) | (<u64>1 << <u64>(w & 63)));
  }
  store<u64>(p, word | (<u64>1 << <u64>(idx & 63)));
}

@inline export function bitClear(l0: usize, l1: usize, idx: i32): void {
  const w = idx >>> 6;
  const p = l0 + (<usize>w << 3);
  const word = load<u64>(p) & ~(<u64>1 << <u64>(idx & 63));
  store<u64>(p, word);
  if (word == 0) {
    const sp = l1 + (<usize>(w >>> 6) << 3);
    store<u64>(sp, load<u64>(sp) & ~(<u64>1 << <u64>(w & 63)));
  }
}

/** Highest set index strictly below idx, or -1. idx may equal the window size. */
export function prevSetBit(l0: usize, l1: usize, idx: i32): i32 {
  let w = idx >>> 6;
  const b = idx & 63;
  if (b != 0) {
    const word = load<u64>(l0 + (<usize>w << 3)) & ((<u64>1 << <u64>b) - 1);
    if (word != 0) return (w << 6) + 63 - <i32>clz<u64>(word);
  }
  // words strictly below w
  let sw = w >>> 6;
  let s = load<u64>(l1 + (<usize>sw << 3)) & ((<u64>1 << <u64>(w & 63)) - 1);
  while (true) {
    if (s != 0) {
      const w2 = (sw << 6) + 63 - <i32>clz<u64>(s);
      const word = load<u64>(l0 + (<usize>w2 << 3));
      return (w2 << 6) + 63 - <i32>clz<u64>(word);
    }
    if (sw == 0) return -1;
    sw--;
    s = load<u64>(l1 + (<usize>sw << 3));
  }
}

/** Lowest set index strictly above idx, or -1. idx may be -1. */
export function nextSetBit(l0: usize, l1: usize, idx: i32): i32 {
  const start = idx + 1;
  let w = start >>> 6;
  if ((w >>> 6) >= SUMMARY_WORDS) return -1;
  const b = start & 63;
  const word = load<u64>(l0 + (<usize>w << 3)) & (~(<u64>0) << <u64>b);
  if (word != 0) return (w << 6) + <i32>ctz<u64>(word);
  let sw = w >>> 6;
  // words strictly above w: shift by (w&63) then by 1 so that 63 yields 0
  let s = load<u64>(l1 + (<usize>sw << 3)) & ((~(<u64>0) << <u64>(w & 63)) << 1);
  while (true) {
    if (s != 0) {
      const w2 = (sw << 6) + <i32>ctz<u64>(s);
      const word2 = load<u64>(l0 + (<usize>w2 << 3));
      return (w2 << 6) + <i32>ctz<u64>(word2);
    }
    sw++;
    if (sw >= SUMMARY_WORDS) return -1;
    s = load<u64>(l1 + (<usize>sw << 3));
  }
}
