// exchangeInfo for the symbols a process trades:
//   - the replica's spot GET /api/v3/exchangeInfo answers `symbols` / `symbol` as
//     binance-spot-api-docs rest-api.md "Exchange information" documents them: only the
//     symbols asked for, -1121 "Invalid symbol." for an unknown one, -1100 naming the legal
//     range for a malformed value; USD-M's /fapi/v1/exchangeInfo has no symbol filter;
//   - readSymbolsExchangeInfo asks spot for the needed symbols only (one request), names the
//     ones the venue does not list after a -1121, and reads USD-M's whole answer;
//   - the execution venue's loadExchangeInfo(symbols) (live execution) does the same;
//   - neededRulesFromExchangeInfo skips (and counts) an entry of another symbol it cannot
//     read, and refuses one of a needed symbol naming the symbol and the field.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BinanceExecutionVenue } from '../src/venues/binance/binance-venue.js';
import { readSymbolsExchangeInfo } from '../src/venues/binance/exchange-info.js';
import { neededRulesFromExchangeInfo } from '../src/venues/binance/filters.js';
import { BinanceReplica } from '../src/venues/binance/replica/index.js';
import { BinanceRestClient } from '../src/venues/binance/rest-client.js';

const INSTRUMENTS = [
  { symbol: 'BTCUSDT', tickSize: '0.01', lotSize: '0.00001' },
  { symbol: 'ETHUSDT', tickSize: '0.01', lotSize: '0.0001' },
  { symbol: 'LTCUSDT', tickSize: '0.01', lotSize: '0.001' },
];

/** What `fn` throws (no throw fails the test). */
function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (e) {
    return e;
  }
  throw new Error('expected an error');
}

let spot: BinanceReplica;
let usdm: BinanceReplica;

interface Info { symbols: { symbol: string }[] }

async function get(base: string, path: string): Promise<{ status: number; body: any }> {
  const r = await fetch(base + path);
  return { status: r.status, body: await r.json() };
}

const names = (body: Info): string[] => body.symbols.map((s) => s.symbol);

/** A REST client whose requested URLs are kept. */
function recordingClient(market: 'spot' | 'usdm', base: string): { rest: BinanceRestClient; urls: string[] } {
  const urls: string[] = [];
  const rest = new BinanceRestClient({
    market, baseUrl: base,
    fetch: (input, init) => { urls.push(String(input)); return fetch(input, init); },
  });
  return { rest, urls };
}

beforeAll(async () => {
  [spot, usdm] = await Promise.all([
    BinanceReplica.start({ market: { kind: 'manual', instruments: INSTRUMENTS } }),
    BinanceReplica.start({ futures: true, market: { kind: 'manual', instruments: INSTRUMENTS.map((i) => ({ ...i, lotSize: '0.001' })) } }),
  ]);
});

afterAll(async () => { await Promise.all([spot.close(), usdm.close()]); });

