// The durable journal: strategies, the parameter audit log, orders with their
// status transitions, fills, funding payments and a small engine-state store, in one SQLite file
// under --data-dir (see docs/journal.md).
//
// Every write method returns only after its transaction is committed and fsynced
// (WAL, synchronous=FULL). Callers report an event (SSE, HTTP, logs) only after
// the write returned: write, then report. A burst of fills goes in one transaction
// through recordFills or FillBurstWriter, which keeps that order.
//
// Methods are synchronous (better-sqlite3), statements are prepared once at open.
// SQLite failures surface as SpreadcoreError with a SPREADCORE_ERR_JOURNAL_* code;
// invalid records as SPREADCORE_ERR_BAD_INPUT before anything is written.
import type { SqlDatabase, SqlStatement } from './sqlite-driver.js';
import { SpreadcoreError } from '../errors.js';
import { epochNowNs } from '../net/clock.js';
import type { FillRecord, OrderRecord, OrderStatus } from '../trading/types.js';
import { applyMigrations } from './apply-migrations.js';
import type {
  ChangeMeta, FillQuery, FundingPayment, FundingShareRecord, JournalCounts, JournalFill, JournalFunding, JournalOrder, JournalStrategy, KillSwitchRecord, KillSwitchState,
  NewStrategy, OrderQuery, OrderStatusChange, OrderStatusUpdate, ParameterChange, RecordResult, RestoredState, RestoredStrategy,
} from './journal-records.js';
import {
  FILL_COLUMNS, FUNDING_COLUMNS, ORDER_COLUMNS, ORDER_STATUS_CHANGE_COLUMNS, PARAMETER_CHANGE_COLUMNS, STRATEGY_COLUMNS,
  fillFromRow, fundingFromRow, orderFromRow, orderStatusChangeFromRow, parameterChangeFromRow, strategyFromRow,
  type FillRow, type FundingRow, type OrderRow, type OrderStatusChangeRow, type ParameterChangeRow, type StrategyRow,
} from './journal-rows.js';
import { checkJsonObject, encodeJson } from './json-values.js';
import { openJournalDatabase, journalPath } from './open-database.js';
import { diffParameters } from './parameter-diff.js';
import { checkFill, checkFunding, checkNs, checkOrder, checkOrderStatus, checkText, checkTextOrNull } from './record-checks.js';
import { MIGRATIONS, type Migration } from './schema-migrations.js';
import { journalError } from './sqlite-errors.js';

export interface JournalOptions {
  /** Venue recorded with fills that do not name one. Default 'paper'. */
  readonly defaultVenue?: string;
  /** Clock for timestamps the caller does not give (created/updated, parameter changes), Unix epoch ns. */
  readonly clockNs?: () => bigint;
  /** Schema migrations to apply; the project's own by default (tests pass others). */
  readonly migrations?: readonly Migration[];
}

/** engine_state key of the kill switch. */
export const KILL_SWITCH_KEY = 'kill_switch';
/** engine_state key of a strategy's last trading-day start: `{ day_start_ns, baselines: { <symbol>: P&L } }`. */
export const DAY_START_KEY = (strategyId: string): string => `risk:day_start:${strategyId}`;
const KILL_SWITCH_STATES: readonly KillSwitchState[] = ['OFF', 'HALTED', 'REDUCING'];

type Stmt = SqlStatement;

function notFound(message: string): SpreadcoreError {
  return new SpreadcoreError('SPREADCORE_ERR_JOURNAL_NOT_FOUND', message);
}

function limitOf(limit: number | undefined): number {
  if (limit === undefined) return -1;
  if (!Number.isSafeInteger(limit) || limit < 0) throw new SpreadcoreError('SPREADCORE_ERR_BAD_INPUT', `limit must be a non-negative integer, got ${limit}`);
  return limit;
}

