// The replica's exchange: accounts (API keys derived from a wallet by L1), signed-order
// intake (EIP-712 signature recovered against the market's verifying contract — the negRisk
// exchange for negRisk markets), orders resting in the universe's PaperExchange, trades and
// their lifecycle MATCHED → MINED → CONFIRMED (or RETRYING → FAILED under a fault), the
// heartbeat dead-man switch, and the faults the admin endpoint sets.
import { createHash, createHmac } from 'node:crypto';
import type { VenueReports } from '../../../execution/venue.js';
import type { Liquidity } from '../../../trading/types.js';
import { DecimalGrid } from '../../../numeric/decimal-grid.js';
import { formatMicro, POLYMARKET_LOT_SIZE, priceAndSize, toMicro } from '../amounts.js';
import { exchangeFor, type ExchangeContracts } from '../endpoints.js';
import { recoverOrderSigner, type SignedOrderV2 } from '../order-signing.js';
import { orderHash } from '../polymarket-venue.js';
import type { MakerOrder, OpenOrder, TradeRecord } from '../rest-client.js';
import type { TradeStatus } from '../user-messages.js';
import type { ReplicaMarketDef, ReplicaUniverse } from './replica-universe.js';

export class ReplicaHttpError extends Error {
  constructor(readonly status: number, message: string) { super(message); }
}

export interface Account { readonly address: string; readonly apiKey: string; readonly secret: string; readonly passphrase: string; heartbeatMs: number; heartbeatId: string }

export interface ReplicaFaults {
  /** The next N orders are refused (400). */
  rejectOrders: number;
  /** The next N trades go RETRYING then FAILED instead of MINED then CONFIRMED. */
  failTrades: number;
  /** The next N order posts are accepted but answered with a 500 (outcome unknown to the client). */
  serverErrors: number;
  /** Every user-channel message is sent twice. */
  duplicateUserEvents: boolean;
  /** The user channel is down: connections to /ws/user are dropped (when set) and refused (503) until cleared. */
  userChannelDown: boolean;
  /** The next N REST requests (any route but /__replica/) are answered 503 without doing anything: Polymarket unavailable. */
  failRequests: number;
  /**
   * The next N level removals (a price_change setting a level's size to 0) are left out of the
   * market channel: a client's book keeps those levels, as one that missed an update would, and
   * can end up crossed.
   */
  omitLevelRemovals: number;
  /**
   * The next N `{"operation": "subscribe"}` messages on an open market channel add their assets
   * but answer no `book`: a client that waits for one must find another way to a fresh book.
   */
  silentSubscribes: number;
}

/** Faults that count the next N requests, messages or trades they apply to. */
const COUNT_FAULTS = ['rejectOrders', 'failTrades', 'serverErrors', 'failRequests', 'omitLevelRemovals', 'silentSubscribes'] as const;
/** Faults that are on or off. */
const SWITCH_FAULTS = ['duplicateUserEvents', 'userChannelDown'] as const;

/**
 * The faults a POST /__replica/faults body (or --faults) sets, checked before any is applied: a
 * ReplicaHttpError (400) names an unknown key (`actions`, such as `disconnect`, are allowed as
 * true/false and left out of the answer) or a value of the wrong kind.
 */
export function faultsFrom(body: unknown, actions: readonly string[] = []): Partial<ReplicaFaults> {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) throw new ReplicaHttpError(400, 'faults must be a JSON object');
  const b = body as Record<string, unknown>;
  const known: readonly string[] = [...COUNT_FAULTS, ...SWITCH_FAULTS, ...actions];
  for (const k of Object.keys(b)) if (!known.includes(k)) throw new ReplicaHttpError(400, `unknown fault ${JSON.stringify(k)} (one of ${known.join(', ')})`);
  const out: Partial<ReplicaFaults> = {};
  for (const k of COUNT_FAULTS) {
    if (b[k] === undefined) continue;
    const v = b[k];
    if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0) throw new ReplicaHttpError(400, `${k} must be a whole number >= 0, got ${JSON.stringify(v)}`);
    out[k] = v;
  }
  for (const k of [...SWITCH_FAULTS, ...actions]) {
    if (b[k] !== undefined && typeof b[k] !== 'boolean') throw new ReplicaHttpError(400, `${k} must be true or false, got ${JSON.stringify(b[k])}`);
  }
  for (const k of SWITCH_FAULTS) if (b[k] !== undefined) out[k] = b[k] === true;
  return out;
}

