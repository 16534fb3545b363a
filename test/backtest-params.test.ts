// The backtest params file: the API's strategy definition and parameter checks
// (same codes, same messages as POST /api/strategy/load), and the file's own
// fields, each mistake naming the field and the bad value.
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { parseBacktestSpec } from '../src/backtest/index.js';
import { readStrategyDefinition } from '../src/strategy/strategy-definition.js';
import { validateParams } from '../src/strategy/params/index.js';
import { spreadcoreErrorOf } from './support/thrown.js';

const BASE = { symbols: ['BTCUSDT'], parameters: { spread_bps: 4, order_size: 0.001, max_position: 0.01 } };


describe('parseBacktestSpec', () => {
  it('reads a full file, filling defaults', () => {
    const s = parseBacktestSpec(JSON.parse(readFileSync(new URL('../examples/backtest-btcusdt.json', import.meta.url), 'utf8')));
    expect(s).toMatchObject({
      name: 'btc_mm_backtest', symbols: ['BTCUSDT'], fillModel: 'queue', queueModel: 'proportional',
      orderLatencyMs: 2, cancelLatencyMs: 2, makerFeeBps: 0, takerFeeBps: 4, sampleIntervalMs: 1000, durationS: null, market: null,
    });
    const d = parseBacktestSpec(BASE);
    expect(d).toMatchObject({ name: 'backtest', fillModel: 'queue', orderLatencyMs: null, makerFeeBps: null, instruments: {} });
  });

  it('reads instrument overrides', () => {
    const s = parseBacktestSpec({ ...BASE, instruments: { BTCUSDT: { tick_size: '0.1', lot_size: '0.001', market: 'usdm' } } });
    expect(s.instruments['BTCUSDT']).toEqual({ tickSize: '0.1', lotSize: '0.001', market: 'usdm' });
  });

  it.each([
    [{ ...BASE, speed: 2 }, 'SPREADCORE_ERR_BAD_INPUT', /unknown field "speed"/],
    [{ ...BASE, fill_model: 'optimistic' }, 'SPREADCORE_ERR_BAD_INPUT', /fill_model must be "queue" or "naive", got "optimistic"/],
    [{ ...BASE, queue_model: 'fifo' }, 'SPREADCORE_ERR_BAD_INPUT', /queue_model must be "proportional" or "power" or "log" or "risk_averse" or "pessimistic", got "fifo"/],
    [{ ...BASE, order_latency_ms: -1 }, 'SPREADCORE_ERR_BAD_INPUT', /order_latency_ms must be a number of milliseconds.*got -1/],
    [{ ...BASE, cancel_latency_ms: '2' }, 'SPREADCORE_ERR_BAD_INPUT', /cancel_latency_ms .*got "2"/],
    [{ ...BASE, maker_fee_bps: 5000 }, 'SPREADCORE_ERR_BAD_INPUT', /maker_fee_bps must be a number of bps in -1000..1000, got 5000/],
    [{ ...BASE, market: 'margin' }, 'SPREADCORE_ERR_BAD_INPUT', /market must be "spot" or "usdm", got "margin"/],
    [{ ...BASE, sample_interval_ms: 1.5 }, 'SPREADCORE_ERR_BAD_INPUT', /sample_interval_ms must be a whole number/],
    [{ ...BASE, duration_s: 0 }, 'SPREADCORE_ERR_BAD_INPUT', /duration_s must be a positive number of seconds, got 0/],
    [{ ...BASE, instruments: { BTCUSDT: { tick_size: 0.1, lot_size: '0.001' } } }, 'SPREADCORE_ERR_BAD_INPUT', /instruments\.BTCUSDT\.tick_size must be a positive decimal string/],
    [{ ...BASE, instruments: { BTCUSDT: { tick_size: '0.1', lot: '0.001' } } }, 'SPREADCORE_ERR_BAD_INPUT', /unknown field instruments\.BTCUSDT\.lot/],
    [{ ...BASE, instruments: { BTCUSDT: { tick_size: '0.1', lot_size: '-1' } } }, 'SPREADCORE_ERR_BAD_INPUT', /instruments\.BTCUSDT\.lot_size/],
    [{ ...BASE, instruments: { BTCUSD: { tick_size: '0.1', lot_size: '0.001' } } }, 'SPREADCORE_ERR_BAD_INPUT', /^params file: instruments\.BTCUSD: BTCUSD is not one of symbols \["BTCUSDT"\]$/],
    [[], 'SPREADCORE_ERR_BAD_INPUT', /must be a JSON object/],
    [null, 'SPREADCORE_ERR_BAD_INPUT', /must be a JSON object/],
  ])('refuses %j', (json, code, message) => {
    const e = spreadcoreErrorOf(() => parseBacktestSpec(json));
    expect(e.code).toBe(code);
    expect(e.message).toMatch(message);
  });

  it.each(['feed_latency', 'queue_exponent', 'sample_interval_ms', 'fill_model', 'queue_model', 'market', 'instruments', 'duration_s', 'order_latency_file'])(
    'refuses null for %s instead of taking the default',
    (field) => {
      const e = spreadcoreErrorOf(() => parseBacktestSpec({ ...BASE, [field]: null }));
      expect(e.code).toBe('SPREADCORE_ERR_BAD_INPUT');
      expect(e.message).toBe(`params file: ${field} must not be null (leave the field out for its default)`);
    },
  );

  it('gives the API\'s own errors for the strategy definition and the parameters, word for word', () => {
    const cases: [unknown, unknown][] = [
      [{ symbols: [] }, { name: 'backtest', symbols: [] }],
      [{ symbols: ['BTCUSDT', 'BTCUSDT'] }, { name: 'backtest', symbols: ['BTCUSDT', 'BTCUSDT'] }],
      [{ name: 'a b', symbols: ['BTCUSDT'] }, { name: 'a b', symbols: ['BTCUSDT'] }],
    ];
    for (const [file, body] of cases) {
      const api = spreadcoreErrorOf(() => readStrategyDefinition(body));
      const ours = spreadcoreErrorOf(() => parseBacktestSpec(file));
      expect(ours.code).toBe(api.code);
      expect(ours.message).toBe(api.message);
    }
    const params = { spread_bps: -4, order_size: 0.001, quote_levelz: 3 };
    const api = spreadcoreErrorOf(() => validateParams(params));
    const ours = spreadcoreErrorOf(() => parseBacktestSpec({ symbols: ['BTCUSDT'], parameters: params }));
    expect(ours.code).toBe('SPREADCORE_ERR_BAD_PARAM');
    expect(ours.message).toBe(api.message);
    expect(ours.message).toMatch(/quote_levelz/);
  });

  it('names the parameter whose value is wrong', () => {
    const e = spreadcoreErrorOf(() => parseBacktestSpec({ symbols: ['BTCUSDT'], parameters: { spread_bps: 'wide' } }));
    expect(e.code).toBe('SPREADCORE_ERR_BAD_PARAM');
    expect(e.message).toMatch(/spread_bps/);
    expect(e.message).toMatch(/wide/);
  });
});
