// The SSE replay buffer: the most recent events, bounded by count and by bytes.
// Ids are consecutive (every published event gets the next id and enters the
// ring), so the event after id N sits at a computed index.

export interface SseEntry {
  id: number;
  event: string;
  /** The complete SSE frame: "id: …\nevent: …\ndata: …\n\n". */
  frame: string;
  bytes: number;
  strategyId: string | null;
  symbol: string | null;
}

export class SseRing {
  private readonly slots: (SseEntry | undefined)[];
  private head = 0;
  private count = 0;
  private totalBytes = 0;

  constructor(readonly maxEvents: number, readonly maxBytes: number) {
    this.slots = new Array<SseEntry | undefined>(maxEvents);
  }

  get size(): number { return this.count; }
  get bytes(): number { return this.totalBytes; }
  /** Id of the oldest kept event, or null when empty. */
  get oldestId(): number | null { return this.count === 0 ? null : this.slots[this.head]!.id; }

  push(e: SseEntry): void {
    if (this.count === this.maxEvents) this.dropOldest();
    this.slots[(this.head + this.count) % this.maxEvents] = e;
    this.count++;
    this.totalBytes += e.bytes;
    while (this.totalBytes > this.maxBytes && this.count > 1) this.dropOldest();
  }

  /** Calls fn for every kept event with id > afterId, oldest first, until fn returns false. */
  forEachAfter(afterId: number, fn: (e: SseEntry) => boolean | void): void {
    const oldest = this.oldestId;
    if (oldest === null) return;
    const skip = Math.max(0, afterId + 1 - oldest);
    for (let i = skip; i < this.count; i++) if (fn(this.slots[(this.head + i) % this.maxEvents]!) === false) return;
  }

  clear(): void {
    this.slots.fill(undefined);
    this.head = 0;
    this.count = 0;
    this.totalBytes = 0;
  }

  private dropOldest(): void {
    const e = this.slots[this.head]!;
    this.slots[this.head] = undefined;
    this.head = (this.head + 1) % this.maxEvents;
    this.count--;
    this.totalBytes -= e.bytes;
  }
}
