// `spreadcore serve` for the dashboard's browser tests: the compiled CLI on port 0 with a
// data directory, resolved with the dashboard's URL once it prints it; and JSON requests
// to its API.
import { spawn, type ChildProcess } from 'node:child_process';
import { BIN, ROOT } from './run-cli.js';

export interface DashboardServe {
  readonly child: ChildProcess;
  /** http://127.0.0.1:PORT */
  readonly base: string;
  /** Everything it printed so far. */
  out(): string;
}

export function startDashboardServe(args: string[], timeoutMs = 30_000): Promise<DashboardServe> {
  const child = spawn(process.execPath, [BIN, 'serve', '--port', '0', ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`serve did not print its URL: ${out}`)), timeoutMs);
    child.stdout!.on('data', (b: Buffer) => {
      out += b.toString();
      const m = /dashboard: (http:\/\/127\.0\.0\.1:\d+)\//.exec(out);
      if (m !== null) { clearTimeout(timer); resolve({ child, base: m[1]!, out: () => out }); }
    });
    child.stderr!.on('data', (b: Buffer) => { out += b.toString(); });
    child.on('exit', () => { clearTimeout(timer); reject(new Error(`serve exited early: ${out}`)); });
  });
}

/** A JSON request to base + path; the status and the parsed body. */
export async function jsonRequest(base: string, method: string, path: string, body?: unknown, timeoutMs = 10_000): Promise<{ status: number; json: any }> {
  const init: RequestInit = { method, signal: AbortSignal.timeout(timeoutMs) };
  if (body !== undefined) { init.body = JSON.stringify(body); init.headers = { 'content-type': 'application/json' }; }
  const r = await fetch(base + path, init);
  return { status: r.status, json: await r.json() };
}

export function stopDashboardServe(s: DashboardServe | undefined): void {
  if (s !== undefined && s.child.exitCode === null && s.child.signalCode === null) s.child.kill('SIGKILL');
}
