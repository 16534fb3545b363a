// Publishes frames to a feed handler over WebSocket (the `ws` client), as an
// external feed process does: one frame per binary message, each frame's
// sendTsNs stamped with this process's monotonic clock just before it is sent,
// frames paced at their offsets x speed (pacer.ts), at a fixed rate, or as fast
// as possible. Socket backpressure is respected: when more than highWaterBytes
// are waiting in the socket, no further frame is produced until the writes have
// drained below lowWaterBytes, so a slow receiver slows the publisher instead of
// growing its memory.
//
// Failures are SPREADCORE_ERR_IO with the reason: connection refused, the upgrade
// refused (401 without a valid token), the handler closing the connection
// (4001 too many decode errors, 1001 shutting down), no close answer.
import WebSocket from 'ws';
import { SpreadcoreError } from '../../errors.js';
import { monoNowNs } from '../../net/clock.js';
import { pace, type Paced, type ReplaySpeed } from '../recording/pacer.js';
import { frameMessageCount, stampSendTsNs } from './source-frames.js';

export const DEFAULT_FEED_URL = 'ws://127.0.0.1:8081/feed';

export interface PublishOptions {
  url: string;
  /** Bearer token for the handler's upgrade request. */
  token?: string;
  /** Source offsets x speed, or 'max'. Ignored when rateFps is set. Default 'max'. */
  speed?: ReplaySpeed;
  /** Send at this fixed number of frames per second, ignoring the source's offsets. */
  rateFps?: number;
  /** Stop producing frames above this many bytes waiting in the socket. Default 4 MiB. */
  highWaterBytes?: number;
  /** ... and go on below this many. Default 1 MiB. */
  lowWaterBytes?: number;
  /** Connecting and the closing handshake each give up after this long. Default 5,000 ms. */
  timeoutMs?: number;
  signal?: AbortSignal;
  /** Called once connected, before the first frame. */
  onConnected?: () => void;
}

export interface PublishReport {
  url: string;
  frames: number;
  messages: number;
  bytes: number;
  /** From the first frame sent to the close answer, seconds. */
  wallS: number;
  framesPerS: number;
  /** Times the publisher waited for the socket to drain. */
  backpressureWaits: number;
  /** Most bytes ever waiting in the socket. */
  maxBufferedBytes: number;
  /** Stopped early by the signal. */
  aborted: boolean;
}

function ioError(message: string): SpreadcoreError {
  return new SpreadcoreError('SPREADCORE_ERR_IO', message);
}

function connectError(url: string, e: Error): SpreadcoreError {
  const code = (e as NodeJS.ErrnoException).code;
  if (code === 'ECONNREFUSED') return ioError(`cannot connect to ${url}: connection refused (is the feed handler running?)`);
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return ioError(`cannot connect to ${url}: host not found`);
  const status = /Unexpected server response: (\d+)/.exec(e.message);
  if (status !== null) {
    const s = Number(status[1]);
    if (s === 401) return ioError(`the feed handler at ${url} refused the connection: 401 Unauthorized (a valid --token is required)`);
    return ioError(`the feed handler at ${url} refused the WebSocket upgrade: HTTP ${s}`);
  }
  return ioError(`cannot connect to ${url}: ${e.message}`);
}

/** Opens a WebSocket to the feed handler; rejects with a clear SPREADCORE_ERR_IO. */
export function connectFeed(url: string, token: string | undefined, timeoutMs = 5000): Promise<WebSocket> {
  let ws: WebSocket;
  try {
    ws = new WebSocket(url, {
      headers: token === undefined ? {} : { authorization: `Bearer ${token}` },
      perMessageDeflate: false,
      handshakeTimeout: timeoutMs,
      followRedirects: false,
    });
  } catch (e) {
    return Promise.reject(ioError(`cannot connect to ${url}: ${(e as Error).message}`));
  }
  return new Promise((resolve, reject) => {
    const onError = (e: Error): void => { ws.off('open', onOpen); reject(connectError(url, e)); };
    const onOpen = (): void => { ws.off('error', onError); resolve(ws); };
    ws.once('error', onError);
    ws.once('open', onOpen);
  });
}

/** Source offsets replaced by a fixed spacing of 1/rateFps seconds. */
async function* atFixedRate(frames: AsyncIterable<Paced<Uint8Array>>, rateFps: number): AsyncGenerator<Paced<Uint8Array>> {
  const stepNs = 1e9 / rateFps;
  let i = 0;
  for await (const f of frames) yield { offsetNs: Math.round(i++ * stepNs), item: f.item };
}

