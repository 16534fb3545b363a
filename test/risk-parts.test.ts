// The risk engine's parts on their own: the token bucket, the volume window, the
// daily reset time, the risk limits' validation and the conversion of parameters
// to lots and ticks.
import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { SpreadcoreError } from '../src/errors.js';
import { Instrument } from '../src/orderbook/instrument.js';
import { validateParams } from '../src/strategy/params/index.js';
import { TokenBucket, VolumeWindow, nextDailyResetNs, resolveRiskLimits, DEFAULT_RISK_LIMITS, resetMinuteUtc } from '../src/risk/index.js';
import { toSlotLimits, toStrategyLimits } from '../src/risk/slot-limits.js';
import { OrderIdTable } from '../src/risk/order-id-table.js';

const S = 1e9;

describe('TokenBucket', () => {
  it('starts full, refills at the rate up to the burst, and never refills on a clock going backwards', () => {
    const b = new TokenBucket(10, 2);
    expect(b.available(0)).toBe(2);
    expect(b.take(0)).toBe(true);
    expect(b.take(0)).toBe(true);
    expect(b.take(0)).toBe(false);
    expect(b.available(0.05 * S)).toBeCloseTo(0.5, 12);
    expect(b.take(0.05 * S)).toBe(false);
    expect(b.take(0.1 * S)).toBe(true);
    expect(b.available(-5 * S)).toBeCloseTo(0, 12);
    expect(b.available(100 * S)).toBe(2);
    b.configure(1, 1);
    expect(b.available(100 * S)).toBe(1);
  });
});

describe('OrderIdTable', () => {
  it('behaves like a Map under random adds and deletes, at capacity and with colliding ids', () => {
    const ids = fc.oneof(fc.string({ maxLength: 6 }), fc.nat({ max: 40 }).map((n) => `ord-${n}`));
    const op = fc.record({ add: fc.boolean(), id: ids });
    fc.assert(fc.property(fc.integer({ min: 1, max: 24 }), fc.array(op, { maxLength: 300 }), (cap, ops) => {
      const t = new OrderIdTable(cap);
      const m = new Map<string, number>();
      let row = 0;
      for (const o of ops) {
        if (o.add) {
          if (m.has(o.id)) continue;
          const ok = t.add(o.id, row);
          expect(ok).toBe(m.size < cap);
          if (ok) m.set(o.id, row);
          row++;
        } else {
          expect(t.delete(o.id)).toBe(m.delete(o.id));
        }
        expect(t.size).toBe(m.size);
        for (const [k, v] of m) expect(t.get(k)).toBe(v);
      }
      expect(t.get('never-added')).toBe(m.get('never-added') ?? -1);
    }), { numRuns: 300 });
  });

  it('matches equal strings whatever their identity', () => {
    const t = new OrderIdTable(4);
    t.add(['a', 'b', 'c'].join(''), 7);
    expect(t.get(`a${'bc'}`)).toBe(7);
  });
});

describe('VolumeWindow', () => {
  it('current window against the average per window of the baseline before it', () => {
    const w = new VolumeWindow(10 * S, 40 * S); // 2.5 s buckets: 4 + 16
    for (let t = 0; t < 50; t++) w.add(t * S, 2);
    expect(w.current()).toBe(20); // t = 40 ... 49
    expect(w.averagePerWindow()).toBe(20);
    expect(w.isSpike(1.5)).toBe(false);
    w.add(49.5 * S, 11);
    expect(w.current()).toBe(31);
    expect(w.isSpike(1.5)).toBe(true);
  });

  it('needs a full baseline, forgets everything after a long gap, ignores bad input', () => {
    const w = new VolumeWindow(10 * S, 40 * S);
    w.add(0, 5);
    w.add(30 * S, 5);
    expect(w.averagePerWindow()).toBeNaN();
    w.add(1000 * S, 7);
    expect(w.current()).toBe(7);
    expect(w.averagePerWindow()).toBe(0);
    w.add(NaN, 5);
    w.add(1000 * S, -3);
    expect(w.current()).toBe(7);
  });

  it('scale: the history in another unit (a lot size change), so the same volume in the new lots is no spike', () => {
    const w = new VolumeWindow(10 * S, 40 * S);
    for (let t = 0; t < 50; t++) w.add(t * S, 2); // lots of 0.001
    w.scale(10); // lots of 0.0001 now
    expect(w.current()).toBe(200);
    expect(w.averagePerWindow()).toBe(200);
    const unscaled = new VolumeWindow(10 * S, 40 * S);
    for (let t = 0; t < 50; t++) unscaled.add(t * S, 2);
    for (let t = 50; t < 60; t++) { w.add(t * S, 20); unscaled.add(t * S, 20); } // the same trades in the new lots
    expect(w.isSpike(1.5)).toBe(false);
    expect(unscaled.isSpike(1.5)).toBe(true);
    w.scale(Number.NaN);
    w.scale(0);
    expect(w.current()).toBe(200);
  });

  it('caps its memory: a long baseline takes wider buckets', () => {
    const w = new VolumeWindow(1 * S, 604_800 * S);
    for (let k = 0; k < 3; k++) w.add(k * 100 * S, 1);
    w.add(700_000 * S, 1);
    expect(w.current()).toBe(1);
  });
});

