// A route answered later (POST /api/reconcile waits for the live venue) on each transport:
// the answer is written once the venue's promise settles; a client that left meanwhile is
// counted as aborted and never written to (uWS would fail the process on a write to an
// aborted response); a rejection is the coded error answer; a request forwarded from another
// cluster node for it is refused without calling the venue. The venue's side is a promise the
// test settles, so the moment the client leaves is known (the reconciliation itself is tested
// with the replicas and serve: live-binance-usdm-reconcile-request.test.ts).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SimDriver, TradingEngine } from '../src/engine/index.js';
import { MarketSimulator } from '../src/feed/sim/index.js';
import { Gateway } from '../src/gateway/index.js';
import { HttpError } from '../src/gateway/http-errors.js';
import type { LiveControl } from '../src/gateway/routes-api.js';
import { selectTransport } from '../src/net/select-transport.js';
import { uwsNativeBindingPath } from '../src/net/uws.js';
import { waitUntil } from './support/live-binance.js';

const transports = uwsNativeBindingPath() !== undefined ? (['uws', 'node'] as const) : (['node'] as const);

let engine: TradingEngine;
beforeAll(() => {
  engine = new TradingEngine();
  new SimDriver(engine, new MarketSimulator({ instruments: [{ symbol: 'BTCUSDT' }] }, 3)).run(1);
});
afterAll(() => { engine.close(); });

/** A live venue whose reconciliations the test settles one by one. */
function venue(): LiveControl & { calls: number; settle: (v: Record<string, unknown> | Error) => void } {
  const pending: Array<{ resolve: (v: Record<string, unknown>) => void; reject: (e: unknown) => void }> = [];
  return {
    calls: 0,
    reconcile(): Promise<Record<string, unknown>> {
      this.calls++;
      return new Promise((resolve, reject) => { pending.push({ resolve, reject }); });
    },
    settle(v): void {
      const p = pending.shift()!;
      if (v instanceof Error) p.reject(v); else p.resolve(v);
    },
  };
}

describe.each(transports)('an async route on %s', (name) => {
  it('answers when the venue does, writes nothing to a client that left, and answers a rejection with its code', async () => {
    const live = venue();
    const gw = new Gateway(engine, { port: 0, live, transport: selectTransport(name) });
    const base = `http://127.0.0.1:${await gw.listen()}`;
    try {
      // answered once the venue answers
      const first = fetch(`${base}/api/reconcile`, { method: 'POST' });
      await waitUntil('the venue asked', async () => live.calls === 1, 10_000);
      live.settle({ ok: true, mismatches: [] });
      const a = await first;
      expect(a.status).toBe(200);
      expect(a.headers.get('x-request-id')).not.toBeNull();
      expect(await a.json()).toEqual({ ok: true, mismatches: [] });

      // the client leaves before the venue answers: counted, nothing written, the server goes on
      const ac = new AbortController();
      const gone = fetch(`${base}/api/reconcile`, { method: 'POST', signal: ac.signal }).catch((e: unknown) => e);
      await waitUntil('the venue asked again', async () => live.calls === 2, 10_000);
      ac.abort();
      expect(await gone).toBeInstanceOf(Error);
      await waitUntil('the abort seen by the gateway', async () => gw.counters.aborted === 1, 10_000);
      live.settle({ ok: true, mismatches: [] });
      expect((await fetch(`${base}/api/health`)).status).toBe(200);

      // a rejection: the coded error with the request id
      const third = fetch(`${base}/api/reconcile`, { method: 'POST', headers: { 'x-request-id': 'rq-1' } });
      await waitUntil('the venue asked a third time', async () => live.calls === 3, 10_000);
      live.settle(new HttpError(502, 'SPREADCORE_ERR_VENUE_UNAVAILABLE', 'the reconciliation failed: no answer'));
      const c = await third;
      expect(c.status).toBe(502);
      expect(await c.json()).toEqual({ ok: false, error: { code: 'SPREADCORE_ERR_VENUE_UNAVAILABLE', message: 'the reconciliation failed: no answer', request_id: 'rq-1' } });
      expect(gw.counters.internalErrors).toBe(0);

      // forwarded from another node: refused here, the venue not asked
      const d = gw.dispatch({ method: 'POST', path: '/api/reconcile', query: '', body: null, request_id: 'fw-1' });
      expect(d.status).toBe(404);
      expect(JSON.parse(d.body)).toMatchObject({ ok: false, error: { code: 'SPREADCORE_ERR_NOT_FOUND' } });
      expect(live.calls).toBe(3);
    } finally {
      gw.close();
    }
  }, 60_000);
});
