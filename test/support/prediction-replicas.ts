// The prediction-market live tests' processes: `spreadcore replica kalshi` and `spreadcore
// replica polymarket` as separate processes, and `spreadcore serve --market ...` pointed at
// them with the keys they need (a Kalshi RSA key the replica generated, a fresh Polymarket
// wallet key), plus the replicas' admin calls and the event stream.
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { expect } from 'vitest';
import { startCli, type CliProcess } from './cli-process.js';
import { freePort } from './free-port.js';
import { apiRequest, waitUntil } from './live-binance.js';

export interface KalshiReplicaProc {
  readonly proc: CliProcess;
  /** http://127.0.0.1:PORT (the REST base is URL/trade-api/v2). */
  readonly url: string;
  readonly keyId: string;
  readonly privateKeyPem: string;
  readonly markets: string[];
}

export interface PolymarketReplicaProc {
  readonly proc: CliProcess;
  readonly url: string;
  readonly markets: Array<{ condition_id: string; tick_size: string; neg_risk: boolean; yes: string; no: string }>;
}

/** `spreadcore replica kalshi --json` on a free port; its generated key is read back from --key-dir. */
export async function startKalshiReplica(keyDir: string, args: string[] = []): Promise<KalshiReplicaProc> {
  const port = await freePort();
  const proc = await startCli(['replica', 'kalshi', '--port', String(port), '--json', '--key-dir', keyDir, ...args], /\{"event":"listening".*\}\n/);
  const info = JSON.parse(proc.match[0]) as { rest: string; keyId: string; privateKeyPath: string; markets: string[] };
  return { proc, url: info.rest.replace(/\/trade-api\/v2$/, ''), keyId: info.keyId, privateKeyPem: readFileSync(info.privateKeyPath, 'utf8'), markets: info.markets };
}

/** `spreadcore replica polymarket --json` on a free port. */
export async function startPolymarketReplica(args: string[] = []): Promise<PolymarketReplicaProc> {
  const port = await freePort();
  const proc = await startCli(['replica', 'polymarket', '--port', String(port), '--json', ...args], /\{"event":"listening".*\}\n/);
  const info = JSON.parse(proc.match[0]) as { urls: { rest: string }; markets: PolymarketReplicaProc['markets'] };
  return { proc, url: info.urls.rest, markets: info.markets };
}

/** A fresh Polymarket wallet key (hex, 32 bytes). */
export function newWalletKey(): string {
  return `0x${randomBytes(32).toString('hex')}`;
}

/** The engine's symbol of a Polymarket condition (polymarketSymbol in src/venues/polymarket/polymarket-live.ts). */
export function polySymbol(conditionId: string): string {
  return `POLY-${conditionId.replace(/^0x/, '').slice(0, 8).toUpperCase()}`;
}

export interface PredictionServe { readonly proc: CliProcess; readonly port: number }

/** `spreadcore serve --market <venues>` pointed at the replicas given, with their keys in the environment. */
export async function startPredictionServe(
  o: { kalshi?: KalshiReplicaProc; polymarket?: PolymarketReplicaProc; dataDir: string; walletKey?: string; args?: string[]; env?: Record<string, string> },
): Promise<PredictionServe> {
  const venues = [...(o.kalshi !== undefined ? ['kalshi'] : []), ...(o.polymarket !== undefined ? ['polymarket'] : [])];
  const port = await freePort();
  const args = ['serve', '--port', String(port), '--data-dir', o.dataDir, '--market', venues.join(',')];
  const env: Record<string, string> = { ...o.env };
  if (o.kalshi !== undefined) {
    args.push('--kalshi-rest-url', o.kalshi.url);
    env['KALSHI_API_KEY_ID'] = o.kalshi.keyId;
    env['KALSHI_PRIVATE_KEY_PEM'] = o.kalshi.privateKeyPem;
  }
  if (o.polymarket !== undefined) {
    args.push('--polymarket-rest-url', o.polymarket.url);
    env['POLYMARKET_PRIVATE_KEY'] = o.walletKey ?? newWalletKey();
  }
  const proc = await startCli([...args, ...(o.args ?? [])], /control API listening on/, env, 30_000);
  return { proc, port };
}