describe('daily reset time', () => {
  it('parses HH:MM in UTC and finds the next day start strictly after a time', () => {
    expect(resetMinuteUtc('00:00')).toBe(0);
    expect(resetMinuteUtc('23:59')).toBe(1439);
    expect(resetMinuteUtc('24:00')).toBeNaN();
    expect(resetMinuteUtc('7:30')).toBeNaN();
    const noon = Date.UTC(2024, 2, 5, 12, 0) * 1e6;
    expect(nextDailyResetNs(noon, 0)).toBe(Date.UTC(2024, 2, 6, 0, 0) * 1e6);
    expect(nextDailyResetNs(noon, 13 * 60)).toBe(Date.UTC(2024, 2, 5, 13, 0) * 1e6);
    expect(nextDailyResetNs(noon, 12 * 60)).toBe(Date.UTC(2024, 2, 6, 12, 0) * 1e6);
    expect(nextDailyResetNs(NaN, 0)).toBeNaN();
  });
});

describe('risk limits', () => {
  it('fills defaults and refuses unknown fields and bad values with SPREADCORE_ERR_BAD_PARAM', () => {
    expect(resolveRiskLimits()).toEqual(DEFAULT_RISK_LIMITS);
    expect(resolveRiskLimits({ price_band_bps: 50 }).price_band_bps).toBe(50);
    const bad: Record<string, unknown>[] = [
      { price_band_bps: 0 }, { price_band_bps: 20_000 }, { max_order_qty: -1 }, { max_order_notional: NaN },
      { max_orders_per_second: 0 }, { order_burst: 1.5 }, { volatility_pause_cooldown_ms: -1 },
      { daily_reset_utc: '25:00' }, { daily_reset_utc: 0 }, { max_position: 1 },
    ];
    for (const b of bad) {
      let err: unknown;
      try { resolveRiskLimits(b); } catch (e) { err = e; }
      expect(err, JSON.stringify(b)).toBeInstanceOf(SpreadcoreError);
      expect((err as SpreadcoreError).code).toBe('SPREADCORE_ERR_BAD_PARAM');
    }
  });

  it('converts parameters to whole lots (rounded down) and exact ticks', () => {
    const inst = new Instrument({ symbol: 'X', tickSize: '0.01', lotSize: '0.001' });
    const p = validateParams({
      max_position: 0.0105, order_size: 0.001, large_trade_qty: 0.0101, requote_threshold_price: 0.07,
      stop_loss_bps: null, daily_loss_limit_pct: 2, capital: 5000, volume_spike_multiple: null,
    });
    const l = toSlotLimits(p, resolveRiskLimits({ max_order_notional: 100 }), inst);
    expect(l.maxPositionLot).toBe(10);
    expect(l.maxOrderLot).toBe(10);
    expect(l.largeTradeLot).toBe(11);
    expect(l.requoteThresholdTick).toBe(7);
    expect(l.maxNotionalLotTick).toBe(10_000_000);
    expect(l.stopLossBps).toBe(Infinity);
    expect(l.volumeSpikeMultiple).toBe(0);
    const s = toStrategyLimits(p, resolveRiskLimits({ daily_reset_utc: '08:15' }));
    expect(s.dailyLossQuote).toBe(100);
    expect(s.resetMinuteUtc).toBe(495);
  });
});
