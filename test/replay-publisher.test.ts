// The frame publisher: a receiver that stops reading stops the publisher from
// producing frames (bounded memory) and it goes on when the receiver reads again;
// a handler closing the connection mid-stream is a clear error.
import { describe, it, expect } from 'vitest';
import { WebSocketServer, type WebSocket as ServerSocket } from 'ws';
import { FeedHandler } from '../src/feed/handler/index.js';
import { FeedIngest } from '../src/feed/ingest/index.js';
import { WasmBooks } from '../src/wasm/book-api.js';
import { instantiateCore } from '../src/wasm/load.js';
import { publishFrames, stampSendTsNs, frameMessageCount } from '../src/feed/replay/index.js';
import type { Paced } from '../src/feed/recording/pacer.js';
import { SpreadcoreError } from '../src/errors.js';
import { waitFor as waitForBase } from './support/wait.js';
const waitFor = (cond: () => boolean, what: string, timeoutMs = 10_000): Promise<void> => waitForBase(what, cond, timeoutMs, 5);

const FRAME_BYTES = 64 * 1024;


describe('frame publisher', () => {
  it('waits for the socket to drain instead of buffering: a paused receiver stops the source', async () => {
    const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
    await new Promise<void>((r) => wss.once('listening', () => r()));
    const port = (wss.address() as { port: number }).port;
    let server: ServerSocket | null = null;
    let received = 0;
    wss.on('connection', (ws) => {
      server = ws;
      ws.pause(); // the receiver reads nothing for now
      ws.on('message', () => { received++; });
    });
    const total = 2000; // 125 MiB if it were all produced at once
    let pulled = 0;
    async function* frames(): AsyncGenerator<Paced<Uint8Array>> {
      for (let i = 0; i < total; i++) {
        pulled++;
        yield { offsetNs: 0, item: new Uint8Array(FRAME_BYTES) };
      }
    }
    const high = 256 * 1024;
    const done = publishFrames(frames(), { url: `ws://127.0.0.1:${port}`, speed: 'max', highWaterBytes: high, lowWaterBytes: 64 * 1024 });
    await waitFor(() => server !== null, 'the connection');
    await new Promise((r) => setTimeout(r, 400));
    const pulledWhilePaused = pulled;
    // what the kernel's socket buffers hold plus the high-water mark, far from everything
    expect(pulledWhilePaused * FRAME_BYTES).toBeLessThan(48 * 1024 * 1024);
    await new Promise((r) => setTimeout(r, 200));
    expect(pulled).toBe(pulledWhilePaused); // nothing more while nothing drains
    server!.resume();
    const report = await done;
    expect(report.frames).toBe(total);
    expect(report.bytes).toBe(total * FRAME_BYTES);
    expect(report.backpressureWaits).toBeGreaterThan(0);
    expect(report.maxBufferedBytes).toBeLessThanOrEqual(high + FRAME_BYTES + 64);
    expect(received).toBe(total);
    await new Promise<void>((r) => wss.close(() => r()));
  });

  it('the handler closing the connection (too many decode errors) fails the publish with its code and reason', async () => {
    const ingest = new FeedIngest(new WasmBooks(instantiateCore('debug')));
    const handler = new FeedHandler(ingest, { port: 0, maxDecodeErrors: 3, staleCheckMs: 0 });
    const port = await handler.listen();
    async function* junk(): AsyncGenerator<Paced<Uint8Array>> {
      for (let i = 0; i < 200; i++) yield { offsetNs: i * 5e6, item: new Uint8Array(32).fill(7) }; // 1 s at 5 ms apart
    }
    let error: unknown;
    try {
      await publishFrames(junk(), { url: `ws://127.0.0.1:${port}/feed`, speed: 1 });
    } catch (e) {
      error = e;
    }
    handler.close();
    expect(error).toBeInstanceOf(SpreadcoreError);
    expect((error as SpreadcoreError).code).toBe('SPREADCORE_ERR_IO');
    expect((error as SpreadcoreError).message).toMatch(/^the feed handler closed the connection after \d+ frames: code 4001 too many decode errors \(3, last: bad-magic\)/);
    expect(handler.totals.closedForDecodeErrors).toBe(1);
  });

  it('stamps the send time into the frame header and reads the message count', () => {
    const f = new Uint8Array(20);
    f[6] = 0x34;
    f[7] = 0x12;
    const t = 2 ** 52 + 12345;
    stampSendTsNs(f, t);
    const dv = new DataView(f.buffer);
    expect(dv.getBigUint64(12, true)).toBe(BigInt(t));
    expect(frameMessageCount(f)).toBe(0x1234);
  });
});
