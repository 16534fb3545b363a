// Markouts: for each fill and each horizon h, the P&L per unit of the fill against
// the mid prevailing h after it: (mid − price) for a buy, (price − mid) for a sell.
// The prevailing mid at time d is the last mark at or before d. A fill's horizon is
// pending until a mark at or after d arrives (only then is it known that no later
// mark at or before d can come); if no mark at all came before d, the first mark
// after it is used. Averages are per side and weighted by quantity (P&L per unit).
// Fill times arrive in non-decreasing order, so each horizon's pending fills are a
// queue ordered by due time.
//
// Adverse fills: a fill whose markout at the first horizon is a loss of more than
// adverseBps of its price ((price − mid) / price × 10,000 > adverseBps for a buy,
// (mid − price) / price for a sell) was picked off: the price moved through it right
// after. They count towards adverse_selection_events (docs/accounting.md).
import { Decimal, ZERO } from './decimal.js';

interface Pending { dueNs: bigint; side: 1 | -1; price: Decimal; qty: Decimal }

export interface SideMarkout {
  fills: number;
  qty: Decimal;
  /** Σ qty × per-unit P&L. */
  pnl: Decimal;
}

export interface HorizonState {
  horizonNs: bigint;
  pending: Pending[];
  /** Index of the first pending entry still waiting (entries before it are resolved). */
  head: number;
  buy: SideMarkout;
  sell: SideMarkout;
}

export interface MarkoutState {
  horizons: HorizonState[];
  /** Loss at the first horizon, bps of the fill price, beyond which a fill counts as adverse. */
  adverseBps: number;
  /** Fills whose first-horizon markout lost more than adverseBps. */
  adverseFills: number;
  /** The last mark's mid: the prevailing mid at a due time before the current mark. */
  lastMid: Decimal | null;
}

export function emptyMarkouts(horizonsNs: readonly bigint[], adverseBps = 2): MarkoutState {
  return {
    adverseBps,
    adverseFills: 0,
    horizons: horizonsNs.map((h) => ({ horizonNs: h, pending: [], head: 0, buy: emptySide(), sell: emptySide() })),
    lastMid: null,
  };
}

function emptySide(): SideMarkout {
  return { fills: 0, qty: ZERO, pnl: ZERO };
}

/** Registers a fill at time `tNs` on every horizon. */
export function onMarkoutFill(s: MarkoutState, side: 1 | -1, price: Decimal, qty: Decimal, tNs: bigint): void {
  for (const h of s.horizons) h.pending.push({ dueNs: tNs + h.horizonNs, side, price, qty });
}

/** A mark (mid) at time `tNs` (non-decreasing): resolves every fill whose horizon it reaches. */
export function onMarkoutMark(s: MarkoutState, mid: Decimal, tNs: bigint): void {
  for (let k = 0; k < s.horizons.length; k++) {
    const h = s.horizons[k]!;
    const q = h.pending;
    while (h.head < q.length) {
      const p = q[h.head]!;
      if (p.dueNs > tNs) break;
      const ref = p.dueNs < tNs && s.lastMid !== null ? s.lastMid : mid;
      const perUnit = p.side === 1 ? ref.minus(p.price) : p.price.minus(ref);
      const acc = p.side === 1 ? h.buy : h.sell;
      acc.fills++;
      acc.qty = acc.qty.plus(p.qty);
      acc.pnl = acc.pnl.plus(perUnit.times(p.qty));
      if (k === 0 && perUnit.isNegative() && perUnit.neg().times(10_000).gt(p.price.times(s.adverseBps))) s.adverseFills++;
      h.head++;
    }
    if (h.head > 1024 && h.head * 2 > q.length) {
      h.pending = q.slice(h.head);
      h.head = 0;
    }
  }
  s.lastMid = mid;
}

export function pendingCount(h: HorizonState): number {
  return h.pending.length - h.head;
}

/** Quantity-weighted average P&L per unit, or null without resolved fills. */
export function averagePerUnit(side: SideMarkout): Decimal | null {
  return side.qty.isZero() ? null : side.pnl.div(side.qty);
}

interface PendingJson { dueNs: string; side: 1 | -1; price: string; qty: string }
interface SideJson { fills: number; qty: string; pnl: string }
export interface MarkoutJson {
  horizons: { horizonNs: string; pending: PendingJson[]; buy: SideJson; sell: SideJson }[];
  lastMid: string | null;
  /** Absent in snapshots written before adverse fills were counted. */
  adverseFills?: number;
}

const encodeSide = (s: SideMarkout): SideJson => ({ fills: s.fills, qty: s.qty.toString(), pnl: s.pnl.toString() });
const decodeSide = (j: SideJson): SideMarkout => ({ fills: j.fills, qty: new Decimal(j.qty), pnl: new Decimal(j.pnl) });

export function encodeMarkouts(s: MarkoutState): MarkoutJson {
  return {
    horizons: s.horizons.map((h) => ({
      horizonNs: h.horizonNs.toString(),
      pending: h.pending.slice(h.head).map((p) => ({ dueNs: p.dueNs.toString(), side: p.side, price: p.price.toString(), qty: p.qty.toString() })),
      buy: encodeSide(h.buy),
      sell: encodeSide(h.sell),
    })),
    lastMid: s.lastMid === null ? null : s.lastMid.toString(),
    adverseFills: s.adverseFills,
  };
}

export function decodeMarkouts(j: MarkoutJson, adverseBps = 2): MarkoutState {
  return {
    adverseBps,
    adverseFills: j.adverseFills ?? 0,
    horizons: j.horizons.map((h) => ({
      horizonNs: BigInt(h.horizonNs),
      pending: h.pending.map((p) => ({ dueNs: BigInt(p.dueNs), side: p.side, price: new Decimal(p.price), qty: new Decimal(p.qty) })),
      head: 0,
      buy: decodeSide(h.buy),
      sell: decodeSide(h.sell),
    })),
    lastMid: j.lastMid === null ? null : new Decimal(j.lastMid),
  };
}
