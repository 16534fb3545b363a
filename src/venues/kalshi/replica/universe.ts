// The replica's universe of binary markets and their books. Each market's YES contract is
// an instrument of one FeedIngest (through the Binance replica's ReplicaMarket in manual
// mode), with YES bids as the book's bids and YES asks (= $1 − NO bids) as its asks, so the
// project's PaperExchange matches our orders against it with queue position.
//
// With --market sim the books move: each market's fair probability walks (seeded), its
// book is rebuilt around it with its own spread, depth and sizes, and market trades hit
// the touch now and then; markets close at their close time and settle YES with the
// fair probability. With a manual universe (tests) books and trades are set by hand
// through the admin endpoints.
import { Rng } from '../../../feed/sim/rng.js';
import { DecimalGrid } from '../../../numeric/decimal-grid.js';
import type { Instrument } from '../../../orderbook/instrument.js';
import { ReplicaMarket } from '../../binance/replica/replica-market.js';
import { isValidPriceTick, kalshiInstrument, STRUCTURE_RANGES, type PriceLevelStructure, type PriceRange } from '../price-grid.js';

const E4 = new DecimalGrid('0.0001');

/** Market.status values used (Kalshi's enum also has initialized, inactive, disputed, amended). */
export type MarketStatus = 'active' | 'closed' | 'determined' | 'finalized';

export interface MarketSpec {
  readonly ticker: string;
  readonly eventTicker?: string;
  readonly seriesTicker?: string;
  readonly title?: string;
  readonly structure?: PriceLevelStructure;
  /** Close time, ms after start (or absolute Unix ms when > 1e12). */
  readonly closeInMs: number;
  /** Starting fair YES probability, dollars ("0.50"). */
  readonly fair?: string;
  /** Half-spread in instrument ticks, book depth in levels, base size in contracts (sim only). */
  readonly halfSpreadTicks?: number;
  readonly depth?: number;
  readonly size?: number;
  /** Trades per second at the touch (sim only). */
  readonly tradeRate?: number;
  /** Whether the series charges maker fees. */
  readonly makerFees?: boolean;
  /** Manual starting book: [price_dollars, count] YES bids and NO bids. */
  readonly yes?: ReadonlyArray<readonly [string, string]>;
  readonly no?: ReadonlyArray<readonly [string, string]>;
}

export interface SimMarket {
  readonly spec: MarketSpec;
  readonly ticker: string;
  readonly eventTicker: string;
  readonly seriesTicker: string;
  readonly structure: PriceLevelStructure;
  readonly inst: Instrument;
  readonly ranges: readonly PriceRange[];
  readonly openMs: number;
  closeMs: number;
  status: MarketStatus;
  result: '' | 'yes' | 'no';
  /** Fair YES price, 1/10000 dollars. */
  fairE4: number;
  /** The market's own book (not our orders): [priceE4, contracts], best first. */
  yes: Array<[number, number]>;
  no: Array<[number, number]>;
  volume: number;
  lastTradeE4: number;
}

/** The default simulated universe: different liquidity, grids and close times; two settle within minutes. */
export const DEFAULT_UNIVERSE: readonly MarketSpec[] = [
  { ticker: 'KXSIMFED-26DEC-T4.25', eventTicker: 'KXSIMFED-26DEC', title: 'Fed funds above 4.25%', closeInMs: 3_600_000, fair: '0.62', halfSpreadTicks: 1, depth: 8, size: 400, tradeRate: 2, makerFees: true },
  { ticker: 'KXSIMBTC-26DEC06-B100K', eventTicker: 'KXSIMBTC-26DEC06', title: 'BTC above 100k at close', structure: 'tapered_deci_cent', closeInMs: 180_000, fair: '0.935', halfSpreadTicks: 2, depth: 6, size: 150, tradeRate: 3 },
  { ticker: 'KXSIMRAIN-26DEC06-NYC', eventTicker: 'KXSIMRAIN-26DEC06', title: 'Rain in NYC today', closeInMs: 300_000, fair: '0.35', halfSpreadTicks: 2, depth: 5, size: 60, tradeRate: 1 },
  { ticker: 'KXSIMELEC-28-DEM', eventTicker: 'KXSIMELEC-28', title: 'Party D wins 2028', structure: 'deci_cent', closeInMs: 86_400_000, fair: '0.4800', halfSpreadTicks: 15, depth: 4, size: 20, tradeRate: 0.2 },
];

