// The journal's API on real SQLite files: fills (dedup, queries, batches),
// strategies and the parameter audit log, orders and their transitions, engine
// state, restore semantics, and reopening after a clean close.
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { SpreadcoreError } from '../src/errors.js';
import { JOURNAL_SCHEMA_VERSION, Journal } from '../src/store/index.js';
import type { FillRecord, OrderRecord } from '../src/trading/types.js';

const T0 = 1_717_000_000_000_000_000n;
const open: Journal[] = [];
const dirs: string[] = [];

function dataDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'spreadcore-journal-'));
  dirs.push(d);
  return join(d, 'data');
}

function openJournal(dir = dataDir()): Journal {
  let t = T0;
  const j = Journal.open(dir, { clockNs: () => (t += 1_000n) });
  open.push(j);
  return j;
}

afterEach(() => {
  for (const j of open.splice(0)) j.close();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function fill(n: number, over: Partial<FillRecord> = {}): FillRecord {
  return {
    tradeId: `tr-${n}`, orderId: `o-${n}`, clientOrderId: `c-${n}`, strategyId: 'mm', symbol: 'BTCUSDT', side: n % 2 === 0 ? 'BUY' : 'SELL',
    price: '49990.10', qty: '0.001', fee: '-0.0005', liquidity: 'MAKER', tsEventNs: T0 + BigInt(n), tsInitNs: T0 + BigInt(n) + 7n, ...over,
  };
}

function order(n: number, over: Partial<OrderRecord> = {}): OrderRecord {
  return {
    orderId: `o-${n}`, clientOrderId: `c-${n}`, strategyId: 'mm', symbol: 'BTCUSDT', side: 'BUY', type: 'LIMIT', timeInForce: 'GTC',
    price: '49990.10', qty: '0.003', tsInitNs: T0 + BigInt(n), ...over,
  };
}

function codeOf(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    if (e instanceof SpreadcoreError) return e.code;
    throw e;
  }
  return 'no error';
}

const strip = <T extends { seq: number }>(x: T): Omit<T, 'seq'> => {
  const { seq: _seq, ...rest } = x;
  return rest;
};

describe('opening', () => {
  it('creates the data directory and journal.sqlite, in WAL mode, synchronous=FULL, locked exclusively', () => {
    const dir = dataDir();
    const j = openJournal(dir);
    expect(j.path).toBe(join(dir, 'journal.sqlite'));
    expect(existsSync(j.path)).toBe(true);
    expect(j.schemaVersion).toBe(JOURNAL_SCHEMA_VERSION);
    expect(j.durabilitySettings()).toEqual({ journalMode: 'wal', synchronous: 'FULL', lockingMode: 'exclusive' });
    expect(j.counts()).toEqual({ strategies: 0, parameterChanges: 0, orders: 0, orderStatusChanges: 0, fills: 0 });
  });
});

describe('fills', () => {
  it('writes a fill once: the same (venue, trade id) again is a duplicate and keeps the first', () => {
    const j = openJournal();
    expect(j.recordFill(fill(1))).toBe('inserted');
    expect(j.recordFill(fill(1))).toBe('duplicate');
    expect(j.recordFill(fill(1, { price: '1.00' }))).toBe('duplicate');
    expect(j.recordFill(fill(1), 'binance')).toBe('inserted');
    expect(j.counts().fills).toBe(2);
    const [first, second] = j.fills('mm');
    expect(first).toEqual({ ...fill(1), venue: 'paper', seq: 1 });
    expect(second).toEqual({ ...fill(1), venue: 'binance', seq: 2 });
  });

  it('writes a batch in one call with per-fill results, duplicates inside the batch included', () => {
    const j = openJournal();
    j.recordFill(fill(2));
    expect(j.recordFills([fill(1), fill(2), fill(3), fill(3)])).toEqual(['inserted', 'duplicate', 'inserted', 'duplicate']);
    expect(j.fills('mm').map((f) => f.tradeId)).toEqual(['tr-2', 'tr-1', 'tr-3']);
    expect(j.recordFills([])).toEqual([]);
  });

  it('refuses a batch with one bad fill before writing any of it', () => {
    const j = openJournal();
    expect(codeOf(() => j.recordFills([fill(1), fill(2, { qty: '1e-3' })]))).toBe('SPREADCORE_ERR_BAD_INPUT');
    expect(j.counts().fills).toBe(0);
  });

  it.each<[string, Partial<FillRecord>]>([
    ['exponent price', { price: '5e4' }],
    ['negative qty', { qty: '-0.001' }],
    ['empty fee', { fee: '' }],
    ['number timestamp', { tsEventNs: 1 as unknown as bigint }],
    ['negative timestamp', { tsInitNs: -1n }],
    ['timestamp beyond int64', { tsEventNs: 2n ** 63n }],
    ['unknown side', { side: 'buy' as 'BUY' }],
    ['unknown liquidity', { liquidity: 'X' as 'MAKER' }],
    ['empty trade id', { tradeId: '' }],
    ['empty strategy id', { strategyId: '' }],
  ])('refuses a fill with %s', (_name, over) => {
    const j = openJournal();
    expect(codeOf(() => j.recordFill(fill(1, over)))).toBe('SPREADCORE_ERR_BAD_INPUT');
    expect(j.counts().fills).toBe(0);
  });

  it('queries per strategy (null: fills without one), since a time, limited, oldest or newest first', () => {
    const j = openJournal();
    for (let n = 1; n <= 6; n++) j.recordFill(fill(n, { strategyId: n === 4 ? null : n % 2 === 0 ? 'even' : 'odd' }));
    expect(j.fills('odd').map((f) => f.tradeId)).toEqual(['tr-1', 'tr-3', 'tr-5']);
    expect(j.fills('even').map((f) => f.tradeId)).toEqual(['tr-2', 'tr-6']);
    expect(j.fills(null).map((f) => f.tradeId)).toEqual(['tr-4']);
    expect(j.fills('odd', { sinceTsNs: T0 + 3n }).map((f) => f.tradeId)).toEqual(['tr-3', 'tr-5']);
    expect(j.fills('odd', { limit: 2 }).map((f) => f.tradeId)).toEqual(['tr-1', 'tr-3']);
    expect(j.fills('odd', { limit: 2, newestFirst: true }).map((f) => f.tradeId)).toEqual(['tr-5', 'tr-3']);
    expect(j.fills('none')).toEqual([]);
    expect(codeOf(() => j.fills('odd', { limit: -1 }))).toBe('SPREADCORE_ERR_BAD_INPUT');
  });

  it('keeps nanosecond timestamps exact up to 2^63 - 1', () => {
    const j = openJournal();
    const max = 2n ** 63n - 1n;
    j.recordFill(fill(1, { tsEventNs: max, tsInitNs: 0n }));
    const [f] = j.fills('mm');
    expect([f?.tsEventNs, f?.tsInitNs]).toEqual([max, 0n]);
  });
});

describe('strategies and the parameter audit log', () => {
  const def = { id: 'btc_mm_1', name: 'btc_mm_1', type: 'MarketMaking', symbols: ['BTCUSDT'], parameters: { spread_bps: 4, order_size: 0.001, quote_levels: 3, bands: { lo: 1, hi: 2 } }, status: 'stopped' };

  it('records a strategy once and updates its status', () => {
    const j = openJournal();
    const s = j.recordStrategy({ ...def, tsNs: T0 });
    expect(strip(s)).toEqual({ id: 'btc_mm_1', name: 'btc_mm_1', type: 'MarketMaking', symbols: ['BTCUSDT'], parameters: def.parameters, status: 'stopped', createdAtNs: T0, updatedAtNs: T0 });
    expect(codeOf(() => j.recordStrategy(def))).toBe('SPREADCORE_ERR_JOURNAL_CONFLICT');
    expect(j.updateStrategyStatus('btc_mm_1', 'running', T0 + 5n)).toBe('stopped');
    expect(j.strategy('btc_mm_1')?.status).toBe('running');
    expect(j.strategy('btc_mm_1')?.updatedAtNs).toBe(T0 + 5n);
    expect(codeOf(() => j.updateStrategyStatus('nope', 'running'))).toBe('SPREADCORE_ERR_JOURNAL_NOT_FOUND');
    expect(j.strategies().map((x) => x.id)).toEqual(['btc_mm_1']);
    expect(j.strategy('nope')).toBeNull();
  });

  it('refuses parameters that are not plain JSON', () => {
    const j = openJournal();
    expect(codeOf(() => j.recordStrategy({ ...def, parameters: { spread_bps: Number.NaN } }))).toBe('SPREADCORE_ERR_BAD_INPUT');
    expect(codeOf(() => j.recordStrategy({ ...def, parameters: { big: 1n } }))).toBe('SPREADCORE_ERR_BAD_INPUT');
    expect(codeOf(() => j.recordStrategy({ ...def, parameters: [] as unknown as Record<string, unknown> }))).toBe('SPREADCORE_ERR_BAD_INPUT');
    expect(j.counts().strategies).toBe(0);
  });

  it('replaces the parameters and writes one audit row per changed field, in one step', () => {
    const j = openJournal();
    j.recordStrategy(def);
    const next = { spread_bps: 6, order_size: 0.001, bands: { hi: 2, lo: 1 }, skew_factor: 0.5 }; // quote_levels removed, bands reordered only
    const changes = j.recordParameterChanges('btc_mm_1', next, { source: 'api', tsNs: T0 + 10n });
    expect(changes.map(strip)).toEqual([
      { strategyId: 'btc_mm_1', field: 'spread_bps', oldValue: 4, newValue: 6, tsNs: T0 + 10n, source: 'api' },
      { strategyId: 'btc_mm_1', field: 'skew_factor', oldValue: undefined, newValue: 0.5, tsNs: T0 + 10n, source: 'api' },
      { strategyId: 'btc_mm_1', field: 'quote_levels', oldValue: 3, newValue: undefined, tsNs: T0 + 10n, source: 'api' },
    ]);
    expect(j.parameterChanges('btc_mm_1')).toEqual(changes);
    expect(j.strategy('btc_mm_1')?.parameters).toEqual(next);
    expect(j.strategy('btc_mm_1')?.updatedAtNs).toBe(T0 + 10n);
    expect(j.recordParameterChanges('btc_mm_1', next, { source: 'api' })).toEqual([]);
    expect(j.counts().parameterChanges).toBe(3);
  });

  it('changes a single parameter (undefined removes it)', () => {
    const j = openJournal();
    j.recordStrategy(def);
    expect(j.recordParameterChange('btc_mm_1', 'spread_bps', 5, { source: 'api' }).map((c) => [c.field, c.oldValue, c.newValue])).toEqual([['spread_bps', 4, 5]]);
    expect(j.recordParameterChange('btc_mm_1', 'bands', undefined, { source: 'config' }).map((c) => [c.field, c.oldValue, c.newValue, c.source])).toEqual([['bands', { lo: 1, hi: 2 }, undefined, 'config']]);
    expect(j.recordParameterChange('btc_mm_1', 'spread_bps', 5, { source: 'api' })).toEqual([]);
    expect(j.strategy('btc_mm_1')?.parameters).toEqual({ spread_bps: 5, order_size: 0.001, quote_levels: 3 });
  });

  it('refuses changes for an unknown strategy or with a bad value, writing nothing', () => {
    const j = openJournal();
    j.recordStrategy(def);
    expect(codeOf(() => j.recordParameterChanges('nope', { a: 1 }, { source: 'api' }))).toBe('SPREADCORE_ERR_JOURNAL_NOT_FOUND');
    expect(codeOf(() => j.recordParameterChange('btc_mm_1', 'spread_bps', Number.POSITIVE_INFINITY, { source: 'api' }))).toBe('SPREADCORE_ERR_BAD_INPUT');
    expect(codeOf(() => j.recordParameterChange('btc_mm_1', 'spread_bps', 5, { source: '' }))).toBe('SPREADCORE_ERR_BAD_INPUT');
    expect(j.counts().parameterChanges).toBe(0);
    expect(j.strategy('btc_mm_1')?.parameters).toEqual(def.parameters);
  });
});

describe('orders', () => {
  it('records an order with its first status; the same order again is a duplicate, a reused id a conflict', () => {
    const j = openJournal();
    expect(j.recordOrder(order(1))).toBe('inserted');
    expect(j.recordOrder(order(1))).toBe('duplicate');
    expect(codeOf(() => j.recordOrder(order(1, { clientOrderId: 'other' })))).toBe('SPREADCORE_ERR_JOURNAL_CONFLICT');
    expect(codeOf(() => j.recordOrder(order(2, { clientOrderId: 'c-1' })))).toBe('SPREADCORE_ERR_JOURNAL_CONFLICT');
    expect(j.order('o-1')).toEqual({ ...order(1), seq: 1, status: 'PENDING_NEW', statusTsEventNs: T0 + 1n });
    expect(j.counts()).toMatchObject({ orders: 1, orderStatusChanges: 1 });
  });

  it('records status transitions with their times and keeps the latest as the status', () => {
    const j = openJournal();
    j.recordOrder(order(1), { status: 'ACTIVE', tsEventNs: T0 + 2n });
    j.recordOrderStatus('o-1', 'PARTIALLY_FILLED', { tsEventNs: T0 + 3n, tsInitNs: T0 + 4n });
    j.recordOrderStatus('o-1', 'CANCELLED', { tsEventNs: T0 + 5n, tsInitNs: T0 + 6n, reason: 'stop' });
    expect(j.orderStatusHistory('o-1').map(strip)).toEqual([
      { orderId: 'o-1', status: 'ACTIVE', tsEventNs: T0 + 2n, tsInitNs: T0 + 1n, reason: null },
      { orderId: 'o-1', status: 'PARTIALLY_FILLED', tsEventNs: T0 + 3n, tsInitNs: T0 + 4n, reason: null },
      { orderId: 'o-1', status: 'CANCELLED', tsEventNs: T0 + 5n, tsInitNs: T0 + 6n, reason: 'stop' },
    ]);
    expect(j.order('o-1')?.status).toBe('CANCELLED');
    expect(j.order('o-1')?.statusTsEventNs).toBe(T0 + 5n);
    expect(codeOf(() => j.recordOrderStatus('o-9', 'ACTIVE', { tsEventNs: T0 }))).toBe('SPREADCORE_ERR_JOURNAL_NOT_FOUND');
    expect(codeOf(() => j.recordOrderStatus('o-1', 'DONE' as 'FILLED', { tsEventNs: T0 }))).toBe('SPREADCORE_ERR_BAD_INPUT');
    expect(j.counts().orderStatusChanges).toBe(3);
  });

  it('checks orders: MARKET without a price is fine, LIMIT without one is not', () => {
    const j = openJournal();
    expect(j.recordOrder(order(1, { type: 'MARKET', timeInForce: 'IOC', price: null }))).toBe('inserted');
    expect(j.order('o-1')?.price).toBeNull();
    expect(codeOf(() => j.recordOrder(order(2, { price: null })))).toBe('SPREADCORE_ERR_BAD_INPUT');
    expect(codeOf(() => j.recordOrder(order(3, { timeInForce: 'FOK' as 'GTC' })))).toBe('SPREADCORE_ERR_BAD_INPUT');
  });

  it('lists orders by strategy, open only, newest first, limited', () => {
    const j = openJournal();
    for (let n = 1; n <= 5; n++) j.recordOrder(order(n, { strategyId: n === 5 ? null : n % 2 === 0 ? 'even' : 'odd' }));
    j.recordOrderStatus('o-1', 'FILLED', { tsEventNs: T0 + 9n });
    j.recordOrderStatus('o-2', 'REJECTED', { tsEventNs: T0 + 9n });
    expect(j.orders().map((o) => o.orderId)).toEqual(['o-1', 'o-2', 'o-3', 'o-4', 'o-5']);
    expect(j.orders({ strategyId: 'odd' }).map((o) => o.orderId)).toEqual(['o-1', 'o-3']);
    expect(j.orders({ strategyId: null }).map((o) => o.orderId)).toEqual(['o-5']);
    expect(j.orders({ openOnly: true }).map((o) => o.orderId)).toEqual(['o-3', 'o-4', 'o-5']);
    expect(j.orders({ openOnly: true, strategyId: 'odd' }).map((o) => o.orderId)).toEqual(['o-3']);
    expect(j.orders({ newestFirst: true, limit: 2 }).map((o) => o.orderId)).toEqual(['o-5', 'o-4']);
  });
});

describe('batch', () => {
  it('commits everything written inside it together, or nothing when it throws', () => {
    const j = openJournal();
    j.batch(() => {
      j.recordOrder(order(1));
      j.recordFill(fill(1));
      j.recordOrderStatus('o-1', 'FILLED', { tsEventNs: T0 + 3n });
    });
    expect(j.counts()).toMatchObject({ orders: 1, fills: 1, orderStatusChanges: 2 });
    expect(() => j.batch(() => {
      j.recordOrder(order(2));
      j.recordFill(fill(2));
      throw new Error('abandon');
    })).toThrow('abandon');
    expect(j.counts()).toMatchObject({ orders: 1, fills: 1, orderStatusChanges: 2 });
  });
});

describe('engine state and the kill switch', () => {
  it('stores JSON values by key and the kill switch with its time and reason', () => {
    const j = openJournal();
    expect(j.getState('x')).toBeUndefined();
    j.setState('x', { a: [1, 'b', null] });
    j.setState('x', { a: [2] });
    expect(j.getState('x')).toEqual({ a: [2] });
    expect(j.killSwitch()).toEqual({ state: 'OFF', tsNs: 0n, reason: null });
    j.setKillSwitch('HALTED', { tsNs: T0 + 1n, reason: 'daily loss' });
    expect(j.killSwitch()).toEqual({ state: 'HALTED', tsNs: T0 + 1n, reason: 'daily loss' });
    expect(codeOf(() => j.setKillSwitch('ON' as 'HALTED'))).toBe('SPREADCORE_ERR_BAD_INPUT');
    expect(codeOf(() => j.setState('y', () => 1))).toBe('SPREADCORE_ERR_BAD_INPUT');
  });
});

describe('restore', () => {
  function populate(j: Journal): void {
    j.recordStrategy({ id: 'a', name: 'a', type: 'MarketMaking', symbols: ['BTCUSDT'], parameters: { spread_bps: 4 }, status: 'stopped', tsNs: T0 });
    j.recordStrategy({ id: 'b', name: 'b', type: 'MarketMaking', symbols: ['ETHUSDT'], parameters: { spread_bps: 8 }, status: 'stopped', tsNs: T0 });
    j.recordStrategy({ id: 'c', name: 'c', type: 'MarketMaking', symbols: ['ETHUSDT'], parameters: {}, status: 'stopped', tsNs: T0 });
    j.updateStrategyStatus('a', 'running');
    j.updateStrategyStatus('c', 'halted');
    j.recordParameterChange('a', 'spread_bps', 5, { source: 'api' });
    j.recordFills([fill(1, { strategyId: 'a' }), fill(2, { strategyId: 'b' }), fill(3, { strategyId: null }), fill(4, { strategyId: 'a' })]);
    j.recordOrder(order(1, { strategyId: 'a' }));
    j.recordOrder(order(2, { strategyId: 'a' }));
    j.recordOrderStatus('o-2', 'FILLED', { tsEventNs: T0 + 9n });
    j.setState('note', 'x');
  }

  it('brings strategies back stopped (halted ones halted), never running, and says what they were', () => {
    const j = openJournal();
    populate(j);
    const r = j.restore();
    expect(r.schemaVersion).toBe(JOURNAL_SCHEMA_VERSION);
    expect(r.strategies.map((s) => [s.id, s.status, s.lastStatus, s.parameters])).toEqual([
      ['a', 'stopped', 'running', { spread_bps: 5 }],
      ['b', 'stopped', 'stopped', { spread_bps: 8 }],
      ['c', 'halted', 'halted', {}],
    ]);
    // Written back: the journal agrees with what the engine now runs.
    expect(j.strategies().map((s) => s.status)).toEqual(['stopped', 'stopped', 'halted']);
    expect([...r.fillsByStrategy.entries()].map(([k, v]) => [k, v.map((f) => f.tradeId)])).toEqual([['a', ['tr-1', 'tr-4']], ['b', ['tr-2']], [null, ['tr-3']]]);
    expect(r.openOrders.map((o) => o.orderId)).toEqual(['o-1']);
    expect(r.killSwitch.state).toBe('OFF');
    expect([...r.engineState]).toEqual([['note', 'x']]);
  });

  it('brings every strategy back halted when the kill switch was on', () => {
    const j = openJournal();
    populate(j);
    j.setKillSwitch('REDUCING', { reason: 'drawdown' });
    const r = j.restore();
    expect(r.killSwitch).toMatchObject({ state: 'REDUCING', reason: 'drawdown' });
    expect(r.strategies.map((s) => [s.id, s.status])).toEqual([['a', 'halted'], ['b', 'halted'], ['c', 'halted']]);
  });

  it('gives back everything after a clean close, and leaves only journal.sqlite behind', () => {
    const dir = dataDir();
    const j = openJournal(dir);
    populate(j);
    const before = {
      strategies: j.strategies(), fills: j.fills('a'), orders: j.orders(), changes: j.parameterChanges('a'),
      history: j.orderStatusHistory('o-2'), counts: j.counts(),
    };
    j.close();
    j.close();
    expect(readdirSync(dir)).toEqual(['journal.sqlite']);
    expect(codeOf(() => j.recordFill(fill(9)))).toBe('SPREADCORE_ERR_JOURNAL_IO');
    const again = openJournal(dir);
    expect({
      strategies: again.strategies(), fills: again.fills('a'), orders: again.orders(), changes: again.parameterChanges('a'),
      history: again.orderStatusHistory('o-2'), counts: again.counts(),
    }).toEqual(before);
    expect(again.recordFill(fill(1, { strategyId: 'a' }))).toBe('duplicate');
    expect(again.recordFill(fill(5, { strategyId: 'a' }))).toBe('inserted');
    expect(again.fills('a').map((f) => f.seq)).toEqual([1, 4, 5]);
  });
});