export class Journal {
  readonly dataDir: string;
  readonly path: string;
  readonly schemaVersion: number;
  readonly defaultVenue: string;
  private readonly db: SqlDatabase;
  private readonly clockNs: () => bigint;
  private readonly st: Record<
    | 'insertFill' | 'fillsAsc' | 'fillsDesc' | 'allFills'
    | 'insertStrategy' | 'strategyById' | 'allStrategies' | 'setStrategyStatus' | 'setStrategyParameters'
    | 'insertParameterChange' | 'parameterChanges'
    | 'insertOrder' | 'orderById' | 'setOrderStatus' | 'insertOrderStatusChange' | 'orderStatusHistory'
    | 'putState' | 'getState' | 'allState'
    | 'insertFunding' | 'fundingByTran' | 'allFunding',
    Stmt>;
  private readonly orderQueries = new Map<string, Stmt>();
  private readonly writeFunding: (venue: string, p: FundingPayment, shares: readonly FundingShareRecord[]) => RecordResult;
  private readonly writeFills: (fills: readonly FillRecord[], venue: string) => RecordResult[];
  private readonly writeOrder: (o: OrderRecord, status: OrderStatus, tsEvent: bigint, reason: string | null) => RecordResult;
  private readonly writeOrderStatus: (orderId: string, status: OrderStatus, tsEvent: bigint, tsInit: bigint, reason: string | null) => void;