export class KalshiUniverse {
  readonly market: ReplicaMarket;
  readonly markets = new Map<string, SimMarket>();
  readonly simulated: boolean;
  private readonly rng: Rng;
  private lastStepMs: number;

  constructor(specs: readonly MarketSpec[], opts: { simulated: boolean; seed?: number; startMs?: number }) {
    this.simulated = opts.simulated;
    this.rng = new Rng(opts.seed ?? 1);
    const start = opts.startMs ?? Date.now();
    this.lastStepMs = start;
    for (const s of specs) {
      const structure = s.structure ?? 'linear_cent';
      const inst = kalshiInstrument(s.ticker, structure);
      const fair = E4.toUnits(s.fair ?? '0.50', 'fair');
      this.markets.set(s.ticker, {
        spec: s, ticker: s.ticker, eventTicker: s.eventTicker ?? s.ticker.split('-').slice(0, -1).join('-'),
        seriesTicker: s.seriesTicker ?? s.ticker.split('-')[0]!, structure, inst, ranges: STRUCTURE_RANGES[structure],
        openMs: start, closeMs: s.closeInMs > 1e12 ? s.closeInMs : start + s.closeInMs, status: 'active', result: '',
        fairE4: fair, yes: [], no: [], volume: 0, lastTradeE4: 0,
      });
    }
    this.market = new ReplicaMarket({ kind: 'manual', instruments: [...this.markets.values()].map((m) => ({ symbol: m.ticker, tickSize: m.inst.tickSize, lotSize: '1' })) });
  }

  start(): void {
    this.market.start();
    for (const m of this.markets.values()) {
      if (m.spec.yes !== undefined || m.spec.no !== undefined) this.setBook(m.ticker, m.spec.yes ?? [], m.spec.no ?? []);
      else if (this.simulated) this.rebuild(m);
    }
  }

  /** Ticks ↔ 1/10000 dollars. */
  e4(m: SimMarket, tick: number): number { return E4.toUnitsOrNaN(m.inst.price.format(tick)); }
  tick(m: SimMarket, e4: number): number { return m.inst.price.toUnitsOrNaN(E4.format(e4)); }

  /** Replaces a market's own book from [price_dollars, count] YES bids and NO bids. */
  setBook(ticker: string, yes: ReadonlyArray<readonly [string, string]>, no: ReadonlyArray<readonly [string, string]>): void {
    const m = this.need(ticker);
    const parse = (l: ReadonlyArray<readonly [string, string]>, what: string): Array<[number, number]> => l.map(([p, c]) => {
      const e = E4.toUnits(p, `${what} price`);
      const t = this.tick(m, e);
      if (!isValidPriceTick(m.inst, m.ranges, t)) throw new Error(`${what} price ${p} is not on ${ticker}'s price grid`);
      const n = new DecimalGrid('1').toUnits(c.replace(/\.0+$/, ''), `${what} count`);
      return [e, n] as [number, number];
    }).filter(([, n]) => n > 0).sort((a, b) => b[0] - a[0]);
    m.yes = parse(yes, 'yes');
    m.no = parse(no, 'no');
    this.push(m);
  }

  /** Sends the market's own book to the ingest (bids = YES bids, asks = $1 − NO bids). */
  private push(m: SimMarket): void {
    const p = m.inst.price;
    const bids = m.yes.map(([e, n]) => [p.format(this.tick(m, e)), String(n)] as const);
    const asks = m.no.map(([e, n]) => [p.format(this.tick(m, 10000 - e)), String(n)] as const);
    this.market.setBook(m.ticker, bids, asks);
  }

