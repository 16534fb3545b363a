// The trades JSON of GET /api/strategy/{id}/trades?limit=N (seed 000's shape):
// the last N trades, oldest first. timestamp is the fill's event time in ms
// (ns floored to ms); round_trip_profit appears only on a fill that closed
// quantity: that quantity's price P&L minus the fees of both of its legs.
import { type JsonPrecision, DEFAULT_JSON_PRECISION, jsonNumber } from './json-number.js';
import type { OrderSide } from '../trading/types.js';
import type { SymbolLedger } from './symbol-ledger.js';
import type { TradeEntry } from './trade-entry.js';
import { parseDecimal } from './decimal.js';

export interface TradeJson {
  timestamp: number;
  side: OrderSide;
  price: number;
  qty: number;
  fee: number;
  inventory_after: number;
  round_trip_profit?: number;
}

export interface TradesJson {
  strategy_id: string;
  trades: TradeJson[];
}

export interface TradesViewOptions {
  strategyId?: string;
  /** Most recent trades to return (capped by the ledger's tradeHistoryLimit). Default 100. */
  limit?: number;
  precision?: JsonPrecision;
}

/** Floor division of ns to ms (also for times before the epoch). */
function nsToMs(ns: bigint): number {
  const q = ns / 1_000_000n;
  return Number(ns < 0n && q * 1_000_000n !== ns ? q - 1n : q);
}

export function tradeJson(t: TradeEntry, p: JsonPrecision = DEFAULT_JSON_PRECISION): TradeJson {
  const out: TradeJson = {
    timestamp: nsToMs(t.tsEventNs),
    side: t.side,
    price: jsonNumber(parseDecimal(t.price, 'price')),
    qty: jsonNumber(parseDecimal(t.qty, 'qty')),
    fee: jsonNumber(parseDecimal(t.fee, 'fee'), p.moneyDp),
    inventory_after: jsonNumber(t.positionAfter),
  };
  if (t.roundTripProfit !== null) out.round_trip_profit = jsonNumber(t.roundTripProfit, p.moneyDp);
  return out;
}

export function tradesView(ledger: SymbolLedger, o: TradesViewOptions = {}): TradesJson {
  const p = o.precision ?? DEFAULT_JSON_PRECISION;
  return {
    strategy_id: o.strategyId ?? ledger.config.strategyId ?? '',
    trades: ledger.recentTrades(o.limit ?? 100).map((t) => tradeJson(t, p)),
  };
}
