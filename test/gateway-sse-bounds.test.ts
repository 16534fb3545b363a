// The SSE hub's bounds on a real uWS app (docs/sse.md, "Bounds"): a flush pass yields
// to the event loop once it has used its write budget and still brings every client
// every event, in order; a synchronous burst larger than the resume buffer still
// reaches every subscriber; a subscriber that stops reading is dropped by time even
// without heartbeats; subscribers per address (429) and in all (503) are limited with
// a coded error, and a closed subscriber frees its place; a subscriber far behind is
// given at most maxPendingBytes per send; past maxBacklogBytes of events owed, the
// subscribers furthest behind are dropped (memory stays bounded) and resume with
// Last-Event-ID.
import { connect as netConnect, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { SseHub, type SseHubOptions } from '../src/gateway/sse-hub.js';
import { selectTransport } from '../src/net/select-transport.js';
import { waitFor } from './support/wait.js';

type ListenSocket = import('../src/net/transport.js').TransportListener;

const cleanup: (() => void)[] = [];
afterEach(() => { for (const f of cleanup.splice(0).reverse()) f(); });

async function start(options: SseHubOptions): Promise<{ hub: SseHub; port: number }> {
  const transport = selectTransport(); // SPREADCORE_HTTP=uws|node picks one
  const app = transport.app();
  const hub = new SseHub({ heartbeatMs: 0, ...options });
  hub.mount(app, '/api/stream');
  const ls: ListenSocket = await transport.listen(app, '127.0.0.1', 0, 'the test server');
  const port = ls.port;
  cleanup.push(() => { hub.close(); ls.close(); });
  return { hub, port };
}

interface Sub { socket: Socket; status: number; head: string; ids: number[]; closed: boolean }

/** A raw-socket subscriber; `reading: false` reads the status line and then nothing. */
function subscribe(port: number, opts: { reading?: boolean; localAddress?: string; lastEventId?: number } = {}): Sub {
  const socket = netConnect({ host: '127.0.0.1', port, ...(opts.localAddress !== undefined ? { localAddress: opts.localAddress } : {}) });
  const sub: Sub = { socket, status: 0, head: '', ids: [], closed: false };
  let rest = '';
  socket.on('error', () => { sub.closed = true; });
  socket.on('close', () => { sub.closed = true; });
  const resume = opts.lastEventId !== undefined ? `Last-Event-ID: ${opts.lastEventId}\r\n` : '';
  socket.write(`GET /api/stream HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\n${resume}\r\n`);
  socket.on('data', (b: Buffer) => {
    let text = b.toString('latin1');
    if (sub.status === 0) {
      sub.head += text;
      const end = sub.head.indexOf('\r\n\r\n');
      if (end < 0) return;
      sub.status = Number(/^HTTP\/1\.1 (\d{3})/.exec(sub.head)?.[1] ?? -1);
      text = sub.head.slice(end + 4);
      if (opts.reading === false) { socket.pause(); return; }
    }
    rest += text;
    const re = /(?:^|\n)id: (\d+)\n/g;
    let last = 0;
    for (let m = re.exec(rest); m !== null; m = re.exec(rest)) { sub.ids.push(Number(m[1])); last = re.lastIndex; }
    rest = rest.slice(Math.max(last, rest.length - 64));
  });
  cleanup.push(() => socket.destroy());
  return sub;
}

const inOrder = (ids: number[], from: number, to: number): boolean => ids.length === to - from + 1 && ids.every((id, i) => id === from + i);

describe('SseHub bounds', () => {
  it('a pass yields after its write budget and still gives every client every event in order', async () => {
    const { hub, port } = await start({ writeBudgetMs: 1, flushIntervalMs: 0, maxClientsPerAddress: 1000 });
    const subs = Array.from({ length: 300 }, () => subscribe(port));
    await waitFor('connected', () => hub.counters.clients === 300, 20_000);
    const pad = 'x'.repeat(2000);
    let timerRanDuringPass = false;
    for (let round = 0; round < 10; round++) {
      for (let i = 0; i < 20; i++) hub.publish('fill', { strategy_id: 's1', n: round * 20 + i, pad }, { strategyId: 's1' });
      // a timer due now runs between two slices of the pass, not after all of it
      setTimeout(() => { if (subs.some((s) => s.ids.length < (round + 1) * 20)) timerRanDuringPass = true; }, 0);
      await new Promise((r) => setTimeout(r, 30));
    }
    await waitFor('every event everywhere', () => subs.every((s) => s.ids.length === 200), 30_000);
    for (const s of subs) expect(inOrder(s.ids, 1, 200)).toBe(true);
    expect(hub.counters.flushYields).toBeGreaterThan(0);
    expect(timerRanDuringPass).toBe(true);
    expect(hub.counters.droppedClients).toBe(0);
  }, 60_000);

  it('a synchronous burst larger than the resume buffer reaches every subscriber', async () => {
    const { hub, port } = await start({ bufferEvents: 50 });
    const subs = [subscribe(port), subscribe(port)];
    await waitFor('connected', () => hub.counters.clients === 2);
    for (let i = 0; i < 5000; i++) hub.publish('fill', { strategy_id: 's1', n: i }, { strategyId: 's1' });
    expect(hub.stats().buffer.events).toBe(50);
    await waitFor('burst delivered', () => subs.every((s) => s.ids.length === 5000), 20_000);
    for (const s of subs) expect(inOrder(s.ids, 1, 5000)).toBe(true);
  }, 30_000);

  it('a subscriber that stops reading is dropped stallMs after it backed up, without heartbeats; a reader is not', async () => {
    const { hub, port } = await start({ stallMs: 300, maxPendingBytes: 64 * 1024 * 1024 });
    const reader = subscribe(port);
    const stuck = subscribe(port, { reading: false });
    await waitFor('connected', () => hub.counters.clients === 2);
    const pad = 'y'.repeat(16 * 1024);
    let n = 0;
    const t0 = Date.now();
    while (hub.counters.droppedStalled === 0 && Date.now() - t0 < 20_000) {
      for (let i = 0; i < 20; i++) hub.publish('fill', { strategy_id: 's1', n: n++, pad }, { strategyId: 's1' });
      await new Promise((r) => setTimeout(r, 10));
    }
    expect(hub.counters.droppedStalled).toBe(1);
    expect(hub.counters.droppedOverLimit).toBe(0);
    await waitFor('reader has everything', () => reader.ids.length === n, 20_000);
    expect(inOrder(reader.ids, 1, n)).toBe(true);
    expect(hub.counters.clients).toBe(1);
    expect(stuck.status).toBe(200);
  }, 40_000);

  it('subscribers per address get 429, in all 503, both coded; a closed one frees its place', async () => {
    const { hub, port } = await start({ maxClientsPerAddress: 2, maxClients: 3 });
    const a = [subscribe(port, { localAddress: '127.0.0.2' }), subscribe(port, { localAddress: '127.0.0.2' })];
    await waitFor('two', () => hub.counters.clients === 2);
    const third = subscribe(port, { localAddress: '127.0.0.2' });
    await waitFor('refused', () => third.status !== 0);
    expect(third.status).toBe(429);
    expect(third.head).toMatch(/retry-after: \d+/i);
    expect(third.head).toContain('"code":"SPREADCORE_ERR_TOO_MANY_SUBSCRIBERS"');
    expect(third.head).toContain('at most 2 stream subscribers per client address');

    const other = subscribe(port, { localAddress: '127.0.0.3' });
    // the hub counts the subscriber before its status line has reached the client
    await waitFor('three', () => hub.counters.clients === 3 && other.status !== 0);
    expect(other.status).toBe(200);
    const fourth = subscribe(port, { localAddress: '127.0.0.4' });
    await waitFor('refused', () => fourth.status !== 0);
    expect(fourth.status).toBe(503);
    expect(fourth.head).toContain('"code":"SPREADCORE_ERR_TOO_MANY_SUBSCRIBERS"');
    expect(hub.counters.refusedTooMany).toBe(2);

    a[0]!.socket.destroy();
    await waitFor('freed', () => hub.counters.clients === 2);
    const again = subscribe(port, { localAddress: '127.0.0.2' });
    await waitFor('accepted', () => again.status !== 0);
    expect(again.status).toBe(200);
    hub.publish('fill', { strategy_id: 's1' }, { strategyId: 's1' });
    await waitFor('delivered', () => again.ids.length === 1 && a[1]!.ids.length === 1 && other.ids.length === 1);
  }, 30_000);

  it('a subscriber far behind is sent at most maxPendingBytes at a time and still gets every event in order', async () => {
    const { hub, port } = await start({ maxPendingBytes: 16 * 1024 });
    const sub = subscribe(port);
    await waitFor('connected', () => hub.counters.clients === 1);
    const passes = hub.counters.flushPasses;
    const pad = 'x'.repeat(900);
    for (let i = 0; i < 1000; i++) hub.publish('fill', { strategy_id: 's1', n: i, pad }, { strategyId: 's1' }); // ~1 MB owed at once
    await waitFor('burst delivered', () => sub.ids.length === 1000, 20_000);
    expect(inOrder(sub.ids, 1, 1000)).toBe(true);
    // one send per pass of at most 16 KiB: ~1 MB takes dozens of passes (one pass before this bound)
    expect(hub.counters.flushPasses - passes).toBeGreaterThanOrEqual(50);
    expect(hub.counters.droppedClients).toBe(0);
  });

  it('past maxBacklogBytes owed, the subscribers furthest behind are dropped (droppedBehind); they resume with Last-Event-ID', async () => {
    const { hub, port } = await start({ maxBacklogBytes: 64 * 1024, bufferBytes: 4 * 1024 * 1024 });
    const sub = subscribe(port);
    await waitFor('connected', () => hub.counters.clients === 1);
    const pad = 'y'.repeat(900);
    // 200 KB in one synchronous run: nothing can be written meanwhile, so the subscriber owes it all
    for (let i = 0; i < 200; i++) hub.publish('fill', { strategy_id: 's1', n: i, pad }, { strategyId: 's1' });
    expect(hub.counters.droppedBehind).toBe(1);
    expect(hub.counters.droppedClients).toBe(1);
    expect(hub.stats().counters.clients).toBe(0);
    await waitFor('dropped', () => sub.closed, 10_000);
    // the resume buffer still holds them: a new request with Last-Event-ID gets every event from there, in order
    const last = sub.ids.length > 0 ? sub.ids[sub.ids.length - 1]! : 0;
    const again = subscribe(port, { lastEventId: last });
    await waitFor('resumed', () => again.ids.length === 200 - last, 20_000);
    expect(inOrder(again.ids, last + 1, 200)).toBe(true);
  });

  it('refuses a maxBacklogBytes below 1 KiB', () => {
    expect(() => new SseHub({ maxBacklogBytes: 10 })).toThrow(/maxBacklogBytes/);
  });
});
