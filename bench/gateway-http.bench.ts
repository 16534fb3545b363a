// The control API's HTTP layer under load on loopback: GET quotes
// (/api/strategy/:id/quotes) and GET depth (/api/market/depth?symbol=) served by the
// Gateway on its two transports (src/net/transport.ts): uWebSockets.js, and the
// node:http fallback used where uWS has no native binding; side by side in one run.
//
// Each server runs in its own child process (bench/support/gateway-http-server.ts)
// holding the same engine state: the seeded simulator run for 40 simulated seconds
// with seed 000's strategy quoting BTCUSDT, then paused (no tick during the run), so every answer
// is the same. Before timing, the answers of the two servers are compared byte for
// byte. autocannon (programmatic API) runs in this process: the load generator and
// the server share the machine's 2 cores. Per route and server: a warm-up, then
// ROUNDS rounds of DURATION_S, alternating which server goes first; medians.
// Latency percentiles come from every response's own time (autocannon's 'response'
// event, float ms), not autocannon's whole-millisecond histogram.
// Run: npx tsc -p tsconfig.build.json && node dist/bench/gateway-http.bench.js
import autocannon, { type AutocannonResult } from 'autocannon';
import { cpus, loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { BENCH_STRATEGY_ID, BENCH_SYMBOL } from './support/bench-market.js';
import { forkBenchChild, type BenchChild } from './support/child-ipc.js';

const ROUNDS = 3;
const DURATION_S = 4;
const WARM_S = 2;
const CONNECTIONS = 64;
const MAX_SAMPLES = 1 << 22;

const ROUTES = [
  { name: 'GET quotes', path: `/api/strategy/${BENCH_STRATEGY_ID}/quotes` },
  { name: 'GET depth', path: `/api/market/depth?symbol=${BENCH_SYMBOL}` },
] as const;
type Variant = 'uws' | 'node';
const VARIANT_NAME: Record<Variant, string> = { uws: 'Gateway on uWS', node: 'Gateway on node:http (fallback transport)' };

interface Round { reqPerS: number; p50Us: number; p99Us: number; p999Us: number; serverCpu: number; loadCpu: number; errors: number; non2xx: number; requests: number }

const latencies = new Float64Array(MAX_SAMPLES);

function load(url: string, durationS: number, pipelining = 1): Promise<{ result: AutocannonResult; n: number }> {
  return new Promise((resolve, reject) => {
    let n = 0;
    const inst = autocannon({ url, connections: CONNECTIONS, pipelining, duration: durationS, timeout: 10 }, (err, result) => {
      if (err !== null) reject(err); else resolve({ result, n });
    });
    inst.on('response', (_c, _status, _bytes, ms) => { if (n < MAX_SAMPLES) latencies[n++] = ms; });
  });
}

function pct(sorted: Float64Array, p: number): number {
  return sorted.length === 0 ? NaN : sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]!;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 === 1 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

async function timed(child: BenchChild, url: string, durationS: number, pipelining = 1): Promise<Round> {
  const cpu0 = await child.ask<NodeJS.CpuUsage>('cpu');
  const me0 = process.cpuUsage();
  const t0 = process.hrtime.bigint();
  const { result, n } = await load(url, durationS, pipelining);
  const wallUs = Number(process.hrtime.bigint() - t0) / 1000;
  const me = process.cpuUsage(me0);
  const cpu1 = await child.ask<NodeJS.CpuUsage>('cpu');
  const lat = latencies.slice(0, n).sort();
  return {
    reqPerS: result.requests.average,
    p50Us: pct(lat, 0.5) * 1000, p99Us: pct(lat, 0.99) * 1000, p999Us: pct(lat, 0.999) * 1000,
    serverCpu: (cpu1.user + cpu1.system - cpu0.user - cpu0.system) / wallUs,
    loadCpu: (me.user + me.system) / wallUs,
    errors: result.errors + result.timeouts, non2xx: result.non2xx, requests: result['2xx'],
  };
}

export async function runGatewayHttpBench(): Promise<string> {
  const script = join(dirname(fileURLToPath(import.meta.url)), 'support', 'gateway-http-server.js');
  const children: Record<Variant, BenchChild> = { uws: forkBenchChild(script, ['--server', 'uws']), node: forkBenchChild(script, ['--server', 'node']) };
  try {
    const ports = { uws: (await children.uws.ask<{ port: number }>('ready')).port, node: (await children.node.ask<{ port: number }>('ready')).port };
    const url = (v: Variant, path: string): string => `http://127.0.0.1:${ports[v]}${path}`;

    // the same bytes from both servers (and so the same engine state in both processes)
    const bodies: { route: string; bytes: number; same: boolean; headers: string }[] = [];
    for (const r of ROUTES) {
      const [a, b] = await Promise.all([fetch(url('uws', r.path)), fetch(url('node', r.path))]);
      const [ba, bb] = [Buffer.from(await a.arrayBuffer()), Buffer.from(await b.arrayBuffer())];
      const same = a.status === 200 && b.status === 200 && ba.equals(bb);
      const hs = (h: Headers): string => ['content-type', 'cache-control', 'x-content-type-options'].map((k) => h.get(k)).join('|');
      if (!same || hs(a.headers) !== hs(b.headers)) {
        throw new Error(`${r.name}: the two servers answer differently: ${a.status} ${ba.length} B vs ${b.status} ${bb.length} B; ${hs(a.headers)} vs ${hs(b.headers)}`);
      }
      bodies.push({ route: r.name, bytes: ba.length, same, headers: hs(a.headers) });
    }
    const costs = await children.uws.ask<{ path: string; totalNs: number; handleNs: number; stringifyNs: number; bytes: number }[]>('handlers', ROUTES.map((r) => r.path));

    const rounds = new Map<string, Round[]>();
    for (const r of ROUTES) {
      for (const v of ['uws', 'node'] as const) await load(url(v, r.path), WARM_S);
      for (let i = 0; i < ROUNDS; i++) {
        const order: Variant[] = i % 2 === 0 ? ['uws', 'node'] : ['node', 'uws'];
        for (const v of order) {
          const key = `${r.name}|${v}`;
          rounds.set(key, [...(rounds.get(key) ?? []), await timed(children[v], url(v, r.path), DURATION_S)]);
        }
      }
    }
    // the load generator's own ceiling: uWS with 10 requests pipelined per connection (fewer round trips per request)
    const pipelined = await timed(children.uws, url('uws', ROUTES[0].path), DURATION_S, 10);

    const int = (x: number): string => Math.round(x).toLocaleString('en-US');
    const pc = (x: number): string => `${Math.round(x * 100)}%`;
    const rows: string[] = [
      '## Gateway HTTP: the uWS transport vs the node:http transport',
      '',
      `Run: \`npx tsc -p tsconfig.build.json && node dist/bench/gateway-http.bench.js\` (about ${Math.round((ROUTES.length * 2 * (WARM_S + ROUNDS * DURATION_S) + DURATION_S + 5))} s; it starts and stops the server processes itself)`,
      '',
      `autocannon 9 (programmatic) in the benchmark process, ${CONNECTIONS} keep-alive connections, 1 request in flight per connection, against a server in a child process on 127.0.0.1; ` +
        `load generator and server share the ${cpus().length} cores. Each server process holds the same engine (simulator seed 7, seed 000's strategy quoting BTCUSDT, market paused during the run). ` +
        `No per-client request-rate limit is configured on the gateway (its rateLimit option is left out). ${ROUNDS} rounds of ${DURATION_S} s per route and server after a ${WARM_S} s warm-up, alternating which goes first; median of the rounds (range in brackets). ` +
        `Latency: each response's time as autocannon measures it (request written → response parsed), µs. CPU: share of one core over the round (server child; this process, i.e. autocannon).`,
      '',
      'Before timing, both servers answered byte-identical bodies with the same content-type, cache-control and x-content-type-options: ' +
        bodies.map((b) => `${b.route} ${b.bytes} B`).join(', ') + '.',
      '',
      '| route | server | req/s | p50 µs | p99 µs | p99.9 µs | server CPU | server CPU µs/request | autocannon CPU | autocannon CPU µs/request | errors | non-2xx |',
      '|---|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|',
    ];
    const med = (xs: Round[], f: (r: Round) => number): number => median(xs.map(f));
    // CPU time per request: what each side costs, whatever share of the cores it got
    const serverUs = (x: Round): number => (x.serverCpu * 1e6) / x.reqPerS;
    const loadUs = (x: Round): number => (x.loadCpu * 1e6) / x.reqPerS;
    const range = (xs: Round[], f: (r: Round) => number): string => `${int(Math.min(...xs.map(f)))}–${int(Math.max(...xs.map(f)))}`;
    for (const r of ROUTES) {
      for (const v of ['uws', 'node'] as const) {
        const xs = rounds.get(`${r.name}|${v}`)!;
        rows.push(`| ${r.name} | ${VARIANT_NAME[v]} | ${int(med(xs, (x) => x.reqPerS))} (${range(xs, (x) => x.reqPerS)}) | ${int(med(xs, (x) => x.p50Us))} | ${int(med(xs, (x) => x.p99Us))} | ${int(med(xs, (x) => x.p999Us))} | ` +
          `${pc(med(xs, (x) => x.serverCpu))} | ${med(xs, serverUs).toFixed(1)} | ${pc(med(xs, (x) => x.loadCpu))} | ${med(xs, loadUs).toFixed(1)} | ${xs.reduce((a, x) => a + x.errors, 0)} | ${xs.reduce((a, x) => a + x.non2xx, 0)} |`);
      }
    }
    rows.push(`| ${ROUTES[0].name}, 10 pipelined per connection | ${VARIANT_NAME.uws} | ${int(pipelined.reqPerS)} | ${int(pipelined.p50Us)} | ${int(pipelined.p99Us)} | ${int(pipelined.p999Us)} | ` +
      `${pc(pipelined.serverCpu)} | ${serverUs(pipelined).toFixed(1)} | ${pc(pipelined.loadCpu)} | ${loadUs(pipelined).toFixed(1)} | ${pipelined.errors} | ${pipelined.non2xx} |`);

    rows.push('', '| route | uWS / node:http req/s | node:http / uWS p99 | node:http / uWS server CPU per request | HTTP layer CPU µs/request: uWS, node:http (server CPU − handler) |', '|---|--:|--:|--:|--:|');
    ROUTES.forEach((r, i) => {
      const u = rounds.get(`${r.name}|uws`)!;
      const n = rounds.get(`${r.name}|node`)!;
      const h = costs[i]!.totalNs / 1000;
      rows.push(`| ${r.name} | ${(med(u, (x) => x.reqPerS) / med(n, (x) => x.reqPerS)).toFixed(2)}× | ${(med(n, (x) => x.p99Us) / med(u, (x) => x.p99Us)).toFixed(2)}× | ` +
        `${(med(n, serverUs) / med(u, serverUs)).toFixed(2)}× | ${(med(u, serverUs) - h).toFixed(1)}, ${(med(n, serverUs) - h).toFixed(1)} |`);
    });
    rows.push('', 'The handlers alone, in the server process without HTTP (route lookup + query parse + handler + JSON.stringify), CPU ns per call:', '',
      '| route | body bytes | whole | handler | JSON.stringify | calls/s on one core |', '|---|--:|--:|--:|--:|--:|');
    ROUTES.forEach((r, i) => {
      const c = costs[i]!;
      rows.push(`| ${r.name} | ${c.bytes} | ${int(c.totalNs)} | ${int(c.handleNs)} | ${int(c.stringifyNs)} | ${int(1e9 / c.totalNs)} |`);
    });
    // what this machine could do if nothing else ran: each side at most one core (one thread each), both within the cores
    const ceiling = (xs: Round[]): number => {
      const s = med(xs, serverUs);
      const l = med(xs, loadUs);
      return Math.min(1e6 / s, 1e6 / l, (cpus().length * 1e6) / (s + l));
    };
    const best = Math.max(...ROUTES.map((r) => med(rounds.get(`${r.name}|uws`)!, (x) => x.reqPerS)));
    const u0 = rounds.get(`${ROUTES[0].name}|uws`)!;
    rows.push('', `Target ≥ 50,000 req/s on uWS: ${best >= 50_000 ? 'PASS' : 'FAIL'} (best median ${int(best)} req/s; load average at the end ${loadavg().map((x) => x.toFixed(2)).join(' / ')}). ` +
      `From the CPU each side spent per request, an otherwise idle machine would reach about ${ROUTES.map((r) => `${int(ceiling(rounds.get(`${r.name}|uws`)!))} req/s on ${r.name}`).join(' and ')} ` +
      '(each process at most one core, both within the cores); that is an estimate, not a measurement.', '',
      `Reading: per request, autocannon spent ${med(u0, loadUs).toFixed(1)} µs of CPU and the uWS server ${med(u0, serverUs).toFixed(1)} µs on ${ROUTES[0].name}, of which the handler ${(costs[0]!.totalNs / 1000).toFixed(1)} µs; ` +
      `with 10 requests pipelined per connection (less load-generator work per request) uWS served ${int(pipelined.reqPerS)} req/s with the server at ${pc(pipelined.serverCpu)} of a core; ` +
      'the uWS/node:http ratios isolate the HTTP layer (same handlers, same bytes).');
    return rows.join('\n');
  } finally {
    await Promise.all([children.uws.stop(), children.node.stop()]);
  }
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  console.log(await runGatewayHttpBench());
}
