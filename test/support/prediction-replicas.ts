// The prediction-market live tests' processes: `spreadcore replica kalshi` and `spreadcore
// replica polymarket` as separate processes, and `spreadcore serve --market ...` pointed at
// them with the keys they need (a Kalshi RSA key the replica generated, a fresh Polymarket
// wallet key), plus the replicas' admin calls and the event stream.
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { startCli, type CliProcess } from './cli-process.js';
import { freePort } from './free-port.js';

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

/** A limit price on the far side of the engine's book of a symbol deep enough for qty (a taker order, inside the risk gate's price band). */
export async function crossingPrice(port: number, symbol: string, side: 'BUY' | 'SELL', qty: number): Promise<number> {
  const d = await (await fetch(`http://127.0.0.1:${port}/api/market/depth?symbol=${encodeURIComponent(symbol)}&limit=5`)).json() as { bids: Array<{ price: number; qty: number }>; asks: Array<{ price: number; qty: number }> };
  const levels = side === 'BUY' ? d.asks : d.bids;
  let sum = 0;
  for (const l of levels) { sum += l.qty; if (sum >= qty) return l.price; }
  throw new Error(`the ${symbol} book holds less than ${qty} on the ${side === 'BUY' ? 'ask' : 'bid'} side`);
}
