// A node cut off from NATS while it still holds a market (its lease is valid locally for
// TTL − margin after the last renewal) may fill an order there; that fill must reach the
// cluster once NATS is back: on the trades stream exactly once, and in the cluster's
// position of the account. Real nats-server (SIGKILL, then started again on its store)
// and a real node process; the node says on stderr that it lost NATS and what it does.
// Likewise a kill switch pressed on a node while NATS is down: it halts that node at once
// and the others once NATS is back.
import { expect, it } from 'vitest';
import { describeNats } from './support/nats.js';
import { clusterTestRun } from './support/cluster-test-run.js';
import { api, binaryStrategy, cluster, startNode, strategyName, until, type Node } from './support/cluster-nodes.js';
import { sleep } from './support/wait.js';

const MARKET = 'BTCUSDT';
const QTY = 0.01;


interface StreamFills { fills: { node_id: string; strategyId: string | null; symbol: string; side: string; qty: string; tradeId: string }[] }
interface ManualTrades { trades: { side: string; qty: number }[] }

async function manualTrades(n: Node): Promise<ManualTrades['trades']> {
  const r = await fetch(`${n.base}/api/strategy/manual/trades?symbol=${MARKET}`, { headers: { 'x-spreadcore-forward': 'no' } });
  return ((await r.json()) as ManualTrades).trades;
}

describeNats('a node cut off from NATS', () => {
  const run = clusterTestRun();

  it('sends the fills it made while NATS was down to the stream and the positions once NATS is back', async () => {
    const srv = await run.startNats();
    const a = await startNode('alpha', srv.url, undefined, ['--manual-max-notional', '5000']);
    run.removeLater(a.dataDir);
    // a strategy on the market (not started) gives it a lease, so the manual account may trade it here
    expect((await api(a, 'POST', '/api/strategy/load', binaryStrategy(strategyName(MARKET), MARKET))).status).toBe(200);
    await until('alpha holding the market', async () => ((await cluster(a)).held_here.some((h) => h.market === MARKET) ? true : undefined), 30_000);

    await srv.kill();
    // the lease is still valid here for more than a second: the order is placed and fills on the paper exchange
    const o = await api(a, 'POST', '/api/order', { symbol: MARKET, side: 'BUY', type: 'MARKET', qty: QTY });
    expect(o.status, JSON.stringify(o.json)).toBe(200);
    await until('the fill in alpha\'s own ledger', async () => ((await manualTrades(a)).length === 1 ? true : undefined), 5_000, 50);
    await until('alpha saying it lost NATS', async () => (/lost the NATS server nats:\/\/127\.0\.0\.1:\d+; reconnecting/.test(a.proc.out()) ? true : undefined), 5_000, 50);
    // longer than a JetStream publish waits for its acknowledgement: the first publication fails
    await sleep(7_000);
    const down = await cluster(a);
    expect(down.nats.status).not.toBe('connected');
    // what went wrong, in words: not a bare "timeout"
    expect(down.last_error).toMatch(/^lease round failed: .*\(the NATS server nats:\/\/127\.0\.0\.1:\d+ is unreachable; reconnecting\)$/);
    await srv.restart();
    await until('alpha reconnected', async () => (/reconnected to the NATS server/.test(a.proc.out()) ? true : undefined), 30_000);

    const fills = await until('the fill on the trades stream', async () => {
      const f = (await api<StreamFills>(a, 'GET', `/api/cluster/fills?symbol=${MARKET}`)).json.fills;
      return f.length > 0 ? f : undefined;
    }, 30_000, 250);
    expect(fills).toHaveLength(1);
    expect(fills[0]).toMatchObject({ node_id: 'alpha', strategyId: 'manual', side: 'BUY' });
    expect(Number(fills[0]!.qty)).toBeCloseTo(QTY, 10);

    const pos = await until('the fill in the cluster\'s positions', async () => {
      const p = (await cluster(a)).positions.find((x) => x.account === 'manual' && x.symbol === MARKET);
      return p !== undefined ? p : undefined;
    }, 30_000, 250);
    expect(pos.fills).toBe(1);
    expect(Number(pos.position)).toBeCloseTo(QTY, 10);
    // nothing is left waiting, and nothing was counted twice
    await sleep(1_500);
    const v = (await api<{ trades_stream: { unsent: number; fills: number }; positions_pending: number; positions: { account: string; fills: number }[] }>(a, 'GET', '/api/cluster')).json;
    expect(v.trades_stream.unsent).toBe(0);
    expect(v.positions_pending).toBe(0);
    expect(v.trades_stream.fills).toBe(1);
    expect(v.positions.find((x) => x.account === 'manual')?.fills).toBe(1);
  }, 120_000);

  it('a kill switch pressed on a node while NATS is down halts the other nodes once NATS is back', async () => {
    const srv = await run.startNats();
    const a = await startNode('alpha', srv.url);
    const b = await startNode('beta', srv.url);
    run.removeLater(a.dataDir, b.dataDir);
    await until('both nodes live', async () => ((await cluster(b)).nodes.length === 2 ? true : undefined), 30_000);

    await srv.kill();
    const k = await api<{ state: string }>(a, 'POST', '/api/kill', { note: 'pressed while NATS was down' });
    expect(k.status).toBe(200);
    expect(k.json.state).toBe('HALTED');
    // the write in KV fails (the server is gone longer than a request waits)
    await until('alpha knowing its kill switch write did not land', async () => {
      const v = (await api<{ kill_switch: { unsent: string | null; engine: string } }>(a, 'GET', '/api/cluster')).json.kill_switch;
      return v.unsent === 'HALTED' && v.engine === 'HALTED' ? true : undefined;
    }, 15_000, 250);
    expect((await cluster(b)).kill_switch.engine).toBe('ACTIVE');
    await srv.restart();

    await until('beta halted by the kill switch written once NATS is back', async () => {
      const v = (await api<{ kill_switch: { state: string; note: string; engine: string } }>(b, 'GET', '/api/cluster')).json.kill_switch;
      return v.state === 'HALTED' && v.engine === 'HALTED' && v.note === 'pressed while NATS was down' ? true : undefined;
    }, 30_000, 250);
    const va = (await api<{ kill_switch: { state: string; unsent: string | null; engine: string } }>(a, 'GET', '/api/cluster')).json.kill_switch;
    expect(va).toMatchObject({ state: 'HALTED', unsent: null, engine: 'HALTED' });
  }, 120_000);
});
