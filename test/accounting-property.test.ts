// Properties of the ledger over random sequences of fills, marks and counts.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import type { FillRecord } from '../src/trading/types.js';
import { BinaryContractLedger, Decimal, SymbolLedger, ZERO, summarizeLedger, type LedgerEvent } from '../src/accounting/index.js';

const NS = 1_000_000n; // generated times are in ms

/** A decimal string `units × 10^-scale` (e.g. 1234, 3 → "1.234"). */
function dec(units: number, scale: number): string {
  return new Decimal(units).div(new Decimal(10).pow(scale)).toFixed(scale);
}

const fillArb = fc.record({
  buy: fc.boolean(),
  lots: fc.integer({ min: 1, max: 5000 }), // 0.001 .. 5.000
  ticks: fc.integer({ min: 1, max: 10_000_000 }), // 0.01 .. 100,000.00
  feeUnits: fc.integer({ min: -500, max: 2000 }), // −0.05 .. 0.2, rebates included
  taker: fc.boolean(),
  dtMs: fc.integer({ min: 0, max: 20_000 }),
});
const markArb = fc.record({
  ticks: fc.integer({ min: 1, max: 10_000_000 }),
  bid: fc.boolean(),
  ask: fc.boolean(),
  dtMs: fc.integer({ min: 0, max: 20_000 }),
});
const stepArb = fc.oneof(
  { weight: 5, arbitrary: fillArb.map((f) => ({ kind: 'fill' as const, ...f })) },
  { weight: 3, arbitrary: markArb.map((m) => ({ kind: 'mark' as const, ...m })) },
  { weight: 1, arbitrary: fc.record({ n: fc.integer({ min: 0, max: 5 }), which: fc.constantFrom('orders_placed', 'orders_cancelled', 'quote_updates', 'volatility_pauses', 'adverse_selection_events') as fc.Arbitrary<'orders_placed'> }).map((c) => ({ kind: 'count' as const, ...c })) },
);
type Step = typeof stepArb extends fc.Arbitrary<infer T> ? T : never;

function toEvents(steps: Step[]): { events: LedgerEvent[]; fills: FillRecord[] } {
  let t = 1_700_000_000_000n;
  let i = 0;
  const events: LedgerEvent[] = [];
  const fills: FillRecord[] = [];
  for (const s of steps) {
    if (s.kind === 'fill') {
      t += BigInt(s.dtMs);
      i++;
      const f: FillRecord = {
        tradeId: `t${i}`, orderId: `o${i}`, clientOrderId: `c${i}`, strategyId: 'p', symbol: 'X',
        side: s.buy ? 'BUY' : 'SELL', price: dec(s.ticks, 2), qty: dec(s.lots, 3), fee: dec(s.feeUnits, 4),
        liquidity: s.taker ? 'TAKER' : 'MAKER', tsEventNs: t * NS, tsInitNs: t * NS,
      };
      fills.push(f);
      events.push({ kind: 'fill', fill: f });
    } else if (s.kind === 'mark') {
      t += BigInt(s.dtMs);
      events.push({ kind: 'mark', mark: { tsNs: t * NS, mid: dec(s.ticks, 2), atBestBid: s.bid, atBestAsk: s.ask } });
    } else {
      events.push({ kind: 'count', counter: s.which, n: s.n });
    }
  }
  return { events, fills };
}

const newLedger = () => new SymbolLedger({ strategyId: 'p', symbol: 'X', returnBucketMs: 10_000, tradeHistoryLimit: 50 });

function replay(events: LedgerEvent[], into = newLedger()): SymbolLedger {
  for (const e of events) into.apply(e);
  return into;
}

const signed = (f: FillRecord) => (f.side === 'BUY' ? new Decimal(f.qty) : new Decimal(f.qty).neg());

