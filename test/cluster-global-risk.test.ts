// Risk limits that hold across nodes, with real processes and a real nats-server. Two
// nodes, alpha holding BTCUSDT and delta ETHUSDT (rendezvous hashing; spot markets, whose
// tight books let market orders of the manual account through the price band), trade
// them through the manual account:
//  - an event mapping both markets (--event-map) with --cluster-event-exposure-limit:
//    an order on one node that would push the event's exposure summed over both nodes
//    past the limit is refused although the node's own exposure stays under it, and an
//    order that keeps the sum under it goes through; a resting order on one node counts
//    on the other (as if it filled) before anything fills;
//  - --cluster-daily-loss-limit: round trips on alpha lose less than the limit, then
//    round trips on delta, also less than the limit each, until the sum over both nodes
//    passes it: both nodes halt (kill switch, with the reason) and refuse orders.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { describeNats } from './support/nats.js';
import { clusterTestRun, type ClusterTestRun } from './support/cluster-test-run.js';
import { api, binaryStrategy, startNode, strategyName, until, type Node } from './support/cluster-nodes.js';
import { rendezvousOwner } from '../src/cluster/rendezvous.js';

const A_MARKET = 'BTCUSDT';
const B_MARKET = 'ETHUSDT';
const B_ID = 'delta';
/** Quantities on the markets' lot grids (BTCUSDT 0.00001, ETHUSDT 0.0001). */
const q = (x: number): number => Math.round(x * 1e4) / 1e4;

/** The file's life cycle (set up in its describe block). */
let run: ClusterTestRun;

interface LimitsView {
  daily_loss_limit: number | null;
  accounts: { account: string; day_pnl: number; by_symbol: Record<string, number> }[];
  daily_loss_trips: { account: string; note: string }[];
  event_exposure_limit: number | null;
  events: { event_id: string; net_exposure: number; open_elsewhere: { long: number; short: number } }[];
  orders_refused_event_exposure: number;
}
interface View {
  held_here: { market: string }[];
  kill_switch: { state: string; note: string; engine: string };
  positions: { account: string; symbol: string; position: string; fills: number }[];
  cluster_limits: LimitsView;
}

const view = async (n: Node): Promise<View> => (await api<View>(n, 'GET', '/api/cluster')).json;

async function order(n: Node, side: 'BUY' | 'SELL', symbol: string, qty: number): Promise<{ status: number; json: Record<string, unknown> }> {
  return api(n, 'POST', '/api/order', { side, symbol, qty, type: 'MARKET' });
}

/** Two nodes holding one market each (strategies loaded, not started: the markets get leases, no quotes). */
async function twoNodes(extra: string[]): Promise<[Node, Node]> {
  expect(rendezvousOwner(A_MARKET, ['alpha', B_ID])).toBe('alpha');
  expect(rendezvousOwner(B_MARKET, ['alpha', B_ID])).toBe(B_ID);
  const srv = await run.startNats();
  // the manual account's cap per symbol (quote currency at the first mid) well above these orders
  const args = ['--manual-max-notional', '5000', ...extra];
  const a = await startNode('alpha', srv.url, undefined, args);
  const b = await startNode(B_ID, srv.url, undefined, args);
  run.removeLater(a.dataDir, b.dataDir);
  for (const m of [A_MARKET, B_MARKET]) expect((await api(a, 'POST', '/api/strategy/load', binaryStrategy(strategyName(m), m))).status).toBe(200);
  await until('alpha and delta holding their markets', async () => {
    const [va, vb] = await Promise.all([view(a), view(b)]);
    return va.held_here.some((h) => h.market === A_MARKET) && vb.held_here.some((h) => h.market === B_MARKET) ? true : undefined;
  }, 60_000);
  return [a, b];
}

const netOf = (v: View): number | undefined => v.cluster_limits.events.find((e) => e.event_id === 'ev1')?.net_exposure;

/** The event's exposure once both nodes agree on it and it stopped moving. */
async function agreedNet(a: Node, b: Node, what: string, accept: (net: number) => boolean): Promise<number> {
  let last: number | undefined;
  return until(what, async () => {
    const [na, nb] = [netOf(await view(a)), netOf(await view(b))];
    if (na === undefined || na !== nb || !accept(na)) { last = undefined; return undefined; }
    if (last === na) return na;
    last = na;
    return undefined;
  }, 60_000, 300);
}

