// Market data over NATS with real processes: a node with the simulator publishes its
// market data (--md-publish) to md.<venue>.<symbol>; two nodes without a market source
// of their own (--md-source nats) load every strategy from the published instrument
// definitions, follow the subjects of the markets whose leases they hold, and their books
// equal the publisher's (GET /api/market/depth, compared while the publisher's book holds
// still). A node killed with SIGKILL: the node that takes its markets over syncs them from
// the publisher's periodic snapshots and its books equal the publisher's again; restarted on
// its journal, the killed node learns the markets from NATS before its strategies load, takes
// its markets back and syncs them.
import { rmSync } from 'node:fs';
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import { describeNats, startNats, type NatsServer } from './support/nats.js';
import { requireDist, stopAll } from './support/cli-process.js';
import { api, binaryStrategy, cluster, openOrders, startNode, strategyName, until, type Node } from './support/cluster-nodes.js';
import { rendezvousOwner } from '../src/cluster/rendezvous.js';

const CANDIDATES = ['BTC-100K-YES', ...Array.from({ length: 24 }, (_, i) => `PM-${String(i + 1).padStart(3, '0')}-YES`)];
const ALL = ['pub', 'alpha', 'beta'];

let srv: NatsServer;
const dirs: string[] = [];

interface Depth { bids: { price: number; qty: number }[]; asks: { price: number; qty: number }[] }

/** The node's own book of m (not forwarded to the market's holder). */
async function depth(n: Node, m: string): Promise<Depth | undefined> {
  const r = await fetch(`${n.base}/api/market/depth?symbol=${m}&limit=1000`, { headers: { 'x-spreadcore-forward': 'no' } });
  const json = (await r.json()) as Depth;
  return r.status === 200 ? { bids: json.bids, asks: json.asks } : undefined;
}

/** The node's book of m equals the publisher's: read publisher, node, publisher; equal when the publisher's did not move meanwhile. */
async function sameBook(pub: Node, n: Node, m: string): Promise<void> {
  await until(`${n.id}'s book of ${m} equal to the publisher's`, async () => {
    const p1 = JSON.stringify(await depth(pub, m));
    const x = JSON.stringify(await depth(n, m));
    const p2 = JSON.stringify(await depth(pub, m));
    if (p1 !== p2 || x !== p1) return undefined;
    const d = JSON.parse(x) as Depth;
    return d.bids.length > 0 && d.asks.length > 0 ? true : undefined;
  }, 60_000, 100);
}

