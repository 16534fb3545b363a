// Trading states: the kill switch, manual halt / reduce / resume, the per-symbol
// stop loss (REDUCING, flatten, back to ACTIVE when flat), the daily stop (HALTED
// until the daily reset at a configured UTC time). Every transition is an event
// with its reason and time. P&L comes from a real accounting ledger.
import { describe, it, expect, afterEach } from 'vitest';
import { FeedIngest } from '../src/feed/ingest/index.js';
import { WasmBooks } from '../src/wasm/book-api.js';
import { WasmVol } from '../src/wasm/vol-api.js';
import { instantiateCore } from '../src/wasm/load.js';
import { validateParams } from '../src/strategy/params/index.js';
import { SymbolLedger } from '../src/accounting/symbol-ledger.js';
import type { FillRecord, OrderIntent, OrderSide } from '../src/trading/types.js';
import {
  RiskEngine, type RiskEvent, type RiskLimits, type StateChangeEvent, ledgerPnl,
  ALLOW, DENY_KILL_SWITCH, DENY_HALTED, DENY_REDUCE_ONLY,
} from '../src/risk/index.js';

const core = instantiateCore('debug');
const books = new WasmBooks(core);
const vol = new WasmVol(core);
const T0 = Date.UTC(2024, 0, 10, 12, 0, 0) * 1e6; // 2024-01-10 12:00 UTC
const MIN = 60e9;
const HOUR = 60 * MIN;
const BID = 5_000_000;
const ASK = 5_000_100;

function pairs(...xs: number[]): Float64Array { return Float64Array.from(xs); }

const open: FeedIngest[] = [];
afterEach(() => { while (open.length > 0) open.pop()!.close(); });

let idSeq = 0;
function setup(paramInput: Record<string, unknown> = {}, limits: Partial<RiskLimits> = {}) {
  const ingest = new FeedIngest(books);
  open.push(ingest);
  const syms = ['BTCUSDT', 'ETHUSDT'];
  syms.forEach((symbol, i) => {
    ingest.instrument({ symbolId: i + 1, symbol, kind: 'spot', tickSize: '0.01', lotSize: '0.001', resolutionTsNs: 0 });
    ingest.snapshot(i + 1, 1, 0, pairs(BID, 5), 1, pairs(ASK, 5), 1);
  });
  ingest.endOfBatch(0);
  const events: RiskEvent[] = [];
  const risk = new RiskEngine({ ingest, vol, listener: (e) => events.push(e) });
  risk.addStrategy('s1', validateParams({ max_position: 0.01, order_size: 0.001, ...paramInput }), limits);
  for (const s of syms) risk.addSymbol('s1', ingest.bySymbolName(s)!.instrument);
  const intent = (side: OrderSide, qtyLot: number, extra: Partial<OrderIntent> = {}): OrderIntent => ({
    clientOrderId: `o${++idSeq}`, strategyId: 's1', symbol: 'BTCUSDT', side, type: 'LIMIT', timeInForce: 'GTC',
    priceTick: side === 'BUY' ? BID : ASK, qtyLot, reduceOnly: false, level: 1, ...extra,
  });
  const check = (side: OrderSide, qtyLot: number, extra: Partial<OrderIntent> = {}, nowNs = T0): number =>
    risk.check(intent(side, qtyLot, extra), { nowNs });
  const states = (): string[] => events.filter((e): e is StateChangeEvent => e.type === 'state_change')
    .map((e) => `${e.scope}${e.symbol === null ? '' : `:${e.symbol}`} ${e.from}->${e.to} ${e.reason}`);
  const requests = (): string[] => events.filter((e) => e.type === 'cancel_all' || e.type === 'flatten')
    .map((e) => (e.type === 'cancel_all' ? `cancel_all ${e.scope} ${e.reason}` : `flatten ${e.symbol} ${e.positionLot}`));
  return { ingest, risk, events, intent, check, states, requests };
}

let tradeSeq = 0;
function fill(side: OrderSide, qty: string, price: string, symbol = 'BTCUSDT'): FillRecord {
  tradeSeq++;
  return {
    tradeId: `t${tradeSeq}`, orderId: `x${tradeSeq}`, clientOrderId: `c${tradeSeq}`, strategyId: 's1', symbol,
    side, price, qty, fee: '0', liquidity: 'MAKER', tsEventNs: 1n, tsInitNs: 1n,
  };
}

