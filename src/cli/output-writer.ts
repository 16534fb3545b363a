// Line output to a stream, batched into large writes, honouring backpressure.
// A reader that goes away (EPIPE, e.g. `| head`) closes the writer quietly;
// any other write failure is kept for the caller to report.
import { SpreadcoreError } from '../errors.js';

const FLUSH_AT = 64 * 1024;

export class OutputWriter {
  private buf = '';
  private immediate: NodeJS.Immediate | null = null;
  private waiting: Promise<void> | null = null;
  private wake: (() => void) | null = null;
  private gone = false;
  private failure: Error | null = null;
  private readonly onError = (err: NodeJS.ErrnoException): void => {
    this.gone = true;
    if (err.code !== 'EPIPE' && err.code !== 'ERR_STREAM_DESTROYED') this.failure ??= err;
    this.release();
  };
  private readonly onDrainOrClose = (): void => this.release();
  /** An exception thrown by the stream during a deferred flush, rethrown by finish(). */
  private thrown: { error: unknown } | null = null;
  private readonly flushLater = (): void => {
    this.immediate = null;
    try {
      this.flush();
    } catch (e) {
      this.thrown ??= { error: e };
      this.gone = true;
      this.release();
    }
  };

  constructor(private readonly out: NodeJS.WritableStream) {
    out.on('error', this.onError);
    out.on('drain', this.onDrainOrClose);
    out.on('close', this.onDrainOrClose);
  }

  /** The reader is gone: nothing more will be written. */
  get closed(): boolean { return this.gone; }

  /** The stream asked us to wait (await drained()) before writing more. */
  get blocked(): boolean { return this.waiting !== null; }

  line(s: string): void {
    if (this.gone) return;
    this.buf += s + '\n';
    if (this.buf.length >= FLUSH_AT) this.flush();
    else if (this.immediate === null) this.immediate = setImmediate(this.flushLater);
  }

  flush(): void {
    if (this.buf === '') return;
    const chunk = this.buf;
    this.buf = '';
    if (this.gone) return;
    const w = this.out as NodeJS.WritableStream & { destroyed?: boolean };
    if (w.destroyed === true) { this.gone = true; return; }
    if (!this.out.write(chunk) && this.waiting === null) {
      this.waiting = new Promise<void>((resolve) => { this.wake = resolve; });
    }
  }

  drained(): Promise<void> { return this.waiting ?? Promise.resolve(); }

  /** Writes what is buffered, waits until the stream takes it, and detaches. */
  async finish(): Promise<void> {
    if (this.immediate !== null) { clearImmediate(this.immediate); this.immediate = null; }
    this.flush();
    await this.drained();
    this.out.removeListener('drain', this.onDrainOrClose);
    this.out.removeListener('close', this.onDrainOrClose);
    this.out.removeListener('error', this.onError);
    if (this.thrown !== null) throw this.thrown.error;
    if (this.failure !== null) {
      throw new SpreadcoreError('SPREADCORE_ERR_IO', `cannot write output: ${this.failure.message}`);
    }
  }

  private release(): void {
    const wake = this.wake;
    this.waiting = null;
    this.wake = null;
    wake?.();
  }
}
