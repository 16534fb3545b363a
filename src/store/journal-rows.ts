// Rows as SQLite returns them (statements read with safeIntegers, so every
// INTEGER is a bigint) and their conversion to the journal's records.
import type { Liquidity, OrderSide, OrderStatus, OrderType, TimeInForce } from '../trading/types.js';
import type { JournalFill, JournalFunding, JournalOrder, JournalStrategy, OrderStatusChange, ParameterChange } from './journal-records.js';

export const FILL_COLUMNS = 'seq, venue, trade_id, order_id, client_order_id, strategy_id, symbol, side, price, qty, fee, liquidity, ts_event_ns, ts_init_ns';
export const ORDER_COLUMNS = 'seq, order_id, client_order_id, strategy_id, symbol, side, type, time_in_force, price, qty, ts_init_ns, status, status_ts_event_ns';
export const STRATEGY_COLUMNS = 'seq, id, name, type, symbols_json, parameters_json, status, created_at_ns, updated_at_ns';
export const PARAMETER_CHANGE_COLUMNS = 'seq, strategy_id, field, old_value_json, new_value_json, ts_ns, source';
export const FUNDING_COLUMNS = 'seq, venue, tran_id, strategy_id, symbol, asset, income, share, ts_event_ns, ts_init_ns';
export const ORDER_STATUS_CHANGE_COLUMNS = 'seq, order_id, status, ts_event_ns, ts_init_ns, reason';

export interface FillRow {
  seq: bigint; venue: string; trade_id: string; order_id: string; client_order_id: string; strategy_id: string | null;
  symbol: string; side: OrderSide; price: string; qty: string; fee: string; liquidity: Liquidity; ts_event_ns: bigint; ts_init_ns: bigint;
}

export interface FundingRow {
  seq: bigint; venue: string; tran_id: string; strategy_id: string | null; symbol: string; asset: string; income: string; share: string;
  ts_event_ns: bigint; ts_init_ns: bigint;
}

export function fundingFromRow(r: FundingRow): JournalFunding {
  return {
    seq: Number(r.seq), venue: r.venue, tranId: r.tran_id, strategyId: r.strategy_id, symbol: r.symbol, asset: r.asset,
    incomeQuote: r.income, shareQuote: r.share, tsEventNs: r.ts_event_ns, tsInitNs: r.ts_init_ns,
  };
}

export interface OrderRow {
  seq: bigint; order_id: string; client_order_id: string; strategy_id: string | null; symbol: string; side: OrderSide; type: OrderType;
  time_in_force: TimeInForce; price: string | null; qty: string; ts_init_ns: bigint; status: OrderStatus; status_ts_event_ns: bigint;
}

export interface StrategyRow {
  seq: bigint; id: string; name: string; type: string; symbols_json: string; parameters_json: string; status: string;
  created_at_ns: bigint; updated_at_ns: bigint;
}

export interface ParameterChangeRow {
  seq: bigint; strategy_id: string; field: string; old_value_json: string | null; new_value_json: string | null; ts_ns: bigint; source: string;
}

export interface OrderStatusChangeRow {
  seq: bigint; order_id: string; status: OrderStatus; ts_event_ns: bigint; ts_init_ns: bigint; reason: string | null;
}

export function fillFromRow(r: FillRow): JournalFill {
  return {
    seq: Number(r.seq), venue: r.venue, tradeId: r.trade_id, orderId: r.order_id, clientOrderId: r.client_order_id,
    strategyId: r.strategy_id, symbol: r.symbol, side: r.side, price: r.price, qty: r.qty, fee: r.fee, liquidity: r.liquidity,
    tsEventNs: r.ts_event_ns, tsInitNs: r.ts_init_ns,
  };
}

export function orderFromRow(r: OrderRow): JournalOrder {
  return {
    seq: Number(r.seq), orderId: r.order_id, clientOrderId: r.client_order_id, strategyId: r.strategy_id, symbol: r.symbol,
    side: r.side, type: r.type, timeInForce: r.time_in_force, price: r.price, qty: r.qty, tsInitNs: r.ts_init_ns,
    status: r.status, statusTsEventNs: r.status_ts_event_ns,
  };
}

export function strategyFromRow(r: StrategyRow): JournalStrategy {
  return {
    seq: Number(r.seq), id: r.id, name: r.name, type: r.type,
    symbols: JSON.parse(r.symbols_json) as string[],
    parameters: JSON.parse(r.parameters_json) as Record<string, unknown>,
    status: r.status, createdAtNs: r.created_at_ns, updatedAtNs: r.updated_at_ns,
  };
}

export function parameterChangeFromRow(r: ParameterChangeRow): ParameterChange {
  return {
    seq: Number(r.seq), strategyId: r.strategy_id, field: r.field,
    oldValue: r.old_value_json === null ? undefined : JSON.parse(r.old_value_json) as unknown,
    newValue: r.new_value_json === null ? undefined : JSON.parse(r.new_value_json) as unknown,
    tsNs: r.ts_ns, source: r.source,
  };
}

export function orderStatusChangeFromRow(r: OrderStatusChangeRow): OrderStatusChange {
  return { seq: Number(r.seq), orderId: r.order_id, status: r.status, tsEventNs: r.ts_event_ns, tsInitNs: r.ts_init_ns, reason: r.reason };
}
