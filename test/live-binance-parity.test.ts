// Paper and live give the same fills: one strategy, one scripted market, run through
//   (A) a TradingEngine on the paper exchange with zero latency, and
//   (B) a TradingEngine trading live through BinanceExecutionVenue (WebSocket API order
//       entry and user data, HMAC) against the Binance replica on a manual market.
// Every step of the script (a book, or a market trade) is applied to the replica's market
// first (its matching engine is the same paper exchange, wrapped), then fed to both
// engines' FeedIngest as the same snapshot / trade batch; B then waits until every venue
// round trip has settled (no request in flight, every user event applied), and both
// engines take one clock tick so a level B only learned was filled after its decision is
// re-placed before the next step — as A already did inside the batch.
//
// Why this is exact: the replica and the paper exchange see the same book and the same
// trades in the same order, our orders reach both books after the same batch and with the
// same queue ahead of them (the displayed quantity at their price), and the strategy's
// quotes do not depend on the inventory here (no skew; max_position is never reached),
// so the moment B hears of a fill cannot change what it quotes. Both engines run on one
// clock: each step's time is read once; A's events carry it, and B's venue clock (the
// ServerClock behind BinanceExecutionVenue.nowNs and the signed timestamps) is frozen at it
// for the step, so time-driven rules (the quote refresh pass, the placement budget, quote
// age, cooldowns) fire at the same steps in both.
// Asserted: the same fills (side, price, quantity, liquidity), in the same order, and the
// same fees except for one precise difference: the venue rounds a commission half up to 1e-8
// of its asset (the seller's USDT commission), the paper exchange does not round.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FillEvent } from '../src/engine/engine-events.js';
import { TradingEngine } from '../src/engine/trading-engine.js';
import { orderPriority } from '../src/venues/binance/binance-live.js';
import { BinanceExecutionVenue } from '../src/venues/binance/binance-venue.js';
import { ServerClock } from '../src/venues/binance/clock.js';
import { RateBudget } from '../src/venues/binance/rate-budget.js';
import { BinanceRestClient } from '../src/venues/binance/rest-client.js';
import { HmacSigner } from '../src/venues/binance/signing.js';
import { BinanceWsApiClient } from '../src/venues/binance/ws-api-client.js';
import { BinanceReplica } from '../src/venues/binance/replica/replica-server.js';

const KEY = 'parity-key';
const SECRET = 'parity-secret';
const BIG = 1e9;
const TICK = 0.01;
const STEPS = 160;

const DEF = { symbolId: 0, symbol: 'BTCUSDT', kind: 'spot' as const, tickSize: '0.01', lotSize: '0.00001', resolutionTsNs: 0 };
const PARAMS = {
  spread_bps: 2, order_size: 0.001, max_position: 10, quote_levels: 2, level_spacing_bps: 1,
  maker_fee_bps: 10, taker_fee_bps: 10,
  // a full requote pass every 20 ms and the placement budget refilled at that pace: steps are ~30 ms apart
  quote_refresh_ms: 20,
  // quotes independent of the inventory (B may hear of a fill after its next decision)
  inventory_skew: false, post_only: true,
};

type Step =
  | { kind: 'book'; bids: [string, string][]; asks: [string, string][] }
  | { kind: 'trade'; aggressor: 'BUY' | 'SELL'; price: string; qty: string };

/** A seeded script: a random-walk mid with a 20-USD book around it, jumps that cross resting quotes, and trades that hit, partly fill or miss them. */
function script(seed: number): Step[] {
  let x = seed >>> 0;
  const rnd = (): number => { x = (Math.imul(x, 1664525) + 1013904223) >>> 0; return x / 2 ** 32; };
  const px = (ticks: number): string => (ticks * TICK).toFixed(2);
  const lots = (n: number): string => (n / 1e5).toFixed(5);
  let mid = 5_000_000; // ticks
  const book = (): Step => {
    const bids: [string, string][] = [];
    const asks: [string, string][] = [];
    for (let i = 0; i < 6; i++) {
      bids.push([px(mid - 1000 - 37 * i), lots(10 + Math.floor(rnd() * 500))]);
      asks.push([px(mid + 1000 + 37 * i), lots(10 + Math.floor(rnd() * 500))]);
    }
    return { kind: 'book', bids, asks };
  };
  const steps: Step[] = [book()];
  for (let i = 0; i < STEPS; i++) {
    const r = rnd();
    if (r < 0.4) {
      // the mid moves; now and then by more than the book's half-width, through our quotes
      const jump = rnd() < 0.12 ? 2200 : 600;
      mid += Math.round((rnd() * 2 - 1) * jump);
      steps.push(book());
    } else {
      // a trade between 700 ticks inside and 300 ticks beyond the quotes' distance from the mid (1 bps = 500 ticks)
      const aggressor = rnd() < 0.5 ? 'BUY' : 'SELL';
      const dist = 200 + Math.floor(rnd() * 800);
      steps.push({ kind: 'trade', aggressor, price: px(aggressor === 'BUY' ? mid + dist : mid - dist), qty: lots(20 + Math.floor(rnd() * 180)) });
    }
  }
  return steps;
}