  private constructor(dataDir: string, db: SqlDatabase, schemaVersion: number, options: JournalOptions) {
    this.dataDir = dataDir;
    this.path = journalPath(dataDir);
    this.db = db;
    this.schemaVersion = schemaVersion;
    this.defaultVenue = checkText(options.defaultVenue ?? 'paper', 'defaultVenue');
    this.clockNs = options.clockNs ?? (() => BigInt(epochNowNs()));
    const p = (sql: string): Stmt => db.prepare(sql);
    const r = (sql: string): Stmt => db.prepare(sql).safeIntegers(true);
    this.st = {
      insertFill: p(`INSERT INTO fills (venue, trade_id, order_id, client_order_id, strategy_id, symbol, side, price, qty, fee, liquidity, ts_event_ns, ts_init_ns)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (venue, trade_id) DO NOTHING`),
      fillsAsc: r(`SELECT ${FILL_COLUMNS} FROM fills WHERE strategy_id IS ? AND ts_event_ns >= ? ORDER BY seq ASC LIMIT ?`),
      fillsDesc: r(`SELECT ${FILL_COLUMNS} FROM fills WHERE strategy_id IS ? AND ts_event_ns >= ? ORDER BY seq DESC LIMIT ?`),
      allFills: r(`SELECT ${FILL_COLUMNS} FROM fills ORDER BY seq ASC`),
      insertStrategy: p(`INSERT INTO strategies (id, name, type, symbols_json, parameters_json, status, created_at_ns, updated_at_ns)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING`),
      strategyById: r(`SELECT ${STRATEGY_COLUMNS} FROM strategies WHERE id = ?`),
      allStrategies: r(`SELECT ${STRATEGY_COLUMNS} FROM strategies ORDER BY seq ASC`),
      setStrategyStatus: p('UPDATE strategies SET status = ?, updated_at_ns = ? WHERE id = ?'),
      setStrategyParameters: p('UPDATE strategies SET parameters_json = ?, updated_at_ns = ? WHERE id = ?'),
      insertParameterChange: p(`INSERT INTO parameter_changes (strategy_id, field, old_value_json, new_value_json, ts_ns, source) VALUES (?, ?, ?, ?, ?, ?)`),
      parameterChanges: r(`SELECT ${PARAMETER_CHANGE_COLUMNS} FROM parameter_changes WHERE strategy_id = ? ORDER BY seq ASC`),
      insertOrder: p(`INSERT INTO orders (order_id, client_order_id, strategy_id, symbol, side, type, time_in_force, price, qty, ts_init_ns, status, status_ts_event_ns)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`),
      orderById: r(`SELECT ${ORDER_COLUMNS} FROM orders WHERE order_id = ?`),
      setOrderStatus: p('UPDATE orders SET status = ?, status_ts_event_ns = ? WHERE order_id = ?'),
      insertOrderStatusChange: p('INSERT INTO order_status_changes (order_id, status, ts_event_ns, ts_init_ns, reason) VALUES (?, ?, ?, ?, ?)'),
      orderStatusHistory: r(`SELECT ${ORDER_STATUS_CHANGE_COLUMNS} FROM order_status_changes WHERE order_id = ? ORDER BY seq ASC`),
      putState: p(`INSERT INTO engine_state (key, value_json, updated_at_ns) VALUES (?, ?, ?)
        ON CONFLICT (key) DO UPDATE SET value_json = excluded.value_json, updated_at_ns = excluded.updated_at_ns`),
      getState: p('SELECT value_json FROM engine_state WHERE key = ?').pluck(),
      allState: p('SELECT key, value_json FROM engine_state ORDER BY key'),
      insertFunding: p(`INSERT INTO funding (venue, tran_id, strategy_id, symbol, asset, income, share, ts_event_ns, ts_init_ns) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`),
      fundingByTran: p('SELECT 1 FROM funding WHERE venue = ? AND tran_id = ? LIMIT 1').pluck(),
      allFunding: r(`SELECT ${FUNDING_COLUMNS} FROM funding ORDER BY seq ASC`),
    };
    this.writeFunding = db.transaction((venue: string, f: FundingPayment, shares: readonly FundingShareRecord[]): RecordResult => {
      if (this.st.fundingByTran.get(venue, f.tranId) !== undefined) return 'duplicate';
      const rows = shares.length > 0 ? shares : [{ strategyId: null, shareQuote: f.incomeQuote }];
      for (const sh of rows) this.st.insertFunding.run(venue, f.tranId, sh.strategyId, f.symbol, f.asset, f.incomeQuote, sh.shareQuote, f.tsEventNs, f.tsInitNs);
      return 'inserted';
    });
    this.writeFills = db.transaction((fills: readonly FillRecord[], venue: string) => fills.map((f) => this.insertFill(f, venue)));
    this.writeOrder = db.transaction((o: OrderRecord, status: OrderStatus, tsEvent: bigint, reason: string | null): RecordResult => {
      const r = this.st.insertOrder.run(o.orderId, o.clientOrderId, o.strategyId, o.symbol, o.side, o.type, o.timeInForce, o.price, o.qty, o.tsInitNs, status, tsEvent);
      if (r.changes === 1) {
        this.st.insertOrderStatusChange.run(o.orderId, status, tsEvent, o.tsInitNs, reason);
        return 'inserted';
      }
      const existing = this.st.orderById.get(o.orderId) as OrderRow | undefined;
      if (existing !== undefined && existing.client_order_id === o.clientOrderId) return 'duplicate';
      throw new SpreadcoreError(
        'SPREADCORE_ERR_JOURNAL_CONFLICT',
        existing !== undefined
          ? `order ${o.orderId} is already journaled with clientOrderId ${existing.client_order_id}, not ${o.clientOrderId}`
          : `clientOrderId ${o.clientOrderId} is already journaled for another order than ${o.orderId}`,
      );
    });
    this.writeOrderStatus = db.transaction((orderId: string, status: OrderStatus, tsEvent: bigint, tsInit: bigint, reason: string | null): void => {
      const r = this.st.setOrderStatus.run(status, tsEvent, orderId);
      if (r.changes !== 1) throw notFound(`order ${orderId} is not in the journal`);
      this.st.insertOrderStatusChange.run(orderId, status, tsEvent, tsInit, reason);
    });
  }