describeNats('market data over NATS', () => {
  beforeAll(() => { requireDist(); });
  afterEach(async () => {
    stopAll();
    await srv?.stop();
  });
  afterAll(() => { for (const d of dirs) rmSync(d, { recursive: true, force: true }); });

  it('nodes fed from the publisher\'s subjects hold its books, and a node taking a dead node\'s markets over syncs them', async () => {
    // markets: some of alpha's that go to beta when alpha dies, some of beta's, one of the publisher's
    const alphaToBeta = CANDIDATES.filter((m) => rendezvousOwner(m, ALL) === 'alpha' && rendezvousOwner(m, ['pub', 'beta']) === 'beta').slice(0, 2);
    const betas = CANDIDATES.filter((m) => rendezvousOwner(m, ALL) === 'beta').slice(0, 2);
    const pubs = CANDIDATES.filter((m) => rendezvousOwner(m, ALL) === 'pub').slice(0, 1);
    expect(alphaToBeta.length).toBe(2);
    expect(betas.length).toBe(2);
    const markets = [...alphaToBeta, ...betas, ...pubs];

    srv = await startNats();
    // the publisher's simulator steps once a second: its books hold still between steps, so they can be compared
    const pub = await startNode('pub', srv.url, undefined, ['--md-publish', '--tick-ms', '1000']);
    const a = await startNode('alpha', srv.url, undefined, ['--md-source', 'nats']);
    const b = await startNode('beta', srv.url, undefined, ['--md-source', 'nats']);
    dirs.push(pub.dataDir, a.dataDir, b.dataDir);
    for (const m of markets) {
      const l = await api(pub, 'POST', '/api/strategy/load', binaryStrategy(strategyName(m), m));
      expect(l.status, JSON.stringify(l.json)).toBe(200);
      const s = await api(pub, 'POST', `/api/strategy/${strategyName(m)}/start`);
      expect(s.status, JSON.stringify(s.json)).toBe(200);
    }
    const nodes: Record<string, Node> = { pub, alpha: a, beta: b };
    // every market held by its rendezvous owner and running there: the NATS-fed nodes loaded every strategy
    await until('markets running on their rendezvous owners', async () => {
      for (const n of [pub, a, b]) {
        const v = await cluster(n);
        for (const m of markets) {
          const owner = rendezvousOwner(m, ALL);
          const st = v.strategies.find((s) => s.market === m)?.status_here;
          if (st === undefined || st === null) return undefined;
          if ((v.node_id === owner) !== v.held_here.some((h) => h.market === m)) return undefined;
          if ((v.node_id === owner) !== (st === 'running')) return undefined;
        }
      }
      return true;
    }, 90_000);
    for (const m of [...alphaToBeta, ...betas]) await sameBook(pub, nodes[rendezvousOwner(m, ALL)!]!, m);
    // the NATS-fed nodes follow exactly the markets they hold, and quote them from those books
    for (const n of [a, b]) {
      const v = await cluster(n) as unknown as { market_data: { source: { source: string; following: string[]; frames_applied: number; decode_errors: number } } };
      const mine = markets.filter((m) => rendezvousOwner(m, ALL) === n.id).sort();
      expect(v.market_data.source.source).toBe('nats');
      expect(v.market_data.source.following).toEqual(mine);
      expect(v.market_data.source.frames_applied).toBeGreaterThan(0);
      expect(v.market_data.source.decode_errors).toBe(0);
      await until(`${n.id} quoting its markets`, async () => {
        const o = await openOrders(n);
        return mine.every((m) => o.some((x) => x.symbol === m)) ? true : undefined;
      }, 60_000);
    }
    // a market this node does not hold has no book here (no subscription), only its definition
    const notA = betas[0]!;
    const da = await depth(a, notA);
    expect(da?.bids.length ?? 0).toBe(0);
    const pv = await cluster(pub) as unknown as { market_data: { publish: { frames: number; snapshots: number; encode_errors: number } } };
    expect(pv.market_data.publish.frames).toBeGreaterThan(0);
    expect(pv.market_data.publish.snapshots).toBeGreaterThan(0);
    expect(pv.market_data.publish.encode_errors).toBe(0);

    // alpha dies: beta takes alpha's markets (after the lease TTL) and syncs them from NATS
    a.proc.child.kill('SIGKILL');
    await until('beta holding alpha\'s markets', async () => {
      const v = await cluster(b);
      return alphaToBeta.every((m) => v.held_here.some((h) => h.market === m)) ? true : undefined;
    }, 60_000);
    for (const m of alphaToBeta) await sameBook(pub, b, m);
    for (const m of betas) await sameBook(pub, b, m);
    await until('beta quoting alpha\'s markets', async () => {
      const o = await openOrders(b);
      return alphaToBeta.every((m) => o.some((x) => x.symbol === m)) ? true : undefined;
    }, 60_000);

    // alpha starts again on its journal (strategies on markets it only knows from NATS): it takes its markets back and syncs them
    const a2 = await startNode('alpha', srv.url, a.dataDir, ['--md-source', 'nats']);
    expect(a2.proc.out()).toMatch(/restored [1-9]\d* strategies/);
    await until('alpha holding its markets again', async () => {
      const v = await cluster(a2);
      return alphaToBeta.every((m) => v.held_here.some((h) => h.market === m && v.strategies.find((x) => x.market === m)?.status_here === 'running')) ? true : undefined;
    }, 60_000);
    for (const m of alphaToBeta) await sameBook(pub, a2, m);
  }, 300_000);
});