describe('kill switch', () => {
  it('HALTED for every strategy with a global cancel-all; resume restores the strategies\' own states', () => {
    const f = setup();
    f.risk.reduceStrategy('s1', T0);
    expect(f.risk.kill(T0 + 1, 'operator')).toBe(true);
    expect(f.risk.kill(T0 + 2)).toBe(false);
    expect(f.risk.killed).toBe(true);
    expect(f.risk.effectiveState('s1', 'BTCUSDT')).toBe('HALTED');
    expect(f.check('BUY', 1)).toBe(DENY_KILL_SWITCH);
    expect(f.risk.metrics('s1')!.state).toBe('HALTED');
    expect(f.risk.resume(T0 + 3)).toBe(true);
    expect(f.risk.effectiveState('s1', 'BTCUSDT')).toBe('REDUCING');
    expect(f.states()).toEqual([
      'strategy ACTIVE->REDUCING manual_reduce',
      'global ACTIVE->HALTED manual_kill',
      'global HALTED->ACTIVE manual_resume',
    ]);
    expect(f.requests()).toEqual(['cancel_all strategy reducing', 'cancel_all global kill_switch']);
    const kill = f.events.find((e): e is StateChangeEvent => e.type === 'state_change' && e.scope === 'global')!;
    expect(kill).toMatchObject({ strategyId: null, symbol: null, detail: 'operator', tsNs: T0 + 1 });
  });
});

describe('strategy states', () => {
  it('ACTIVE -> HALTED -> ACTIVE -> REDUCING -> ACTIVE, each an event with reason and time; repeats are no-ops', () => {
    const f = setup();
    expect(f.risk.haltStrategy('s1', T0, 'manual')).toBe(true);
    expect(f.risk.haltStrategy('s1', T0)).toBe(false);
    expect(f.check('BUY', 1)).toBe(DENY_HALTED);
    expect(f.risk.resumeStrategy('s1', T0 + 1)).toBe(true);
    expect(f.check('BUY', 1)).toBe(ALLOW);
    expect(f.risk.reduceStrategy('s1', T0 + 2)).toBe(true);
    expect(f.check('BUY', 1)).toBe(DENY_REDUCE_ONLY);
    expect(f.risk.resumeStrategy('s1', T0 + 3)).toBe(true);
    expect(f.states()).toEqual([
      'strategy ACTIVE->HALTED manual_halt', 'strategy HALTED->ACTIVE manual_resume',
      'strategy ACTIVE->REDUCING manual_reduce', 'strategy REDUCING->ACTIVE manual_resume',
    ]);
    expect(f.requests()).toEqual(['cancel_all strategy halted', 'cancel_all strategy reducing']);
    expect(f.events.filter((e) => e.type === 'state_change').map((e) => e.tsNs)).toEqual([T0, T0 + 1, T0 + 2, T0 + 3]);
    expect(() => f.risk.haltStrategy('nope', T0)).toThrow(/unknown strategy/);
  });

  it('a reconcile_mismatch halt is lifted by liftReconcileHalt only; other halts and the kill switch stay', () => {
    const f = setup();
    expect(f.risk.liftReconcileHalt('s1', T0)).toBe(false); // not halted
    expect(f.risk.haltStrategy('s1', T0, 'BTCUSDT position 0 in the ledgers, 0.003 at the venue', 'reconcile_mismatch')).toBe(true);
    expect(f.risk.strategyStateReason('s1')).toBe('reconcile_mismatch');
    expect(f.check('BUY', 1)).toBe(DENY_HALTED);
    expect(f.risk.liftReconcileHalt('s1', T0 + 1, 'positions agree')).toBe(true);
    expect(f.risk.strategyState('s1')).toBe('ACTIVE');
    expect(f.check('BUY', 1)).toBe(ALLOW);
    // an operator's halt is not the reconciliation's to lift
    f.risk.haltStrategy('s1', T0 + 2, 'operator');
    expect(f.risk.liftReconcileHalt('s1', T0 + 3)).toBe(false);
    expect(f.risk.strategyState('s1')).toBe('HALTED');
    // already HALTED: a mismatch keeps the earlier reason, so the lift leaves it
    f.risk.haltStrategy('s1', T0 + 4, '', 'reconcile_mismatch');
    expect(f.risk.strategyStateReason('s1')).toBe('manual_halt');
    expect(f.risk.liftReconcileHalt('s1', T0 + 5)).toBe(false);
    f.risk.resumeStrategy('s1', T0 + 6);
    // under the kill switch the strategy's own halt is lifted, the kill switch is not
    f.risk.haltStrategy('s1', T0 + 7, '', 'reconcile_mismatch');
    f.risk.kill(T0 + 8);
    expect(f.risk.liftReconcileHalt('s1', T0 + 9)).toBe(true);
    expect(f.risk.killed).toBe(true);
    expect(f.risk.effectiveState('s1', 'BTCUSDT')).toBe('HALTED');
    expect(f.check('BUY', 1)).toBe(DENY_KILL_SWITCH);
    expect(f.states()).toEqual([
      'strategy ACTIVE->HALTED reconcile_mismatch', 'strategy HALTED->ACTIVE reconciled',
      'strategy ACTIVE->HALTED manual_halt', 'strategy HALTED->ACTIVE manual_resume',
      'strategy ACTIVE->HALTED reconcile_mismatch', 'global ACTIVE->HALTED manual_kill', 'strategy HALTED->ACTIVE reconciled',
    ]);
  });

  it('a listener that throws never reaches the caller', () => {
    const f = setup();
    f.risk.listener = () => { throw new Error('listener'); };
    expect(f.risk.haltStrategy('s1', T0)).toBe(true);
    expect((f.risk.lastListenerError as Error).message).toBe('listener');
    expect(f.risk.strategyState('s1')).toBe('HALTED');
  });
});

