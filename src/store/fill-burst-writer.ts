// Groups the fills of a burst into one journal transaction, and reports each fill
// only after that transaction is durable.
//
// add() queues a fill; the queue is written in one transaction (one fsync) at the
// end of the current turn of the event loop (a microtask), when it reaches
// maxBurst fills, or on flush(). Then onDurable is called for every fill of the
// burst, in the order they were added: that callback is where fills are reported
// (SSE, HTTP, ledgers of record). A fill is therefore never reported before it is
// durable, and never later than the end of the turn that produced it.
//
// If the write fails, nothing of the burst is reported: onError gets the error and
// the fills (the engine should stop trading; the fills were not journaled).
import type { SpreadcoreError } from '../errors.js';
import type { FillRecord } from '../trading/types.js';
import type { Journal } from './journal.js';
import type { RecordResult } from './journal-records.js';
import { checkFill } from './record-checks.js';

export interface FillBurstWriterOptions {
  /** Called once per fill after its burst committed, in add() order. Must not throw: an exception stops the reporting of the rest of the burst and propagates. */
  readonly onDurable: (fill: FillRecord, result: RecordResult) => void;
  /** Called when a burst could not be written; none of its fills is reported. */
  readonly onError: (error: SpreadcoreError | Error, fills: readonly FillRecord[]) => void;
  /** Venue of the fills (one writer per venue). Default: the journal's default venue. */
  readonly venue?: string;
  /** Write as soon as this many fills are queued. Default 1024. */
  readonly maxBurst?: number;
}

export class FillBurstWriter {
  private queue: FillRecord[] = [];
  private scheduled = false;
  private readonly venue: string;
  private readonly maxBurst: number;
  private readonly flushTask = (): void => {
    this.scheduled = false;
    this.flush();
  };
  /** Bursts written so far (one transaction each). */
  bursts = 0;

  constructor(private readonly journal: Journal, private readonly options: FillBurstWriterOptions) {
    this.venue = options.venue ?? journal.defaultVenue;
    this.maxBurst = options.maxBurst ?? 1024;
    if (!Number.isSafeInteger(this.maxBurst) || this.maxBurst < 1) throw new RangeError(`maxBurst must be a positive integer, got ${this.maxBurst}`);
  }

  /** Fills queued and not yet written. */
  get pending(): number {
    return this.queue.length;
  }

  /** Queues a fill (checked now: an invalid fill throws here and is not queued). */
  add(fill: FillRecord): void {
    checkFill(fill);
    this.queue.push(fill);
    if (this.queue.length >= this.maxBurst) {
      this.flush();
    } else if (!this.scheduled) {
      this.scheduled = true;
      queueMicrotask(this.flushTask);
    }
  }

  /** Writes the queued fills now, in one transaction, then reports them. Returns how many were written. */
  flush(): number {
    const burst = this.queue;
    if (burst.length === 0) return 0;
    this.queue = [];
    let results: RecordResult[];
    try {
      results = this.journal.recordFills(burst, this.venue);
    } catch (e) {
      this.options.onError(e as Error, burst);
      return 0;
    }
    this.bursts++;
    for (let i = 0; i < burst.length; i++) this.options.onDurable(burst[i]!, results[i]!);
    return burst.length;
  }
}
