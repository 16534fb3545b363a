// "Backtests a quant can trust", each effect on the real Binance recordings:
// - feed latency: the strategy decides at the recorded receive time (after the
//   recorder's clock offset is corrected) while the exchange matches at exchange
//   time; that costs fills at the touch, and a constant latency does too;
// - response latency: the strategy hears of fills late, so it sends cancels for
//   orders that were already filled (fills after a cancel was sent);
// - latency samples from a file: constant samples give exactly the constant model;
// - queue models: on a fixed order schedule (no strategy feedback) risk_averse never
//   fills an order more than any probability model (the math in docs/backtest.md),
//   pessimistic is risk_averse, power with n = 1 is proportional;
// - honest metrics: Sharpe null with a reason below 30 buckets, FIFO round trips that
//   add up to the matched quantity, adverse-selection events as their parts.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { parseBacktestSpec, runBacktest, type BacktestResult } from '../src/backtest/index.js';
import { drawdownValues } from '../src/backtest/backtest-charts.js';
import { SymbolLedger, summarizeLedger } from '../src/accounting/index.js';
import { LatencyCurve } from '../src/execution/paper-config.js';
import { shareAhead } from '../src/execution/queue-position.js';
import { rankRuns, requireObjective, runObjectives, type RunRecord } from '../src/sweep/objectives.js';
import { WasmBooks } from '../src/wasm/book-api.js';
import { instantiateCore } from '../src/wasm/load.js';
import { isolatedOrders } from './support/isolated-orders.js';

