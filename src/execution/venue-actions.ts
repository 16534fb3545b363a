// Orders and cancels on their way to the paper exchange: each takes effect at its
// due time (sent + latency, exchange ns). Kept sorted by due time, then by the order
// they were sent in, so equal latencies keep their sending order.
import type { PaperOrder } from './paper-order.js';

export const ACT_ARRIVE = 0;
export const ACT_CANCEL = 1;

export interface VenueAction {
  readonly dueNs: number;
  readonly seq: number;
  readonly kind: typeof ACT_ARRIVE | typeof ACT_CANCEL;
  readonly order: PaperOrder;
}

export class ActionQueue {
  private readonly items: VenueAction[] = [];

  get length(): number { return this.items.length; }

  push(a: VenueAction): void {
    const items = this.items;
    let i = items.length;
    while (i > 0 && items[i - 1]!.dueNs > a.dueNs) i--;
    if (i === items.length) items.push(a);
    else items.splice(i, 0, a);
  }

  /** The earliest action if it is due at tNs, else undefined. */
  peekDue(tNs: number): VenueAction | undefined {
    const a = this.items[0];
    return a !== undefined && a.dueNs <= tNs ? a : undefined;
  }

  shift(): VenueAction | undefined { return this.items.shift(); }

  /**
   * Removes and returns, in order, the due actions (due <= tNs) that pick accepts;
   * the others keep their place.
   */
  takeDue(tNs: number, pick: (a: VenueAction) => boolean, out: VenueAction[]): void {
    const items = this.items;
    let k = 0;
    let i = 0;
    for (; i < items.length; i++) {
      const a = items[i]!;
      if (a.dueNs > tNs) break;
      if (pick(a)) out.push(a);
      else items[k++] = a;
    }
    if (k === i) return;
    for (; i < items.length; i++) items[k++] = items[i]!;
    items.length = k;
  }
}
