// The API and the event stream of any node answer for the whole cluster, with real
// processes and a real nats-server: a request to beta about a strategy alpha runs is
// answered by alpha (its status and body, x-spreadcore-node: alpha), a PATCH through
// beta changes alpha's parameters before its answer comes back, depth of alpha's
// market through beta is alpha's; beta's GET /api/stream carries alpha's fills tagged
// with node_id alpha; a manual order (POST /api/order) for alpha's market posted to beta
// is placed by alpha, while a malformed one is refused by beta before anything is sent;
// with alpha paused (SIGSTOP) a request through beta gets a coded 504 after the
// forwarding timeout instead of hanging; with alpha gone, a 503 (an order is not placed
// by beta, a stop is written to the cluster's state).
import { expect, it } from 'vitest';
import { describeNats } from './support/nats.js';
import { clusterTestRun } from './support/cluster-test-run.js';
import { api, binaryStrategy, cluster, startNode, strategyName, until, type Node } from './support/cluster-nodes.js';
import { rendezvousOwner } from '../src/cluster/rendezvous.js';

// alpha's by rendezvous hashing over alpha and beta (checked below)
const MARKET = 'PM-002-YES';
const ID = strategyName(MARKET);
const FORWARD_TIMEOUT_MS = 800;


async function raw(n: Node, method: string, path: string, body?: unknown, timeoutMs = 30_000): Promise<{ status: number; node: string | null; json: Record<string, unknown> }> {
  const r = await fetch(`${n.base}${path}`, {
    method, signal: AbortSignal.timeout(timeoutMs),
    ...(body !== undefined ? { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } } : {}),
  });
  return { status: r.status, node: r.headers.get('x-spreadcore-node'), json: (await r.json()) as Record<string, unknown> };
}

/** Reads SSE frames from `url` until `want` returns true for one (event name, parsed data); aborts after timeoutMs. */
async function sseUntil(url: string, want: (event: string, data: Record<string, unknown>) => boolean, timeoutMs: number): Promise<{ event: string; data: Record<string, unknown> }> {
  const ac = new AbortController();
  const timer = setTimeout(() => ac.abort(), timeoutMs);
  try {
    const r = await fetch(url, { signal: ac.signal });
    expect(r.status).toBe(200);
    const reader = r.body!.getReader();
    const dec = new TextDecoder();
    let buf = '';
    for (;;) {
      const { value, done } = await reader.read();
      if (done) throw new Error('the stream ended');
      buf += dec.decode(value, { stream: true });
      let i: number;
      while ((i = buf.indexOf('\n\n')) >= 0) {
        const frame = buf.slice(0, i);
        buf = buf.slice(i + 2);
        const ev = /^event: (.*)$/m.exec(frame)?.[1];
        const data = /^data: (.*)$/m.exec(frame)?.[1];
        if (ev === undefined || data === undefined) continue;
        const d = JSON.parse(data) as Record<string, unknown>;
        if (want(ev, d)) { ac.abort(); return { event: ev, data: d }; }
      }
    }
  } finally {
    clearTimeout(timer);
  }
}