describe('ledger properties', () => {
  it('position equals the signed sum of fills, and never exceeds the max reached', () => {
    fc.assert(fc.property(fc.array(stepArb, { maxLength: 80 }), (steps) => {
      const { events, fills } = toEvents(steps);
      const l = newLedger();
      let sum = ZERO;
      let fi = 0;
      for (const e of events) {
        l.apply(e);
        if (e.kind === 'fill') {
          sum = sum.plus(signed(fills[fi++]!));
          expect(l.position.eq(sum)).toBe(true);
          expect(l.position.abs().lte(l.state.totals.maxAbsPosition)).toBe(true);
        }
      }
    }), { numRuns: 200 });
  });

  it('realized + unrealized at the last fill price equals the cash-flow P&L, exactly', () => {
    fc.assert(fc.property(fc.array(stepArb, { maxLength: 80 }), (steps) => {
      const { events, fills } = toEvents(steps);
      const l = replay(events);
      const last = fills[fills.length - 1];
      if (last === undefined) return;
      let cash = ZERO;
      let fees = ZERO;
      for (const f of fills) {
        cash = cash.minus(signed(f).times(f.price));
        fees = fees.plus(f.fee);
      }
      const cashFlowPnl = cash.plus(l.position.times(last.price));
      const x = summarizeLedger(l, last.price);
      expect(x.realizedGross.plus(x.unrealizedPnl).eq(cashFlowPnl)).toBe(true);
      expect(x.totalPnl.eq(cashFlowPnl.minus(fees))).toBe(true);
      expect(x.feesPaid.eq(fees)).toBe(true);
    }), { numRuns: 200 });
  });

  it('the per-trade round-trip profits add up to realized − fees, less the fees still carried by the open position', () => {
    fc.assert(fc.property(fc.array(stepArb, { maxLength: 80 }), (steps) => {
      const { events } = toEvents(steps);
      const l = newLedger();
      let sum = ZERO;
      let closedSum = ZERO;
      for (const e of events) {
        if (e.kind !== 'fill') { l.apply(e); continue; }
        const entry = l.applyFill(e.fill);
        if (entry.roundTripProfit !== null) sum = sum.plus(entry.roundTripProfit);
        if (entry.closedRoundTripProfit !== null) closedSum = closedSum.plus(entry.closedRoundTripProfit);
      }
      expect(sum.minus(l.state.position.openEntryFees).eq(l.realizedNet)).toBe(true);
      expect(closedSum.eq(l.state.roundTrips.closedNet)).toBe(true);
      const x = summarizeLedger(l);
      expect(x.winningRoundTrips).toBeLessThanOrEqual(x.roundTrips);
      expect(x.buyFills + x.sellFills).toBe(x.fills);
    }), { numRuns: 200 });
  });

  it('replaying a prefix, snapshotting through JSON, restoring and replaying the rest equals replaying everything', () => {
    fc.assert(fc.property(fc.array(stepArb, { maxLength: 80 }), fc.nat(), (steps, cutSeed) => {
      const { events } = toEvents(steps);
      const cut = events.length === 0 ? 0 : cutSeed % (events.length + 1);
      const whole = replay(events);
      const prefix = replay(events.slice(0, cut));
      const restored = SymbolLedger.restore(JSON.parse(JSON.stringify(prefix.snapshot())));
      replay(events.slice(cut), restored);
      expect(JSON.stringify(restored.snapshot())).toBe(JSON.stringify(whole.snapshot()));
      expect(JSON.stringify(summarizeLedger(restored))).toBe(JSON.stringify(summarizeLedger(whole)));
      // and replaying the same sequence twice gives the same state
      expect(JSON.stringify(replay(events).snapshot())).toBe(JSON.stringify(whole.snapshot()));
    }), { numRuns: 200 });
  });
});

describe('binary contract properties', () => {
  const binFillArb = fc.record({
    yes: fc.boolean(),
    buy: fc.boolean(),
    lots: fc.integer({ min: 1, max: 100 }),
    cents: fc.integer({ min: 1, max: 99 }),
  });

  it('per-side inventory and the net YES book agree: same P&L at any YES mark, net = YES − NO', () => {
    fc.assert(fc.property(fc.array(binFillArb, { maxLength: 60 }), fc.integer({ min: 0, max: 100 }), fc.boolean(), (fs, markCents, resolveYes) => {
      const b = new BinaryContractLedger({ strategyId: 'm', symbol: 'EVT' });
      fs.forEach((f, i) => {
        b.applyFill(f.yes ? 'YES' : 'NO', {
          tradeId: `t${i}`, orderId: `o${i}`, clientOrderId: `c${i}`, strategyId: 'm', symbol: 'EVT', side: f.buy ? 'BUY' : 'SELL',
          price: dec(f.cents, 2), qty: String(f.lots), fee: '0', liquidity: 'MAKER', tsEventNs: BigInt(i), tsInitNs: BigInt(i),
        });
        expect(b.yes.qty.isNegative() || b.no.qty.isNegative()).toBe(false);
        expect(b.net.position.eq(b.yes.qty.minus(b.no.qty))).toBe(true);
      });
      const m = new Decimal(markCents).div(100);
      const x = summarizeLedger(b.net, m.toString());
      expect(b.sidePnlAt(m).eq(x.realizedGross.plus(x.unrealizedPnl))).toBe(true);
      const outcome = resolveYes ? 'YES' : 'NO';
      const payoff = resolveYes ? new Decimal(1) : ZERO;
      const expected = b.sidePnlAt(payoff);
      const r = BinaryContractLedger.restore(JSON.parse(JSON.stringify(b.snapshot())));
      r.resolve(outcome, 1_000n);
      expect(r.net.position.isZero()).toBe(true);
      expect(summarizeLedger(r.net).realizedGross.eq(expected)).toBe(true);
      expect(r.yes.realized.plus(r.no.realized).eq(expected)).toBe(true);
    }), { numRuns: 200 });
  });
});
