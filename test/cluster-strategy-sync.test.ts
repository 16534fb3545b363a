// docs/cluster.md's first steps, as an operator types them: a strategy loaded through one
// node is started at once through another. Every node watches the strategies bucket, so
// the second node knows the strategy when the start arrives (not a quarter of the lease
// TTL later), and the market's holder runs it. Real nats-server and node processes.
import { expect, it } from 'vitest';
import { describeNats } from './support/nats.js';
import { clusterTestRun } from './support/cluster-test-run.js';
import { api, binaryStrategy, cluster, startNode, strategyName, until } from './support/cluster-nodes.js';
import { rendezvousOwner } from '../src/cluster/rendezvous.js';

const MARKETS = ['PM-001-YES', 'PM-002-YES', 'PM-003-YES', 'PM-004-YES'];


describeNats('strategies across the nodes of a cluster', () => {
  const run = clusterTestRun();

  it('a strategy loaded on one node can be started through another right away', async () => {
    const srv = await run.startNats();
    const a = await startNode('alpha', srv.url);
    const b = await startNode('beta', srv.url);
    run.removeLater(a.dataDir, b.dataDir);
    await until('both nodes live', async () => ((await cluster(a)).nodes.length === 2 && (await cluster(b)).nodes.length === 2 ? true : undefined), 30_000);

    for (const m of MARKETS) {
      const id = strategyName(m);
      const l = await api(a, 'POST', '/api/strategy/load', binaryStrategy(id, m));
      expect(l.status, JSON.stringify(l.json)).toBe(200);
      const s = await api(b, 'POST', `/api/strategy/${id}/start`);
      expect(s.status, `start of ${id} through beta: ${JSON.stringify(s.json)}`).toBe(200);
    }
    // every strategy runs on its market's rendezvous owner, and only there
    await until('every strategy running on its owner', async () => {
      const views = await Promise.all([cluster(a), cluster(b)]);
      for (const m of MARKETS) {
        const owner = rendezvousOwner(m, ['alpha', 'beta']);
        for (const v of views) {
          const st = v.strategies.find((x) => x.market === m);
          if (st === undefined || st.wanted !== 'running') return undefined;
          if ((st.status_here === 'running') !== (v.node_id === owner)) return undefined;
        }
      }
      return true;
    }, 30_000);
    // no order was refused for want of a lease: deciding where a strategy runs is not a refusal
    for (const n of [a, b]) {
      const v = (await api<{ leases_counters: { fenced: number }; orders_refused_not_lease_owner: number }>(n, 'GET', '/api/cluster')).json;
      expect(v.orders_refused_not_lease_owner).toBe(0);
      expect(v.leases_counters.fenced, `${n.id}'s leases_counters`).toBe(0);
    }
  }, 120_000);
});
