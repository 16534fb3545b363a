// One fill as the ledger recorded it: the fill's own fields plus the position
// after it and, when it closed quantity, what that closed quantity earned.
import type { Liquidity, OrderSide } from '../trading/types.js';
import { Decimal } from './decimal.js';

export interface TradeEntry {
  readonly tradeId: string;
  readonly orderId: string;
  readonly side: OrderSide;
  /** Decimal strings exactly as the fill carried them. */
  readonly price: string;
  readonly qty: string;
  readonly fee: string;
  readonly liquidity: Liquidity;
  readonly tsEventNs: bigint;
  /** Signed position after this fill. */
  readonly positionAfter: Decimal;
  /**
   * When the fill closed quantity: that quantity's price P&L against the average
   * entry minus the fees of both of its legs (this fill's share and the entry
   * fills' share). Null for a fill that only opened.
   */
  readonly roundTripProfit: Decimal | null;
  /** The same before fees (price P&L only); null for a fill that only opened. */
  readonly roundTripGross: Decimal | null;
  /** The round trip this fill closed (position back to or through zero): its whole profit; else null. */
  readonly closedRoundTripProfit: Decimal | null;
}

export interface TradeEntryJson {
  tradeId: string; orderId: string; side: OrderSide; price: string; qty: string; fee: string; liquidity: Liquidity;
  tsEventNs: string; positionAfter: string; roundTripProfit: string | null; roundTripGross: string | null; closedRoundTripProfit: string | null;
}

const dOrNull = (s: string | null): Decimal | null => (s === null ? null : new Decimal(s));
const sOrNull = (d: Decimal | null): string | null => (d === null ? null : d.toString());

export function encodeTradeEntry(t: TradeEntry): TradeEntryJson {
  return {
    tradeId: t.tradeId, orderId: t.orderId, side: t.side, price: t.price, qty: t.qty, fee: t.fee, liquidity: t.liquidity,
    tsEventNs: t.tsEventNs.toString(), positionAfter: t.positionAfter.toString(),
    roundTripProfit: sOrNull(t.roundTripProfit), roundTripGross: sOrNull(t.roundTripGross), closedRoundTripProfit: sOrNull(t.closedRoundTripProfit),
  };
}

export function decodeTradeEntry(j: TradeEntryJson): TradeEntry {
  return {
    tradeId: j.tradeId, orderId: j.orderId, side: j.side, price: j.price, qty: j.qty, fee: j.fee, liquidity: j.liquidity,
    tsEventNs: BigInt(j.tsEventNs), positionAfter: new Decimal(j.positionAfter),
    roundTripProfit: dOrNull(j.roundTripProfit), roundTripGross: dOrNull(j.roundTripGross), closedRoundTripProfit: dOrNull(j.closedRoundTripProfit),
  };
}
