// A deterministic stream of fills for the journal's crash tests, shared by the
// child process that writes them (plain JS, so it runs on node without a build
// step of its own) and the test that checks the journal against it.
//
// Per seed: fills for three strategies (and a few without one) on two symbols,
// prices and quantities on a grid, signed fees, increasing ns timestamps, and
// about 3% redeliveries of one of the last 50 fills (the same trade again, as a
// venue resends after a reconnect).

export const STRATEGY_IDS = ['mm_a', 'mm_b', 'mm_c'];
export const SYMBOLS = ['BTCUSDT', 'ETHUSDT'];
/** Parameter change every this many distinct fills. */
export const PARAM_EVERY = 200;

/** mulberry32: a small seeded PRNG in [0, 1). */
export function createRng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** An integer n of units 10^-scale as a plain decimal string: (12345, 2) -> "123.45". */
export function scaledDecimal(n, scale) {
  const neg = n < 0;
  const digits = String(Math.abs(n)).padStart(scale + 1, '0');
  const text = `${digits.slice(0, digits.length - scale)}.${digits.slice(digits.length - scale)}`;
  return neg ? `-${text}` : text;
}

/**
 * Yields { fill, redelivery } forever. Distinct fill k (0-based) has trade id
 * `t<seed>-<k>`; a redelivery repeats an earlier fill exactly.
 */
export function* fillEvents(seed) {
  const rng = createRng(seed);
  const recent = [];
  const t0 = 1_700_000_000_000_000_000n + BigInt(seed) * 1_000_000_000n;
  for (let k = 0; ; ) {
    if (recent.length > 0 && rng() < 0.03) {
      yield { fill: recent[Math.floor(rng() * recent.length)], redelivery: true };
      continue;
    }
    const strategyId = rng() < 0.05 ? null : STRATEGY_IDS[Math.floor(rng() * STRATEGY_IDS.length)];
    const symbol = SYMBOLS[Math.floor(rng() * SYMBOLS.length)];
    const side = rng() < 0.5 ? 'BUY' : 'SELL';
    const maker = rng() < 0.8;
    const priceTicks = 4_990_000 + Math.floor(rng() * 20_000);
    const lots = 1 + Math.floor(rng() * 50);
    const feeMicros = maker ? -Math.floor(rng() * 500) : Math.floor(rng() * 2000);
    const tsEventNs = t0 + BigInt(k) * 1_000_000n + BigInt(Math.floor(rng() * 999_999));
    const orderNo = Math.floor(k / 3);
    const fill = {
      tradeId: `t${seed}-${k}`,
      orderId: `o${seed}-${orderNo}`,
      clientOrderId: `c${seed}-${orderNo}`,
      strategyId,
      symbol,
      side,
      price: scaledDecimal(priceTicks, 2),
      qty: scaledDecimal(lots, 3),
      fee: scaledDecimal(feeMicros, 6),
      liquidity: maker ? 'MAKER' : 'TAKER',
      tsEventNs,
      tsInitNs: tsEventNs + 25_000n,
    };
    recent.push(fill);
    if (recent.length > 50) recent.shift();
    k++;
    yield { fill, redelivery: false };
  }
}

/** The first n distinct fills of a seed's stream. */
export function distinctFills(seed, n) {
  const out = [];
  if (n <= 0) return out;
  for (const e of fillEvents(seed)) {
    if (e.redelivery) continue;
    out.push(e.fill);
    if (out.length === n) break;
  }
  return out;
}

/** The spread_bps the stream sets when its k-th distinct fill (k a positive multiple of PARAM_EVERY) has been written. */
export function parameterStep(k) {
  const step = k / PARAM_EVERY;
  return { strategyId: STRATEGY_IDS[step % STRATEGY_IDS.length], spreadBps: 4 + step / 2 };
}

/** Signed position per "strategy|symbol" in lots of 10^-6, as bigint. */
export function positions(fills) {
  const out = new Map();
  for (const f of fills) {
    const [whole, frac = ''] = f.qty.split('.');
    const units = BigInt(whole + frac.padEnd(6, '0').slice(0, 6));
    const key = `${f.strategyId ?? '-'}|${f.symbol}`;
    out.set(key, (out.get(key) ?? 0n) + (f.side === 'BUY' ? units : -units));
  }
  return out;
}
