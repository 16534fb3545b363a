// API forwarding in a cluster: the time of a request about a strategy answered by the node
// that runs it, asked directly, against the same request asked of another node (which
// forwards it over NATS request/reply, sc.api.<node>, and answers with the owner's body),
// and against that other node's own answer (x-spreadcore-forward: no; same route, no NATS).
//
// Two `serve --cluster` nodes (compiled CLI) on a nats-server on loopback; one strategy
// quoting PM-002-YES, which alpha holds by rendezvous hashing; GET
// /api/strategy/:id/parameters from this process with keep-alive, one at a time, the
// three paths alternating request by request, after a warm-up (--rate-limit 0 on both).
// Run: npm run build:ts && node dist/bench/cluster-forward-latency.js [requests per path]
import { loadavg } from 'node:os';
import { api, startNats, startNode, stopNode, strategyName, until, type BenchNode, type ClusterView } from './cluster-harness.js';

const MARKET = 'PM-002-YES';
const N = Number(process.argv[2] ?? 500);

interface Path { name: string; node: BenchNode; headers: Record<string, string>; ms: number[] }

function pct(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]!;
}

async function once(p: Path, path: string, expectNode: string): Promise<number> {
  const t0 = performance.now();
  const r = await fetch(`${p.node.base}${path}`, { headers: p.headers });
  await r.arrayBuffer();
  const ms = performance.now() - t0;
  if (r.status !== 200 || r.headers.get('x-spreadcore-node') !== expectNode) throw new Error(`${p.name}: ${r.status} from ${r.headers.get('x-spreadcore-node')}`);
  return ms;
}

async function main(): Promise<void> {
  const nats = await startNats();
  const nodes: BenchNode[] = [];
  try {
    const a = await startNode('alpha', nats.url, 2000, undefined, ['--rate-limit', '0']);
    nodes.push(a);
    const b = await startNode('beta', nats.url, 2000, undefined, ['--rate-limit', '0']);
    nodes.push(b);
    const id = strategyName(MARKET);
    await api(b, 'POST', '/api/strategy/load', { name: id, type: 'MarketMaking', symbols: [MARKET], parameters: { spread_bps: 400, order_size: 10, max_position: 100, quote_levels: 1 } });
    await api(b, 'POST', `/api/strategy/${id}/start`);
    await until('alpha running the strategy, beta knowing it', async () => {
      const va = await api<ClusterView>(a, 'GET', '/api/cluster');
      const vb = await api<{ leases: { market: string; owner: string }[] }>(b, 'GET', '/api/cluster');
      const running = va.strategies.some((s) => s.market === MARKET && s.status_here === 'running');
      return running && vb.leases.some((l) => l.market === MARKET && l.owner === 'alpha') ? true : undefined;
    });
    const route = `/api/strategy/${id}/parameters`;
    const paths: Path[] = [
      { name: 'owner (alpha), direct', node: a, headers: {}, ms: [] },
      { name: 'another node (beta), forwarded to alpha', node: b, headers: {}, ms: [] },
      { name: 'beta\'s own copy (x-spreadcore-forward: no)', node: b, headers: { 'x-spreadcore-forward': 'no' }, ms: [] },
    ];
    const expect = ['alpha', 'alpha', 'beta'];
    for (let i = 0; i < 50; i++) for (let k = 0; k < paths.length; k++) await once(paths[k]!, route, expect[k]!);
    const load0 = loadavg()[0]!;
    for (let i = 0; i < N; i++) for (let k = 0; k < paths.length; k++) paths[k]!.ms.push(await once(paths[k]!, route, expect[k]!));
    const load1 = loadavg()[0]!;
    process.stdout.write(`GET ${route}, ${N} requests per path, alternating; load average ${load0.toFixed(1)} → ${load1.toFixed(1)}\n\n`);
    process.stdout.write('| path | requests | p50 ms | p90 ms | p99 ms | max ms |\n|---|---:|---:|---:|---:|---:|\n');
    for (const p of paths) {
      process.stdout.write(`| ${p.name} | ${p.ms.length} | ${pct(p.ms, 50).toFixed(2)} | ${pct(p.ms, 90).toFixed(2)} | ${pct(p.ms, 99).toFixed(2)} | ${Math.max(...p.ms).toFixed(2)} |\n`);
    }
    const added = [50, 90, 99].map((q) => (pct(paths[1]!.ms, q) - pct(paths[0]!.ms, q)).toFixed(2));
    process.stdout.write(`| added by forwarding (forwarded − direct) | | ${added[0]} | ${added[1]} | ${added[2]} | |\n`);
  } finally {
    for (const n of nodes) await stopNode(n);
    nats.stop();
  }
}

main().then(() => process.exit(0), (e: unknown) => { process.stderr.write(`${e instanceof Error ? e.stack ?? e.message : String(e)}\n`); process.exit(1); });
