// An order as the order manager tracks it: the intent, its status, what was filled.
//
//   PENDING_NEW ──accepted──> ACTIVE ──fill──> PARTIALLY_FILLED ──fill──> FILLED
//        │                      │                    │
//        │ rejected             └──── cancel sent ───┴──> PENDING_CANCEL ──> CANCELLED
//        v                                                   (fills may still come; the last one -> FILLED)
//     REJECTED
//
// PENDING_NEW can also go to PENDING_CANCEL (cancelled before the venue answered)
// and straight to a fill (a venue that reports the fill before the acceptance).
// A cancel the venue refuses puts the order back where it was. FILLED, CANCELLED and
// REJECTED are final.
import type { Instrument } from '../orderbook/instrument.js';
import type { OrderIntent, OrderRecord, OrderStatus } from '../trading/types.js';

export function isClosedStatus(s: OrderStatus): boolean {
  return s === 'FILLED' || s === 'CANCELLED' || s === 'REJECTED';
}

function toNs(x: number): bigint {
  return Number.isFinite(x) && x > 0 ? BigInt(Math.trunc(x)) : 0n;
}

/** The journal's record of an order; null when the intent cannot be expressed in decimals. */
export function orderRecordOf(orderId: string, i: OrderIntent, instrument: Instrument, tsInitNs: bigint): OrderRecord | null {
  const priceOk = i.type === 'MARKET' || Number.isSafeInteger(i.priceTick);
  if (!priceOk || !Number.isSafeInteger(i.qtyLot)) return null;
  return {
    orderId, clientOrderId: i.clientOrderId, strategyId: i.strategyId, symbol: i.symbol, side: i.side, type: i.type,
    timeInForce: i.timeInForce, price: i.type === 'MARKET' ? null : instrument.price.format(i.priceTick),
    qty: instrument.qty.format(i.qtyLot), tsInitNs,
  };
}

export class ManagedOrder {
  readonly orderId: string;
  /** What was asked, in units of the symbol's current grid (regrid() converts it when the venue changes the grid). */
  get intent(): OrderIntent { return this.asked; }
  private asked: OrderIntent;
  /** The record, once built (undefined: not yet; see `record`). */
  private rec: OrderRecord | null | undefined;
  /** The instrument the record is built on when first read (its tsInitNs is createdTsNs). */
  private readonly recInstrument: Instrument | null;
  status: OrderStatus = 'PENDING_NEW';
  filledLot = 0;
  /** Why it was rejected or cancelled, or why the last cancel was refused. */
  reason: string | null = null;
  /** The venue accepted it (it is or was live there). */
  accepted = false;
  /** When it was created and last changed, exchange-time ns. */
  readonly createdTsNs: number;
  updatedTsNs: number;
  /** Fills applied to it. */
  fills = 0;

  /**
   * `record` undefined: the record is built from the intent and `recordInstrument` when
   * first read, with tsInitNs = tsNs (the intent is not changed after submit).
   */
  constructor(orderId: string, intent: OrderIntent, record: OrderRecord | null | undefined, tsNs: number, recordInstrument: Instrument | null = null) {
    this.orderId = orderId;
    this.asked = intent;
    this.rec = record === undefined && recordInstrument === null ? null : record;
    this.recInstrument = recordInstrument;
    this.createdTsNs = tsNs;
    this.updatedTsNs = tsNs;
  }

  /** The journal's record of the order; null when the intent could not be expressed in decimals (it was rejected). */
  get record(): OrderRecord | null {
    let r = this.rec;
    if (r === undefined) {
      r = orderRecordOf(this.orderId, this.intent, this.recInstrument!, toNs(this.createdTsNs));
      this.rec = r;
    }
    return r;
  }

  /**
   * The venue changed the symbol's grid while this order is open: its intent and filled
   * quantity in the new units. The record keeps the decimals it was sent with (built first).
   */
  regrid(intent: OrderIntent, filledLot: number): void {
    void this.record;
    this.asked = intent;
    this.filledLot = filledLot;
  }

  get clientOrderId(): string { return this.asked.clientOrderId; }
  get isOpen(): boolean { return !isClosedStatus(this.status); }
  /** Quantity still working at the venue (0 once closed). */
  get leavesLot(): number { return this.isOpen ? Math.max(0, this.asked.qtyLot - this.filledLot) : 0; }
  /** The status it returns to when a cancel is refused. */
  get workingStatus(): OrderStatus {
    if (this.filledLot > 0) return 'PARTIALLY_FILLED';
    return this.accepted ? 'ACTIVE' : 'PENDING_NEW';
  }
}
