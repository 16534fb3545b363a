// The strategy instance: the load body, parameter validation against the
// instruments, the lifecycle (loaded → running → paused → running → stopped), and
// PATCH with the audit trail, journaled when a journal is attached.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Instrument } from '../src/orderbook/instrument.js';
import { Journal } from '../src/store/index.js';
import { ParameterError } from '../src/strategy/params/index.js';
import { MarketMakingStrategy, paramsJson } from '../src/strategy/market-making-strategy.js';
import { readStrategyDefinition } from '../src/strategy/strategy-definition.js';
import { StrategyError } from '../src/strategy/strategy-errors.js';
import { QuoterSlots } from '../src/strategy/quoter-slots.js';
import { SpreadcoreError } from '../src/errors.js';
import { MAX_QUOTERS } from '../src/wasm/layout.js';

const BTC = new Instrument({ symbol: 'BTCUSDT', tickSize: '0.01', lotSize: '0.00001' });
const YES = new Instrument({ symbol: 'BTC-100K-YES', tickSize: '0.01', lotSize: '1', kind: 'binary' });

const STEP4 = {
  name: 'btc_mm_1',
  type: 'MarketMaking',
  symbols: ['BTCUSDT'],
  parameters: { spread_bps: 4.0, order_size: 0.001, max_position: 0.01, quote_levels: 3, level_spacing_bps: 2.0, inventory_skew: true, skew_factor: 0.5 },
};
const STEP8 = { max_position: 0.005, stop_loss_bps: 50.0, pause_on_volatility: true, volatility_threshold: 100.0 };

const cleanup: (() => void)[] = [];
afterEach(() => { for (const f of cleanup.splice(0)) f(); });

describe('strategy definition', () => {
  it('reads seed 000 Step 4: the id is the name', () => {
    const def = readStrategyDefinition(STEP4);
    expect(def).toMatchObject({ id: 'btc_mm_1', name: 'btc_mm_1', type: 'MarketMaking', symbols: ['BTCUSDT'] });
  });

  it.each([
    [null, /JSON object/],
    [{ ...STEP4, name: 'a b' }, /name/],
    [{ ...STEP4, type: 'Grid' }, /type/],
    [{ ...STEP4, symbols: [] }, /symbols/],
    [{ ...STEP4, symbols: ['A', 'A'] }, /twice/],
    [{ ...STEP4, parameters: [1] }, /parameters/],
    [{ ...STEP4, extra: 1 }, /unknown field/],
  ])('refuses %j', (body, message) => {
    expect(() => readStrategyDefinition(body)).toThrow(message);
    try { readStrategyDefinition(body); } catch (e) { expect((e as SpreadcoreError).code).toBe('SPREADCORE_ERR_BAD_INPUT'); }
  });
});