describe('stop loss per symbol', () => {
  it('unrealized loss >= stop_loss_bps of the entry value: REDUCING, cancel, flatten; back to ACTIVE when flat', () => {
    const f = setup({ stop_loss_bps: 50 });
    const ledger = new SymbolLedger({ strategyId: 's1', symbol: 'BTCUSDT' });
    ledger.applyFill(fill('BUY', '0.004', '50000'));
    f.risk.onUntrackedFill('s1', 'BTCUSDT', 'BUY', 4);
    // 0.004 BTC entered at 50,000 = 200; 0.5% = 1.00
    let p = ledgerPnl(ledger, '49751'); // -0.996: 49.8 bps
    expect(p).toEqual({ realizedQuote: 0, unrealizedQuote: -0.996, entryValueQuote: 200 });
    f.risk.onPnl('s1', 'BTCUSDT', p.realizedQuote, p.unrealizedQuote, p.entryValueQuote, T0);
    expect(f.risk.effectiveState('s1', 'BTCUSDT')).toBe('ACTIVE');
    p = ledgerPnl(ledger, '49750'); // -1.00: exactly 50 bps
    f.risk.onPnl('s1', 'BTCUSDT', p.realizedQuote, p.unrealizedQuote, p.entryValueQuote, T0 + 1);
    expect(f.risk.effectiveState('s1', 'BTCUSDT')).toBe('REDUCING');
    expect(f.risk.effectiveState('s1', 'ETHUSDT')).toBe('ACTIVE'); // per symbol
    expect(f.risk.strategyState('s1')).toBe('ACTIVE');
    expect(f.states()).toEqual(['symbol:BTCUSDT ACTIVE->REDUCING stop_loss']);
    expect(f.requests()).toEqual(['cancel_all symbol stop_loss', 'flatten BTCUSDT 4']);
    const sc = f.events.find((e): e is StateChangeEvent => e.type === 'state_change')!;
    expect(sc.detail).toBe('unrealized -1 on entry value 200 = 50 bps >= stop_loss_bps 50');
    // reduce-only while REDUCING: no buys, sells only down to flat
    expect(f.check('BUY', 1)).toBe(DENY_REDUCE_ONLY);
    expect(f.check('SELL', 5)).toBe(DENY_REDUCE_ONLY);
    const exit = f.intent('SELL', 4, { reduceOnly: true });
    expect(f.risk.check(exit, { nowNs: T0 + 2 })).toBe(ALLOW);
    // a second loss report does not stop again
    f.risk.onPnl('s1', 'BTCUSDT', 0, -2, 200, T0 + 3);
    expect(f.risk.metrics('s1')!.stop_losses).toBe(1);
    f.risk.onFill(exit.clientOrderId, 4, T0 + 4);
    expect(f.risk.effectiveState('s1', 'BTCUSDT')).toBe('ACTIVE');
    expect(f.states().at(-1)).toBe('symbol:BTCUSDT REDUCING->ACTIVE flat');
    expect(f.check('BUY', 1)).toBe(ALLOW);
  });

  it('works for shorts, is off when stop_loss_bps is null, and resumeSymbol ends it by hand', () => {
    const f = setup({ stop_loss_bps: 200 });
    f.risk.onUntrackedFill('s1', 'BTCUSDT', 'SELL', 2);
    f.risk.onPnl('s1', 'BTCUSDT', 0, -2.5, 100, T0); // 250 bps
    expect(f.risk.effectiveState('s1', 'BTCUSDT')).toBe('REDUCING');
    expect(f.requests()).toEqual(['cancel_all symbol stop_loss', 'flatten BTCUSDT -2']);
    expect(f.risk.resumeSymbol('s1', 'BTCUSDT', T0 + 1)).toBe(true);
    expect(f.risk.effectiveState('s1', 'BTCUSDT')).toBe('ACTIVE');
    const g = setup({ stop_loss_bps: null });
    g.risk.onPnl('s1', 'BTCUSDT', 0, -50, 100, T0);
    expect(g.risk.effectiveState('s1', 'BTCUSDT')).toBe('ACTIVE');
    expect(g.risk.onPnl('s1', 'BTCUSDT', NaN, 0, 0, T0)).toBe(false);
    expect(g.risk.onPnl('s1', 'NOPE', 0, 0, 0, T0)).toBe(false);
  });
});