/** POST to a replica's admin route; throws on a non-2xx answer. */
export async function replicaAdmin(url: string, route: string, body: unknown): Promise<unknown> {
  const res = await fetch(`${url}/__replica/${route}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const text = await res.text();
  if (!res.ok) throw new Error(`${route}: ${res.status} ${text}`);
  return text === '' ? null : JSON.parse(text);
}

/** GET /__replica/state. */
export async function replicaState<T>(url: string): Promise<T> {
  return await (await fetch(`${url}/__replica/state`)).json() as T;
}

/** The engine's event stream, collected as parsed events until stop(). */
export function collectEvents(port: number, query = ''): { events: Array<{ event: string; data: Record<string, unknown> }>; stop: () => void } {
  const events: Array<{ event: string; data: Record<string, unknown> }> = [];
  const ac = new AbortController();
  void (async () => {
    try {
      const res = await fetch(`http://127.0.0.1:${port}/api/stream${query}`, { signal: ac.signal });
      const reader = res.body!.getReader();
      const dec = new TextDecoder();
      let buf = '';
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        buf += dec.decode(value, { stream: true });
        let i: number;
        while ((i = buf.indexOf('\n\n')) >= 0) {
          const block = buf.slice(0, i);
          buf = buf.slice(i + 2);
          const ev = /^event: (.*)$/m.exec(block)?.[1];
          const data = /^data: (.*)$/m.exec(block)?.[1];
          if (ev !== undefined && data !== undefined) { try { events.push({ event: ev, data: JSON.parse(data) as Record<string, unknown> }); } catch { /* not JSON */ } }
        }
      }
    } catch { /* aborted */ }
  })();
  return { events, stop: () => ac.abort() };
}

type Depth = { bids: Array<{ price: number; qty: number }>; asks: Array<{ price: number; qty: number }> };

async function depthOf(port: number, symbol: string, limit: number): Promise<Depth> {
  return await (await fetch(`http://127.0.0.1:${port}/api/market/depth?symbol=${encodeURIComponent(symbol)}&limit=${limit}`)).json() as Depth;
}

/** The price of the level on the far side of `d` at which qty is filled. */
function priceTaking(d: Depth, symbol: string, side: 'BUY' | 'SELL', qty: number): number {
  let sum = 0;
  for (const l of side === 'BUY' ? d.asks : d.bids) { sum += l.qty; if (sum >= qty) return l.price; }
  throw new Error(`the ${symbol} book holds less than ${qty} on the ${side === 'BUY' ? 'ask' : 'bid'} side`);
}

/** A limit price on the far side of the engine's book of a symbol deep enough for qty (a taker order, inside the risk gate's price band). */
export async function crossingPrice(port: number, symbol: string, side: 'BUY' | 'SELL', qty: number): Promise<number> {
  return priceTaking(await depthOf(port, symbol, 5), symbol, side, qty);
}

/** serve's risk limits for tests whose manual orders cross the book (`--risk-limits`): a 20% price band. */
export const WIDE_PRICE_BAND = ['--risk-limits', '{"price_band_bps": 2000}'];

/**
 * A limit price that crosses the book for qty even when the market moves before the order
 * arrives (a replica's market keeps moving, more so on a loaded machine): the price that takes
 * qty now plus up to five cents, kept inside a price band of 90% of WIDE_PRICE_BAND's around the
 * mid and on a whole cent (a marketable limit order fills at the resting orders' prices).
 */