  /**
   * Opens <dataDir>/journal.sqlite, creating the directory and the file if needed,
   * and migrates its schema. Refuses (coded errors) a journal from a newer build
   * (JOURNAL_SCHEMA), a damaged or foreign file (JOURNAL_CORRUPT) and one another
   * process has open (JOURNAL_LOCKED).
   */
  static open(dataDir: string, options: JournalOptions = {}): Journal {
    checkText(dataDir, 'dataDir');
    const db = openJournalDatabase(dataDir);
    const path = journalPath(dataDir);
    try {
      const clock = options.clockNs ?? (() => BigInt(epochNowNs()));
      const version = applyMigrations(db, options.migrations ?? MIGRATIONS, clock(), path);
      return new Journal(dataDir, db, version, options);
    } catch (e) {
      db.close();
      throw journalError(e, path, 'opening');
    }
  }

  get isOpen(): boolean {
    return this.db.open;
  }

  /** Checkpoints the WAL into the main file and releases the lock. Safe to call twice. */
  close(): void {
    if (this.db.open) this.db.close();
  }

  /** Runs fn in one transaction (nested calls become savepoints): all of its writes commit together or not at all. */
  batch<T>(fn: () => T): T {
    return this.guard('writing a batch', () => this.db.transaction(fn)());
  }

  // ---------------------------------------------------------------- fills

  /** Writes one fill in its own transaction. A fill whose (venue, tradeId) is already journaled is not written again: 'duplicate'. */
  recordFill(fill: FillRecord, venue: string = this.defaultVenue): RecordResult {
    checkFill(fill);
    checkText(venue, 'venue');
    return this.guard(`writing fill ${fill.tradeId}`, () => this.insertFill(fill, venue));
  }

  /** Writes fills in one transaction (one fsync); results in the same order. Nothing is written if any fill is invalid. */
  recordFills(fills: readonly FillRecord[], venue: string = this.defaultVenue): RecordResult[] {
    for (const f of fills) checkFill(f);
    checkText(venue, 'venue');
    if (fills.length === 0) return [];
    return this.guard(`writing ${fills.length} fills`, () => this.writeFills(fills, venue));
  }

  /** A strategy's fills (null: fills without a strategy) in journal order, or newest first. */
  fills(strategyId: string | null, query: FillQuery = {}): JournalFill[] {
    checkTextOrNull(strategyId, 'strategyId');
    const since = query.sinceTsNs === undefined ? 0n : checkNs(query.sinceTsNs, 'sinceTsNs');
    const stmt = query.newestFirst === true ? this.st.fillsDesc : this.st.fillsAsc;
    const limit = limitOf(query.limit);
    return this.guard('reading fills', () => (stmt.all(strategyId, since, limit) as FillRow[]).map(fillFromRow));
  }

  private insertFill(f: FillRecord, venue: string): RecordResult {
    const r = this.st.insertFill.run(venue, f.tradeId, f.orderId, f.clientOrderId, f.strategyId, f.symbol, f.side, f.price, f.qty, f.fee, f.liquidity, f.tsEventNs, f.tsInitNs);
    return r.changes === 1 ? 'inserted' : 'duplicate';
  }

  // -------------------------------------------------------------- funding

  /**
   * Writes a venue funding payment with each account's share in one transaction; without
   * shares (no account held the symbol) one row without a strategy keeps the payment known.
   * A payment whose (venue, tranId) is already journaled is not written again: 'duplicate'.
   */
  recordFunding(payment: FundingPayment, shares: readonly FundingShareRecord[], venue: string = this.defaultVenue): RecordResult {
    checkFunding(payment, shares);
    checkText(venue, 'venue');
    return this.guard(`writing funding ${payment.tranId}`, () => this.writeFunding(venue, payment, shares));
  }

  /** Whether the venue's payment tranId is journaled. */
  hasFunding(venue: string, tranId: string): boolean {
    return this.guard('reading funding', () => this.st.fundingByTran.get(venue, tranId) !== undefined);
  }

  /** Every funding share in journal order. */
  funding(): JournalFunding[] {
    return this.guard('reading funding', () => (this.st.allFunding.all() as FundingRow[]).map(fundingFromRow));
  }

