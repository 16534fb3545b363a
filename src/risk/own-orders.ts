// Our open orders as the gate counts them: every order the gate allowed, until the
// order manager reports it filled, cancelled or rejected. Fixed-capacity typed
// arrays with a free list, a doubly linked list per symbol, and a fixed-memory hash
// table from client order id to row (nothing allocates as orders come and go).
// Each change keeps the aggregates the checks read current:
//   slot:   pending buy / sell lots, open order count, oldest quote not being cancelled
//   symbol: our lowest open sell and highest open buy price (for the self-cross check)
// An order still counts (as exposure and for self-cross) after its cancel was
// requested: it can fill until the venue confirms the cancel.
import type { SlotRisk, SymbolRisk } from './risk-state.js';
import type { GridChange } from '../execution/grid-change.js';
import { OrderIdTable } from './order-id-table.js';

export const SIDE_BUY = 0;
export const SIDE_SELL = 1;

export class OwnOrders {
  readonly capacity: number;
  private readonly byId: OrderIdTable;
  private readonly ids: (string | undefined)[];
  private readonly slots: (SlotRisk | undefined)[];
  readonly side: Uint8Array;
  /** Limit price in ticks; +Infinity for a MARKET buy, -Infinity for a MARKET sell. */
  readonly priceTick: Float64Array;
  readonly remainingLot: Float64Array;
  readonly placedNs: Float64Array;
  readonly cancelRequested: Uint8Array;
  private readonly next: Int32Array;
  private readonly prev: Int32Array;
  private freeHead: number;
  private used = 0;

  constructor(capacity: number) {
    this.capacity = capacity;
    this.byId = new OrderIdTable(capacity);
    this.ids = new Array<string | undefined>(capacity).fill(undefined);
    this.slots = new Array<SlotRisk | undefined>(capacity).fill(undefined);
    this.side = new Uint8Array(capacity);
    this.priceTick = new Float64Array(capacity);
    this.remainingLot = new Float64Array(capacity);
    this.placedNs = new Float64Array(capacity);
    this.cancelRequested = new Uint8Array(capacity);
    this.next = new Int32Array(capacity);
    this.prev = new Int32Array(capacity);
    for (let i = 0; i < capacity; i++) this.next[i] = i + 1 < capacity ? i + 1 : -1;
    this.freeHead = capacity > 0 ? 0 : -1;
  }

  get size(): number { return this.used; }
  get full(): boolean { return this.freeHead < 0; }
  has(clientOrderId: string): boolean { return this.byId.get(clientOrderId) >= 0; }
  /** Row of an open order, -1 when unknown. */
  find(clientOrderId: string): number { return typeof clientOrderId === 'string' ? this.byId.get(clientOrderId) : -1; }
  slotOf(row: number): SlotRisk | undefined { return this.slots[row]; }
  idOf(row: number): string | undefined { return this.ids[row]; }

  /** Records an allowed order; returns its row, -1 when the table is full. */
  add(clientOrderId: string, slot: SlotRisk, side: number, priceTick: number, qtyLot: number, nowNs: number): number {
    const row = this.freeHead;
    if (row < 0) return -1;
    this.freeHead = this.next[row]!;
    this.used++;
    this.byId.add(clientOrderId, row);
    this.ids[row] = clientOrderId;
    this.slots[row] = slot;
    this.side[row] = side;
    this.priceTick[row] = priceTick;
    this.remainingLot[row] = qtyLot;
    this.placedNs[row] = nowNs;
    this.cancelRequested[row] = 0;
    const sym = slot.symbol;
    this.prev[row] = -1;
    this.next[row] = sym.head;
    if (sym.head >= 0) this.prev[sym.head] = row;
    sym.head = row;
    if (side === SIDE_BUY) {
      slot.pendingBuyLot += qtyLot;
      if (priceTick > sym.maxBidTick) sym.maxBidTick = priceTick;
    } else {
      slot.pendingSellLot += qtyLot;
      if (priceTick < sym.minAskTick) sym.minAskTick = priceTick;
    }
    slot.openOrders++;
    if (nowNs < slot.oldestQuoteNs) slot.oldestQuoteNs = nowNs;
    return row;
  }

  /** A fill of up to the order's remaining quantity; returns the lots taken off (the order closes at zero). */
  fill(row: number, qtyLot: number): number {
    const slot = this.slots[row];
    if (slot === undefined) return 0;
    const rem = this.remainingLot[row]!;
    const q = qtyLot < rem ? qtyLot : rem;
    if (q >= rem) { this.remove(row); return rem; }
    this.remainingLot[row] = rem - q;
    if (this.side[row] === SIDE_BUY) slot.pendingBuyLot -= q;
    else slot.pendingSellLot -= q;
    return q;
  }