describeNats('cluster-wide risk limits', () => {
  run = clusterTestRun();

  it('an order that would push an event\'s exposure summed over both nodes past the limit is refused', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'spreadcore-events-'));
    run.removeLater(dir);
    const map = join(dir, 'events.json');
    writeFileSync(map, JSON.stringify({ events: [{ id: 'ev1', symbols: [{ symbol: A_MARKET, direction: 'same' }, { symbol: B_MARKET, direction: 'same' }] }] }));
    const LIMIT = 0.05;
    const [a, b] = await twoNodes(['--event-map', map, '--cluster-event-exposure-limit', String(LIMIT)]);
    expect((await view(b)).cluster_limits.event_exposure_limit).toBe(LIMIT);

    // alpha buys 0.02 of its market: within the limit
    const first = await order(a, 'BUY', A_MARKET, 0.02);
    expect(first.status, JSON.stringify(first.json)).toBe(200);
    const net1 = await agreedNet(a, b, 'both nodes seeing alpha\'s position in the event', (n) => n > 0);
    expect(net1).toBeLessThanOrEqual(LIMIT);

    // delta alone holds nothing of the event: an order past the cluster's limit is still refused
    const over = q(LIMIT - net1 + 0.01);
    const refused = await order(b, 'BUY', B_MARKET, over);
    expect(refused.status, JSON.stringify(refused.json)).toBeGreaterThanOrEqual(400);
    expect(JSON.stringify(refused.json)).toContain('DENY_MAX_EVENT_EXPOSURE');
    // one that keeps the sum under the limit goes through
    const under = q(LIMIT - net1 - 0.01);
    expect(under).toBeGreaterThan(0);
    const ok = await order(b, 'BUY', B_MARKET, under);
    expect(ok.status, JSON.stringify(ok.json)).toBe(200);
    const net2 = await agreedNet(a, b, 'both nodes seeing delta\'s fill', (n) => n > net1);
    expect(net2).toBeLessThanOrEqual(LIMIT);

    // and the other way: alpha may not add past it either, but may reduce
    const refusedA = await order(a, 'BUY', A_MARKET, q(LIMIT - net2 + 0.01));
    expect(refusedA.status, JSON.stringify(refusedA.json)).toBeGreaterThanOrEqual(400);
    expect(JSON.stringify(refusedA.json)).toContain('DENY_MAX_EVENT_EXPOSURE');
    const reduce = await order(a, 'SELL', A_MARKET, 0.01);
    expect(reduce.status, JSON.stringify(reduce.json)).toBe(200);

    const [va, vb] = await Promise.all([view(a), view(b)]);
    expect(va.cluster_limits.orders_refused_event_exposure).toBeGreaterThanOrEqual(1);
    expect(vb.cluster_limits.orders_refused_event_exposure).toBeGreaterThanOrEqual(1);
    expect(va.kill_switch.state).toBe('ACTIVE');
  }, 240_000);

  it('another node\'s resting orders count toward an event\'s exposure before they fill', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'spreadcore-events-'));
    run.removeLater(dir);
    const map = join(dir, 'events.json');
    writeFileSync(map, JSON.stringify({ events: [{ id: 'ev1', symbols: [{ symbol: A_MARKET, direction: 'same' }, { symbol: B_MARKET, direction: 'same' }] }] }));
    const LIMIT = 0.05;
    const [a, b] = await twoNodes(['--event-map', map, '--cluster-event-exposure-limit', String(LIMIT)]);

    // alpha rests a buy of 0.03 about 2 % under the mid (inside the 5 % price band; it does not fill in this test's time)
    const depth = (await api<{ mid_price: number }>(a, 'GET', `/api/market/depth?symbol=${A_MARKET}&limit=1`)).json;
    const price = Math.round(depth.mid_price * 98) / 100;
    const rest = await api(a, 'POST', '/api/order', { side: 'BUY', symbol: A_MARKET, qty: 0.03, type: 'LIMIT', price });
    expect(rest.status, JSON.stringify(rest.json)).toBe(200);
    // delta sees it (alpha writes it to KV within a second)
    const seen = await until('delta seeing alpha\'s resting buy', async () => {
      const e = (await view(b)).cluster_limits.events.find((x) => x.event_id === 'ev1');
      return e !== undefined && e.open_elsewhere.long > 0 ? e : undefined;
    }, 30_000);
    expect(seen.open_elsewhere.long).toBeCloseTo(0.03, 8);
    expect(seen.open_elsewhere.short).toBe(0);
    const net = seen.net_exposure; // 0 unless alpha's order filled meanwhile (then it is in the positions instead)

    // 0.03 more on delta's market: under the limit alone, over it with alpha's resting buy
    const refused = await order(b, 'BUY', B_MARKET, 0.03);
    expect(refused.status, JSON.stringify(refused.json)).toBeGreaterThanOrEqual(400);
    expect(JSON.stringify(refused.json)).toContain('DENY_MAX_EVENT_EXPOSURE');
    // 0.01 keeps the worst case under it
    if (net === 0) {
      const ok = await order(b, 'BUY', B_MARKET, 0.01);
      expect(ok.status, JSON.stringify(ok.json)).toBe(200);
    }
    // alpha does not count its own resting order as another node's (delta has none resting: its orders are market orders)
    await until('alpha counting no other node\'s resting order', async () => {
      const e = (await view(a)).cluster_limits.events.find((x) => x.event_id === 'ev1');
      return e !== undefined && e.open_elsewhere.long === 0 && e.open_elsewhere.short === 0 ? true : undefined;
    }, 30_000);
    expect((await view(b)).cluster_limits.orders_refused_event_exposure).toBeGreaterThanOrEqual(1);
  }, 240_000);

  it('the daily loss limit halts both nodes when the sum over them passes it, though neither node\'s loss does', async () => {
    const LIMIT = 500;
    // a 10 % taker fee: every round trip loses about a fifth of its notional
    const [a, b] = await twoNodes(['--cluster-daily-loss-limit', String(LIMIT), '--taker-fee-bps', '1000']);
    const pnlOf = (v: View, sym: string): number => v.cluster_limits.accounts.find((x) => x.account === 'manual')?.by_symbol[sym] ?? 0;

    /** One buy and sell of `qty` on `n`, then the market's loss as every node sees it once both fills are in. */
    const fillsOf = (v: View, sym: string): { fills: number; position: number } => {
      const p = v.positions.find((x) => x.account === 'manual' && x.symbol === sym);
      return { fills: p?.fills ?? 0, position: Number(p?.position ?? 0) };
    };
    const roundTrip = async (n: Node, sym: string, qty: number): Promise<number> => {
      const before = fillsOf(await view(n), sym).fills;
      const buy = await order(n, 'BUY', sym, qty);
      expect(buy.status, JSON.stringify(buy.json)).toBe(200);
      // the buy's fills in the aggregate before the sell
      await until('the buy in the aggregate', async () => { const f = fillsOf(await view(n), sym); return f.fills > before && f.position === qty ? true : undefined; }, 30_000, 100);
      const sell = await order(n, 'SELL', sym, qty);
      if (sell.status !== 200) return NaN; // halted meanwhile
      return until('the round trip in the cluster\'s P&L', async () => {
        const v = await view(n);
        const f = fillsOf(v, sym);
        return f.position === 0 ? -pnlOf(v, sym) : undefined;
      }, 30_000, 100);
    };

    // alpha loses about half the limit, never all of it
    let lossA = 0;
    // about 100 a round trip (0.01 BTC, ~500 of notional, 10 % fee each way)
    for (let i = 0; i < 60 && lossA < LIMIT / 2; i++) lossA = await roundTrip(a, A_MARKET, 0.01);
    expect(lossA).toBeGreaterThanOrEqual(LIMIT / 2);
    expect(lossA).toBeLessThan(LIMIT);
    expect((await view(a)).kill_switch.engine).toBe('ACTIVE');
    expect((await view(b)).kill_switch.engine).toBe('ACTIVE');

    // delta trades until the cluster halts
    let halted = false;
    for (let i = 0; i < 60 && !halted; i++) {
      const vb = await view(b);
      if (vb.kill_switch.engine === 'HALTED') { halted = true; break; }
      const r = await roundTrip(b, B_MARKET, 0.1); // about 60 a round trip
      if (Number.isNaN(r)) halted = true;
      else {
        const v = await until('a halt or a loss under the limit', async () => {
          const x = await view(b);
          return x.kill_switch.engine === 'HALTED' || pnlOf(x, B_MARKET) < 0 ? x : undefined;
        });
        halted = v.kill_switch.engine === 'HALTED';
      }
    }
    expect(halted).toBe(true);
    const [va, vb] = await Promise.all([
      until('alpha halted', async () => { const v = await view(a); return v.kill_switch.engine === 'HALTED' ? v : undefined; }),
      until('delta halted', async () => { const v = await view(b); return v.kill_switch.engine === 'HALTED' ? v : undefined; }),
    ]);
    // neither node's market lost the limit on its own; the sum did
    const la = -pnlOf(vb, A_MARKET);
    const lb = -pnlOf(vb, B_MARKET);
    expect(la).toBeLessThan(LIMIT);
    expect(lb).toBeLessThan(LIMIT);
    expect(la + lb).toBeGreaterThan(LIMIT);
    for (const v of [va, vb]) {
      expect(v.kill_switch.state).toBe('HALTED');
      expect(v.kill_switch.note).toContain('cluster daily loss limit: account manual');
    }
    expect([...va.cluster_limits.daily_loss_trips, ...vb.cluster_limits.daily_loss_trips]).toHaveLength(1);
    // both refuse new orders
    for (const [n, sym] of [[a, A_MARKET], [b, B_MARKET]] as const) {
      const r = await order(n, 'BUY', sym, 0.001);
      expect(r.status, JSON.stringify(r.json)).toBeGreaterThanOrEqual(400);
    }
  }, 300_000);
});