  /** A market trade: taker_side yes lifts YES asks at yesPrice (fills our resting SELL YES at or below), no hits YES bids. */
  trade(ticker: string, takerSide: 'yes' | 'no', yesPriceE4: number, count: number): void {
    const m = this.need(ticker);
    const t = this.tick(m, yesPriceE4);
    m.volume += count;
    m.lastTradeE4 = yesPriceE4;
    this.market.trade(ticker, takerSide === 'yes' ? 'BUY' : 'SELL', m.inst.price.format(t), String(count));
  }

  need(ticker: string): SimMarket {
    const m = this.markets.get(ticker);
    if (m === undefined) throw new Error(`unknown market ${ticker}`);
    return m;
  }

  /** The next valid price tick from `tick` in direction dir (±1), or NaN past the ends. */
  private nextValid(m: SimMarket, tick: number, dir: 1 | -1): number {
    let t = tick + dir;
    const max = m.inst.price.toUnits('1');
    while (t > 0 && t < max) { if (isValidPriceTick(m.inst, m.ranges, t)) return t; t += dir; }
    return Number.NaN;
  }

  /** Rebuilds a simulated market's book around its fair price. */
  private rebuild(m: SimMarket): void {
    const s = m.spec;
    const fairTick = Math.round((m.fairE4 * m.inst.price.toUnits('1')) / 10000);
    let bid = fairTick, ask = fairTick;
    for (let i = 0; i < (s.halfSpreadTicks ?? 1); i++) { bid = this.nextValid(m, bid, -1); ask = this.nextValid(m, ask, 1); }
    if (!isValidPriceTick(m.inst, m.ranges, bid)) bid = this.nextValid(m, bid, -1);
    const depth = s.depth ?? 5, size = s.size ?? 50;
    const yes: Array<[number, number]> = [], no: Array<[number, number]> = [];
    for (let k = 0, b = bid, a = ask; k < depth; k++) {
      if (!Number.isNaN(b)) { yes.push([this.e4(m, b), Math.max(1, Math.round(size * (1 + k) * (0.5 + this.rng.uniform())))]); b = this.nextValid(m, b, -1); }
      if (!Number.isNaN(a)) { no.push([10000 - this.e4(m, a), Math.max(1, Math.round(size * (1 + k) * (0.5 + this.rng.uniform())))]); a = this.nextValid(m, a, 1); }
    }
    m.yes = yes;
    m.no = no;
    this.push(m);
  }

  /** Advances simulated markets to nowMs: fair walks, books rebuild, trades at the touch. Returns markets whose close time passed. */
  step(nowMs: number): SimMarket[] {
    const dt = Math.max(0, nowMs - this.lastStepMs) / 1000;
    this.lastStepMs = nowMs;
    const closing: SimMarket[] = [];
    for (const m of this.markets.values()) {
      if (m.status !== 'active') continue;
      if (nowMs >= m.closeMs) { closing.push(m); continue; }
      if (!this.simulated || dt === 0) continue;
      const vol = 150 * Math.sqrt(dt); // ~1.5 cents per √s
      const z = (this.rng.uniform() + this.rng.uniform() + this.rng.uniform() - 1.5) * 2;
      m.fairE4 = Math.min(9900, Math.max(100, Math.round(m.fairE4 + z * vol)));
      this.rebuild(m);
      if (this.rng.uniform() < (m.spec.tradeRate ?? 1) * dt && m.yes.length > 0 && m.no.length > 0) {
        const takerYes = this.rng.uniform() < m.fairE4 / 10000;
        const qty = Math.max(1, Math.round((m.spec.size ?? 50) * this.rng.uniform()));
        this.trade(m.ticker, takerYes ? 'yes' : 'no', takerYes ? 10000 - m.no[0]![0] : m.yes[0]![0], qty);
      }
    }
    return closing;
  }

  /** Decides a closing simulated market's result from its fair probability. */
  drawResult(m: SimMarket): 'yes' | 'no' { return this.rng.uniform() < m.fairE4 / 10000 ? 'yes' : 'no'; }

  /** Empties a market's book (closed). */
  clear(m: SimMarket): void { m.yes = []; m.no = []; this.push(m); }

  /** Stops the market and gives its book slots back (the WASM books are shared by every ingest in the process). */
  async stop(): Promise<void> { await this.market.stop(); this.market.ingest.close(); }
}
