// One SSE subscriber: its response (src/net/transport.ts), its filter and its backpressure state.
//
// Writes go straight to the response while it drains. Once res.write() reports
// backpressure, uWS holds the rest of that one write and further frames wait in
// this client's own queue, bounded by maxPendingBytes; onWritable flushes the
// queue. While queued, a quote_update replaces the strategy's previous queued
// quote_update (only the latest quote matters); fills and every other event are
// never coalesced. A client whose queue would exceed its limit is closed.
import type { SseFilter } from './sse-query.js';

import type { TransportResponse as HttpResponse } from '../net/transport.js';

interface Pending {
  frame: string | null;
  bytes: number;
  key: string | null;
}

export type SendResult = 'written' | 'queued' | 'coalesced' | 'over_limit';

/** Bytes flushed per res.write() when draining the queue. */
const FLUSH_CHUNK = 64 * 1024;

export class SseClient {
  aborted = false;
  closed = false;
  /** Set when res.write() reported backpressure; cleared when onWritable drained the queue. */
  backedUp = false;
  backedUpSince = 0;
  pendingBytes = 0;
  maxPendingSeen = 0;
  eventsSent = 0;
  /** Extra queue room while a resume replay drains (those frames are shared with the ring). */
  replayAllowance = 0;
  /** Deferred writes: the id of the last event this client was given (written, queued or filtered out). */
  cursor = 0;
  /** The client's address (for the per-address subscriber limit). */
  address = '';
  private queue: Pending[] = [];
  private qHead = 0;
  private readonly latestQuote = new Map<string, Pending>();

  /** The filter as a string: clients with equal keys receive the same events. */
  readonly filterKey: string;

  constructor(readonly id: number, readonly res: HttpResponse, readonly filter: SseFilter, readonly maxPendingBytes: number) {
    const events = filter.events === null ? '*' : [...filter.events].sort().join(',');
    this.filterKey = JSON.stringify([filter.strategyId, filter.symbol, events]);
  }

  get live(): boolean { return !this.aborted && !this.closed; }

  /**
   * Sends one frame (caller corks when outside a uWS callback). `coalesceKey` is
   * set for events that may replace an older queued one with the same key.
   */
  send(frame: string, bytes: number, coalesceKey: string | null): SendResult {
    if (!this.backedUp) {
      this.eventsSent++;
      if (!this.res.write(frame)) {
        this.backedUp = true;
        this.backedUpSince = Date.now();
      }
      return 'written';
    }
    let result: SendResult = 'queued';
    if (coalesceKey !== null) {
      const old = this.latestQuote.get(coalesceKey);
      if (old !== undefined && old.frame !== null) {
        old.frame = null;
        this.pendingBytes -= old.bytes;
        result = 'coalesced';
      }
    }
    if (this.pendingBytes + bytes > this.maxPendingBytes + this.replayAllowance) return 'over_limit';
    const p: Pending = { frame, bytes, key: coalesceKey };
    this.queue.push(p);
    this.pendingBytes += bytes;
    if (this.pendingBytes > this.maxPendingSeen) this.maxPendingSeen = this.pendingBytes;
    if (coalesceKey !== null) this.latestQuote.set(coalesceKey, p);
    return result;
  }

  /**
   * Writes n frames joined into one chunk while the client drains (caller corks and
   * checks backedUp first: a backed-up client's frames go through send()).
   */
  writeChunk(chunk: string, n: number): void {
    this.eventsSent += n;
    if (!this.res.write(chunk)) {
      this.backedUp = true;
      this.backedUpSince = Date.now();
    }
  }

  /** onWritable: writes queued frames until uWS reports backpressure again. Returns what uWS needs to hear. */
  drain(): boolean {
    if (!this.live) return true;
    let ok = true;
    let wroteAny = false;
    while (this.qHead < this.queue.length) {
      let chunk = '';
      let n = 0;
      while (this.qHead < this.queue.length && chunk.length < FLUSH_CHUNK) {
        const p = this.queue[this.qHead++]!;
        if (p.key !== null && this.latestQuote.get(p.key) === p) this.latestQuote.delete(p.key);
        if (p.frame === null) continue;
        chunk += p.frame;
        this.pendingBytes -= p.bytes;
        n++;
      }
      if (chunk === '') break;
      wroteAny = true;
      this.eventsSent += n;
      ok = this.res.write(chunk);
      if (!ok) break;
    }
    if (this.qHead >= this.queue.length) {
      this.queue = [];
      this.qHead = 0;
      this.pendingBytes = 0;
      this.replayAllowance = 0;
    } else if (this.qHead > 1024 && this.qHead * 2 > this.queue.length) {
      this.queue = this.queue.slice(this.qHead);
      this.qHead = 0;
    }
    // With an onWritable handler registered uWS drains its own buffer only on a
    // write: an empty queue still writes a comment line so the tail goes out.
    if (!wroteAny) ok = this.res.write(':\n');
    if (ok) this.backedUp = false;
    return ok;
  }

  /** Forgets the queue (the client is gone). */
  release(): void {
    this.queue = [];
    this.qHead = 0;
    this.pendingBytes = 0;
    this.latestQuote.clear();
  }
}