export async function throughPrice(port: number, symbol: string, side: 'BUY' | 'SELL', qty: number): Promise<number> {
  const d = await depthOf(port, symbol, 20);
  const cross = priceTaking(d, symbol, side, qty);
  const mid = (d.bids[0]!.price + d.asks[0]!.price) / 2;
  const band = 0.9 * 0.2;
  const cents = (x: number): number => Math.round(x * 100) / 100;
  if (side === 'BUY') return Math.max(cross, Math.min(cents(cross + 0.05), Math.floor(mid * (1 + band) * 100) / 100, 0.99));
  return Math.min(cross, Math.max(cents(cross - 0.05), Math.ceil(mid * (1 - band) * 100) / 100, 0.01));
}

/** The pause reasons of serve's first strategy (GET /api/strategies). */
export async function pauseReasons(port: number): Promise<string[]> {
  return (await apiRequest<{ strategies: Array<{ pause_reasons: string[] }> }>(port, '/api/strategies')).strategies[0]!.pause_reasons;
}

type ExecutionHealth = { venues_down: string[] } & Partial<Record<'kalshi' | 'polymarket', { reconcile_failures: number }>>;

/** GET /api/health → execution: the venues down, and per venue the reconcile failures in a row. */
async function executionHealth(port: number): Promise<ExecutionHealth> {
  return (await apiRequest<{ execution: ExecutionHealth }>(port, '/api/health')).execution;
}

/**
 * A venue's outage at a reconnect: its replica answers every REST request 503 (failRequests)
 * and drops its WebSockets, so the reconcile after the reconnect fails. Waits until serve has
 * run it `times` times in a row, and checks the strategy is paused (venue) with that venue down.
 */
export async function failAtReconnect(s: PredictionServe, venue: 'kalshi' | 'polymarket', replicaUrl: string, times = 3): Promise<void> {
  await replicaAdmin(replicaUrl, 'faults', { failRequests: 1_000_000 });
  await replicaAdmin(replicaUrl, 'faults', { disconnect: true });
  await waitUntil('the reconcile failed a few times in a row', async () => ((await executionHealth(s.port))[venue]?.reconcile_failures ?? 0) >= times, 60_000, s.proc.out);
  expect(await pauseReasons(s.port)).toContain('venue');
  expect((await executionHealth(s.port)).venues_down).toEqual([venue]);
}

/** A Polymarket replica (trades confirmed in 0.3 s, no heartbeat timeout) and serve on it, its strategy p1 quoting the second market. */
export interface PolymarketQuoting {
  readonly p: PolymarketReplicaProc;
  readonly s: PredictionServe;
  readonly target: PolymarketReplicaProc['markets'][number];
  readonly walletKey: string;
  /** Our orders LIVE on the target's YES token at the replica. */
  readonly live: () => Promise<string[]>;
}

/** Starts them and waits for p1's first quote to rest at the replica. */
export async function startPolymarketQuoting(dataDir: string): Promise<PolymarketQuoting> {
  const p = await startPolymarketReplica(['--step-ms', '0', '--confirmed-ms', '300', '--heartbeat-timeout-ms', '600000']);
  const target = p.markets[1]!;
  const walletKey = newWalletKey();
  const s = await startPredictionServe({ polymarket: p, dataDir, walletKey });
  type Orders = { orders: Array<{ id: string; status: string; asset_id: string }> };
  const live = async (): Promise<string[]> => (await replicaState<Orders>(p.url)).orders.filter((o) => o.asset_id === target.yes && o.status === 'LIVE').map((o) => o.id);
  expect(await apiRequest<{ ok: boolean }>(s.port, '/api/strategy/load', {
    name: 'p1', type: 'MarketMaking', symbols: [polySymbol(target.condition_id)],
    parameters: { base_spread: 0.04, quote_size: 10, quote_levels: 1, max_inventory: 100, fee_model: 'polymarket' },
  })).toMatchObject({ ok: true });
  await apiRequest(s.port, '/api/strategy/p1/start', {});
  await waitUntil('a resting quote at Polymarket', async () => (await live()).length > 0, 30_000, s.proc.out);
  return { p, s, target, walletKey, live };
}
