// A venue's reports as log lines (`accepted o1`, `fill o1 BTCUSDT:7 9995x10000 fee=0.01 MAKER`, …),
// for tests that drive a venue and check what it told the order manager, and a bounded poll.
import type { VenueReports } from '../../src/execution/venue.js';

export class ReportLog implements VenueReports {
  readonly log: string[] = [];
  onAccepted(id: string): void { this.log.push(`accepted ${id}`); }
  onRejected(id: string, reason: string): void { this.log.push(`rejected ${id} ${reason}`); }
  onFill(id: string, tradeId: string, priceTick: number, qtyLot: number, fee: string, liq: string): void { this.log.push(`fill ${id} ${tradeId} ${priceTick}x${qtyLot} fee=${fee} ${liq}`); }
  onCancelled(id: string, reason: string): void { this.log.push(`cancelled ${id} ${reason}`); }
  onCancelRejected(id: string, reason: string): void { this.log.push(`cancel_rejected ${id} ${reason}`); }
  /** The lines about one order. */
  of(id: string): string[] { return this.log.filter((l) => l.split(' ')[1] === id); }
}

/** Polls every 5 ms until cond() holds; throws after ms. */
export async function until(cond: () => boolean, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 5));
  }
}

/** POSTs to a Binance replica's admin API (`/__replica/<path>`: market, faults); throws unless 200. */
export async function replicaAdmin(r: { readonly restUrl: string }, path: string, body: unknown): Promise<void> {
  const res = await fetch(`${r.restUrl}/__replica/${path}`, { method: 'POST', body: JSON.stringify(body) });
  if (res.status !== 200) throw new Error(`admin ${path}: ${res.status} ${await res.text()}`);
}