  // ----------------------------------------------------------- strategies

  /** Records a newly loaded strategy. An id already in the journal is a JOURNAL_CONFLICT. */
  recordStrategy(def: NewStrategy): JournalStrategy {
    const id = checkText(def.id, 'strategy id');
    const name = checkText(def.name, `strategy ${id}: name`);
    const type = checkText(def.type, `strategy ${id}: type`);
    if (!Array.isArray(def.symbols)) throw new SpreadcoreError('SPREADCORE_ERR_BAD_INPUT', `strategy ${id}: symbols must be an array`);
    def.symbols.forEach((s, i) => checkText(s, `strategy ${id}: symbols[${i}]`));
    const symbolsJson = encodeJson(def.symbols, `strategy ${id}: symbols`);
    const parametersJson = encodeJson(checkJsonObject(def.parameters, `strategy ${id}: parameters`), `strategy ${id}: parameters`);
    const status = checkText(def.status, `strategy ${id}: status`);
    const ts = def.tsNs === undefined ? this.clockNs() : checkNs(def.tsNs, `strategy ${id}: tsNs`);
    return this.guard(`recording strategy ${id}`, () => {
      const r = this.st.insertStrategy.run(id, name, type, symbolsJson, parametersJson, status, ts, ts);
      if (r.changes !== 1) throw new SpreadcoreError('SPREADCORE_ERR_JOURNAL_CONFLICT', `strategy ${id} is already in the journal`);
      return this.requireStrategy(id);
    });
  }

  /** Sets a strategy's status; returns the status it had. */
  updateStrategyStatus(id: string, status: string, tsNs?: bigint): string {
    checkText(id, 'strategy id');
    checkText(status, `strategy ${id}: status`);
    const ts = tsNs === undefined ? this.clockNs() : checkNs(tsNs, `strategy ${id}: tsNs`);
    return this.guard(`updating the status of strategy ${id}`, () => this.db.transaction(() => {
      const before = this.requireStrategy(id).status;
      this.st.setStrategyStatus.run(status, ts, id);
      return before;
    })());
  }

  /**
   * Replaces a strategy's parameters with `parameters` and records one audit row per
   * field that changed (added, changed or removed), all in one transaction. Returns
   * the changes (none: nothing was written).
   */
  recordParameterChanges(id: string, parameters: Readonly<Record<string, unknown>>, meta: ChangeMeta): ParameterChange[] {
    const next = checkJsonObject(parameters, `strategy ${id}: parameters`);
    return this.changeParameters(id, () => next, meta);
  }

  /** Sets one parameter (undefined removes it), audited like recordParameterChanges. */
  recordParameterChange(id: string, field: string, value: unknown, meta: ChangeMeta): ParameterChange[] {
    checkText(field, 'parameter name');
    if (value !== undefined) encodeJson(value, `strategy ${id}: parameter ${field}`);
    return this.changeParameters(id, (current) => {
      const next: Record<string, unknown> = { ...current };
      if (value === undefined) delete next[field];
      else next[field] = value;
      return next;
    }, meta);
  }

  strategies(): JournalStrategy[] {
    return this.guard('reading strategies', () => (this.st.allStrategies.all() as StrategyRow[]).map(strategyFromRow));
  }

  strategy(id: string): JournalStrategy | null {
    const row = this.guard('reading a strategy', () => this.st.strategyById.get(id) as StrategyRow | undefined);
    return row === undefined ? null : strategyFromRow(row);
  }

  /** The audit log of one strategy's parameters, oldest first. */
  parameterChanges(id: string): ParameterChange[] {
    return this.guard('reading parameter changes', () => (this.st.parameterChanges.all(id) as ParameterChangeRow[]).map(parameterChangeFromRow));
  }

