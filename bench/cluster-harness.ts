// What the cluster benchmarks share: a nats-server with JetStream on a free loopback
// port and a temporary store, spreadcore nodes (`serve --cluster`, the compiled CLI) as
// child processes, their API, and bounded polling.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const BIN = fileURLToPath(new URL('../../bin/spreadcore.js', import.meta.url));
const NATS_BIN = process.env.NATS_SERVER_BIN ?? 'nats-server';

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => { const p = (s.address() as { port: number }).port; s.close(() => resolve(p)); });
  });
}

export interface Nats { url: string; child: ChildProcess; dir: string; stop(): void }

export async function startNats(): Promise<Nats> {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'spreadcore-bench-nats-'));
  const child = spawn(NATS_BIN, ['-js', '-sd', dir, '-a', '127.0.0.1', '-p', String(port)], { stdio: 'ignore' });
  await until('nats-server listening', async () => {
    const ok = await new Promise<boolean>((r) => { const s = createServer(); s.once('error', () => r(true)); s.listen(port, '127.0.0.1', () => s.close(() => r(false))); });
    return ok ? true : undefined;
  }, 10_000, 25);
  return { url: `nats://127.0.0.1:${port}`, child, dir, stop: () => { child.kill('SIGKILL'); rmSync(dir, { recursive: true, force: true }); } };
}

export interface BenchNode { id: string; base: string; child: ChildProcess; dataDir: string; out: () => string }

export function startNode(id: string, natsUrl: string, leaseTtlMs: number, dataDir = mkdtempSync(join(tmpdir(), `spreadcore-bench-${id}-`)), extra: readonly string[] = []): Promise<BenchNode> {
  const child = spawn(process.execPath, [BIN, 'serve', '--port', '0', '--seed', '7', '--data-dir', dataDir, '--cluster', natsUrl, '--node-id', id, '--lease-ttl-ms', String(leaseTtlMs), ...extra], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`node ${id} did not start: ${out}`)), 60_000);
    const on = (b: Buffer): void => {
      out += b.toString();
      const m = /control API listening on \S+ on port (\d+)/.exec(out);
      if (m !== null) { clearTimeout(t); resolve({ id, base: `http://127.0.0.1:${m[1]}`, child, dataDir, out: () => out }); }
    };
    child.stdout!.on('data', on);
    child.stderr!.on('data', on);
    child.once('exit', (c) => { clearTimeout(t); reject(new Error(`node ${id} exited (${c}): ${out}`)); });
  });
}

export function stopNode(n: BenchNode): Promise<void> {
  if (n.child.exitCode !== null || n.child.signalCode !== null) return Promise.resolve();
  return new Promise((r) => { n.child.once('exit', () => r()); n.child.kill('SIGKILL'); });
}

export async function api<T = Record<string, unknown>>(n: BenchNode, method: string, path: string, body?: unknown): Promise<T> {
  const r = await fetch(`${n.base}${path}`, { method, ...(body !== undefined ? { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } } : {}) });
  return (await r.json()) as T;
}

export async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 60_000, pollMs = 20): Promise<T> {
  const t0 = Date.now();
  for (;;) {
    try { const v = await probe(); if (v !== undefined) return v; } catch { /* not yet */ }
    if (Date.now() - t0 > timeoutMs) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, pollMs));
  }
}

export const MARKETS = ['BTC-100K-YES', 'PM-001-YES', 'PM-002-YES', 'PM-003-YES', 'PM-004-YES', 'PM-005-YES'];
export const strategyName = (m: string): string => `mm_${m.toLowerCase().replace(/-/g, '_')}`;

export async function loadStrategies(via: BenchNode, markets: readonly string[]): Promise<void> {
  for (const m of markets) {
    await api(via, 'POST', '/api/strategy/load', { name: strategyName(m), type: 'MarketMaking', symbols: [m], parameters: { spread_bps: 400, order_size: 10, max_position: 100, quote_levels: 1 } });
    await api(via, 'POST', `/api/strategy/${strategyName(m)}/start`);
  }
}

export interface ClusterView { held_here: { market: string; revision: number }[]; strategies: { market: string; status_here: string | null }[]; kill_switch: { engine: string } }

/** Open orders of a node on a market (its own paper exchange). */
export async function ordersOn(n: BenchNode, market: string): Promise<number> {
  const o = await api<{ orders: { symbol: string }[] }>(n, 'GET', '/api/orders');
  return o.orders.filter((x) => x.symbol === market).length;
}

export function stats(xs: number[]): { n: number; median: number; min: number; max: number } {
  const s = [...xs].sort((a, b) => a - b);
  return { n: s.length, median: s[Math.floor(s.length / 2)]!, min: s[0]!, max: s[s.length - 1]! };
}
