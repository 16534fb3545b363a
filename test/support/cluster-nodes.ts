// spreadcore nodes of a cluster as real processes (the compiled CLI: `serve --cluster`),
// each on its own port and data directory, for the cluster tests; and the API calls and
// bounded waits those tests make.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startCli, type CliProcess } from './cli-process.js';

export interface Node {
  id: string;
  base: string;
  dataDir: string;
  proc: CliProcess;
}

export const LEASE_TTL_MS = 2000;

export async function startNode(id: string, natsUrl: string, dataDir = mkdtempSync(join(tmpdir(), `spreadcore-node-${id}-`)), extra: string[] = []): Promise<Node> {
  const proc = await startCli(
    ['serve', '--port', '0', '--seed', '7', '--data-dir', dataDir, '--cluster', natsUrl, '--node-id', id, '--lease-ttl-ms', String(LEASE_TTL_MS), ...extra],
    /control API listening on \S+ on port (\d+)/, {}, 60_000,
  );
  return { id, base: `http://127.0.0.1:${proc.match[1]}`, dataDir, proc };
}

export async function api<T = Record<string, unknown>>(n: Node, method: string, path: string, body?: unknown): Promise<{ status: number; json: T }> {
  const r = await fetch(`${n.base}${path}`, {
    method, ...(body !== undefined ? { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } } : {}),
  });
  return { status: r.status, json: (await r.json()) as T };
}

export interface ClusterJson {
  node_id: string;
  nats: { status: string; reconnects: number };
  nodes: { node_id: string }[];
  leases: { market: string; owner: string; revision: number; held_here: boolean }[];
  held_here: { market: string; revision: number }[];
  strategies: { strategy_id: string; market: string; wanted: string; owner: string | null; status_here: string | null }[];
  kill_switch: { state: string; engine: string };
  positions: { account: string; symbol: string; position: string; fills: number }[];
  trades_stream: { last_seq: number; consumed_seq: number; lag: number; fills: number; fence_violations: number };
  orders_refused_not_lease_owner: number;
  last_error: string | null;
}

export async function cluster(n: Node): Promise<ClusterJson> {
  return (await api<ClusterJson>(n, 'GET', '/api/cluster')).json;
}

/** Polls `probe` until it returns a value (not undefined); fails after timeoutMs with the last thing it saw. */
export async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 30_000, pollMs = 200): Promise<T> {
  const t0 = Date.now();
  let last: unknown = undefined;
  for (;;) {
    try {
      const v = await probe();
      if (v !== undefined) return v;
    } catch (e) {
      last = e;
    }
    if (Date.now() - t0 > timeoutMs) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${last !== undefined ? ` (last error: ${String(last)})` : ''}`);
    await new Promise((r) => setTimeout(r, pollMs));
  }
}

/** A binary contract's strategy: fills come fast on the simulator. */
export function binaryStrategy(name: string, symbol: string): Record<string, unknown> {
  return { name, type: 'MarketMaking', symbols: [symbol], parameters: { spread_bps: 400, order_size: 10, max_position: 100, quote_levels: 1 } };
}

export function strategyName(symbol: string): string {
  return `mm_${symbol.toLowerCase().replace(/-/g, '_')}`;
}

/** The open orders of a node (its own paper exchange). */
export async function openOrders(n: Node): Promise<{ symbol: string; account: string; status: string }[]> {
  return (await api<{ orders: { symbol: string; account: string; status: string }[] }>(n, 'GET', '/api/orders')).json.orders;
}