describe('the replica\'s spot exchangeInfo takes `symbols` and `symbol`', () => {
  it('without them: every symbol', async () => {
    const r = await get(spot.restUrl, '/api/v3/exchangeInfo');
    expect(r.status).toBe(200);
    expect(names(r.body).sort()).toEqual(['BTCUSDT', 'ETHUSDT', 'LTCUSDT']);
  });

  it('symbols=["BTCUSDT","LTCUSDT"] (URL-encoded or not): those two only', async () => {
    const encoded = await get(spot.restUrl, `/api/v3/exchangeInfo?symbols=${encodeURIComponent('["BTCUSDT","LTCUSDT"]')}`);
    expect(encoded.status).toBe(200);
    expect(names(encoded.body)).toEqual(['BTCUSDT', 'LTCUSDT']);
    expect(encoded.body.rateLimits.length).toBeGreaterThan(0);
    const raw = await get(spot.restUrl, '/api/v3/exchangeInfo?symbols=["ETHUSDT"]');
    expect(names(raw.body)).toEqual(['ETHUSDT']);
  });

  it('symbol=ETHUSDT: that one only', async () => {
    const r = await get(spot.restUrl, '/api/v3/exchangeInfo?symbol=ETHUSDT');
    expect(r.status).toBe(200);
    expect(names(r.body)).toEqual(['ETHUSDT']);
  });

  it('an unknown symbol, alone or in the list: 400 -1121 "Invalid symbol."', async () => {
    for (const q of [`symbols=${encodeURIComponent('["BTCUSDT","NOSUCHUSDT"]')}`, 'symbol=NOSUCHUSDT']) {
      const r = await get(spot.restUrl, `/api/v3/exchangeInfo?${q}`);
      expect([r.status, r.body], q).toEqual([400, { code: -1121, msg: 'Invalid symbol.' }]);
    }
  });

  it('a malformed value: 400 -1100 naming the parameter and its legal range; both together: -1128', async () => {
    for (const [q, name] of [['symbols=BTCUSDT', 'symbols'], ['symbols=%5B%22BTCUSDT%22%2C%5D', 'symbols'], ['symbols=%5B%5D', 'symbols'], ['symbol=btcusdt', 'symbol']] as const) {
      const r = await get(spot.restUrl, `/api/v3/exchangeInfo?${q}`);
      expect(r.status, q).toBe(400);
      expect(r.body.code, q).toBe(-1100);
      expect(r.body.msg, q).toContain(`Illegal characters found in parameter '${name}'; legal range is '^`);
    }
    const both = await get(spot.restUrl, `/api/v3/exchangeInfo?symbol=BTCUSDT&symbols=${encodeURIComponent('["ETHUSDT"]')}`);
    expect([both.status, both.body.code]).toEqual([400, -1128]);
  });

  it('USD-M /fapi/v1/exchangeInfo has no symbol filter: every symbol whatever the query', async () => {
    const r = await get(usdm.restUrl, '/fapi/v1/exchangeInfo?symbol=BTCUSDT');
    expect(r.status).toBe(200);
    expect(names(r.body).sort()).toEqual(['BTCUSDT', 'ETHUSDT', 'LTCUSDT']);
  });
});

describe('readSymbolsExchangeInfo', () => {
  it('spot: one request for the needed symbols; the answer has their rules only', async () => {
    const { rest, urls } = recordingClient('spot', spot.restUrl);
    const r = await readSymbolsExchangeInfo(rest, ['LTCUSDT', 'BTCUSDT']);
    expect(urls).toEqual([`${spot.restUrl}/api/v3/exchangeInfo?symbols=${encodeURIComponent('["LTCUSDT","BTCUSDT"]')}`]);
    expect([...r.rules.keys()].sort()).toEqual(['BTCUSDT', 'LTCUSDT']);
    expect(r.rules.get('LTCUSDT')!.instrument.lotSize).toBe('0.00100000');
    expect([r.unlisted, r.skipped]).toEqual([[], 0]);
    expect(r.rateLimits!.length).toBeGreaterThan(0);
  });

  it('spot, an unknown symbol: the -1121 is answered by naming it (each symbol asked alone)', async () => {
    const { rest, urls } = recordingClient('spot', spot.restUrl);
    const r = await readSymbolsExchangeInfo(rest, ['BTCUSDT', 'NOSUCHUSDT', 'ETHUSDT']);
    expect(r.unlisted).toEqual(['NOSUCHUSDT']);
    expect(urls.slice(1)).toEqual(['BTCUSDT', 'NOSUCHUSDT', 'ETHUSDT'].map((s) => `${spot.restUrl}/api/v3/exchangeInfo?symbols=${encodeURIComponent(JSON.stringify([s]))}`));
  });

  it('USD-M: the whole answer, no query; a symbol it lacks is unlisted', async () => {
    const { rest, urls } = recordingClient('usdm', usdm.restUrl);
    const r = await readSymbolsExchangeInfo(rest, ['ETHUSDT', 'NOSUCHUSDT']);
    expect(urls).toEqual([`${usdm.restUrl}/fapi/v1/exchangeInfo`]);
    expect(r.unlisted).toEqual(['NOSUCHUSDT']);
    expect(r.rules.get('ETHUSDT')!.instrument.tickSize).toBe('0.01');
  });
});

