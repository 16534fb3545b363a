// The replica's depth snapshot and its diff-depth stream agree even when the
// snapshot is taken between two stream events: a level that appears after one
// event and is gone again before the next must not stay in a book built from that
// snapshot and the events (Binance's local order book rules, spot and USD-M). Such
// a ghost level left a client's book crossed once the market moved past it.
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { BinanceReplica } from '../src/venues/binance/replica/index.js';

type Side = Map<string, string>;

let replica: BinanceReplica | null = null;
afterEach(async () => { await replica?.close(); replica = null; });

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** A local book from a snapshot and the events after it, by Binance's rules for the market. */
function build(futures: boolean, snap: { lastUpdateId: number; bids: [string, string][]; asks: [string, string][] }, events: any[]): { bids: Side; asks: Side } {
  const bids: Side = new Map(snap.bids);
  const asks: Side = new Map(snap.asks);
  const id = snap.lastUpdateId;
  let prevU: number | null = null;
  for (const d of events) {
    if (prevU === null) {
      // spot: drop u <= id, the first needs U <= id + 1 <= u; USD-M: drop u < id, the first needs U <= id <= u
      if (futures ? d.u < id : d.u <= id) continue;
      if (futures) expect(d.U <= id && d.u >= id).toBe(true);
      else expect(d.U <= id + 1 && d.u >= id + 1).toBe(true);
    } else if (futures) {
      expect(d.pu).toBe(prevU);
    } else {
      expect(d.U).toBe(prevU + 1);
    }
    prevU = d.u;
    for (const [p, q] of d.b as [string, string][]) { if (Number(q) === 0) bids.delete(p); else bids.set(p, q); }
    for (const [p, q] of d.a as [string, string][]) { if (Number(q) === 0) asks.delete(p); else asks.set(p, q); }
  }
  return { bids, asks };
}

const sorted = (m: Side, desc: boolean): [string, string][] => [...m].sort((x, y) => (desc ? Number(y[0]) - Number(x[0]) : Number(x[0]) - Number(y[0])));

describe.each([
  { market: 'spot', futures: false, path: '/api/v3/depth' },
  { market: 'USD-M', futures: true, path: '/fapi/v1/depth' },
])('Binance replica ($market): a depth snapshot between two stream events', ({ futures, path }) => {
  it('a level added and removed between two events is not left in a book built from the snapshot', async () => {
    const r = await BinanceReplica.start({ futures, market: { kind: 'manual', instruments: [{ symbol: 'BTCUSDT', tickSize: '0.01', lotSize: '0.001' }] } });
    replica = r;
    const base = { bids: [['100.00', '1.000'], ['99.99', '2.000']] as [string, string][], asks: [['100.02', '1.000'], ['100.03', '2.000']] as [string, string][] };
    r.market.setBook('BTCUSDT', base.bids, base.asks);
    const ws = new WebSocket(`${r.wsUrl}/stream?streams=btcusdt@depth@100ms`);
    const events: any[] = [];
    ws.on('message', (d: Buffer) => events.push((JSON.parse(d.toString()) as { data: unknown }).data));
    await new Promise<void>((res, rej) => { ws.once('open', () => res()); ws.once('error', rej); });
    try {
      await sleep(250);
      // three rounds: a bid at 100.01 appears, a snapshot is taken, the bid goes, all within one 100 ms event interval
      const snaps: { lastUpdateId: number; bids: [string, string][]; asks: [string, string][] }[] = [];
      for (let k = 0; k < 3; k++) {
        r.market.setBook('BTCUSDT', [['100.01', `0.00${k + 1}`], ...base.bids], base.asks);
        snaps.push(await (await fetch(`${r.restUrl}${path}?symbol=BTCUSDT&limit=1000`)).json() as any);
        r.market.setBook('BTCUSDT', base.bids, base.asks);
        await sleep(250);
      }
      const now = await (await fetch(`${r.restUrl}${path}?symbol=BTCUSDT&limit=1000`)).json() as any;
      expect(now.bids).toEqual(base.bids);
      for (const snap of snaps) {
        expect(snap.bids[0]![0]).toBe('100.01');
        const book = build(futures, snap, events);
        // the ghost bid at 100.01 would be the best bid here, crossing any ask at or below it later
        expect(sorted(book.bids, true)).toEqual(now.bids);
        expect(sorted(book.asks, false)).toEqual(now.asks);
      }
    } finally {
      ws.close();
    }
  });
});