interface Fill { side: string; price: number; qty: number; liquidity: string; fee: number }

let replica: BinanceReplica;
let ws: BinanceWsApiClient;
let venue: BinanceExecutionVenue;
let live: TradingEngine;
let paper: TradingEngine;
/** The time of the current step, ms (the live venue's clock reads it). */
let stepMs = Date.now();

function feed(engine: TradingEngine, step: Step, seq: number, tsNs: number): void {
  const ing = engine.ingest;
  const inst = ing.bySymbolName('BTCUSDT')!.instrument;
  ing.setClock();
  if (step.kind === 'book') {
    const flat = (levels: [string, string][]): Float64Array => {
      const a = new Float64Array(levels.length * 2);
      levels.forEach(([p, q], i) => { a[2 * i] = inst.price.toUnits(p, 'price'); a[2 * i + 1] = inst.qty.toUnits(q, 'qty'); });
      return a;
    };
    ing.snapshot(0, seq, tsNs, flat(step.bids), step.bids.length, flat(step.asks), step.asks.length);
  } else {
    ing.trade(0, seq, tsNs, step.aggressor === 'BUY' ? 0 : 1, inst.price.toUnits(step.price, 'price'), inst.qty.toUnits(step.qty, 'qty'), seq);
  }
  ing.endOfBatch(0);
}

/** Until no WebSocket API request is in flight and the user events that follow have been applied. */
async function settle(): Promise<void> {
  const pending = (ws as unknown as { pending: Map<string, unknown> }).pending;
  for (let i = 0; i < 2_000; i++) {
    if (pending.size === 0) {
      // user events of the last answers come right behind them on the same socket
      await new Promise<void>((r) => setTimeout(r, 2));
      if (pending.size === 0) return;
    }
    await new Promise<void>((r) => setTimeout(r, 1));
  }
  throw new Error('venue requests did not settle');
}

beforeAll(async () => {
  replica = await BinanceReplica.start({
    market: { kind: 'manual', instruments: [{ symbol: 'BTCUSDT', tickSize: '0.01', lotSize: '0.00001' }] },
    apiKeys: [{ apiKey: KEY, secret: SECRET }], makerFeeBps: 10, takerFeeBps: 10,
    rateLimits: [
      { rateLimitType: 'REQUEST_WEIGHT', interval: 'MINUTE', intervalNum: 1, limit: BIG },
      { rateLimitType: 'ORDERS', interval: 'SECOND', intervalNum: 10, limit: BIG },
      { rateLimitType: 'ORDERS', interval: 'DAY', intervalNum: 1, limit: BIG },
    ],
  });
  const signer = new HmacSigner(KEY, SECRET);
  let rest: BinanceRestClient | null = null;
  // the venue's clock, frozen per step (the replica is on this host: no offset to measure)
  const clock = new ServerClock({ samples: 1, fetchServerTime: () => rest!.serverTime(), now: () => stepMs });
  const budget = new RateBudget({ now: () => clock.serverNowMs() });
  rest = new BinanceRestClient({ market: 'spot', baseUrl: replica.restUrl, signer, clock, budget });
  ws = new BinanceWsApiClient({ market: 'spot', url: `${replica.wsUrl}/ws-api/v3`, signer, clock, budget });
  await ws.connect();
  venue = new BinanceExecutionVenue({
    market: 'spot', rest, orderEntry: ws, priorityOf: orderPriority, engineInstrument: (s) => live?.ingest.bySymbolName(s)?.instrument,
  });
  await venue.loadExchangeInfo();
  venue.attachSpotUserStream(ws);
  await ws.subscribeUserData();
  const riskLimits = { max_orders_per_second: BIG, order_burst: BIG };
  live = new TradingEngine({ venue, riskLimits });
  paper = new TradingEngine({ paper: { orderLatencyNs: 0, cancelLatencyNs: 0, makerFeeBps: 10, takerFeeBps: 10 }, riskLimits });
  for (const e of [live, paper]) {
    e.ingest.staleFeedNs = 1e18;
    e.ingest.instrument(DEF);
  }
}, 30_000);

