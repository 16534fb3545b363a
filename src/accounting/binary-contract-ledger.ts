// Binary (YES/NO) contracts, seed 004. A YES contract pays 1 if the event
// resolves YES and 0 otherwise; a NO contract pays the reverse, so one YES plus
// one NO always pays exactly 1.
//
// Two books are kept side by side:
//  - the net book: every fill mapped to YES terms (buying NO at q is selling YES
//    at 1 − q; selling NO at q is buying YES at 1 − q) in a SymbolLedger, which
//    gives position, P&L, fees, round trips and every metric. The mapping is
//    exact for P&L: NO's payoff is 1 − YES's, so at resolution both books pay the
//    same. Marks are YES mids.
//  - the per-side inventory: YES and NO contracts held, each at its own average
//    price (seed 004's "YES: 25 @ $0.650, NO: 15 @ $0.380, Net: +10"). Selling a
//    side reduces what is held of it; selling more than is held buys the excess
//    of the other side at 1 − price (an exchange that nets YES and NO does the
//    same). Fees are not in the per-side inventory (they are in the net book).
// Resolution pays the per-side holdings and settles the net book at 1 (YES) or
// 0 (NO); after it the ledger takes no more fills.
import { SpreadcoreError } from '../errors.js';
import type { FillRecord } from '../trading/types.js';
import { Decimal, ONE, ZERO, parseDecimal, share } from './decimal.js';
import type { LedgerConfig } from './ledger-config.js';
import type { MarkEvent } from './ledger-events.js';
import { type LedgerSnapshot, SymbolLedger } from './symbol-ledger.js';
import type { TradeEntry } from './trade-entry.js';

export type BinaryOutcome = 'YES' | 'NO';

export interface SideInventory {
  /** Contracts held (never negative). */
  qty: Decimal;
  /** What the held contracts cost (Σ qty × price, average-cost on reductions). */
  cost: Decimal;
  /** Price P&L realized by selling or by resolution. */
  realized: Decimal;
}

export interface BinaryLedgerSnapshot {
  version: 1;
  net: LedgerSnapshot;
  yes: { qty: string; cost: string; realized: string };
  no: { qty: string; cost: string; realized: string };
  resolved: BinaryOutcome | null;
}

function bad(message: string): SpreadcoreError {
  return new SpreadcoreError('SPREADCORE_ERR_BAD_INPUT', message);
}

const emptySide = (): SideInventory => ({ qty: ZERO, cost: ZERO, realized: ZERO });

function buySide(s: SideInventory, qty: Decimal, price: Decimal): void {
  s.qty = s.qty.plus(qty);
  s.cost = s.cost.plus(qty.times(price));
}

/** Sells up to `qty` of what `s` holds at `price`; returns the quantity it could not cover. */
function sellSide(s: SideInventory, qty: Decimal, price: Decimal): Decimal {
  if (s.qty.isZero()) return qty;
  const sold = qty.lte(s.qty) ? qty : s.qty;
  const whole = sold.eq(s.qty);
  const costPart = whole ? s.cost : share(s.cost, sold, s.qty);
  s.realized = s.realized.plus(sold.times(price)).minus(costPart);
  s.qty = whole ? ZERO : s.qty.minus(sold);
  s.cost = whole ? ZERO : s.cost.minus(costPart);
  return qty.minus(sold);
}

export class BinaryContractLedger {
  private netLedger: SymbolLedger;
  private readonly sides: Record<BinaryOutcome, SideInventory> = { YES: emptySide(), NO: emptySide() };
  private resolvedAs: BinaryOutcome | null = null;

  constructor(config: LedgerConfig) {
    this.netLedger = new SymbolLedger(config);
  }

  /** The net book in YES terms (position = YES held − NO held). */
  get net(): SymbolLedger {
    return this.netLedger;
  }

  get yes(): Readonly<SideInventory> {
    return this.sides.YES;
  }

  get no(): Readonly<SideInventory> {
    return this.sides.NO;
  }

  get resolved(): BinaryOutcome | null {
    return this.resolvedAs;
  }