describe('neededRulesFromExchangeInfo reads the needed entries strictly and the others leniently', () => {
  const entry = (symbol: string, tickSize: unknown, stepSize: unknown = '0.001'): Record<string, unknown> => ({
    symbol, status: 'TRADING', filters: [{ filterType: 'PRICE_FILTER', tickSize }, { filterType: 'LOT_SIZE', stepSize }],
  });

  it('malformed entries of other symbols are skipped and counted; the needed ones are read', () => {
    const info = { symbols: [entry('BADUSDT', '0,01'), 'not an entry', { filters: [] }, entry('SOLUSDT', '0.01'), { symbol: 'NOFILTERS', filters: [] }] };
    const r = neededRulesFromExchangeInfo(info, 'perp', ['SOLUSDT']);
    expect([...r.rules.keys()]).toEqual(['SOLUSDT']);
    expect(r.skipped).toBe(4);
    expect(r.firstSkipped).toBe('exchangeInfo: BADUSDT tickSize "0,01" is not a plain decimal');
  });

  it('a malformed entry of a needed symbol: an error naming the symbol and the field', () => {
    const e = thrown(() => neededRulesFromExchangeInfo({ symbols: [entry('SOLUSDT', '0.01', 'one')] }, 'perp', ['SOLUSDT']));
    expect(e).toMatchObject({ code: 'BINANCE_ERR_BAD_RESPONSE', message: 'exchangeInfo: SOLUSDT stepSize "one" is not a plain decimal' });
    const noLot = thrown(() => neededRulesFromExchangeInfo({ symbols: [{ symbol: 'SOLUSDT', filters: [{ filterType: 'PRICE_FILTER', tickSize: '0.01' }] }] }, 'perp', ['SOLUSDT']));
    expect(noLot).toMatchObject({ message: 'exchangeInfo: SOLUSDT has no LOT_SIZE filter' });
  });

  it('an answer without a symbols array is refused', () => {
    expect(thrown(() => neededRulesFromExchangeInfo({}, 'spot', ['BTCUSDT']))).toMatchObject({ message: 'exchangeInfo: no symbols array' });
  });
});

describe('the execution venue loads the rules of its symbols leniently', () => {
  /** A USD-M client whose exchangeInfo answers pass through `craft` (as a venue sending a bad entry would). */
  function craftedClient(craft: (info: { symbols: unknown[] }) => void): BinanceRestClient {
    return new BinanceRestClient({
      market: 'usdm', baseUrl: usdm.restUrl,
      fetch: async (input, init) => {
        const r = await fetch(input, init);
        if (!String(input).includes('/exchangeInfo')) return r;
        const info = await r.json() as { symbols: unknown[] };
        craft(info);
        return new Response(JSON.stringify(info), { status: r.status, headers: { 'content-type': 'application/json' } });
      },
    });
  }

  it('an unreadable entry of another symbol is skipped; the symbol traded has its rules', async () => {
    const rest = craftedClient((info) => { info.symbols.push({ symbol: 'BADUSDT', filters: [{ filterType: 'PRICE_FILTER', tickSize: 'x' }] }, null); });
    const venue = new BinanceExecutionVenue({ market: 'usdm', rest });
    const r = await venue.loadExchangeInfo(['ETHUSDT']);
    expect(r).toEqual({ unlisted: [], skipped: 2, firstSkipped: 'exchangeInfo: BADUSDT has no LOT_SIZE filter' });
    expect(venue.symbolRules('ETHUSDT')!.instrument.tickSize).toBe('0.01');
  });

  it('an unreadable entry of the symbol traded: the load fails naming the symbol and the field', async () => {
    const rest = craftedClient((info) => {
      const eth = info.symbols.find((s) => (s as { symbol: string }).symbol === 'ETHUSDT') as { filters: Record<string, unknown>[] };
      eth.filters = eth.filters.filter((f) => f['filterType'] !== 'LOT_SIZE');
    });
    const venue = new BinanceExecutionVenue({ market: 'usdm', rest });
    await expect(venue.loadExchangeInfo(['ETHUSDT'])).rejects.toMatchObject({ code: 'BINANCE_ERR_BAD_RESPONSE', message: 'exchangeInfo: ETHUSDT has no LOT_SIZE filter' });
  });
});