  private changeParameters(id: string, compute: (current: Record<string, unknown>) => Record<string, unknown>, meta: ChangeMeta): ParameterChange[] {
    checkText(id, 'strategy id');
    const source = checkText(meta.source, 'source');
    const ts = meta.tsNs === undefined ? this.clockNs() : checkNs(meta.tsNs, 'tsNs');
    return this.guard(`changing the parameters of strategy ${id}`, () => this.db.transaction(() => {
      const current = this.requireStrategy(id).parameters;
      const next = compute(current);
      const changes = diffParameters(current, next);
      if (changes.length === 0) return [];
      this.st.setStrategyParameters.run(encodeJson(next, `strategy ${id}: parameters`), ts, id);
      return changes.map((c): ParameterChange => {
        const oldJson = c.oldValue === undefined ? null : JSON.stringify(c.oldValue);
        const newJson = c.newValue === undefined ? null : JSON.stringify(c.newValue);
        const r = this.st.insertParameterChange.run(id, c.field, oldJson, newJson, ts, source);
        return { seq: Number(r.lastInsertRowid), strategyId: id, field: c.field, oldValue: c.oldValue, newValue: c.newValue, tsNs: ts, source };
      });
    })());
  }

  private requireStrategy(id: string): JournalStrategy {
    const row = this.st.strategyById.get(id) as StrategyRow | undefined;
    if (row === undefined) throw notFound(`strategy ${id} is not in the journal`);
    return strategyFromRow(row);
  }

  // --------------------------------------------------------------- orders

  /**
   * Records a new order with its first status (PENDING_NEW unless given) as the
   * first transition. The same order again (same orderId and clientOrderId) is
   * 'duplicate'; an orderId or clientOrderId already used by another order is a
   * JOURNAL_CONFLICT.
   */
  recordOrder(order: OrderRecord, initial: { status?: OrderStatus; tsEventNs?: bigint; reason?: string } = {}): RecordResult {
    checkOrder(order);
    const status = checkOrderStatus(initial.status ?? 'PENDING_NEW', `order ${order.orderId}: status`);
    const tsEvent = initial.tsEventNs === undefined ? order.tsInitNs : checkNs(initial.tsEventNs, `order ${order.orderId}: tsEventNs`);
    const reason = initial.reason === undefined ? null : checkText(initial.reason, 'reason');
    return this.guard(`recording order ${order.orderId}`, () => this.writeOrder(order, status, tsEvent, reason));
  }

  /** Records a status transition of a journaled order and makes it the order's current status. */
  recordOrderStatus(orderId: string, status: OrderStatus, update: OrderStatusUpdate): void {
    checkText(orderId, 'orderId');
    checkOrderStatus(status, `order ${orderId}: status`);
    const tsEvent = checkNs(update.tsEventNs, `order ${orderId}: tsEventNs`);
    const tsInit = update.tsInitNs === undefined ? this.clockNs() : checkNs(update.tsInitNs, `order ${orderId}: tsInitNs`);
    const reason = update.reason === undefined ? null : checkText(update.reason, 'reason');
    this.guard(`recording the status of order ${orderId}`, () => this.writeOrderStatus(orderId, status, tsEvent, tsInit, reason));
  }

  order(orderId: string): JournalOrder | null {
    const row = this.guard('reading an order', () => this.st.orderById.get(orderId) as OrderRow | undefined);
    return row === undefined ? null : orderFromRow(row);
  }

  /** The venues the journal holds fills of ('paper', 'binance', ...), sorted. */
  fillVenues(): string[] {
    return this.guard('reading fill venues', () => (this.db.prepare('SELECT DISTINCT venue FROM fills ORDER BY venue').pluck().all() as string[]));
  }

  /** The order journaled with this client order id (unique in the journal), or null. */
  orderByClientId(clientOrderId: string): JournalOrder | null {
    checkText(clientOrderId, 'clientOrderId');
    const row = this.guard('reading an order', () => {
      let stmt = this.orderQueries.get('client');
      if (stmt === undefined) {
        stmt = this.db.prepare(`SELECT ${ORDER_COLUMNS} FROM orders WHERE client_order_id = ?`).safeIntegers(true);
        this.orderQueries.set('client', stmt);
      }
      return stmt.get(clientOrderId) as OrderRow | undefined;
    });
    return row === undefined ? null : orderFromRow(row);
  }