  /** A fill of `outcome` contracts (price in [0, 1]); returns the net book's entry (in YES terms). */
  applyFill(outcome: BinaryOutcome, fill: FillRecord): TradeEntry {
    if (this.resolvedAs !== null) throw bad(`fill ${fill.tradeId} after the market resolved ${this.resolvedAs}`);
    if (outcome !== 'YES' && outcome !== 'NO') throw bad(`outcome must be YES or NO, got ${JSON.stringify(outcome)}`);
    const price = parseDecimal(fill.price, 'fill price');
    const qty = parseDecimal(fill.qty, 'fill qty');
    if (price.lt(0) || price.gt(1)) throw bad(`fill ${fill.tradeId}: a binary contract's price must be within [0, 1], got ${fill.price}`);
    const yesFill: FillRecord = outcome === 'YES'
      ? fill
      : { ...fill, side: fill.side === 'BUY' ? 'SELL' : 'BUY', price: ONE.minus(price).toString() };
    const entry = this.netLedger.applyFill(yesFill); // validates the rest first: nothing below runs on a bad fill
    const other: BinaryOutcome = outcome === 'YES' ? 'NO' : 'YES';
    if (fill.side === 'BUY') {
      buySide(this.sides[outcome], qty, price);
    } else {
      const excess = sellSide(this.sides[outcome], qty, price);
      if (!excess.isZero()) buySide(this.sides[other], excess, ONE.minus(price));
    }
    return entry;
  }

  /** A YES mid. */
  applyMark(mark: MarkEvent): void {
    this.netLedger.applyMark(mark);
  }

  /**
   * Resolution: YES contracts pay 1 and NO 0 when `outcome` is YES, the reverse
   * for NO. Realizes everything held; returns the net book's price P&L realized.
   */
  resolve(outcome: BinaryOutcome, tsNs: bigint): Decimal {
    if (this.resolvedAs !== null) throw bad(`the market already resolved ${this.resolvedAs}`);
    if (outcome !== 'YES' && outcome !== 'NO') throw bad(`outcome must be YES or NO, got ${JSON.stringify(outcome)}`);
    const realized = this.netLedger.settle(outcome === 'YES' ? '1' : '0', tsNs);
    for (const side of ['YES', 'NO'] as const) {
      const s = this.sides[side];
      const payout = side === outcome ? s.qty : ZERO;
      s.realized = s.realized.plus(payout).minus(s.cost);
      s.qty = ZERO;
      s.cost = ZERO;
    }
    this.resolvedAs = outcome;
    return realized;
  }

  /** Average price of the contracts held on a side; null when none are held. */
  averagePrice(side: BinaryOutcome): Decimal | null {
    const s = this.sides[side];
    return s.qty.isZero() ? null : s.cost.div(s.qty);
  }

  /** YES + NO pairs held: each pays exactly 1 at resolution. */
  get lockedPairs(): Decimal {
    return Decimal.min(this.sides.YES.qty, this.sides.NO.qty);
  }

  /** What the held pairs will pay beyond their cost at average prices: pairs × (1 − avg YES − avg NO), before fees. */
  get lockedPairProfit(): Decimal {
    const pairs = this.lockedPairs;
    if (pairs.isZero()) return ZERO;
    return pairs.times(ONE.minus(this.averagePrice('YES') ?? ZERO).minus(this.averagePrice('NO') ?? ZERO));
  }

  /**
   * Price P&L of the per-side inventory at YES price `yesMark` (NO marked at
   * 1 − yesMark), realized included, before fees. Equals the net book's realized
   * price P&L + unrealized at the same mark.
   */
  sidePnlAt(yesMark: Decimal): Decimal {
    const y = this.sides.YES;
    const n = this.sides.NO;
    return y.realized.plus(n.realized)
      .plus(y.qty.times(yesMark)).minus(y.cost)
      .plus(n.qty.times(ONE.minus(yesMark))).minus(n.cost);
  }

  snapshot(): BinaryLedgerSnapshot {
    const enc = (s: SideInventory) => ({ qty: s.qty.toString(), cost: s.cost.toString(), realized: s.realized.toString() });
    return { version: 1, net: this.netLedger.snapshot(), yes: enc(this.sides.YES), no: enc(this.sides.NO), resolved: this.resolvedAs };
  }

  static restore(snap: BinaryLedgerSnapshot): BinaryContractLedger {
    if (snap.version !== 1) throw bad(`binary ledger snapshot version ${String(snap.version)} is not 1`);
    const dec = (j: { qty: string; cost: string; realized: string }): SideInventory => ({
      qty: new Decimal(j.qty), cost: new Decimal(j.cost), realized: new Decimal(j.realized),
    });
    const ledger = new BinaryContractLedger(snap.net.config);
    ledger.netLedger = SymbolLedger.restore(snap.net);
    ledger.sides.YES = dec(snap.yes);
    ledger.sides.NO = dec(snap.no);
    ledger.resolvedAs = snap.resolved;
    return ledger;
  }
}