afterAll(async () => {
  ws?.close();
  venue?.close();
  live?.close();
  paper?.close();
  await replica?.close();
});

describe('the same strategy on the same market: paper exchange and live venue (replica)', () => {
  it('gives the same fills in the same order (side, price, quantity, liquidity); fees differ only by the venue rounding commissions to 1e-8', async () => {
    const steps = script(20261206);
    const fills = { paper: [] as Fill[], live: [] as Fill[] };
    const keep = (to: Fill[]) => (e: FillEvent): void => { to.push({ side: e.side, price: e.price, qty: e.qty, liquidity: e.liquidity, fee: e.fee }); };
    paper.events.on('fill', keep(fills.paper));
    live.events.on('fill', keep(fills.live));
    const first = steps[0]!;
    if (first.kind !== 'book') throw new Error('the script starts with a book');
    replica.market.setBook('BTCUSDT', first.bids, first.asks);
    let seq = 1;
    stepMs = Date.now();
    for (const e of [paper, live]) feed(e, first, seq, stepMs * 1e6);
    for (const e of [paper, live]) { e.load({ name: 'mm', symbols: ['BTCUSDT'], parameters: PARAMS }); e.start('mm'); }
    await settle();
    let liveOrders = 0;
    for (const step of steps.slice(1)) {
      seq++;
      // the venue's market first, then the same event to both engines
      if (step.kind === 'book') replica.market.setBook('BTCUSDT', step.bids, step.asks);
      else replica.market.trade('BTCUSDT', step.aggressor, step.price, step.qty);
      stepMs = Date.now();
      const ts = stepMs * 1e6;
      feed(paper, step, seq, ts);
      feed(live, step, seq, ts);
      await settle();
      paper.tick(ts);
      live.tick(ts);
      await settle();
      liveOrders = Math.max(liveOrders, live.orders.openOrders().length);
      await new Promise<void>((r) => setTimeout(r, 30));
    }
    // the script exercised what it is meant to: buys and sells, partial fills, fills through a crossing book
    expect(fills.paper.length).toBeGreaterThan(10);
    expect(new Set(fills.paper.map((f) => f.side)).size).toBe(2);
    expect(fills.paper.some((f) => f.qty < PARAMS.order_size)).toBe(true);
    expect(liveOrders).toBeGreaterThan(0);
    // the same fills, in the same order
    expect(fills.live.map((f) => [f.side, f.price, f.qty, f.liquidity])).toEqual(fills.paper.map((f) => [f.side, f.price, f.qty, f.liquidity]));
    // fees: the paper exchange charges notional × 10 bps exactly; the venue charges a commission
    // rounded half up to 1e-8 of its asset (docs/binance-replica.md § Exact numbers): a buyer pays
    // qty × 0.001 BTC, exact on this 1e-5 lot grid, so the fee in USDT is the paper fee; a seller
    // pays notional × 0.001 USDT = ticks × lots × 1e-10, which the venue rounds to 1e-8
    let rounded = 0;
    for (let i = 0; i < fills.paper.length; i++) {
      const f = fills.paper[i]!;
      const units = Math.round(f.price * 100) * Math.round(f.qty * 1e5); // × 1e-10 USDT
      expect(f.fee).toBeCloseTo(units * 1e-10, 12);
      const venueFee = f.side === 'BUY' ? units * 1e-10 : Math.floor((units + 50) / 100) * 1e-8;
      if (venueFee !== units * 1e-10) rounded++;
      expect(fills.live[i]!.fee).toBeCloseTo(venueFee, 12);
    }
    expect(rounded).toBeGreaterThan(0); // the rounding was met, and predicted
    // and the venue's own trades are the live engine's fills
    const state = await (await fetch(`${replica.restUrl}/__replica/state`)).json() as { trades: { price: string; qty: string }[] };
    expect(state.trades.map((t) => [Number(t.price), Number(t.qty)])).toEqual(fills.live.map((f) => [f.price, f.qty]));
    // the positions agree
    const pos = (e: TradingEngine): number => e.ledgers.ledgers().reduce((a, l) => a + Number(l.position.toFixed()), 0);
    expect(pos(live)).toBeCloseTo(pos(paper), 9);
  }, 120_000);
});