describe('MarketMakingStrategy', () => {
  it('validates parameters against every instrument', () => {
    const s = new MarketMakingStrategy(readStrategyDefinition(STEP4), [BTC]);
    expect(s.params).toMatchObject({ spread_bps: 4, order_size: 0.001, max_position: 0.01, quote_levels: 3 });
    // 0.000001 BTC is not a whole number of 0.00001 lots
    expect(() => new MarketMakingStrategy(readStrategyDefinition({ ...STEP4, parameters: { order_size: 0.000001 } }), [BTC])).toThrow(ParameterError);
    // a 0.5 contract order on 1-contract lots fails on the binary, even though BTC would take it
    const two = { ...STEP4, symbols: ['BTCUSDT', 'BTC-100K-YES'], parameters: { order_size: 0.5, max_position: 10 } };
    expect(() => new MarketMakingStrategy(readStrategyDefinition(two), [BTC, YES])).toThrow(/lots/);
  });

  it('goes loaded → running → paused → running → stopped → running', () => {
    const s = new MarketMakingStrategy(readStrategyDefinition(STEP4), [BTC]);
    expect(s.status).toBe('loaded');
    expect(s.pause('volatility')).toBeNull(); // not active: nothing to pause
    expect(s.start(0)).toEqual({ from: 'loaded', to: 'running', reason: null });
    expect(() => s.start(1)).toThrow(StrategyError);
    expect(s.pause('volatility')).toEqual({ from: 'running', to: 'paused', reason: 'volatility' });
    expect(s.pause('manual')).toBeNull();
    expect(s.pauseReasons).toEqual(['volatility', 'manual']);
    expect(s.resume('volatility')).toBeNull(); // still paused by hand
    expect(s.status).toBe('paused');
    expect(s.resume('manual')).toEqual({ from: 'paused', to: 'running', reason: 'manual' });
    expect(s.stop(90e9)).toEqual({ from: 'running', to: 'stopped', reason: null });
    expect(s.uptimeSeconds(200e9)).toBe(90);
    expect(() => s.stop(91e9)).toThrow(/not running/);
    expect(() => s.pause('manual')).toThrow(StrategyError);
    s.start(100e9);
    expect(s.uptimeSeconds(130e9)).toBe(120);
  });

  it('PATCH (seed 000 Step 8) returns the audit changes and the echo, and bumps the version', () => {
    const s = new MarketMakingStrategy(readStrategyDefinition(STEP4), [BTC]);
    const r = s.patch(STEP8);
    expect(r.updatedParameters).toEqual(STEP8);
    expect(r.changes.map((c) => [c.field, c.old, c.new])).toEqual([
      ['max_position', 0.01, 0.005],
      ['stop_loss_bps', 200, 50],
      ['pause_on_volatility', false, true],
    ]);
    expect(s.paramsVersion).toBe(1);
    expect(s.params.max_position).toBe(0.005);
    // the same patch again changes nothing
    expect(s.patch(STEP8).changes).toEqual([]);
    expect(s.paramsVersion).toBe(1);
    // a bad patch changes nothing
    expect(() => s.patch({ max_position: -1 })).toThrow(ParameterError);
    expect(s.params.max_position).toBe(0.005);
  });

  it('journals the status and the parameter changes when a journal is attached', () => {
    const dir = mkdtempSync(join(tmpdir(), 'spreadcore-strategy-'));
    const journal = Journal.open(join(dir, 'data'));
    cleanup.push(() => { journal.close(); rmSync(dir, { recursive: true, force: true }); });
    const def = readStrategyDefinition(STEP4);
    const s = new MarketMakingStrategy(def, [BTC], journal);
    journal.recordStrategy({ id: s.id, name: s.name, type: s.type, symbols: [...s.symbols], parameters: paramsJson(s.params), status: s.status });
    s.start(0);
    s.patch(STEP8, 'api', 5n);
    expect(journal.strategy('btc_mm_1')?.status).toBe('running');
    expect(journal.strategy('btc_mm_1')?.parameters['max_position']).toBe(0.005);
    const audit = journal.parameterChanges('btc_mm_1');
    expect(audit.map((c) => [c.field, c.oldValue, c.newValue, c.source, c.tsNs])).toEqual([
      ['max_position', 0.01, 0.005, 'api', 5n],
      ['stop_loss_bps', 200, 50, 'api', 5n],
      ['pause_on_volatility', false, true, 'api', 5n],
    ]);
  });
});

describe('QuoterSlots', () => {
  it('one slot per key, all of them, then a coded error; released slots come back', () => {
    const slots = new QuoterSlots();
    const got = new Set<number>();
    for (let i = 0; i < MAX_QUOTERS; i++) got.add(slots.acquire(`s${i}`));
    expect(got.size).toBe(MAX_QUOTERS);
    expect(slots.acquire('s3')).toBe(slots.acquire('s3'));
    expect(() => slots.acquire('one-more')).toThrow(/quoter slots/);
    slots.release('s3');
    expect(slots.available).toBe(1);
    expect(() => slots.acquire('one-more')).not.toThrow();
  });
});
