// Failover time of a cluster: two nodes on one nats-server, six markets quoted; the node
// holding a market is killed with SIGKILL and the time until the other node has quotes
// resting on that market is measured (lease TTL + up to one lease round + the takeover:
// reading the trades stream, applying the dead node's fills, starting the strategy and
// its first quotes). The killed node is started again (markets move back) between runs.
//
//   npm run build:ts && node dist/bench/cluster-failover.js [--runs 5] [--lease-ttl-ms 2000]
import { parseArgs } from 'node:util';
import { rendezvousOwner } from '../src/cluster/rendezvous.js';
import { api, loadStrategies, MARKETS, ordersOn, startNats, startNode, stats, stopNode, until, type BenchNode, type ClusterView } from './cluster-harness.js';

const { values } = parseArgs({ options: { runs: { type: 'string', default: '5' }, 'lease-ttl-ms': { type: 'string', default: '2000' } } });
const runs = Number(values.runs);
const ttl = Number(values['lease-ttl-ms']);

const nats = await startNats();
const ids = ['alpha', 'beta'];
const nodes: Record<string, BenchNode> = {};
try {
  for (const id of ids) nodes[id] = await startNode(id, nats.url, ttl);
  await loadStrategies(nodes.alpha!, MARKETS);
  let t00 = Date.now();
  const settled = async (): Promise<void> => {
    await until('markets on their owners', async () => {
      if (Date.now() - t00 > 100_000) {
        for (const id of ids) process.stderr.write(`${id}: ${JSON.stringify(await api(nodes[id]!, 'GET', '/api/cluster'))}\n${nodes[id]!.out().slice(-3000)}\n`);
        t00 = Infinity;
      }
      for (const id of ids) {
        const v = await api<ClusterView>(nodes[id]!, 'GET', '/api/cluster');
        const mine = MARKETS.filter((m) => rendezvousOwner(m, ids) === id);
        if (mine.some((m) => !v.held_here.some((h) => h.market === m))) return undefined;
      }
      return true;
    }, 120_000, 100);
  };
  await settled();
  const times: number[] = [];
  for (let r = 0; r < runs; r++) {
    const victim = r % 2 === 0 ? 'alpha' : 'beta';
    const survivor = victim === 'alpha' ? 'beta' : 'alpha';
    const market = MARKETS.find((m) => rendezvousOwner(m, ids) === victim)!;
    await until(`${victim} quoting ${market}`, async () => ((await ordersOn(nodes[victim]!, market)) > 0 ? true : undefined));
    const t0 = Date.now();
    await stopNode(nodes[victim]!);
    await until(`${survivor} quoting ${market}`, async () => ((await ordersOn(nodes[survivor]!, market)) > 0 ? true : undefined), 120_000, 10);
    const ms = Date.now() - t0;
    times.push(ms);
    process.stdout.write(`run ${r + 1}: ${victim} killed, ${survivor} quotes ${market} after ${ms} ms\n`);
    nodes[victim] = await startNode(victim, nats.url, ttl, nodes[victim]!.dataDir);
    t00 = Date.now();
    await settled();
  }
  const s = stats(times);
  process.stdout.write(`${JSON.stringify({ bench: 'cluster-failover', lease_ttl_ms: ttl, ...s, unit: 'ms from SIGKILL to the other node quoting the market' })}\n`);
} finally {
  for (const n of Object.values(nodes)) await stopNode(n);
  nats.stop();
}