const ROOT = join(import.meta.dirname, '..');
const fixture = (name: string): Uint8Array => readFileSync(join(ROOT, 'test/fixtures/binance', `${name}_20240808.gz`));
const USDM = fixture('usdm_btcusdt');
const SPOT_BTC = fixture('spot_btcusdt');
const SPOT_ETH = fixture('spot_ethusdt');
const dir = mkdtempSync(join(tmpdir(), 'bt-trust-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** One quote per side at the touch (0.02 bps from mid is inside one tick), as the fill-model table in docs/backtest.md. */
const TOUCH = {
  symbols: ['BTCUSDT'],
  parameters: { spread_bps: 0.02, order_size: 0.001, max_position: 0.01, quote_levels: 1, requote_threshold_price: 0.01, quote_refresh_ms: 100 },
  maker_fee_bps: 0, taker_fee_bps: 4,
};

function run(data: Uint8Array, extra: Record<string, unknown>, base: Record<string, unknown> = TOUCH): BacktestResult {
  return runBacktest(data, parseBacktestSpec({ ...base, ...extra }), { seed: 1 });
}

const qtyOf = (r: BacktestResult): number => {
  const a = Object.values(r.symbols)[0]!.analytics;
  return Math.round((a.fills.buy_qty + a.fills.sell_qty) * 1e6) / 1e6;
};

describe('feed latency', () => {
  const none = run(USDM, { feed_latency: 'none' });
  const recorded = run(USDM, {});
  const constant = run(USDM, { feed_latency: 20 });

  it('reads the recording\'s receive times: the recorder\'s clock is ~1.27 s behind Binance\'s, corrected; a few ms remain', () => {
    const fl = recorded.data.feed_latency_ms!;
    expect(recorded.config.feed_latency).toBe('recorded'); // the default where the recording has receive times
    expect(fl.clock_correction_ms).toBeGreaterThan(1000);
    expect(fl.clock_correction_ms).toBeLessThan(1500);
    expect(fl.p1).toBeGreaterThanOrEqual(0);
    expect(fl.p50).toBeGreaterThan(0.5);
    expect(fl.p50).toBeLessThan(20);
    expect(fl.p99).toBeGreaterThan(fl.p50);
    console.log(`USD-M feed latency after a ${fl.clock_correction_ms} ms correction: p1 ${fl.p1}, p50 ${fl.p50}, p90 ${fl.p90}, p99 ${fl.p99}, max ${fl.max} ms`);
  });

  it('costs fills at the touch: recorded and a constant 20 ms each fill less than deciding at exchange time', () => {
    console.log(`at the touch: none ${none.objectives.fills} fills ${qtyOf(none)} BTC; recorded ${recorded.objectives.fills} / ${qtyOf(recorded)}; 20 ms ${constant.objectives.fills} / ${qtyOf(constant)}`);
    expect(qtyOf(recorded)).toBeLessThan(qtyOf(none));
    expect(recorded.objectives.fills).toBeLessThan(none.objectives.fills);
    expect(qtyOf(constant)).toBeLessThan(qtyOf(none));
    expect(constant.config.feed_latency).toBe(20);
    // the curves stay on exchange time: both runs sample the same instants
    expect(recorded.curves.equity.t_ms.slice(0, 5)).toEqual(none.curves.equity.t_ms.slice(0, 5));
  });

  it('a base latency on top of the corrected receive times costs more fills; only with "recorded"', () => {
    const based = run(USDM, { feed_base_latency_ms: 10 });
    expect(based.config.feed_base_latency_ms).toBe(10);
    console.log(`at the touch, recorded + 10 ms base: ${based.objectives.fills} fills ${qtyOf(based)} BTC`);
    expect(qtyOf(based)).toBeLessThan(qtyOf(recorded));
    expect(() => parseBacktestSpec({ ...TOUCH, feed_latency: 'none', feed_base_latency_ms: 1 })).toThrow(/feed_base_latency_ms applies to feed_latency "recorded" only/);
  });

  it('the naive model has no feed latency, whatever was asked', () => {
    const naive = run(USDM, { fill_model: 'naive', duration_s: 60 });
    expect(naive.config.feed_latency).toBe('none');
    expect(run(USDM, { fill_model: 'naive', duration_s: 60, feed_latency: 50 }).fills).toEqual(naive.fills);
  });

  it('spot recordings: the same correction story, and fewer fills at the touch', () => {
    const a = run(SPOT_ETH, { feed_latency: 'none' }, { ...TOUCH, symbols: ['ETHUSDT'], parameters: { ...TOUCH.parameters, order_size: 0.01, max_position: 0.1 } });
    const b = run(SPOT_ETH, {}, { ...TOUCH, symbols: ['ETHUSDT'], parameters: { ...TOUCH.parameters, order_size: 0.01, max_position: 0.1 } });
    console.log(`spot ETHUSDT at the touch: none ${a.objectives.fills} fills ${qtyOf(a)} ETH; recorded ${b.objectives.fills} / ${qtyOf(b)}; feed latency ${JSON.stringify(b.data.feed_latency_ms)}`);
    expect(b.data.feed_latency_ms!.clock_correction_ms).toBeGreaterThan(1000);
    expect(qtyOf(b)).toBeLessThan(qtyOf(a));
  });
});

describe('response latency', () => {
  const base = { feed_latency: 'none', order_latency_ms: 0, cancel_latency_ms: 0, duration_s: 180 };
  it('the strategy cancels orders that were already filled: fills after a cancel was sent appear only with it', () => {
    const instant = run(USDM, { ...base, response_latency_ms: 0 });
    const late = run(USDM, { ...base, response_latency_ms: 5 });
    console.log(`fills after a cancel was sent: response 0 ms ${instant.counters.fills_after_cancel_sent} of ${instant.objectives.fills}; 5 ms ${late.counters.fills_after_cancel_sent} of ${late.objectives.fills} (${late.counters.delayed_reports} reports delayed)`);
    expect(instant.counters.delayed_reports).toBe(0);
    expect(instant.counters.fills_after_cancel_sent).toBe(0); // cancels take effect at once and fills are heard at once
    expect(late.counters.delayed_reports).toBeGreaterThan(0);
    expect(late.counters.fills_after_cancel_sent).toBeGreaterThan(0);
    expect(late.config.response_latency_ms).toBe(5);
    // every report still arrives: the books balance (fills add up to the position)
    const a = Object.values(late.symbols)[0]!.analytics;
    expect(Math.round((a.fills.buy_qty - a.fills.sell_qty) * 1e6) / 1e6).toBe(a.inventory.position);
  });
});

describe('latency samples from a file', () => {
  it('interpolates linearly between samples and holds the ends', () => {
    const c = LatencyCurve.parse('# t_ms entry_ms response_ms\ntime,entry,response\n1000,2,4\n2000,6,0\n');
    expect(c.entryAt(0)).toBe(2e6);
    expect(c.entryAt(1500e6)).toBe(4e6);
    expect(c.responseAt(1250e6)).toBe(3e6);
    expect(c.entryAt(9e12)).toBe(6e6);
    expect(() => LatencyCurve.parse('1000 2')).toThrow(/line 1: expected "<time_ms> <entry_ms> <response_ms>"/);
    expect(() => LatencyCurve.parse('2000 1 1\n1000 1 1')).toThrow(/non-decreasing/);
    // against a plain linear scan, at any time, asked in any order
    fc.assert(fc.property(
      fc.array(fc.tuple(fc.integer({ min: 1, max: 1000 }), fc.integer({ min: 0, max: 1e7 })), { minLength: 1, maxLength: 30 }),
      fc.array(fc.integer({ min: -1000, max: 40_000 }), { minLength: 1, maxLength: 20 }),
      (steps, queries) => {
        const t: number[] = [];
        let at = 0;
        for (const [dt] of steps) { at += dt; t.push(at); }
        const e = steps.map(([, v]) => v);
        const curve = new LatencyCurve(t, e, e);
        for (const q of queries) {
          let want: number;
          if (q <= t[0]!) want = e[0]!;
          else if (q >= t[t.length - 1]!) want = e[e.length - 1]!;
          else {
            let i = 0;
            while (t[i + 1]! < q) i++;
            want = e[i]! + (e[i + 1]! - e[i]!) * ((q - t[i]!) / (t[i + 1]! - t[i]!));
          }
          if (curve.entryAt(q) !== Math.round(want)) return false;
        }
        return true;
      }));
  });

  it('constant samples give exactly the constant latencies; a slow period gives other fills', () => {
    const flat = join(dir, 'flat.csv');
    writeFileSync(flat, '1723161000000,2,2\n1723162000000,2,2\n');
    const fromFile = run(USDM, { order_latency_file: flat, duration_s: 120 });
    const constant = run(USDM, { order_latency_ms: 2, cancel_latency_ms: 2, response_latency_ms: 2, duration_s: 120 });
    expect(fromFile.config.order_latency_file).toEqual({ path: flat, samples: 2 });
    expect(fromFile.fills).toEqual(constant.fills);
    expect(fromFile.objectives.net_pnl).toBe(constant.objectives.net_pnl);
    expect(fromFile.warnings).toEqual([]);
    // times in seconds instead of ms: the samples never reach the replay, and the result says so
    const seconds = join(dir, 'seconds.csv');
    writeFileSync(seconds, '1723161000,2,2\n1723162000,40,40\n');
    const off = run(USDM, { order_latency_file: seconds, duration_s: 120 });
    expect(off.warnings).toEqual([expect.stringMatching(
      /^order_latency_file .*seconds\.csv: its samples span 1970-01-20T22:39:21\.000Z → 1970-01-20T22:39:22\.000Z, outside the replay \(2024-08-08T23:5.*\), so every order and report took its last sample's latencies; its times must be Unix epoch ms of exchange time$/)]);
    const slow = join(dir, 'slow.csv');
    writeFileSync(slow, '1723161255000,2,2\n1723161300000,40,40\n1723161375000,2,2\n');
    const varying = run(USDM, { order_latency_file: slow, duration_s: 120 });
    expect(varying.fills).not.toEqual(constant.fills);
    expect(() => parseBacktestSpec({ ...TOUCH, order_latency_file: flat, order_latency_ms: 1 })).toThrow(/cannot both be given/);
    expect(() => parseBacktestSpec({ ...TOUCH, order_latency_file: join(dir, 'missing.csv') })).toThrow(/cannot be read \(ENOENT\)/);
  });
});

describe('queue models', () => {
  it('the share of a cancel that was ahead of us, as each formula says', () => {
    expect(shareAhead('risk_averse', 2, 5, 5)).toBe(0);
    expect(shareAhead('proportional', 2, 3, 1)).toBe(0.75);
    expect(shareAhead('power', 2, 3, 1)).toBe(0.9); // 9 / (9 + 1)
    expect(shareAhead('log', 2, 3, 1)).toBeCloseTo(Math.log(4) / (Math.log(4) + Math.log(2)), 12);
    // joining the back (nothing behind us): every cancel is ahead in every probability model
    for (const m of ['proportional', 'power', 'log'] as const) expect(shareAhead(m, 3, 7, 0)).toBe(1);
    // the order between them flips at the middle of the queue: in the back half (front > back)
    // power (n > 1) ≥ proportional ≥ log, in the front half the reverse
    fc.assert(fc.property(fc.double({ min: 0.001, max: 1e4, noNaN: true }), fc.double({ min: 0.001, max: 1e4, noNaN: true }), fc.double({ min: 1, max: 5, noNaN: true }),
      (front, back, n) => {
        const pw = shareAhead('power', n, front, back);
        const pr = shareAhead('proportional', n, front, back);
        const lg = shareAhead('log', n, front, back);
        const eps = 1e-12;
        if (front >= back) return pw >= pr - eps && pr >= lg - eps;
        return pw <= pr + eps && pr <= lg + eps;
      }));
  });

  const books = new WasmBooks(instantiateCore('release'));
  const cases = [['usdm_btcusdt', USDM, 'BTCUSDT', 20], ['spot_btcusdt', SPOT_BTC, 'BTCUSDT', 20_000], ['spot_ethusdt', SPOT_ETH, 'ETHUSDT', 20_000]] as const;
  it.each(cases)('%s, a bid and an ask at the touch every second: risk_averse ≤ log, proportional, power per order', (name, data, symbol, qtyLot) => {
    const runOf = (cfg: Record<string, unknown>): number[] =>
      isolatedOrders(books, data, symbol, qtyLot, { orderLatencyNs: 0, cancelLatencyNs: 0, ...cfg }).filled;
    const ra = runOf({ queueModel: 'risk_averse' });
    const models = {
      log: runOf({ queueModel: 'log' }),
      proportional: runOf({ queueModel: 'proportional' }),
      'power n=2': runOf({ queueModel: 'power', queueExponent: 2 }),
      'power n=3': runOf({ queueModel: 'power', queueExponent: 3 }),
    };
    const total = (xs: number[]): number => xs.reduce((a, b) => a + b, 0);
    console.log(`${name}: ${ra.length} orders; lots filled risk_averse ${total(ra)}, ${Object.entries(models).map(([k, v]) => `${k} ${total(v)}`).join(', ')}`);
    expect(total(ra)).toBeGreaterThan(0);
    for (const [k, filled] of Object.entries(models)) {
      expect(filled.length, k).toBe(ra.length);
      const worse = filled.filter((f, i) => f < ra[i]!).length;
      expect(worse, `${k}: orders filled less than under risk_averse`).toBe(0);
      expect(total(filled), k).toBeGreaterThan(total(ra)); // cancels ahead of us do happen on this data
    }
    expect(runOf({ queueModel: 'pessimistic' })).toEqual(ra);
    expect(runOf({ queueModel: 'power', queueExponent: 1 })).toEqual(models.proportional);
  });

  it('the backtest passes the model and its exponent to the paper exchange and reports them', () => {
    const r = run(USDM, { queue_model: 'power', queue_exponent: 3, duration_s: 30 });
    expect(r.config.queue_model).toBe('power');
    expect(r.config.queue_exponent).toBe(3);
    expect(run(USDM, { queue_model: 'log', duration_s: 30 }).config.queue_exponent).toBe(null);
    expect(() => parseBacktestSpec({ ...TOUCH, queue_model: 'log', queue_exponent: 2 })).toThrow(/queue_exponent applies to queue_model "power" only/);
  });
});

describe('honest metrics', () => {
  it('Sharpe and Sortino need 30 return buckets: 29 give null with the reason, 30 give the figure', () => {
    const l = new SymbolLedger({ strategyId: 's', symbol: 'X', returnBucketMs: 1000 });
    l.applyFill({ tradeId: 't1', orderId: 'o1', clientOrderId: 'c1', strategyId: 's', symbol: 'X', side: 'BUY', price: '100', qty: '1', fee: '0', liquidity: 'MAKER', tsEventNs: 0n, tsInitNs: 0n });
    const mark = (s: number, mid: string): void => l.applyMark({ tsNs: BigInt(s) * 1_000_000_000n, mid });
    for (let s = 0; s <= 29; s++) mark(s, String(100 + (s % 3)));
    let x = summarizeLedger(l);
    expect(x.returnBuckets).toBe(29);
    expect(x.sharpe).toBe(null);
    expect(x.sharpeNote).toBe('29 return buckets of 1 s, fewer than the 30 a ratio needs');
    mark(30, '101');
    x = summarizeLedger(l);
    expect(x.returnBuckets).toBe(30);
    expect(x.sharpe).not.toBe(null);
    expect(x.sharpeNote).toBe(null);
  });

  it('a 6-minute recording has no Sharpe ratio: null, with its bucket width, count and reason', () => {
    const r = run(USDM, { duration_s: 120 });
    expect(r.objectives.sharpe).toBe(null);
    expect(r.objectives.sharpe_interval_s).toBe(60);
    expect(r.objectives.sharpe_samples).toBeLessThan(30);
    expect(r.objectives.sharpe_note).toMatch(/return buckets? of 60 s, fewer than the 30 a ratio needs/);
    expect(Object.values(r.symbols)[0]!.analytics.risk.sortino).toBe(null);
  });

  it('a sweep refuses to rank by a Sharpe ratio no run has', () => {
    const rec = (index: number, sharpe: number | null): RunRecord => ({
      index, values: [index], elapsedMs: 1, workerId: 0,
      objectives: runObjectives({ net_pnl: index, sharpe, max_drawdown: 0, fill_rate: 0, fills: 1, events: 1 }),
    });
    expect(() => requireObjective([rec(0, null), rec(1, null)], 'sharpe')).toThrow(/--objective sharpe cannot be computed: no run has a Sharpe ratio/);
    expect(() => requireObjective([rec(0, null), rec(1, 0.5)], 'sharpe')).not.toThrow();
    // ranking itself never throws: results.json is rewritten while runs arrive, and the first may lack a ratio
    expect(rankRuns([rec(0, null), rec(1, null)], 'sharpe').map((r) => r.index)).toEqual([0, 1]);
    expect(rankRuns([rec(0, null), rec(1, null)], 'net_pnl').map((r) => r.index)).toEqual([1, 0]);
    expect(rankRuns([rec(0, null), rec(1, 0.5)], 'sharpe').map((r) => r.index)).toEqual([1, 0]);
  });

  it('round trips are FIFO matches: their quantity is (bought + sold − |position|) / 2, and they outnumber flat-to-flat cycles', () => {
    for (const data of [USDM, SPOT_BTC]) {
      const r = run(data, { duration_s: 180 });
      const a = Object.values(r.symbols)[0]!.analytics;
      const rt = a.round_trips;
      const expected = Math.round(((a.fills.buy_qty + a.fills.sell_qty - Math.abs(a.inventory.position)) / 2) * 1e8) / 1e8;
      expect(rt.matched_qty).toBe(expected);
      expect(rt.count).toBeGreaterThanOrEqual(rt.flat_to_flat);
      expect(rt.count).toBeGreaterThan(0);
      expect(r.summary.performance.round_trips).toBe(rt.count);
    }
  });

  it('a ledger snapshot from before FIFO lots restores with the open position as one lot', () => {
    const l = new SymbolLedger({ strategyId: 's', symbol: 'X' });
    const f = (n: number, side: 'BUY' | 'SELL', qty: string, price: string, atS: number) => l.applyFill({
      tradeId: `t${n}`, orderId: `o${n}`, clientOrderId: `c${n}`, strategyId: 's', symbol: 'X', side, price, qty, fee: '0', liquidity: 'MAKER',
      tsEventNs: BigInt(atS) * 1_000_000_000n, tsInitNs: 0n,
    });
    f(1, 'BUY', '2', '100', 10);
    f(2, 'BUY', '1', '101', 20);
    const snap = JSON.parse(JSON.stringify(l.snapshot())) as ReturnType<SymbolLedger['snapshot']>;
    const rt = snap.roundTrips as unknown as Record<string, unknown>;
    for (const k of ['matches', 'matchedQty', 'matchWinners', 'matchNet', 'matchNs', 'lots']) delete rt[k];
    const old = SymbolLedger.restore(snap);
    const now = SymbolLedger.restore(l.snapshot());
    for (const [k, led] of [['old', old], ['now', now]] as const) {
      led.applyFill({ tradeId: 't3', orderId: 'o3', clientOrderId: 'c3', strategyId: 's', symbol: 'X', side: 'SELL', price: '103', qty: '3', fee: '0', liquidity: 'MAKER', tsEventNs: 70_000_000_000n, tsInitNs: 0n });
      const x = summarizeLedger(led);
      expect(x.roundTrips, k).toBe(k === 'old' ? 1 : 2); // one lot of 3 (opened at 10 s) against the two real lots
      expect(x.roundTripQty.toString(), k).toBe('3');
      expect(x.avgRoundTripSeconds!.toString(), k).toBe(k === 'old' ? '60' : '55');
    }
  });

  it('adverse-selection events are adverse fills (1 s markout loss beyond 2 bps) plus large-trade and volume-spike triggers', () => {
    const r = run(USDM, {});
    const risk = Object.values(r.symbols)[0]!.analytics.risk;
    console.log(`USD-M at the touch: ${risk.adverse_selection_events} adverse-selection events = ${risk.adverse_markout_fills} adverse fills + ${risk.adverse_triggers} triggers, of ${r.objectives.fills} fills`);
    expect(risk.adverse_selection_events).toBe(risk.adverse_markout_fills + risk.adverse_triggers);
    expect(risk.adverse_markout_fills).toBeGreaterThan(0);
    expect(risk.adverse_markout_fills).toBeLessThan(r.objectives.fills);
    expect(r.summary.risk.adverse_selection_events).toBe(risk.adverse_selection_events);
  });

  it('1 s markouts and adverse fills read the mid 1 s after each fill, as an independent count from a 10 ms mid curve does', () => {
    const r = run(SPOT_BTC, { order_latency_ms: 2, cancel_latency_ms: 2, sample_interval_ms: 10 }, {
      symbols: ['BTCUSDT'], parameters: { spread_bps: 10, order_size: 0.001, max_position: 0.01, quote_levels: 1, requote_threshold_price: 0.01, quote_refresh_ms: 100 },
      maker_fee_bps: 0, taker_fee_bps: 4,
    });
    const mid = r.curves.mid['BTCUSDT']!;
    const midAt = (tMs: number): number => {
      let i = 0;
      while (i + 1 < mid.t_ms.length && mid.t_ms[i + 1]! <= tMs) i++;
      return mid.values[i]!;
    };
    let adverse = 0;
    const sum: Record<'BUY' | 'SELL', [number, number]> = { BUY: [0, 0], SELL: [0, 0] };
    for (const f of r.fills) {
      const m = midAt(f.t_ms + 1000);
      const perUnit = f.side === 'BUY' ? m - f.price : f.price - m;
      if (-perUnit / f.price * 1e4 > 2) adverse++;
      sum[f.side as 'BUY' | 'SELL'][0] += perUnit * f.qty;
      sum[f.side as 'BUY' | 'SELL'][1] += f.qty;
    }
    const a = r.symbols['BTCUSDT']!.analytics;
    const m1 = a.markouts[0]!;
    console.log(`spot BTCUSDT 10 bps: ${r.fills.length} fills, adverse ${a.risk.adverse_markout_fills} (independent ${adverse}), 1 s markouts ${m1.buy.avg_pnl_per_unit} / ${m1.sell.avg_pnl_per_unit}`);
    expect(r.fills.length).toBeGreaterThan(5);
    expect(a.risk.adverse_markout_fills).toBe(adverse);
    expect(m1.buy.avg_pnl_per_unit!).toBeCloseTo(sum.BUY[0]! / sum.BUY[1]!, 2);
    expect(m1.sell.avg_pnl_per_unit!).toBeCloseTo(sum.SELL[0]! / sum.SELL[1]!, 2);
  });

  it('the drawdown curve is equity minus its running peak (from 0)', () => {
    expect(drawdownValues([-1, 2, 1, 3, 0.5])).toEqual([-1, 0, -1, 0, -2.5]);
    const r = run(USDM, { duration_s: 120 });
    const dd = drawdownValues(r.curves.equity.values);
    expect(Math.max(...dd)).toBeLessThanOrEqual(0);
    // the curve's worst point is no deeper than the ledger's max drawdown (marks are denser than samples)
    expect(-Math.min(...dd)).toBeLessThanOrEqual(r.objectives.max_drawdown + 1e-8);
  });
});