export function noFaults(): ReplicaFaults { return { rejectOrders: 0, failTrades: 0, serverErrors: 0, duplicateUserEvents: false, userChannelDown: false, failRequests: 0, omitLevelRemovals: 0, silentSubscribes: 0 }; }

interface ROrder {
  readonly id: string;
  readonly account: Account;
  readonly m: ReplicaMarketDef;
  readonly tokenId: string;
  readonly outcome: 'Yes' | 'No';
  readonly side: 'BUY' | 'SELL';
  readonly price: string;
  readonly originalLots: number;
  matchedLots: number;
  status: 'LIVE' | 'MATCHED' | 'CANCELED';
  readonly orderType: string;
  readonly createdAt: number;
  readonly trades: string[];
  readonly signed: SignedOrderV2;
}

interface RTrade { rec: TradeRecord; account: Account; fail: boolean }

export interface ExchangeListener {
  userEvent?(apiKey: string, msg: object): void;
}

export interface LifecycleTiming { minedMs: number; confirmedMs: number }

export class ReplicaExchange implements VenueReports {
  readonly accounts = new Map<string, Account>();
  readonly orders = new Map<string, ROrder>();
  readonly trades = new Map<string, RTrade>();
  faults: ReplicaFaults = noFaults();
  listener: ExchangeListener = {};
  readonly counters = { ordersAccepted: 0, ordersRejected: 0, badSignatures: 0, tradesConfirmed: 0, tradesFailed: 0, heartbeatCancels: 0, requestsFailed: 0, levelRemovalsOmitted: 0 };
  private tradeSeq = 0;
  private readonly timers = new Set<NodeJS.Timeout>();
  private rejectedNow: string | null = null;
  private readonly qty = new DecimalGrid(POLYMARKET_LOT_SIZE);

  constructor(readonly universe: ReplicaUniverse, readonly chainId: number, readonly contracts: ExchangeContracts, readonly seed: number, readonly timing: LifecycleTiming) {
    universe.paper.connect(this);
  }

