// The Kalshi replica's simulated universe (books that move, trades, markets that settle
// on their own through market_lifecycle_v2), the market-data adapter that turns the
// WebSocket order book into FeedIngest calls, and `spreadcore replica kalshi` from dist/
// (a generated key pair whose private key the client signs with).
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { FeedIngest } from '../src/feed/ingest/feed-ingest.js';
import { replicaEndpoints } from '../src/venues/kalshi/endpoints.js';
import { marketInfo } from '../src/venues/kalshi/kalshi-venue.js';
import { KalshiMarketData } from '../src/venues/kalshi/market-data.js';
import { KalshiRestClient } from '../src/venues/kalshi/rest-client.js';
import { KalshiSigner } from '../src/venues/kalshi/signing.js';
import { KalshiWsClient } from '../src/venues/kalshi/ws-client.js';
import { KalshiReplica } from '../src/venues/kalshi/replica/index.js';
import { generateKeyPairSync } from 'node:crypto';
import { freePort } from './support/free-port.js';
import { BIN, ROOT } from './support/run-cli.js';
import { waitFor } from './support/wait.js';

const pair = generateKeyPairSync('rsa', { modulusLength: 2048 });
const PRIV = pair.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
const PUB = pair.publicKey.export({ type: 'spki', format: 'pem' }).toString();

const cleanups: Array<() => unknown> = [];
afterEach(async () => { for (const f of cleanups.splice(0).reverse()) await f(); });

describe('Kalshi replica simulator', () => {
  it('books move and trade; a market settles by itself with a lifecycle event; the book flows into FeedIngest', async () => {
    const r = await KalshiReplica.start({
      port: await freePort(), market: 'sim', seed: 7, stepMs: 20, keys: [{ keyId: 'k', publicKeyPem: PUB }], tier: 'prime',
      markets: [
        { ticker: 'KXS-1-FAST', closeInMs: 1500, fair: '0.50', halfSpreadTicks: 1, depth: 4, size: 30, tradeRate: 20 },
        { ticker: 'KXS-1-TAPER', structure: 'tapered_deci_cent', closeInMs: 60_000, fair: '0.95', halfSpreadTicks: 2, depth: 4, size: 10, tradeRate: 5 },
      ],
    });
    cleanups.push(() => r.close());
    const rest = new KalshiRestClient({ endpoints: replicaEndpoints(r.url), signer: new KalshiSigner('k', PRIV) });
    const markets = (await rest.getAllMarkets({ status: 'open' })).map((m) => marketInfo(m));
    expect(markets.map((m) => [m.ticker, m.instrument.tickSize])).toEqual([['KXS-1-FAST', '0.01'], ['KXS-1-TAPER', '0.001']]);
    const ingest = new FeedIngest();
    cleanups.push(() => ingest.close());
    const md = new KalshiMarketData(ingest, markets, 100);
    const ws = new KalshiWsClient({ url: r.wsUrl, signer: new KalshiSigner('k', PRIV) });
    cleanups.push(() => ws.close());
    const lifecycle: Array<Record<string, unknown>> = [];
    const trades: Array<Record<string, unknown>> = [];
    ws.handlers = { onLifecycle: (m) => lifecycle.push(m), onTrade: (m) => trades.push(m) };
    md.attach(ws);
    await ws.connect();
    ws.subscribe('orderbook_delta', ['KXS-1-FAST', 'KXS-1-TAPER']);
    ws.subscribe('trade');
    ws.subscribe('market_lifecycle_v2');
    await waitFor('snapshots', () => md.counters.snapshots === 2);
    await waitFor('moving books', () => md.counters.levels > 20 && trades.length > 0, 5000);
    const taper = ingest.bySymbolName('KXS-1-TAPER')!;
    expect(taper.state).toBe('live');
    const top = ingest.books.topLevels(taper.book, 3);
    const book = ws.books.get('KXS-1-TAPER')!.bestYes();
    expect(top.bids[0]!.tick).toBe(book.bid / 10);
    expect(top.asks[0]!.tick).toBe(book.ask / 10);
    expect(md.counters.offGrid).toBe(0);
    // prices on the tapered grid only: sub-cent only outside $0.10-$0.90
    for (const [p] of ws.books.get('KXS-1-TAPER')!.levels('yes')) if (p > 1000 && p < 9000) expect(p % 100).toBe(0);
    await waitFor('settlement', () => lifecycle.some((m) => m['event_type'] === 'settled'), 5000);
    const settled = lifecycle.find((m) => m['event_type'] === 'settled')!;
    expect(settled['market_ticker']).toBe('KXS-1-FAST');
    expect(['yes', 'no']).toContain(settled['result']);
    expect((await rest.getMarket('KXS-1-FAST')).market.status).toBe('finalized');
    expect((await rest.getOrderbook('KXS-1-FAST')).orderbook_fp).toEqual({ yes_dollars: [], no_dollars: [] });
    expect((await rest.getMarkets({ status: 'open' })).markets.map((m) => m.ticker)).toEqual(['KXS-1-TAPER']);
  });
});

describe('spreadcore replica kalshi (dist)', () => {
  it('generates a key pair, prints where the private key is, serves signed requests, stops on SIGINT; bad flags exit 2', async () => {
    const port = await freePort();
    const child: ChildProcessWithoutNullStreams = spawn(process.execPath, [BIN, 'replica', 'kalshi', '--port', String(port), '--json', '--seed', '3'], { cwd: ROOT });
    cleanups.push(() => { if (child.exitCode === null) child.kill('SIGKILL'); });
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (c: string) => { out += c; });
    child.stderr.setEncoding('utf8').on('data', (c: string) => { out += c; });
    const exited = new Promise<number | null>((res) => child.on('close', (code) => res(code)));
    await waitFor('listening line', () => out.includes('"listening"'), 20_000);
    const info = JSON.parse(out.split('\n')[0]!) as { rest: string; ws: string; keyId: string; privateKeyPath: string; markets: string[] };
    expect(info.rest).toBe(`http://127.0.0.1:${port}/trade-api/v2`);
    expect(info.markets.length).toBeGreaterThanOrEqual(4);
    expect(existsSync(info.privateKeyPath)).toBe(true);
    const rest = new KalshiRestClient({ endpoints: replicaEndpoints(`http://127.0.0.1:${port}`), signer: new KalshiSigner(info.keyId, readFileSync(info.privateKeyPath, 'utf8')) });
    expect((await rest.getBalance()).balance).toBe(1_000_000);
    const ob = await rest.getOrderbook(info.markets[0]!);
    expect(ob.orderbook_fp.yes_dollars.length).toBeGreaterThan(0);
    expect(out).not.toContain('PRIVATE KEY');
    child.kill('SIGINT');
    expect(await exited).toBe(0);
    const bad = spawn(process.execPath, [BIN, 'replica', 'kalshi', '--tier', 'gold'], { cwd: ROOT });
    let err = '';
    bad.stderr.setEncoding('utf8').on('data', (c: string) => { err += c; });
    expect(await new Promise((res) => bad.on('close', res))).toBe(2);
    expect(err).toContain('--tier must be basic');
    // a misspelt fault injects nothing: refused
    const typo = spawn(process.execPath, [BIN, 'replica', 'kalshi', '--faults', '{"failAfterPlac":1}'], { cwd: ROOT });
    let typoErr = '';
    typo.stderr.setEncoding('utf8').on('data', (c: string) => { typoErr += c; });
    expect(await new Promise((res) => typo.on('close', res))).toBe(2);
    expect(typoErr).toContain('--faults: unknown fault "failAfterPlac"');
  }, 40_000);
});