  /** Orders in journal order (or newest first), optionally one strategy's, optionally only open ones. */
  orders(query: OrderQuery = {}): JournalOrder[] {
    const byStrategy = query.strategyId !== undefined;
    if (byStrategy) checkTextOrNull(query.strategyId, 'strategyId');
    const openOnly = query.openOnly === true;
    const desc = query.newestFirst === true;
    const limit = limitOf(query.limit);
    const key = `${byStrategy ? 's' : ''}${openOnly ? 'o' : ''}${desc ? 'd' : ''}`;
    return this.guard('reading orders', () => {
      let stmt = this.orderQueries.get(key);
      if (stmt === undefined) {
        const where = [byStrategy ? 'strategy_id IS ?' : '', openOnly ? "status NOT IN ('FILLED','CANCELLED','REJECTED')" : ''].filter((w) => w !== '');
        stmt = this.db.prepare(`SELECT ${ORDER_COLUMNS} FROM orders ${where.length > 0 ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY seq ${desc ? 'DESC' : 'ASC'} LIMIT ?`).safeIntegers(true);
        this.orderQueries.set(key, stmt);
      }
      const rows = (byStrategy ? stmt.all(query.strategyId, limit) : stmt.all(limit)) as OrderRow[];
      return rows.map(orderFromRow);
    });
  }

  /** Every status an order went through, oldest first. */
  orderStatusHistory(orderId: string): OrderStatusChange[] {
    return this.guard('reading order status history', () => (this.st.orderStatusHistory.all(orderId) as OrderStatusChangeRow[]).map(orderStatusChangeFromRow));
  }

  // --------------------------------------------------------- engine state

  /** Stores a JSON value under key (replacing any previous one). */
  setState(key: string, value: unknown, tsNs?: bigint): void {
    checkText(key, 'state key');
    const json = encodeJson(value, `state ${key}`);
    const ts = tsNs === undefined ? this.clockNs() : checkNs(tsNs, 'tsNs');
    this.guard(`writing state ${key}`, () => { this.st.putState.run(key, json, ts); });
  }

  /** The value stored under key; undefined when there is none. */
  getState(key: string): unknown {
    const json = this.guard(`reading state ${key}`, () => this.st.getState.get(key) as string | undefined);
    return json === undefined ? undefined : JSON.parse(json) as unknown;
  }

  setKillSwitch(state: KillSwitchState, meta: { tsNs?: bigint; reason?: string } = {}): void {
    if (!KILL_SWITCH_STATES.includes(state)) throw new SpreadcoreError('SPREADCORE_ERR_BAD_INPUT', `kill switch state must be one of ${KILL_SWITCH_STATES.join(', ')}, got ${JSON.stringify(state)}`);
    const ts = meta.tsNs === undefined ? this.clockNs() : checkNs(meta.tsNs, 'tsNs');
    const reason = meta.reason === undefined ? null : checkText(meta.reason, 'reason');
    this.setState(KILL_SWITCH_KEY, { state, tsNs: ts.toString(), reason }, ts);
  }

  /** The kill switch as last recorded; OFF at time 0 when it never was. */
  killSwitch(): KillSwitchRecord {
    const v = this.getState(KILL_SWITCH_KEY) as { state?: unknown; tsNs?: unknown; reason?: unknown } | undefined;
    if (v === undefined) return { state: 'OFF', tsNs: 0n, reason: null };
    const state = KILL_SWITCH_STATES.includes(v.state as KillSwitchState) ? v.state as KillSwitchState : 'HALTED';
    return { state, tsNs: typeof v.tsNs === 'string' ? BigInt(v.tsNs) : 0n, reason: typeof v.reason === 'string' ? v.reason : null };
  }