  /** The order manager sent a cancel: still exposure, no longer a quote whose age matters. */
  requestCancel(row: number): void {
    const slot = this.slots[row];
    if (slot === undefined || this.cancelRequested[row] === 1) return;
    this.cancelRequested[row] = 1;
    if (this.placedNs[row] === slot.oldestQuoteNs) this.rescanOldest(slot);
  }

  /** The order is gone (filled in full, cancelled, rejected): its remaining quantity stops counting. */
  remove(row: number): void {
    const slot = this.slots[row];
    if (slot === undefined) return;
    const sym = slot.symbol;
    const p = this.prev[row]!;
    const n = this.next[row]!;
    if (p >= 0) this.next[p] = n; else sym.head = n;
    if (n >= 0) this.prev[n] = p;
    const id = this.ids[row];
    if (id !== undefined) this.byId.delete(id);
    this.ids[row] = undefined;
    this.slots[row] = undefined;
    const rem = this.remainingLot[row]!;
    const price = this.priceTick[row]!;
    if (this.side[row] === SIDE_BUY) {
      slot.pendingBuyLot -= rem;
      if (price >= sym.maxBidTick) this.rescanSymbol(sym);
    } else {
      slot.pendingSellLot -= rem;
      if (price <= sym.minAskTick) this.rescanSymbol(sym);
    }
    slot.openOrders--;
    if (slot.openOrders === 0) {
      // exact zero: no rounding residue survives the last order
      slot.pendingBuyLot = 0;
      slot.pendingSellLot = 0;
      slot.oldestQuoteNs = Infinity;
      slot.refMidTick = NaN;
    } else if (this.cancelRequested[row] === 0 && this.placedNs[row] === slot.oldestQuoteNs) {
      this.rescanOldest(slot);
    }
    this.remainingLot[row] = 0;
    this.next[row] = this.freeHead;
    this.freeHead = row;
    this.used--;
  }

  /**
   * The venue changed the symbol's grid: every open order on it in the new units (prices to
   * the nearest tick, remaining quantities up to whole lots), the slots' pending lots and the
   * symbol's best own prices counted again, the slots' reference mids and traded-volume
   * history converted. Off the quoting path.
   */
  regridSymbol(sym: SymbolRisk, change: GridChange): void {
    for (let r = sym.head; r >= 0; r = this.next[r]!) {
      const slot = this.slots[r]!;
      const rem = this.remainingLot[r]!;
      const now = change.lotUp(rem);
      this.remainingLot[r] = now;
      this.priceTick[r] = change.tick(this.priceTick[r]!);
      if (this.side[r] === SIDE_BUY) slot.pendingBuyLot += now - rem;
      else slot.pendingSellLot += now - rem;
    }
    for (const slot of sym.slots) {
      slot.refMidTick *= change.tickScale;
      // the volume-spike history in the new lots: a finer lot is not a spike of 10× the volume
      slot.volume.scale(change.lotScale);
    }
    this.rescanSymbol(sym);
  }

  /** Calls fn(row) for every open order of a slot (off the quoting path). */
  forEachOfSlot(slot: SlotRisk, fn: (row: number) => void): void {
    for (let r = slot.symbol.head; r >= 0;) {
      const n = this.next[r]!;
      if (this.slots[r] === slot) fn(r);
      r = n;
    }
  }

  private rescanSymbol(sym: SymbolRisk): void {
    let minAsk = Infinity;
    let maxBid = -Infinity;
    for (let r = sym.head; r >= 0; r = this.next[r]!) {
      const p = this.priceTick[r]!;
      if (this.side[r] === SIDE_BUY) { if (p > maxBid) maxBid = p; } else if (p < minAsk) minAsk = p;
    }
    sym.minAskTick = minAsk;
    sym.maxBidTick = maxBid;
  }

  private rescanOldest(slot: SlotRisk): void {
    let oldest = Infinity;
    for (let r = slot.symbol.head; r >= 0; r = this.next[r]!) {
      if (this.slots[r] === slot && this.cancelRequested[r] === 0 && this.placedNs[r]! < oldest) oldest = this.placedNs[r]!;
    }
    slot.oldestQuoteNs = oldest;
  }
}
