// The JSON the control API returns, in seed 000's shapes, built from the legs'
// resting quotes, the order manager and the accounting views. Off the quoting
// path: these allocate and use decimals freely.
import { ZERO } from '../accounting/decimal.js';
import { jsonNumber } from '../accounting/json-number.js';
import { inventorySnapshot } from '../accounting/ledger-summary.js';
import type { OrderManager } from '../execution/order-manager.js';
import type { Instrument } from '../orderbook/instrument.js';
import { complementTick } from '../strategy/binary-market-rules.js';
import { QS_EMPTY } from '../strategy/resting-quotes.js';
import type { StrategyLeg } from '../strategy/strategy-leg.js';
import { MAX_QUOTE_LEVELS } from '../wasm/layout.js';

export interface PriceQty { price: number; qty: number }
export interface LevelsJson { bid_levels: PriceQty[]; ask_levels: PriceQty[] }
export interface QuoteLevelJson { level: number; price: number; qty: number; status: string }

export interface QuotesJson {
  strategy_id: string;
  symbol: string;
  mid_price: number | null;
  status: string;
  /** Why the leg is not quoting ('none' when it is). */
  pull_reason: string;
  quotes: { bids: QuoteLevelJson[]; asks: QuoteLevelJson[] };
  inventory: { position: number; avg_entry: number; unrealized_pnl: number };
  /** Binary contracts: each YES ask as the NO bid it is (1 − price), and each YES bid as the NO ask. */
  no_side?: { bids: PriceQty[]; asks: PriceQty[] };
}

export function priceNumber(inst: Instrument, tick: number): number {
  return Number(inst.price.format(tick));
}

export function qtyNumber(inst: Instrument, lots: number): number {
  return Number(inst.qty.format(lots));
}

/**
 * The mid (best bid + best ask) / 2 as an exact decimal string, computed on the tick
 * grid: (bidTick + askTick) / 2 ticks, which for an odd sum is a whole number of ticks
 * and a half (one more decimal digit); plain digits, never an exponent. Undefined
 * without both sides.
 */
export function midPriceText(inst: Instrument, bidTick: number, askTick: number): string | undefined {
  if (!(Number.isSafeInteger(bidTick) && Number.isSafeInteger(askTick))) return undefined;
  const sum = bidTick + askTick;
  if (Number.isSafeInteger(sum) && sum % 2 === 0) return inst.price.format(sum / 2);
  return halfOfDecimal(inst.price.format(bidTick), inst.price.format(askTick));
}

/** The mid as a JSON number: the double nearest the exact decimal of midPriceText (50000.12, never 50000.119999999995); null without both sides. */
export function midPriceOnGrid(inst: Instrument, bidTick: number, askTick: number): number | null {
  const t = midPriceText(inst, bidTick, askTick);
  return t === undefined ? null : Number(t);
}

export function midPriceNumber(leg: StrategyLeg): number | null {
  const m = leg.market;
  return midPriceOnGrid(leg.instrument, m.bestBidTick, m.bestAskTick);
}

/** (a + b) / 2 of two plain decimal strings, exactly, as a plain decimal string. */
function halfOfDecimal(a: string, b: string): string {
  const [ma, sa] = scaled(a);
  const [mb, sb] = scaled(b);
  const scale = Math.max(sa, sb);
  // (a + b) / 2 = (a + b) × 5 / 10: one more decimal digit
  const n = (ma * 10n ** BigInt(scale - sa) + mb * 10n ** BigInt(scale - sb)) * 5n;
  const neg = n < 0n;
  const digits = (neg ? -n : n).toString().padStart(scale + 2, '0');
  const int = digits.slice(0, digits.length - scale - 1);
  const frac = digits.slice(digits.length - scale - 1).replace(/0+$/, '');
  return `${neg ? '-' : ''}${int}${frac === '' ? '' : `.${frac}`}`;
}

/** A plain decimal string as (integer mantissa, decimal scale). */
function scaled(text: string): [bigint, number] {
  const dot = text.indexOf('.');
  if (dot < 0) return [BigInt(text), 0];
  return [BigInt(text.slice(0, dot) + text.slice(dot + 1)), text.length - dot - 1];
}

/** The resting quotes of a leg, best first: seed 000's initial_quotes shape. */
export function levelsView(leg: StrategyLeg): LevelsJson {
  const out: LevelsJson = { bid_levels: [], ask_levels: [] };
  for (let s = 0; s < 2; s++) {
    const r = leg.resting.side(s);
    const list = s === 0 ? out.bid_levels : out.ask_levels;
    for (let i = 0; i < MAX_QUOTE_LEVELS; i++) {
      if (r.state[i] === QS_EMPTY) continue;
      list.push({ price: priceNumber(leg.instrument, r.tick[i]!), qty: qtyNumber(leg.instrument, r.open[i]!) });
    }
  }
  return out;
}

/** GET /api/strategy/{id}/quotes for one leg. */
export function quotesView(leg: StrategyLeg, orders: OrderManager, status: string, pullReason: string): QuotesJson {
  const inst = leg.instrument;
  const mid = midPriceText(inst, leg.market.bestBidTick, leg.market.bestAskTick);
  const side = (s: number): QuoteLevelJson[] => {
    const r = leg.resting.side(s);
    const out: QuoteLevelJson[] = [];
    for (let i = 0; i < MAX_QUOTE_LEVELS; i++) {
      if (r.state[i] === QS_EMPTY) continue;
      const id = r.ids[i]!;
      out.push({ level: i + 1, price: priceNumber(inst, r.tick[i]!), qty: qtyNumber(inst, r.open[i]!), status: orders.order(id)?.status ?? 'PENDING_NEW' });
    }
    return out;
  };
  const bids = side(0);
  const asks = side(1);
  const ledger = leg.ledger!;
  const x = inventorySnapshot(ledger, mid);
  const out: QuotesJson = {
    strategy_id: leg.strategy.id,
    symbol: leg.symbol,
    mid_price: mid === undefined ? null : Number(mid),
    status,
    pull_reason: pullReason,
    quotes: { bids, asks },
    inventory: {
      position: jsonNumber(x.position),
      avg_entry: jsonNumber(x.avgEntry ?? ZERO, 10),
      unrealized_pnl: jsonNumber(x.unrealizedPnl, 10),
    },
  };
  if (leg.binary) {
    const ticks = leg.payoutTicks;
    const flip = (l: QuoteLevelJson, s: number): PriceQty => {
      const r = leg.resting.side(s);
      return { price: priceNumber(inst, complementTick(r.tick[l.level - 1]!, ticks)), qty: l.qty };
    };
    out.no_side = { bids: asks.map((l) => flip(l, 1)), asks: bids.map((l) => flip(l, 0)) };
  }
  return out;
}