export async function publishFrames(frames: AsyncIterable<Paced<Uint8Array>>, options: PublishOptions): Promise<PublishReport> {
  const url = options.url;
  const high = options.highWaterBytes ?? 4 * 1024 * 1024;
  const low = Math.min(options.lowWaterBytes ?? 1024 * 1024, high);
  const timeoutMs = options.timeoutMs ?? 5000;
  const ws = await connectFeed(url, options.token, timeoutMs);
  options.onConnected?.();

  const report: PublishReport = {
    url, frames: 0, messages: 0, bytes: 0, wallS: 0, framesPerS: 0, backpressureWaits: 0, maxBufferedBytes: 0, aborted: false,
  };
  const stop = new AbortController();
  const external = options.signal;
  const onAbort = (): void => { report.aborted = true; stop.abort(); wake(); };
  if (external !== undefined) {
    if (external.aborted) onAbort();
    else external.addEventListener('abort', onAbort, { once: true });
  }

  let closed: { code: number; reason: string } | null = null;
  let socketError: Error | null = null;
  let waiter: (() => void) | null = null;
  let waitBelow = low;
  function wake(): void {
    const w = waiter;
    waiter = null;
    w?.();
  }
  const closedPromise = new Promise<{ code: number; reason: string }>((resolve) => {
    ws.on('close', (code, reason) => {
      closed = { code, reason: reason.toString() };
      stop.abort();
      wake();
      resolve(closed);
    });
  });
  ws.on('error', (e) => { socketError ??= e; });
  const onSent = (err?: Error | null): void => {
    if (err) socketError ??= err;
    if (waiter !== null && ws.bufferedAmount <= waitBelow) wake();
  };
  const drained = (below: number): Promise<void> => {
    if (ws.bufferedAmount <= below || stop.signal.aborted) return Promise.resolve();
    waitBelow = below;
    return new Promise<void>((resolve) => { waiter = resolve; });
  };

  async function* gated(src: AsyncIterable<Paced<Uint8Array>>): AsyncGenerator<Paced<Uint8Array>> {
    for await (const f of src) {
      if (stop.signal.aborted) return;
      if (ws.bufferedAmount > high) {
        report.backpressureWaits++;
        await drained(low);
        if (stop.signal.aborted) return;
      }
      yield f;
    }
  }

  const emit = (frame: Uint8Array): void => {
    if (ws.readyState !== WebSocket.OPEN) { stop.abort(); return; }
    stampSendTsNs(frame, monoNowNs());
    ws.send(frame, { binary: true }, onSent);
    report.frames++;
    report.messages += frameMessageCount(frame);
    report.bytes += frame.length;
    const buffered = ws.bufferedAmount;
    if (buffered > report.maxBufferedBytes) report.maxBufferedBytes = buffered;
  };

  const t0 = monoNowNs();
  const paced = options.rateFps === undefined ? frames : atFixedRate(frames, options.rateFps);
  const speed = options.rateFps === undefined ? options.speed ?? 'max' : 1;
  try {
    await pace(gated(paced), speed, emit, stop.signal);
  } catch (e) {
    ws.terminate();
    throw e;
  } finally {
    external?.removeEventListener('abort', onAbort);
  }

  if (closed === null) {
    // everything sent goes out before the close frame; the handler's close answer
    // means it has processed every frame before it
    await drained(0);
    if (closed === null) ws.close(1000, report.aborted ? 'publisher stopped' : 'done');
    const timer = new Promise<null>((resolve) => setTimeout(() => resolve(null), timeoutMs).unref());
    const answer = await Promise.race([closedPromise, timer]);
    if (answer === null) {
      ws.terminate();
      throw ioError(`${url}: no answer to the closing handshake within ${timeoutMs} ms after ${report.frames} frames`);
    }
  }
  const end = closed as { code: number; reason: string } | null;
  if (end !== null && end.code !== 1000 && end.code !== 1005) {
    const why = end.reason === '' ? '' : ` ${end.reason}`;
    const err = socketError as Error | null;
    throw ioError(`the feed handler closed the connection after ${report.frames} frames: code ${end.code}${why}${err !== null ? ` (${err.message})` : ''}`);
  }
  report.wallS = (monoNowNs() - t0) / 1e9;
  report.framesPerS = report.wallS > 0 ? report.frames / report.wallS : 0;
  return report;
}