  // ---- accounts -----------------------------------------------------------------------
  /** The API credentials of a wallet (the same for every derive; nonce picks another set). */
  credentialsFor(address: string, nonce: string): Account {
    const a = address.toLowerCase();
    const h = createHash('sha256').update(`${this.seed}:${a}:${nonce}`).digest('hex');
    const apiKey = `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
    let acc = this.accounts.get(apiKey);
    if (acc === undefined) {
      const secret = createHmac('sha256', `secret:${this.seed}`).update(apiKey).digest('base64').replace(/\+/g, '-').replace(/\//g, '_');
      const passphrase = createHash('sha256').update(`pass:${this.seed}:${apiKey}`).digest('hex').slice(0, 32);
      acc = { address, apiKey, secret, passphrase, heartbeatMs: 0, heartbeatId: '' };
      this.accounts.set(apiKey, acc);
    }
    return acc;
  }

  // ---- orders -------------------------------------------------------------------------
  /** Validates and places a signed order; throws ReplicaHttpError with Polymarket's error text. */
  async place(acc: Account, body: unknown): Promise<object> {
    const b = body as { order?: SignedOrderV2; owner?: string; orderType?: string; postOnly?: boolean };
    const o = b?.order;
    if (o === undefined || o === null || typeof o !== 'object') throw new ReplicaHttpError(400, 'Invalid order payload');
    if (b.owner !== acc.apiKey) throw new ReplicaHttpError(400, 'the order owner has to be the owner of the API KEY');
    const orderType = b.orderType ?? 'GTC';
    if (!['GTC', 'GTD', 'FOK', 'FAK'].includes(orderType)) throw new ReplicaHttpError(400, `invalid order type ${orderType}`);
    if (b.postOnly === true && (orderType === 'FOK' || orderType === 'FAK')) throw new ReplicaHttpError(400, 'invalid post-only order: only GTC and GTD orders can be post-only');
    const e = this.universe.byToken.get(String(o.tokenId));
    if (e === undefined) throw new ReplicaHttpError(400, 'market not found');
    const m = e.m;
    if (m.closed) throw new ReplicaHttpError(400, 'market is closed');
    if (o.side !== 'BUY' && o.side !== 'SELL') throw new ReplicaHttpError(400, 'invalid side');
    if (String(o.signer).toLowerCase() !== acc.address.toLowerCase()) throw new ReplicaHttpError(400, 'the order signer address has to be the address of the API KEY');
    let makerAmount: bigint, takerAmount: bigint;
    try { makerAmount = BigInt(o.makerAmount); takerAmount = BigInt(o.takerAmount); } catch { throw new ReplicaHttpError(400, 'invalid amounts'); }
    const verifying = exchangeFor(this.contracts, m.negRisk);
    const signer = await recoverOrderSigner(o, this.chainId, verifying);
    if (signer === null || signer.toLowerCase() !== String(o.signer).toLowerCase()) {
      this.counters.badSignatures++;
      throw new ReplicaHttpError(400, 'invalid signature');
    }
    const ps = priceAndSize(o.side, makerAmount, takerAmount, m.tickSize);
    if (ps === null) throw new ReplicaHttpError(400, `order price or size is not on the market's grid (tick size ${m.tickSize}, size step ${POLYMARKET_LOT_SIZE})`);
    if (ps.qtyLot < this.qty.toUnits(m.minOrderSize)) throw new ReplicaHttpError(400, `Size (${this.qty.format(ps.qtyLot)}) lower than the minimum: ${m.minOrderSize}`);
    const id = orderHash(o, this.chainId, verifying);
    if (this.orders.has(id)) throw new ReplicaHttpError(400, 'order already exists');
    if (this.faults.rejectOrders > 0) { this.faults.rejectOrders--; this.counters.ordersRejected++; throw new ReplicaHttpError(400, 'order rejected (replica fault)'); }
    const g = this.universe.grid(m);
    const price = g.format(ps.priceTick);
    if (b.postOnly === true) {
      const best = this.universe.best(e.t.tokenId);
      const crosses = o.side === 'BUY' ? best.ask <= ps.priceTick : best.bid >= ps.priceTick;
      if (crosses) { this.counters.ordersRejected++; throw new ReplicaHttpError(400, 'invalid post-only order: order crosses book'); }
    }
    const r: ROrder = {
      id, account: acc, m, tokenId: e.t.tokenId, outcome: e.t.outcome, side: o.side, price, originalLots: ps.qtyLot, matchedLots: 0,
      status: 'LIVE', orderType, createdAt: Math.floor(Date.now() / 1000), trades: [], signed: o,
    };
    this.orders.set(id, r);
    this.rejectedNow = null;
    this.universe.paper.submit({
      orderId: id, clientOrderId: id.slice(2, 34), strategyId: acc.apiKey, symbol: e.t.tokenId, side: o.side, type: 'LIMIT',
      timeInForce: b.postOnly === true ? 'POST_ONLY' : orderType === 'FAK' || orderType === 'FOK' ? 'IOC' : 'GTC', priceTick: ps.priceTick, qtyLot: ps.qtyLot,
    });
    if (this.rejectedNow !== null) {
      const why = this.rejectedNow;
      this.orders.delete(id);
      this.counters.ordersRejected++;
      throw new ReplicaHttpError(400, why);
    }
    this.counters.ordersAccepted++;
    const res = {
      success: true, errorMsg: '', orderID: id, status: r.status === 'MATCHED' ? 'matched' : r.status === 'CANCELED' ? 'unmatched' : 'live',
      takingAmount: '', makingAmount: '', tradeIDs: [...r.trades], transactionsHashes: [] as string[],
    };
    if (this.faults.serverErrors > 0) { this.faults.serverErrors--; throw new ReplicaHttpError(500, 'Internal server error'); }
    return res;
  }

