// Child process of the gateway HTTP benchmark: the benchmark engine (bench-market.ts)
// on a paused market (no tick after setup, so every request sees the same state),
// served by the Gateway on the uWS transport or on the node:http transport
// (--server uws|node, src/net/transport.ts) on a free loopback port. Answers over IPC: ready (port), cpu (process.cpuUsage), handlers
// (the routes' own cost per call in this process, without any HTTP).
import { Gateway } from '../../src/gateway/gateway.js';
import { API_ROUTES, answerNow, matchRoute } from '../../src/gateway/routes-api.js';
import { benchMarket } from './bench-market.js';
import { answerIpc } from './child-ipc.js';
import { selectTransport } from '../../src/net/select-transport.js';

const kind = process.argv[process.argv.indexOf('--server') + 1];
if (kind !== 'uws' && kind !== 'node') throw new Error('--server uws|node');

const { engine } = benchMarket();
const health = (): Record<string, unknown> => ({ ok: true });
// no rateLimit option: no per-client request limit (the load generator is one client sending as fast as it can)
const gw = new Gateway(engine, { port: 0, healthInfo: () => ({}), transport: selectTransport(kind) });
const port = await gw.listen();

/** CPU ns per call (process CPU time, robust to a busy machine) of route lookup + query parse + handler + JSON.stringify, and of the handler and the stringify alone. */
function handlerCost(pathAndQuery: string, n: number): { totalNs: number; handleNs: number; stringifyNs: number; bytes: number } {
  const [path = '', rawQuery = ''] = pathAndQuery.split('?');
  const cpuNs = (f: () => void): number => {
    const c0 = process.cpuUsage();
    f();
    const c = process.cpuUsage(c0);
    return ((c.user + c.system) * 1000) / n;
  };
  let bytes = 0;
  const whole = (): void => {
    for (let i = 0; i < n; i++) {
      const m = matchRoute(API_ROUTES, 'GET', path);
      bytes = JSON.stringify(answerNow(m.route, { engine, params: m.params, query: new URLSearchParams(rawQuery), body: undefined, health }).body).length;
    }
  };
  whole(); // warm-up
  const totalNs = cpuNs(whole);
  const m = matchRoute(API_ROUTES, 'GET', path);
  const ctx = { engine, params: m.params, query: new URLSearchParams(rawQuery), body: undefined, health };
  let answer = answerNow(m.route, ctx);
  const handleNs = cpuNs(() => { for (let i = 0; i < n; i++) answer = answerNow(m.route, ctx); });
  const stringifyNs = cpuNs(() => { for (let i = 0; i < n; i++) bytes = JSON.stringify(answer.body).length; });
  return { totalNs, handleNs, stringifyNs, bytes };
}

answerIpc({
  ready: () => ({ port, pid: process.pid }),
  cpu: () => process.cpuUsage(),
  rss: () => process.memoryUsage().rss,
  handlers: (paths: string[]) => paths.map((p) => ({ path: p, ...handlerCost(p, 20_000) })),
});
