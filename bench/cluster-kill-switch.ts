// Kill-switch propagation in a cluster: three nodes on one nats-server, six markets
// quoted; POST /api/kill on one node writes the cluster's kill switch key; every node
// (the writer too, through its watch) acknowledges with the wall-clock time it finished
// cancelling. Measured: last acknowledgement − the write (same machine, same clock),
// and the time until the API of every node shows no open order. Resumed between runs.
//
//   npm run build:ts && node dist/bench/cluster-kill-switch.js [--runs 10]
import { parseArgs } from 'node:util';
import { connect } from '@nats-io/transport-node';
import { Kvm } from '@nats-io/kv';
import { api, loadStrategies, MARKETS, startNats, startNode, stats, stopNode, until, type BenchNode, type ClusterView } from './cluster-harness.js';

const { values } = parseArgs({ options: { runs: { type: 'string', default: '10' } } });
const runs = Number(values.runs);

const nats = await startNats();
const nodes: BenchNode[] = [];
try {
  for (const id of ['alpha', 'beta', 'gamma']) nodes.push(await startNode(id, nats.url, 2000));
  await loadStrategies(nodes[0]!, MARKETS);
  const nc = await connect({ servers: nats.url });
  const kv = await new Kvm(nc).open('spreadcore_control');
  const allOrders = async (): Promise<number> => {
    let n = 0;
    for (const x of nodes) n += (await api<{ orders: unknown[] }>(x, 'GET', '/api/orders')).orders.length;
    return n;
  };
  let lastRev = (await kv.get('kill'))?.revision ?? 0;
  const propagation: number[] = [];
  const emptied: number[] = [];
  for (let r = 0; r < runs; r++) {
    await until('orders resting on the nodes', async () => ((await allOrders()) >= 3 ? true : undefined), 120_000, 100);
    const t0 = Date.now();
    await api(nodes[r % 3]!, 'POST', '/api/kill', { note: `bench run ${r + 1}` });
    // the API answers once this node halted; its write of the key follows at once
    const rev = await until('the kill switch key written', async () => {
      const e = await kv.get('kill');
      return e !== null && e.revision > lastRev && e.json<{ state: string }>().state === 'HALTED' ? e.revision : undefined;
    }, 30_000, 5);
    const acks = await until('every node acknowledged', async () => {
      const out: { applied_ms: number; written_ms: number }[] = [];
      for (const x of nodes) {
        const e = await kv.get(`ack.${x.id}`);
        const a = e?.json<{ revision: number; applied_ms: number; written_ms: number }>();
        if (a === undefined || a.revision !== rev) return undefined;
        out.push(a);
      }
      return out;
    }, 30_000, 5);
    await until('no open order anywhere', async () => ((await allOrders()) === 0 ? true : undefined), 30_000, 5);
    const prop = Math.max(...acks.map((a) => a.applied_ms)) - acks[0]!.written_ms;
    propagation.push(prop);
    emptied.push(Date.now() - t0);
    process.stdout.write(`run ${r + 1}: last node cancelled ${prop} ms after the write; every API showed no open order ${Date.now() - t0} ms after the request\n`);
    await api(nodes[(r + 1) % 3]!, 'POST', '/api/resume', {});
    lastRev = await until('the resume written', async () => {
      const e = await kv.get('kill');
      return e !== null && e.revision > rev ? e.revision : undefined;
    }, 30_000, 5);
    await until('every node active', async () => {
      for (const x of nodes) if ((await api<ClusterView>(x, 'GET', '/api/cluster')).kill_switch.engine !== 'ACTIVE') return undefined;
      return true;
    }, 30_000, 50);
  }
  await nc.close();
  process.stdout.write(`${JSON.stringify({ bench: 'cluster-kill-switch', nodes: 3, write_to_last_cancel_ms: stats(propagation), request_to_no_open_order_ms: stats(emptied) })}\n`);
} finally {
  for (const n of nodes) await stopNode(n);
  nats.stop();
}