  cancel(acc: Account, ids: readonly string[]): { canceled: string[]; not_canceled: Record<string, string> } {
    const canceled: string[] = [];
    const not: Record<string, string> = {};
    for (const id of ids) {
      const o = this.orders.get(id);
      if (o === undefined || o.account !== acc) { not[id] = "order can't be found"; continue; }
      if (o.status !== 'LIVE') { not[id] = o.status === 'MATCHED' ? 'order is already matched' : 'order is already canceled'; continue; }
      this.universe.paper.cancel(id);
      if (o.status === 'LIVE') this.closeOrder(o); // the paper exchange had no more to cancel
      canceled.push(id);
    }
    return { canceled, not_canceled: not };
  }

  cancelAll(acc: Account): { canceled: string[]; not_canceled: Record<string, string> } {
    return this.cancel(acc, [...this.orders.values()].filter((o) => o.account === acc && o.status === 'LIVE').map((o) => o.id));
  }

  /** Every LIVE order of a market is cancelled (resolution). */
  cancelMarket(m: ReplicaMarketDef): void {
    for (const o of this.orders.values()) if (o.m === m && o.status === 'LIVE') { this.universe.paper.cancel(o.id); if (o.status === 'LIVE') this.closeOrder(o); }
  }

  private closeOrder(o: ROrder): void {
    o.status = 'CANCELED';
    this.userOrder(o, 'CANCELLATION');
  }

  openOrder(o: ROrder): OpenOrder {
    return {
      id: o.id, status: o.status, owner: o.account.apiKey, maker_address: o.account.address, market: o.m.conditionId, asset_id: o.tokenId, side: o.side,
      original_size: this.qty.format(o.originalLots), size_matched: this.qty.format(o.matchedLots), price: o.price, associate_trades: [...o.trades],
      outcome: o.outcome, created_at: o.createdAt, expiration: '0', order_type: o.orderType,
    };
  }

  private userOrder(o: ROrder, type: 'PLACEMENT' | 'UPDATE' | 'CANCELLATION'): void {
    this.emit(o.account, {
      event_type: 'order', type, id: o.id, owner: o.account.apiKey, market: o.m.conditionId, asset_id: o.tokenId, side: o.side, price: o.price,
      original_size: this.qty.format(o.originalLots), size_matched: this.qty.format(o.matchedLots), outcome: o.outcome,
      associate_trades: [...o.trades], timestamp: String(Date.now()),
    });
  }

  private emit(acc: Account, msg: object): void {
    this.listener.userEvent?.(acc.apiKey, msg);
    if (this.faults.duplicateUserEvents) this.listener.userEvent?.(acc.apiKey, msg);
  }

  // ---- VenueReports (from the paper exchange) -----------------------------------------
  onAccepted(orderId: string): void {
    const o = this.orders.get(orderId);
    if (o !== undefined) this.userOrder(o, 'PLACEMENT');
  }
  onRejected(_orderId: string, reason: string): void { this.rejectedNow = reason; }
  onCancelled(orderId: string): void {
    const o = this.orders.get(orderId);
    if (o !== undefined && o.status === 'LIVE') this.closeOrder(o);
  }
  onCancelRejected(): void { /* handled by cancel() */ }