describe('daily stop and reset', () => {
  it('the day\'s loss across symbols >= daily_loss_limit_pct of capital: HALTED until the reset time', () => {
    const f = setup({ daily_loss_limit_pct: 5, capital: 1000, stop_loss_bps: null }, { daily_reset_utc: '13:30' });
    f.risk.onPnl('s1', 'BTCUSDT', -20, -10, 100, T0); // day: -30
    f.risk.onPnl('s1', 'ETHUSDT', -15, 0, 0, T0 + 1); // day: -45
    expect(f.risk.strategyState('s1')).toBe('ACTIVE');
    expect(f.risk.metrics('s1')!.day_pnl).toBe(-45);
    f.risk.onPnl('s1', 'ETHUSDT', -15, -5, 50, T0 + 2); // day: -50 = 5% of 1000
    expect(f.risk.strategyState('s1')).toBe('HALTED');
    expect(f.check('SELL', 1, { reduceOnly: true })).toBe(DENY_HALTED);
    expect(f.requests()).toEqual(['cancel_all strategy daily_loss']);
    // still the same day at 13:29
    f.risk.tick(T0 + 89 * MIN);
    expect(f.risk.strategyState('s1')).toBe('HALTED');
    // 13:30 UTC: a new day; the loss so far is the new day's baseline
    f.risk.tick(T0 + 90 * MIN);
    expect(f.risk.strategyState('s1')).toBe('ACTIVE');
    expect(f.risk.metrics('s1')!.day_pnl).toBe(0);
    expect(f.states()).toEqual(['strategy ACTIVE->HALTED daily_loss', 'strategy HALTED->ACTIVE daily_reset']);
    f.risk.onPnl('s1', 'BTCUSDT', -20, -40, 100, T0 + 91 * MIN); // day: -30
    expect(f.risk.strategyState('s1')).toBe('ACTIVE');
    f.risk.onPnl('s1', 'BTCUSDT', -20, -60, 100, T0 + 92 * MIN); // day: -50
    expect(f.risk.strategyState('s1')).toBe('HALTED');
    expect(f.risk.metrics('s1')!.daily_stops).toBe(2);
    // the next reset is 24 h after the last one
    f.risk.tick(T0 + 90 * MIN + 24 * HOUR - 1e9);
    expect(f.risk.strategyState('s1')).toBe('HALTED');
    f.risk.tick(T0 + 90 * MIN + 24 * HOUR);
    expect(f.risk.strategyState('s1')).toBe('ACTIVE');
  });

  it('a manual halt is not lifted by the daily reset; a manual resume after a daily stop lasts until the next P&L update', () => {
    const f = setup({ daily_loss_limit_pct: 1, capital: 1000 });
    f.risk.tick(T0);
    f.risk.haltStrategy('s1', T0);
    f.risk.tick(T0 + 13 * HOUR); // past 00:00 UTC
    expect(f.risk.strategyState('s1')).toBe('HALTED');
    f.risk.resumeStrategy('s1', T0 + 13 * HOUR);
    f.risk.onPnl('s1', 'BTCUSDT', -10, 0, 0, T0 + 13 * HOUR + 1);
    expect(f.risk.strategyState('s1')).toBe('HALTED');
    f.risk.resumeStrategy('s1', T0 + 13 * HOUR + 2);
    expect(f.risk.strategyState('s1')).toBe('ACTIVE');
    f.risk.onPnl('s1', 'BTCUSDT', -10, 0, 0, T0 + 13 * HOUR + 3);
    expect(f.risk.strategyState('s1')).toBe('HALTED');
  });

  it('setDayBaseline measures the day from a restored P&L; a null limit never halts', () => {
    const f = setup({ daily_loss_limit_pct: 5, capital: 1000 });
    f.risk.setDayBaseline('s1', 'BTCUSDT', -500);
    f.risk.onPnl('s1', 'BTCUSDT', -540, 0, 0, T0);
    expect(f.risk.strategyState('s1')).toBe('ACTIVE');
    expect(f.risk.metrics('s1')!.day_pnl).toBe(-40);
    const g = setup({ daily_loss_limit_pct: null });
    g.risk.onPnl('s1', 'BTCUSDT', -1e9, 0, 0, T0);
    expect(g.risk.strategyState('s1')).toBe('ACTIVE');
  });
});