describeNats('API forwarding and the merged event stream', () => {
  const run = clusterTestRun();

  it('beta answers for alpha\'s strategy and market, its stream carries alpha\'s fills, and a paused alpha is a 504', async () => {
    expect(rendezvousOwner(MARKET, ['alpha', 'beta'])).toBe('alpha');
    const srv = await run.startNats();
    const extra = ['--forward-timeout-ms', String(FORWARD_TIMEOUT_MS)];
    const a = await startNode('alpha', srv.url, undefined, extra);
    const b = await startNode('beta', srv.url, undefined, extra);
    run.removeLater(a.dataDir, b.dataDir);

    // loaded and started through beta: alpha runs it, beta keeps it loaded
    expect((await api(b, 'POST', '/api/strategy/load', binaryStrategy(ID, MARKET))).status).toBe(200);
    await until('alpha holding the market and beta knowing it', async () => {
      const [va, vb] = await Promise.all([cluster(a), cluster(b)]);
      const held = va.held_here.some((h) => h.market === MARKET);
      const known = vb.leases.some((l) => l.market === MARKET && l.owner === 'alpha');
      return held && known ? true : undefined;
    }, 60_000);
    const started = await raw(b, 'POST', `/api/strategy/${ID}/start`);
    expect(started.status, JSON.stringify(started.json)).toBe(200);
    expect(started.node).toBe('alpha');
    await until('the strategy running on alpha', async () => {
      const v = await cluster(a);
      return v.strategies.find((s) => s.strategy_id === ID)?.status_here === 'running' ? true : undefined;
    }, 60_000);

    // beta's own answers name beta; what alpha runs is answered by alpha
    const health = await raw(b, 'GET', '/api/health');
    expect(health.node).toBe('beta');
    const viaB = await raw(b, 'GET', `/api/strategy/${ID}/parameters`);
    const atA = await raw(a, 'GET', `/api/strategy/${ID}/parameters`);
    expect(viaB.status).toBe(200);
    expect(viaB.node).toBe('alpha');
    expect(atA.node).toBe('alpha');
    expect(viaB.json['status']).toBe('running'); // beta's own copy is stopped
    expect(viaB.json).toEqual(atA.json);
    // x-spreadcore-forward: no asks beta for its own copy
    const ownCopy = await fetch(`${b.base}/api/strategy/${ID}/parameters`, { headers: { 'x-spreadcore-forward': 'no' } });
    expect(ownCopy.headers.get('x-spreadcore-node')).toBe('beta');
    expect(((await ownCopy.json()) as Record<string, unknown>)['status']).not.toBe('running');
    const localCopy = (await api<{ strategies: { strategy_id: string; status: string }[] }>(b, 'GET', '/api/strategies')).json.strategies.find((s) => s.strategy_id === ID);
    expect(localCopy?.status).not.toBe('running');

    // a PATCH through beta is applied by alpha before its answer comes back
    const patched = await raw(b, 'PATCH', `/api/strategy/${ID}/parameters`, { spread_bps: 555 });
    expect(patched.status, JSON.stringify(patched.json)).toBe(200);
    expect(patched.node).toBe('alpha');
    const afterPatch = await raw(a, 'GET', `/api/strategy/${ID}/parameters`);
    expect((afterPatch.json['parameters'] as Record<string, unknown>)['spread_bps']).toBe(555);
    // a bad PATCH gets alpha's coded 400
    const bad = await raw(b, 'PATCH', `/api/strategy/${ID}/parameters`, { spread_bps: -1 });
    expect(bad.status).toBe(400);
    expect(bad.node).toBe('alpha');
    expect((bad.json['error'] as Record<string, unknown>)['code']).toMatch(/^SPREADCORE_ERR_/);

    // depth and quotes of alpha's market through beta
    const depth = await raw(b, 'GET', `/api/market/depth?symbol=${MARKET}&limit=3`);
    expect(depth.status).toBe(200);
    expect(depth.node).toBe('alpha');
    expect(depth.json['symbol']).toBe(MARKET);
    const quotes = await raw(b, 'GET', `/api/strategy/${ID}/quotes`);
    expect(quotes.node).toBe('alpha');
    // a market beta holds itself is answered by beta
    const own = await raw(b, 'GET', '/api/market/depth?symbol=PM-001-YES&limit=3');
    expect(own.node).toBe('beta');

    // beta's stream (the cluster's by default) carries alpha's fills, tagged with alpha
    const fill = await sseUntil(`${b.base}/api/stream?events=fill`, (ev, d) => ev === 'fill' && d['strategy_id'] === ID, 90_000);
    expect(fill.data['node_id']).toBe('alpha');
    expect(fill.data['symbol']).toBe(MARKET);
    for (const k of ['price', 'qty', 'side']) expect(fill.data).toHaveProperty(k);
    // a bad scope is refused; scope=node answers
    const badScope = await fetch(`${b.base}/api/stream?scope=everything`);
    expect(badScope.status).toBe(400);
    await badScope.body?.cancel();

    // a manual order for alpha's market posted to beta is placed by alpha
    const fwdBefore = (await api<{ forwarding: { forwarded: number } }>(b, 'GET', '/api/cluster')).json.forwarding.forwarded;
    const book = (await raw(a, 'GET', `/api/market/depth?symbol=${MARKET}&limit=1`)).json as { bids: { price: number }[]; asks: { price: number }[]; mid_price: number | null };
    // a buy at the mid rounded down to the cent (the binary's tick), not below the best bid: it rests, within the price band
    const price = Math.max(book.bids[0]!.price, Math.floor((book.mid_price ?? 0) * 100 + 1e-9) / 100);
    const placed = await raw(b, 'POST', '/api/order', { side: 'BUY', symbol: MARKET, qty: 1, type: 'LIMIT', price });
    expect(placed.status, JSON.stringify(placed.json)).toBe(200);
    expect(placed.node).toBe('alpha');
    const placedOrder = placed.json['order'] as { order_id: string; strategy_id: string; symbol: string };
    expect(placedOrder).toMatchObject({ strategy_id: 'manual', symbol: MARKET });
    // on alpha: resting in its open orders, or already filled (in its manual trades); never on beta
    await until('the manual order on alpha', async () => {
      const open = (await api<{ orders: { order_id: string; symbol: string }[] }>(a, 'GET', '/api/orders?account=manual')).json.orders;
      if (open.some((o) => o.order_id === placedOrder.order_id && o.symbol === MARKET)) return true;
      const trades = await fetch(`${a.base}/api/strategy/manual/trades?symbol=${MARKET}`, { headers: { 'x-spreadcore-forward': 'no' } });
      return JSON.stringify(await trades.json()).includes(placedOrder.order_id) ? true : undefined;
    }, 30_000);
    // the manual account's reads of that market through beta are alpha's
    const manualInv = await raw(b, 'GET', `/api/strategy/manual/inventory?symbol=${MARKET}`);
    expect(manualInv.status, JSON.stringify(manualInv.json)).toBe(200);
    expect(manualInv.node).toBe('alpha');
    expect((await raw(b, 'GET', `/api/strategy/manual/trades?symbol=${MARKET}`)).node).toBe('alpha');
    const onBeta = (await api<{ orders: { order_id: string }[] }>(b, 'GET', '/api/orders?account=manual')).json.orders;
    expect(onBeta.some((o) => o.order_id === placedOrder.order_id)).toBe(false);
    // a malformed order is refused by beta itself (checked before forwarding: nothing sent)
    for (const badOrder of [{ side: 'BUY', symbol: MARKET, qty: -1 }, { side: 'BUY', symbol: MARKET, qty: 1, price: 0.5, colour: 'red' }, { side: 'HOLD', symbol: MARKET, qty: 1 }]) {
      const refused = await raw(b, 'POST', '/api/order', badOrder);
      expect(refused.status, JSON.stringify(refused.json)).toBe(400);
      expect(refused.node).toBe('beta');
      expect((refused.json['error'] as Record<string, unknown>)['code']).toBe('SPREADCORE_ERR_BAD_INPUT');
    }
    // what needs the market (the tick grid) is checked by alpha: its coded 400
    const offGrid = await raw(b, 'POST', '/api/order', { side: 'BUY', symbol: MARKET, qty: 1, type: 'LIMIT', price: 0.12345 });
    expect(offGrid.status, JSON.stringify(offGrid.json)).toBe(400);
    expect(offGrid.node).toBe('alpha');
    expect((offGrid.json['error'] as Record<string, unknown>)['code']).toBe('SPREADCORE_ERR_BAD_INPUT');
    const fwdAfter = (await api<{ forwarding: { forwarded: number } }>(b, 'GET', '/api/cluster')).json.forwarding.forwarded;
    expect(fwdAfter - fwdBefore).toBe(4); // the order, the manual reads and the off-grid order: no malformed one
    // GET /api/cluster: the forwarding and merged-stream counters (snake_case like the rest)
    const cv = (await api<{ forwarding: Record<string, number>; merged_stream: Record<string, number> }>(b, 'GET', '/api/cluster')).json;
    expect(Object.keys(cv.forwarding).sort()).toEqual(['answered', 'errors', 'forwarded', 'refreshed', 'timeout_ms', 'timeouts', 'unavailable']);
    expect(cv.forwarding['timeout_ms']).toBe(FORWARD_TIMEOUT_MS);
    expect(Object.keys(cv.merged_stream).sort()).toEqual(['bad', 'publish_errors', 'published', 'received']);
    expect(cv.merged_stream['received']).toBeGreaterThan(0); // alpha's events
    // an order on a market beta holds is placed by beta
    const ownOrder = await raw(b, 'POST', '/api/order', { side: 'BUY', symbol: 'PM-001-YES', qty: 1, type: 'LIMIT', price: 0.12345 });
    expect(ownOrder.node).toBe('beta');

    // alpha paused: beta answers with a coded 504 after the forwarding timeout, not a hang
    a.proc.child.kill('SIGSTOP');
    try {
      const late = await raw(b, 'GET', `/api/strategy/${ID}/parameters`, undefined, 20_000);
      expect(late.status, JSON.stringify(late.json)).toBe(504);
      expect((late.json['error'] as Record<string, unknown>)['code']).toBe('SPREADCORE_ERR_NODE_TIMEOUT');
      expect(late.node).toBe('beta');
    } finally {
      a.proc.child.kill('SIGCONT');
    }
  }, 240_000);

  it('a node that is gone answers 503 at once (nobody serves its subject); a stop is written to the cluster\'s state instead', async () => {
    const srv = await run.startNats();
    const a = await startNode('alpha', srv.url);
    const b = await startNode('beta', srv.url);
    run.removeLater(a.dataDir, b.dataDir);
    expect((await api(b, 'POST', '/api/strategy/load', binaryStrategy(ID, MARKET))).status).toBe(200);
    await until('beta knowing alpha holds the market', async () => {
      const vb = await cluster(b);
      return vb.leases.some((l) => l.market === MARKET && l.owner === 'alpha') ? true : undefined;
    }, 60_000);
    a.proc.child.kill('SIGKILL');
    await a.proc.exited;
    // until alpha's lease expires beta still names it: no responder on its subject is a 503
    const r = await raw(b, 'GET', `/api/strategy/${ID}/parameters`);
    if (!(r.node === 'beta' && r.status === 200)) { // else beta took the market already (a slow machine): answered here
      expect(r.status, JSON.stringify(r.json)).toBe(503);
      expect((r.json['error'] as Record<string, unknown>)['code']).toBe('SPREADCORE_ERR_NODE_UNAVAILABLE');
    }
    // an order nobody received is a 503 too: only the market's holder may place it (no local fallback)
    const ord = await raw(b, 'POST', '/api/order', { side: 'BUY', symbol: MARKET, qty: 1, type: 'LIMIT', price: 0.3 });
    if (ord.node !== 'beta' || ord.status === 503) { // else beta took the market already and answered it itself
      expect(ord.status, JSON.stringify(ord.json)).toBe(503);
      expect((ord.json['error'] as Record<string, unknown>)['code']).toBe('SPREADCORE_ERR_NODE_UNAVAILABLE');
    }
    // a stop nobody received is written to the cluster's state by beta (the next holder applies it)
    const stop = await raw(b, 'POST', `/api/strategy/${ID}/stop`);
    expect(stop.status, JSON.stringify(stop.json)).toBe(200);
    expect(stop.node).toBe('beta');
    await until('the stop in the cluster\'s strategies', async () => {
      const v = await cluster(b);
      return v.strategies.find((s) => s.strategy_id === ID)?.wanted === 'stopped' ? true : undefined;
    }, 30_000);
  }, 120_000);
});