  onFill(orderId: string, _paperTradeId: string, priceTick: number, qtyLot: number, _fee: string, liquidity: Liquidity): void {
    const o = this.orders.get(orderId);
    if (o === undefined) return;
    o.matchedLots += qtyLot;
    if (o.matchedLots >= o.originalLots) o.status = 'MATCHED';
    const g = this.universe.grid(o.m);
    const price = g.format(priceTick);
    const size = this.qty.format(qtyLot);
    const n = ++this.tradeSeq;
    const h = createHash('sha256').update(`trade:${this.seed}:${n}`).digest('hex');
    const id = `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
    const other = `0x${createHash('sha256').update(`counterparty:${this.seed}:${n}`).digest('hex')}`;
    const now = Math.floor(Date.now() / 1000).toString();
    const makerLeg = (orderId2: string, owner: string, addr: string, side: string): MakerOrder => ({
      order_id: orderId2, owner, maker_address: addr, matched_amount: size, price, asset_id: o.tokenId, outcome: o.outcome, side, fee_rate_bps: '0',
    });
    const opposite = o.side === 'BUY' ? 'SELL' : 'BUY';
    const rec: TradeRecord = liquidity === 'MAKER'
      ? {
        id, taker_order_id: other, market: o.m.conditionId, asset_id: o.tokenId, side: opposite, size, fee_rate_bps: '0', price, status: 'MATCHED',
        match_time: now, last_update: now, outcome: o.outcome, owner: o.account.apiKey, maker_address: o.account.address,
        maker_orders: [makerLeg(o.id, o.account.apiKey, o.account.address, o.side)], trader_side: 'MAKER',
      }
      : {
        id, taker_order_id: o.id, market: o.m.conditionId, asset_id: o.tokenId, side: o.side, size, fee_rate_bps: String(Math.round(Number(o.m.fees.rate) * 10_000)), price, status: 'MATCHED',
        match_time: now, last_update: now, outcome: o.outcome, owner: o.account.apiKey, maker_address: o.account.address,
        maker_orders: [makerLeg(other, 'replica-market', '0x0000000000000000000000000000000000000001', opposite)], trader_side: 'TAKER',
      };
    const fail = this.faults.failTrades > 0;
    if (fail) this.faults.failTrades--;
    this.trades.set(id, { rec, account: o.account, fail });
    o.trades.push(id);
    this.userTrade(id);
    this.userOrder(o, 'UPDATE');
    // chained, so a trade's statuses always come in order
    this.later(this.timing.minedMs, () => {
      this.advance(id, fail ? 'RETRYING' : 'MINED');
      this.later(Math.max(0, this.timing.confirmedMs - this.timing.minedMs), () => this.advance(id, fail ? 'FAILED' : 'CONFIRMED'));
    });
  }

  private later(ms: number, f: () => void): void {
    const t = setTimeout(() => { this.timers.delete(t); f(); }, ms);
    this.timers.add(t);
  }

  private advance(id: string, status: TradeStatus): void {
    const t = this.trades.get(id);
    if (t === undefined) return;
    const now = Math.floor(Date.now() / 1000).toString();
    t.rec = {
      ...t.rec, status, last_update: now,
      ...(status === 'MINED' || status === 'CONFIRMED' ? { transaction_hash: `0x${createHash('sha256').update(`tx:${id}`).digest('hex')}` } : {}),
    };
    if (status === 'CONFIRMED') this.counters.tradesConfirmed++;
    if (status === 'FAILED') this.counters.tradesFailed++;
    this.userTrade(id);
  }

  private userTrade(id: string): void {
    const t = this.trades.get(id)!;
    const r = t.rec;
    this.emit(t.account, {
      event_type: 'trade', type: 'TRADE', id: r.id, asset_id: r.asset_id, market: r.market, status: r.status, side: r.side, price: r.price, size: r.size,
      taker_order_id: r.taker_order_id, maker_orders: r.maker_orders, owner: r.owner, trade_owner: r.owner, outcome: r.outcome,
      matchtime: r.match_time, last_update: r.last_update, timestamp: String(Date.now()), trader_side: r.trader_side,
    });
  }

  // ---- heartbeat ----------------------------------------------------------------------
  heartbeat(acc: Account, id: string): string {
    if (acc.heartbeatId === '' || id === '' || id !== acc.heartbeatId) acc.heartbeatId = createHash('sha256').update(`hb:${acc.apiKey}:${Date.now()}:${Math.random()}`).digest('hex').slice(0, 32);
    acc.heartbeatMs = Date.now();
    return acc.heartbeatId;
  }

  /** Cancels the orders of every account whose heartbeats stopped for longer than timeoutMs. */
  checkHeartbeats(timeoutMs: number): void {
    const now = Date.now();
    for (const acc of this.accounts.values()) {
      if (acc.heartbeatMs === 0 || now - acc.heartbeatMs <= timeoutMs) continue;
      acc.heartbeatMs = 0;
      acc.heartbeatId = '';
      const n = this.cancelAll(acc).canceled.length;
      this.counters.heartbeatCancels += n;
    }
  }

  close(): void { for (const t of this.timers) clearTimeout(t); this.timers.clear(); }

  /** Sizes of a trade as 6-decimal integers (tests compare exact numbers). */
  static micro(size: string): bigint { return toMicro(BigInt(new DecimalGrid(POLYMARKET_LOT_SIZE).toUnits(size)), POLYMARKET_LOT_SIZE); }
  static format(v: bigint): string { return formatMicro(v); }
}
