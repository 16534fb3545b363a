// spreadcore nodes sharing markets over a real nats-server: markets split by rendezvous
// hashing over the live nodes and run only where their lease is; a node killed with
// SIGKILL while it quotes loses its markets after the lease TTL and another node quotes
// them, with every fill on the stream exactly once and the new owner's position equal
// to the sum of the stream's fills; a node paused (SIGSTOP) past its lease never places
// an order on the market its successor took (fencing); the kill switch written on one
// node halts three; a NATS restart under load leaves every market held by one node.
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { Kvm } from '@nats-io/kv';
import { Decimal } from 'decimal.js';
import { describeNats, startNats, type NatsServer } from './support/nats.js';
import { requireDist, stopAll } from './support/cli-process.js';
import { api, binaryStrategy, cluster, LEASE_TTL_MS, openOrders, startNode, strategyName, until, type Node } from './support/cluster-nodes.js';
import { rendezvousOwner } from '../src/cluster/rendezvous.js';
import { sleep } from './support/wait.js';
import { openSqlite } from '../src/store/sqlite-driver.js';

const MARKETS = ['BTC-100K-YES', 'PM-001-YES', 'PM-002-YES', 'PM-003-YES', 'PM-004-YES', 'PM-005-YES'];

let srv: NatsServer;
const dirs: string[] = [];

async function loadAll(via: Node, markets: readonly string[]): Promise<void> {
  for (const m of markets) {
    const l = await api(via, 'POST', '/api/strategy/load', binaryStrategy(strategyName(m), m));
    expect(l.status, JSON.stringify(l.json)).toBe(200);
    const s = await api(via, 'POST', `/api/strategy/${strategyName(m)}/start`);
    expect(s.status, JSON.stringify(s.json)).toBe(200);
  }
}

/** Every market held by its rendezvous owner among `nodes`, and running there (loaded elsewhere). */
async function settled(nodes: Node[], markets: readonly string[]): Promise<void> {
  const ids = nodes.map((n) => n.id);
  await until(`markets held by their rendezvous owners among ${ids.join(', ')}`, async () => {
    const views = await Promise.all(nodes.map((n) => cluster(n)));
    for (const m of markets) {
      const owner = rendezvousOwner(m, ids);
      for (const v of views) {
        const held = v.held_here.some((h) => h.market === m);
        if (held !== (v.node_id === owner)) return undefined;
        const st = v.strategies.find((s) => s.market === m)?.status_here;
        if (v.node_id === owner ? st !== 'running' : st === 'running') return undefined;
      }
    }
    return true;
  }, 60_000);
}

async function start(ids: string[]): Promise<Node[]> {
  const nodes: Node[] = [];
  for (const id of ids) {
    const n = await startNode(id, srv.url);
    dirs.push(n.dataDir);
    nodes.push(n);
  }
  return nodes;
}

