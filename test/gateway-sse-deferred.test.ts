// SseHub with deferDelivery on a real uWS app: events keep their ids at publish() and
// reach subscribers at the next flush, in order, exactly once (also for a client that
// joins, with a resume point, between a publish and its flush), close() flushes first,
// and a client that stops reading is dropped while the others get every fill.
import { connect as netConnect, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { selectTransport } from '../src/net/select-transport.js';
import { SseHub, type SseHubOptions, type SseMountOptions } from '../src/gateway/sse-hub.js';
import { waitFor } from './support/wait.js';

type ListenSocket = import('../src/net/transport.js').TransportListener;

/** Reads a stream with fetch and keeps (id, event, data) of each frame. */
function read(url: string, headers: Record<string, string> = {}): { frames: { id: number; event: string; data: string }[]; done: boolean; abort: () => void } {
  const ac = new AbortController();
  const out = { frames: [] as { id: number; event: string; data: string }[], done: false, abort: () => ac.abort() };
  void (async () => {
    try {
      const r = await fetch(url, { headers, signal: ac.signal });
      const dec = new TextDecoder();
      let buf = '';
      for await (const chunk of r.body!) {
        buf += dec.decode(chunk as Uint8Array, { stream: true });
        let i: number;
        while ((i = buf.indexOf('\n\n')) >= 0) {
          const block = buf.slice(0, i);
          buf = buf.slice(i + 2);
          const id = /^id: (\d+)$/m.exec(block)?.[1];
          const event = /^event: (.+)$/m.exec(block)?.[1];
          const data = /^data: (.+)$/m.exec(block)?.[1];
          if (id !== undefined && event !== undefined && data !== undefined) out.frames.push({ id: Number(id), event, data });
        }
      }
    } catch {
      // aborted
    }
    out.done = true;
  })();
  return out;
}

const cleanup: (() => void)[] = [];
afterEach(() => { for (const f of cleanup.splice(0).reverse()) f(); });

async function start(options: SseHubOptions, mount: SseMountOptions = {}): Promise<{ hub: SseHub; url: string; port: number }> {
  const transport = selectTransport(); // SPREADCORE_HTTP=uws|node picks one
  const app = transport.app();
  const hub = new SseHub({ heartbeatMs: 0, deferDelivery: true, ...options });
  hub.mount(app, '/api/stream', mount);
  const ls: ListenSocket = await transport.listen(app, '127.0.0.1', 0, 'the test server');
  const port = ls.port;
  cleanup.push(() => { hub.close(); ls.close(); });
  return { hub, url: `http://127.0.0.1:${port}/api/stream`, port };
}

const fill = (n: number, pad = ''): Record<string, unknown> => ({ strategy_id: 's1', symbol: 'BTCUSDT', trade_id: `t${n}`, pad });

describe('SseHub deferDelivery', () => {
  it('assigns ids at publish and writes at the next flush, in order, honouring filters', async () => {
    const { hub, url } = await start({});
    const all = read(url);
    const fills = read(`${url}?events=fill`);
    cleanup.push(all.abort, fills.abort);
    await waitFor('connected', () => hub.counters.clients === 2);
    const ids = [
      hub.publish('fill', fill(0), { strategyId: 's1' }),
      hub.publish('quote_update', { strategy_id: 's1', mid_price: 1 }, { strategyId: 's1', symbol: 'BTCUSDT' }),
      hub.publish('fill', fill(1), { strategyId: 's1' }),
    ];
    expect(ids).toEqual([1, 2, 3]);
    expect(hub.lastEventId).toBe(3);
    expect(hub.counters.deliveries).toBe(0); // nothing written yet
    await waitFor('delivered', () => all.frames.length === 3 && fills.frames.length === 2);
    expect(all.frames.map((f) => [f.id, f.event])).toEqual([[1, 'fill'], [2, 'quote_update'], [3, 'fill']]);
    expect(fills.frames.map((f) => f.id)).toEqual([1, 3]);
    expect(hub.counters.deliveries).toBe(5);
  });

  it('a client joining between a publish and its flush gets that event once (from its resume point), not again from the flush', async () => {
    let publishOnAuthorize = false;
    let hubRef: SseHub | undefined;
    const { hub, url } = await start({}, {
      authorize: () => {
        if (publishOnAuthorize) { publishOnAuthorize = false; hubRef!.publish('fill', fill(2), { strategyId: 's1' }); }
        return true;
      },
    });
    hubRef = hub;
    const first = read(url);
    cleanup.push(first.abort);
    await waitFor('connected', () => hub.counters.clients === 1);
    hub.publish('fill', fill(0), { strategyId: 's1' });
    hub.publish('fill', fill(1), { strategyId: 's1' });
    await waitFor('first has 2', () => first.frames.length === 2);
    // event 3 is published while the second client's request is handled, before it joins
    publishOnAuthorize = true;
    const second = read(url, { 'last-event-id': '2' });
    cleanup.push(second.abort);
    await waitFor('joined', () => hub.counters.clients === 2);
    hub.publish('fill', fill(3), { strategyId: 's1' });
    await waitFor('both', () => first.frames.length === 4 && second.frames.length === 2);
    await new Promise((r) => setTimeout(r, 50));
    expect(first.frames.map((f) => f.id)).toEqual([1, 2, 3, 4]);
    expect(second.frames.map((f) => f.id)).toEqual([3, 4]);
  });

  it('close() writes what is pending before ending the responses', async () => {
    const { hub, url } = await start({});
    const r = read(url);
    cleanup.push(r.abort);
    await waitFor('connected', () => hub.counters.clients === 1);
    for (let i = 0; i < 5; i++) hub.publish('fill', fill(i), { strategyId: 's1' });
    hub.close();
    await waitFor('ended', () => r.done);
    expect(r.frames.map((f) => f.id)).toEqual([1, 2, 3, 4, 5]);
  });

  it('drops a client that stops reading; the others get every fill in order', async () => {
    const { hub, url, port } = await start({ maxPendingBytes: 64 * 1024 });
    const normal = read(url);
    cleanup.push(normal.abort);
    const stuck: Socket = netConnect({ host: '127.0.0.1', port });
    cleanup.push(() => stuck.destroy());
    stuck.on('error', () => {});
    stuck.write(`GET /api/stream HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\n\r\n`);
    stuck.pause(); // never reads
    await waitFor('connected', () => hub.counters.clients === 2);
    const pad = 'x'.repeat(1000);
    let n = 0;
    for (let turn = 0; turn < 2000 && hub.counters.droppedClients === 0; turn++) {
      for (let i = 0; i < 50; i++) hub.publish('fill', fill(n++, pad), { strategyId: 's1' });
      await new Promise((r) => setImmediate(r));
    }
    expect(hub.counters.droppedClients).toBe(1);
    expect(hub.counters.clients).toBe(1);
    await waitFor('every fill', () => normal.frames.length === n, 20_000);
    expect(normal.frames.map((f) => JSON.parse(f.data).trade_id)).toEqual(Array.from({ length: n }, (_, i) => `t${i}`));
    expect(hub.counters.internalErrors).toBe(0);
  }, 60_000);
});
