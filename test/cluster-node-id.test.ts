// One node id, one process. A second `serve --cluster` started under the id of a live node
// (a command line copied without changing --node-id) would hold the same leases and quote
// the same markets as the first: it is refused at start, exit 1, saying so, and the first
// node keeps its market. A node killed with SIGKILL and started again at once under its
// id is not refused: its old heartbeat stops moving, and it takes its market back.
// Real nats-server and node processes.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { describeNats } from './support/nats.js';
import { clusterTestRun } from './support/cluster-test-run.js';
import { runCli } from './support/cli-process.js';
import { api, binaryStrategy, cluster, LEASE_TTL_MS, startNode, strategyName, until, type Node } from './support/cluster-nodes.js';

const MARKET = 'PM-001-YES';


const holds = async (n: Node): Promise<true | undefined> => {
  const v = await cluster(n);
  return v.held_here.some((h) => h.market === MARKET) && v.strategies.some((s) => s.market === MARKET && s.status_here === 'running') ? true : undefined;
};

describeNats('node ids in a cluster', () => {
  const run = clusterTestRun();

  it('a second process under a live node\'s id is refused; a node restarted after kill -9 is not', async () => {
    const srv = await run.startNats();
    const a = await startNode('alpha', srv.url);
    run.removeLater(a.dataDir);
    const id = strategyName(MARKET);
    expect((await api(a, 'POST', '/api/strategy/load', binaryStrategy(id, MARKET))).status).toBe(200);
    expect((await api(a, 'POST', `/api/strategy/${id}/start`)).status).toBe(200);
    await until('alpha quoting its market', () => holds(a), 30_000);

    const dir2 = mkdtempSync(join(tmpdir(), 'spreadcore-node-alpha2-'));
    run.removeLater(dir2);
    const second = await runCli(['serve', '--port', '0', '--seed', '7', '--data-dir', dir2, '--cluster', srv.url, '--node-id', 'alpha', '--lease-ttl-ms', String(LEASE_TTL_MS)], {}, 30_000);
    expect(second.code, second.out).toBe(1);
    expect(second.out).toMatch(/cannot join the cluster: node id \\?"alpha\\?" is in use: another process beats under it in the cluster \(API http:\/\/127\.0\.0\.1:\d+, started [^)]+\); give every node its own --node-id/);
    expect(second.out).not.toMatch(/control API listening/);
    // the first node never lost its market
    const v = await cluster(a);
    expect(v.held_here.map((h) => h.market)).toContain(MARKET);
    expect(v.last_error).toBeNull();
    expect(v.trades_stream.fence_violations).toBe(0);

    // kill -9, then started again at once on its data directory: it joins and quotes its market again
    a.proc.child.kill('SIGKILL');
    await a.proc.exited;
    const again = await startNode('alpha', srv.url, a.dataDir);
    await until('alpha, started again, quoting its market', () => holds(again), 30_000);
    expect((await cluster(again)).last_error).toBeNull();
  }, 120_000);
});
