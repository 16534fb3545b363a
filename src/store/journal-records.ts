// What the journal gives back: the shared trading records plus what the journal
// adds (the venue of a fill, the write order, the current status of an order),
// strategy definitions, the parameter audit log and the restore snapshot.
import type { FillRecord, OrderRecord, OrderStatus } from '../trading/types.js';

/** 'inserted': written now. 'duplicate': already in the journal (same id); nothing was written. */
export type RecordResult = 'inserted' | 'duplicate';

/** Kill switch as the risk module reports it; anything but OFF counts as on. */
export type KillSwitchState = 'OFF' | 'HALTED' | 'REDUCING';

export interface JournalFill extends FillRecord {
  /** The venue the trade id is unique at ('paper' for the built-in exchange). */
  readonly venue: string;
  /** Write order in the journal (1, 2, ...): the order fills are replayed in. */
  readonly seq: number;
}

/** A venue funding payment of a perpetual, as the venue reports it. */
export interface FundingPayment {
  /** The venue's id of the payment (Binance: tranId), unique per venue. */
  readonly tranId: string;
  readonly symbol: string;
  readonly asset: string;
  /** The whole payment, plain decimal string: received positive, paid negative. */
  readonly incomeQuote: string;
  /** The funding time, Unix epoch ns. */
  readonly tsEventNs: bigint;
  readonly tsInitNs: bigint;
}

/** One account's share of a payment (strategyId null: no account of the engine held the symbol). */
export interface FundingShareRecord {
  readonly strategyId: string | null;
  readonly shareQuote: string;
}

export interface JournalFunding extends FundingPayment, FundingShareRecord {
  readonly seq: number;
  readonly venue: string;
}

export interface JournalOrder extends OrderRecord {
  readonly seq: number;
  /** The latest status recorded. */
  readonly status: OrderStatus;
  /** ts_event of that status, Unix epoch ns. */
  readonly statusTsEventNs: bigint;
}

export interface OrderStatusChange {
  readonly seq: number;
  readonly orderId: string;
  readonly status: OrderStatus;
  readonly tsEventNs: bigint;
  readonly tsInitNs: bigint;
  readonly reason: string | null;
}

/** A strategy definition as loaded (POST /api/strategy/load). */
export interface NewStrategy {
  readonly id: string;
  readonly name: string;
  readonly type: string;
  readonly symbols: readonly string[];
  /** Canonical parameters: a JSON object. */
  readonly parameters: Readonly<Record<string, unknown>>;
  /** Status at load, e.g. 'stopped' (the journal does not interpret statuses except on restore). */
  readonly status: string;
  /** Defaults to now. */
  readonly tsNs?: bigint;
}

export interface JournalStrategy {
  readonly seq: number;
  readonly id: string;
  readonly name: string;
  readonly type: string;
  readonly symbols: string[];
  readonly parameters: Record<string, unknown>;
  readonly status: string;
  readonly createdAtNs: bigint;
  readonly updatedAtNs: bigint;
}

/** One field's change in the parameter audit log. */
export interface ParameterChange {
  readonly seq: number;
  readonly strategyId: string;
  readonly field: string;
  /** Absent (undefined) when the field did not exist before. */
  readonly oldValue: unknown;
  /** Absent (undefined) when the field was removed. */
  readonly newValue: unknown;
  readonly tsNs: bigint;
  /** Who changed it: 'api', 'config', ... */
  readonly source: string;
}

export interface ChangeMeta {
  readonly source: string;
  /** Defaults to now. */
  readonly tsNs?: bigint;
}

export interface OrderStatusUpdate {
  readonly tsEventNs: bigint;
  /** Defaults to now. */
  readonly tsInitNs?: bigint;
  readonly reason?: string;
}

export interface FillQuery {
  /** Only fills with ts_event ≥ this (Unix epoch ns). */
  readonly sinceTsNs?: bigint;
  /** At most this many. */
  readonly limit?: number;
  /** Newest first (with limit: the latest `limit` fills). Default oldest first. */
  readonly newestFirst?: boolean;
}

export interface OrderQuery {
  /** Only this strategy's orders (null: orders without a strategy); all when absent. */
  readonly strategyId?: string | null;
  /** Only orders whose latest status is not FILLED, CANCELLED or REJECTED. */
  readonly openOnly?: boolean;
  readonly limit?: number;
  readonly newestFirst?: boolean;
}

export interface KillSwitchRecord {
  readonly state: KillSwitchState;
  readonly tsNs: bigint;
  readonly reason: string | null;
}

export interface RestoredStrategy extends JournalStrategy {
  /** 'halted' when the kill switch is on or the strategy was halted; otherwise 'stopped'. Never running. */
  readonly status: 'stopped' | 'halted';
  /** The status the journal held before this restore (e.g. 'running' when the process died while quoting). */
  readonly lastStatus: string;
}

export interface RestoredState {
  readonly schemaVersion: number;
  readonly killSwitch: KillSwitchRecord;
  readonly strategies: RestoredStrategy[];
  /** Every fill, per strategy id (null: fills without a strategy), in journal order: replay these into the ledgers. */
  readonly fillsByStrategy: Map<string | null, JournalFill[]>;
  /** Orders whose latest status is not terminal: reconcile or cancel them at the venue. */
  readonly openOrders: JournalOrder[];
  /** Every funding share in journal order: replay those with a strategy into the ledgers. */
  readonly funding: JournalFunding[];
  /** The engine_state key/value store (kill switch included under 'kill_switch'). */
  readonly engineState: Map<string, unknown>;
}

export interface JournalCounts {
  readonly strategies: number;
  readonly parameterChanges: number;
  readonly orders: number;
  readonly orderStatusChanges: number;
  readonly fills: number;
}