describeNats('spreadcore nodes in a cluster', () => {
  beforeAll(async () => { requireDist(); });
  afterEach(async () => {
    stopAll();
    await srv?.stop();
  });
  afterAll(() => { for (const d of dirs) rmSync(d, { recursive: true, force: true }); });

  it('two nodes split the markets by rendezvous hashing; a strategy loaded and started on one node runs on its market\'s owner only', async () => {
    srv = await startNats();
    const [a, b] = await start(['alpha', 'beta']);
    await loadAll(b!, MARKETS);
    await settled([a!, b!], MARKETS);
    const v = await until('every lease in alpha\'s view', async () => {
      const x = await cluster(a!);
      return x.leases.length === MARKETS.length ? x : undefined;
    });
    expect(v.nodes.map((n) => n.node_id).sort()).toEqual(['alpha', 'beta']);
    expect(v.leases.map((l) => l.market).sort()).toEqual([...MARKETS].sort());
    for (const l of v.leases) expect(l.owner, l.market).toBe(rendezvousOwner(l.market, ['alpha', 'beta']));
    // a PATCH on a node that does not run the strategy reaches the node that does
    const m0 = MARKETS[0]!;
    const owner = rendezvousOwner(m0, ['alpha', 'beta']) === 'alpha' ? a! : b!;
    const other = owner === a ? b! : a!;
    const p = await api(other, 'PATCH', `/api/strategy/${strategyName(m0)}/parameters`, { spread_bps: 500 });
    expect(p.status, JSON.stringify(p.json)).toBe(200);
    await until(`spread_bps 500 on ${owner.id}`, async () => {
      const r = await api<{ parameters: { spread_bps: number } }>(owner, 'GET', `/api/strategy/${strategyName(m0)}/parameters`);
      return r.json.parameters.spread_bps === 500 ? true : undefined;
    });
    // a third node takes the markets it wins from the two
    const [c] = await start(['gamma']);
    await settled([a!, b!, c!], MARKETS);
    // no round failed; a round slower than twice the lease TTL (this machine's load, with three nodes and NATS on two
    // cores) is abandoned and another started, which the node reports but is not a failure of the split
    for (const n of [a!, b!, c!]) {
      const e = (await cluster(n)).last_error;
      if (e !== null) expect(e, n.id).toMatch(/^a lease round took more than \d+ ms; started another$/);
    }
  }, 180_000);

  it('kill -9 of a node while it quotes: its markets are quoted by the other node within the lease TTL, no fill is lost or doubled', async () => {
    srv = await startNats();
    const [a, b] = await start(['alpha', 'beta']);
    await loadAll(a!, MARKETS);
    await settled([a!, b!], MARKETS);
    const victimMarkets = MARKETS.filter((m) => rendezvousOwner(m, ['alpha', 'beta']) === 'alpha');
    expect(victimMarkets.length).toBeGreaterThan(0);
    // the victim has filled on its markets before it dies
    await until('fills of alpha on the stream', async () => {
      const v = await cluster(b!);
      return v.positions.some((p) => victimMarkets.includes(p.symbol) && p.fills > 0) ? true : undefined;
    }, 60_000);
    a!.proc.child.kill('SIGKILL');
    await a!.proc.exited;
    const killedAt = Date.now();
    // beta holds and quotes every market
    await until('beta quoting every market', async () => {
      const v = await cluster(b!);
      if (v.held_here.length !== MARKETS.length) return undefined;
      if (!v.strategies.every((s) => s.status_here === 'running')) return undefined;
      for (const m of victimMarkets) {
        const q = await api<{ quotes: { bids: unknown[]; asks: unknown[] } }>(b!, 'GET', `/api/strategy/${strategyName(m)}/quotes`);
        if (q.json.quotes.bids.length + q.json.quotes.asks.length === 0) return undefined;
      }
      return true;
    }, 60_000);
    const failoverMs = Date.now() - killedAt;
    process.stderr.write(`[cluster] failover after kill -9: ${failoverMs} ms (lease TTL ${LEASE_TTL_MS} ms)\n`);

    // stop quoting, let the last answers in, then compare: beta's position on each taken market is the sum of the stream's fills
    for (const m of victimMarkets) expect((await api(b!, 'POST', `/api/strategy/${strategyName(m)}/stop`)).status).toBe(200);
    await sleep(1500);
    await until('beta read the whole stream', async () => {
      const v = await cluster(b!);
      return v.trades_stream.lag === 0 ? true : undefined;
    });
    const streamFills = (await api<{ fills: { tradeId: string; node_id: string; strategyId: string; symbol: string; side: string; qty: string }[] }>(b!, 'GET', '/api/cluster/fills?limit=100000')).json.fills;
    const ids = streamFills.map((f) => f.tradeId);
    expect(new Set(ids).size).toBe(ids.length); // none twice
    for (const m of victimMarkets) {
      const sum = streamFills.filter((f) => f.symbol === m && f.strategyId === strategyName(m))
        .reduce((acc, f) => acc.plus(f.side === 'BUY' ? f.qty : new Decimal(f.qty).neg()), new Decimal(0));
      const inv = await api<{ inventory: { position: number } }>(b!, 'GET', `/api/strategy/${strategyName(m)}/inventory`);
      expect(new Decimal(inv.json.inventory.position).toString(), m).toBe(sum.toString());
      // and the cluster's position in KV (compare-and-set per fill, by both nodes) says the same
      await until(`the KV position of ${m}`, async () => {
        const p = (await cluster(b!)).positions.find((x) => x.symbol === m && x.account === strategyName(m));
        return p !== undefined && new Decimal(p.position).eq(sum) ? true : undefined;
      }, 15_000);
    }
    // every fill in alpha's journal reaches the stream once alpha is back (it publishes what the crash kept it from sending)
    const db = openSqlite(join(a!.dataDir, 'journal.sqlite'), { timeoutMs: 0, readonly: true });
    const journaled = (db.prepare('SELECT trade_id FROM fills').all() as { trade_id: string }[]).map((r) => r.trade_id);
    db.close();
    expect(journaled.length).toBeGreaterThan(0);
    const a2 = await startNode('alpha', srv.url, a!.dataDir);
    await until('every fill of alpha\'s journal on the stream', async () => {
      const f = (await api<{ fills: { tradeId: string }[] }>(a2, 'GET', '/api/cluster/fills?limit=100000')).json.fills.map((x) => x.tradeId);
      const set = new Set(f);
      return journaled.every((t) => set.has(t)) && set.size === f.length ? true : undefined;
    }, 30_000);
  }, 240_000);

  it('a node paused (SIGSTOP) past its lease and resumed never places an order on a market its successor holds (fencing)', async () => {
    srv = await startNats();
    const [a, b] = await start(['alpha', 'beta']);
    await loadAll(a!, MARKETS);
    await settled([a!, b!], MARKETS);
    const victimMarkets = MARKETS.filter((m) => rendezvousOwner(m, ['alpha', 'beta']) === 'alpha');
    const m0 = victimMarkets[0]!;
    a!.proc.child.kill('SIGSTOP');
    const successorRev = await until(`beta holding ${m0}`, async () => {
      const v = await cluster(b!);
      return v.held_here.find((h) => h.market === m0)?.revision;
    }, 60_000);
    // beta quotes it (its orders carry the higher token)
    await until(`beta quoting ${m0}`, async () => ((await openOrders(b!)).some((o) => o.symbol === m0) ? true : undefined), 30_000);
    await sleep(LEASE_TTL_MS);
    a!.proc.child.kill('SIGCONT');
    const resumedAt = Date.now();
    // alpha notices, cancels its orders on the market and stops its strategy there
    await until(`alpha stopped quoting ${m0}`, async () => {
      const v = await cluster(a!);
      const held = v.held_here.find((h) => h.market === m0);
      // alpha may win the market back later, under a new lease (a higher token)
      if (held !== undefined && held.revision > successorRev) return true;
      return held === undefined && !(await openOrders(a!)).some((o) => o.symbol === m0) ? true : undefined;
    }, 30_000);
    expect(a!.proc.out()).toMatch(new RegExp(`stopped quoting ${m0}`));
    await sleep(3000);
    // the stream's orders: no order of alpha on the market with a token below beta's after beta's
    const views = await Promise.all([cluster(a!), cluster(b!)]);
    for (const v of views) expect(v.trades_stream.fence_violations).toBe(0);
    process.stderr.write(`[cluster] SIGSTOP/SIGCONT: alpha refused ${views[0]!.orders_refused_not_lease_owner} orders for want of a lease; resumed ${Date.now() - resumedAt} ms ago\n`);
  }, 240_000);

  it('the kill switch written on one node halts all three (every order cancelled), resume on another lifts it', async () => {
    srv = await startNats();
    const nodes = await start(['alpha', 'beta', 'gamma']);
    await loadAll(nodes[0]!, MARKETS);
    await settled(nodes, MARKETS);
    await until('orders open on every node that owns a market', async () => {
      for (const n of nodes) {
        const owns = MARKETS.some((m) => rendezvousOwner(m, nodes.map((x) => x.id)) === n.id);
        if (owns && (await openOrders(n)).length === 0) return undefined;
      }
      return true;
    }, 60_000);
    const k = await api<{ state: string }>(nodes[1]!, 'POST', '/api/kill', { note: 'cluster test' });
    expect(k.json.state).toBe('HALTED');
    await until('every node halted with no open order', async () => {
      for (const n of nodes) {
        const v = await cluster(n);
        if (v.kill_switch.engine !== 'HALTED') return undefined;
        if ((await openOrders(n)).length > 0) return undefined;
      }
      return true;
    }, 30_000);
    // each node acknowledged it in the control bucket
    const nc: NatsConnection = await connect({ servers: srv.url });
    const kv = await new Kvm(nc).open('spreadcore_control');
    const kill = await kv.get('kill');
    for (const n of nodes) {
      const ack = (await kv.get(`ack.${n.id}`))?.json<{ revision: number; state: string; applied_ms: number; written_ms: number }>();
      expect(ack?.state).toBe('HALTED');
      expect(ack?.revision).toBe(kill!.revision);
    }
    await nc.close();
    // no order is placed while halted
    await sleep(1000);
    for (const n of nodes) expect(await openOrders(n)).toEqual([]);
    expect((await api(nodes[2]!, 'POST', '/api/resume', {})).status).toBe(200);
    await until('every node active again', async () => {
      for (const n of nodes) if ((await cluster(n)).kill_switch.engine !== 'ACTIVE') return undefined;
      return true;
    }, 30_000);
  }, 240_000);

  it('a NATS restart under load: the nodes reconnect and every market is held by exactly one node again', async () => {
    srv = await startNats();
    const [a, b] = await start(['alpha', 'beta']);
    await loadAll(a!, MARKETS);
    await settled([a!, b!], MARKETS);
    await srv.kill();
    await sleep(1500);
    await srv.restart();
    const restarted = Date.now();
    await until('both nodes reconnected', async () => {
      const vs = await Promise.all([cluster(a!), cluster(b!)]);
      return vs.every((v) => v.nats.status === 'connected' && v.nats.reconnects >= 1) ? true : undefined;
    }, 60_000);
    const reconnected = Date.now();
    await settled([a!, b!], MARKETS);
    process.stderr.write(`[cluster] NATS restart: nodes reconnected ${reconnected - restarted} ms after it listened, markets quoted again after ${Date.now() - restarted} ms\n`);
    const vs = await Promise.all([cluster(a!), cluster(b!)]);
    for (const m of MARKETS) expect(vs.filter((v) => v.held_here.some((h) => h.market === m)).length, m).toBe(1);
    for (const v of vs) expect(v.trades_stream.fence_violations).toBe(0);
  }, 240_000);
});