  // -------------------------------------------------------------- restore

  /**
   * Everything the engine needs to rebuild its state after a start or a crash:
   * strategies with their parameters, each set to 'stopped' (or 'halted' when the
   * kill switch is on or the strategy was halted) and written back so, never
   * running; every fill per strategy in journal order for replay into the
   * ledgers; the orders still open; the kill switch and the engine state.
   */
  restore(): RestoredState {
    const now = this.clockNs();
    return this.guard('restoring', () => this.db.transaction((): RestoredState => {
      const killSwitch = this.killSwitch();
      const killSwitchOn = killSwitch.state !== 'OFF';
      const strategies = (this.st.allStrategies.all() as StrategyRow[]).map((row): RestoredStrategy => {
        const s = strategyFromRow(row);
        const status = killSwitchOn || s.status === 'halted' ? 'halted' : 'stopped';
        if (status !== s.status) this.st.setStrategyStatus.run(status, now, s.id);
        return { ...s, status, lastStatus: s.status, updatedAtNs: status !== s.status ? now : s.updatedAtNs };
      });
      const fillsByStrategy = new Map<string | null, JournalFill[]>();
      for (const row of this.st.allFills.iterate() as IterableIterator<FillRow>) {
        const f = fillFromRow(row);
        let list = fillsByStrategy.get(f.strategyId);
        if (list === undefined) fillsByStrategy.set(f.strategyId, (list = []));
        list.push(f);
      }
      const engineState = new Map<string, unknown>();
      for (const r of this.st.allState.all() as { key: string; value_json: string }[]) engineState.set(r.key, JSON.parse(r.value_json) as unknown);
      const openOrders = this.orders({ openOnly: true });
      const funding = (this.st.allFunding.all() as FundingRow[]).map(fundingFromRow);
      return { schemaVersion: this.schemaVersion, killSwitch, strategies, fillsByStrategy, openOrders, funding, engineState };
    })());
  }

  // ----------------------------------------------------------- inspection

  /** The SQLite settings the guarantees rest on, as the connection reports them. */
  durabilitySettings(): { journalMode: string; synchronous: 'OFF' | 'NORMAL' | 'FULL' | 'EXTRA'; lockingMode: string } {
    return this.guard('reading settings', () => {
      const sync = Number(this.db.pragma('synchronous', { simple: true }));
      return {
        journalMode: String(this.db.pragma('journal_mode', { simple: true })),
        synchronous: (['OFF', 'NORMAL', 'FULL', 'EXTRA'] as const)[sync] ?? 'OFF',
        lockingMode: String(this.db.pragma('locking_mode', { simple: true })),
      };
    });
  }

  counts(): JournalCounts {
    return this.guard('counting', () => {
      const n = (table: string): number => Number(this.db.prepare(`SELECT COUNT(*) FROM ${table}`).pluck().get());
      return {
        strategies: n('strategies'), parameterChanges: n('parameter_changes'), orders: n('orders'),
        orderStatusChanges: n('order_status_changes'), fills: n('fills'),
      };
    });
  }

  /** SQLite's quick_check over the whole file (reads all of it): throws JOURNAL_CORRUPT with what it found. */
  verifyIntegrity(): void {
    const result = this.guard('checking integrity', () => this.db.pragma('quick_check', { simple: false }) as { quick_check: string }[]);
    const problems = result.map((r) => r.quick_check).filter((m) => m !== 'ok');
    if (problems.length > 0) throw new SpreadcoreError('SPREADCORE_ERR_JOURNAL_CORRUPT', `journal ${this.path}: ${problems.slice(0, 5).join('; ')}`);
  }

  private guard<T>(action: string, fn: () => T): T {
    if (!this.db.open) throw new SpreadcoreError('SPREADCORE_ERR_JOURNAL_IO', `journal ${this.path}: ${action}: the journal is closed`);
    try {
      return fn();
    } catch (e) {
      throw journalError(e, this.path, action);
    }
  }
}
