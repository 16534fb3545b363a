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
import type { OrderIntent, OrderRecord, OrderStatus } from '../trading/types.js';

export function isClosedStatus(s: OrderStatus): boolean {
  return s === 'FILLED' || s === 'CANCELLED' || s === 'REJECTED';
}

export class ManagedOrder {
  readonly orderId: string;
  readonly intent: OrderIntent;
  /** The journal's record of the order; null when the intent could not be expressed in decimals (it was rejected). */
  readonly record: OrderRecord | null;
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

  constructor(orderId: string, intent: OrderIntent, record: OrderRecord | null, tsNs: number) {
    this.orderId = orderId;
    this.intent = intent;
    this.record = record;
    this.createdTsNs = tsNs;
    this.updatedTsNs = tsNs;
  }

  get clientOrderId(): string { return this.intent.clientOrderId; }
  get isOpen(): boolean { return !isClosedStatus(this.status); }
  /** Quantity still working at the venue (0 once closed). */
  get leavesLot(): number { return this.isOpen ? Math.max(0, this.intent.qtyLot - this.filledLot) : 0; }
  /** The status it returns to when a cancel is refused. */
  get workingStatus(): OrderStatus {
    if (this.filledLot > 0) return 'PARTIALLY_FILLED';
    return this.accepted ? 'ACTIVE' : 'PENDING_NEW';
  }
}
