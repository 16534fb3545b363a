// Request ids and request logs of the control API: every answer carries x-request-id
// (the client's when it is a short safe token, a generated one otherwise), error bodies
// keep their documented shape and add error.request_id, and with a logger each request
// is one JSON line at debug (4xx at info, 5xx at warn) with the id, method, path,
// censored query, status and time — never the Authorization header or a secret query value.
import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TradingEngine } from '../src/engine/index.js';
import { Gateway } from '../src/gateway/index.js';
import { isSafeRequestId, RequestIds } from '../src/gateway/request-id.js';
import { createLogger } from '../src/log/logger.js';

const TOKEN = 'CANARYreqid0123456789abcdef';
let engine: TradingEngine;
let gw: Gateway;
let base = '';
let logged = '';

beforeAll(async () => {
  engine = new TradingEngine();
  const out = new PassThrough();
  out.on('data', (b: Buffer) => { logged += b.toString(); });
  gw = new Gateway(engine, { port: 0, token: TOKEN, log: createLogger({ stream: out, level: 'debug' }) });
  base = `http://127.0.0.1:${await gw.listen()}`;
});
afterAll(() => { gw.close(); engine.close(); });

const auth = { authorization: `Bearer ${TOKEN}` };

function lines(): Record<string, unknown>[] {
  return logged.trim().split('\n').filter((l) => l !== '').map((l) => JSON.parse(l) as Record<string, unknown>);
}

describe('request ids', () => {
  it('accepts short safe tokens only', () => {
    for (const ok of ['a', 'req-1', '0f8c6c1e-3b7a-4c1e-9d2f-1a2b3c4d5e6f', 'svc:42.7_x', 'x'.repeat(64)]) expect(isSafeRequestId(ok), ok).toBe(true);
    for (const bad of ['', 'x'.repeat(65), 'a b', 'a"b', 'a\nb', '<script>', 'a/b', 'é']) expect(isSafeRequestId(bad), bad).toBe(false);
    const ids = new RequestIds();
    const a = ids.forRequest('');
    const b = ids.forRequest('bad id');
    expect(a).toMatch(/^[0-9a-f]{8}-1$/);
    expect(b).toMatch(/^[0-9a-f]{8}-2$/);
    expect(ids.forRequest('mine-7')).toBe('mine-7');
  });

  it('echoes a safe x-request-id, replaces an unsafe one, and puts it in error bodies', async () => {
    const ok = await fetch(`${base}/api/health`, { headers: { ...auth, 'x-request-id': 'trace-abc.1' } });
    expect(ok.status).toBe(200);
    expect(ok.headers.get('x-request-id')).toBe('trace-abc.1');

    const gen = await fetch(`${base}/api/strategies`, { headers: auth });
    const id = gen.headers.get('x-request-id')!;
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-z]+$/);

    const unsafe = await fetch(`${base}/api/nope`, { headers: { ...auth, 'x-request-id': `${'x'.repeat(65)}` } });
    expect(unsafe.status).toBe(404);
    const uid = unsafe.headers.get('x-request-id')!;
    expect(uid).toMatch(/^[0-9a-f]{8}-[0-9a-z]+$/);
    const body = await unsafe.json() as { ok: boolean; error: Record<string, unknown> };
    // the documented shape, plus the id
    expect(body).toEqual({ ok: false, error: { code: 'SPREADCORE_ERR_NOT_FOUND', message: expect.any(String), request_id: uid } });

    const denied = await fetch(`${base}/api/strategies`, { headers: { authorization: `Bearer ${TOKEN}x`, 'x-request-id': 'client-9' } });
    expect(denied.status).toBe(401);
    expect(denied.headers.get('x-request-id')).toBe('client-9');
    expect((await denied.json() as { error: { code: string; request_id: string } }).error).toMatchObject({ code: 'SPREADCORE_ERR_UNAUTHORIZED', request_id: 'client-9' });
  });

  it('logs each request at debug and each 4xx at info, without the token or secret query values', async () => {
    logged = '';
    await (await fetch(`${base}/api/strategies`, { headers: { ...auth, 'x-request-id': 'ok-1' } })).text();
    await (await fetch(`${base}/api/market/depth?symbol=NOPE&limit=5&token=${TOKEN}&signature=${TOKEN}`, { headers: { ...auth, 'x-request-id': 'q-1' } })).text();
    await (await fetch(`${base}/api/strategies?api_key=${TOKEN}`, { headers: { authorization: `Bearer ${TOKEN}0`, 'x-request-id': 'bad-1' } })).text();
    await (await fetch(`${base}/api/strategy/load`, { method: 'POST', headers: { ...auth, 'content-type': 'application/json', 'x-request-id': 'body-1' }, body: JSON.stringify({ name: TOKEN }) })).text();
    await new Promise((r) => setTimeout(r, 50));
    const all = lines();
    const byId = (id: string): Record<string, unknown> => all.find((l) => l['req_id'] === id)!;
    expect(byId('ok-1')).toMatchObject({ level: 20, method: 'GET', path: '/api/strategies', status: 200, msg: 'GET /api/strategies 200' });
    expect(typeof byId('ok-1')['ms']).toBe('number');
    expect(byId('q-1')).toMatchObject({ level: 30, status: 404, query: 'symbol=NOPE&limit=5&token=[redacted]&signature=[redacted]' });
    expect(byId('bad-1')).toMatchObject({ level: 30, status: 401, code: 'SPREADCORE_ERR_UNAUTHORIZED', query: 'api_key=[redacted]' });
    expect(byId('body-1')).toMatchObject({ level: 30, status: 400 });
    expect(logged).not.toContain(TOKEN);
    expect(logged.toLowerCase()).not.toContain('authorization');
  });

  it('logs nothing per request below info when the level is info', async () => {
    const out = new PassThrough();
    let text = '';
    out.on('data', (b: Buffer) => { text += b.toString(); });
    const quiet = new Gateway(engine, { port: 0, log: createLogger({ stream: out, level: 'info' }) });
    const url = `http://127.0.0.1:${await quiet.listen()}`;
    try {
      await (await fetch(`${url}/api/health`)).text();
      await (await fetch(`${url}/api/nope`)).text();
      await new Promise((r) => setTimeout(r, 50));
      const l = text.trim().split('\n').map((x) => JSON.parse(x) as { status: number });
      expect(l.map((x) => x.status)).toEqual([404]);
    } finally {
      quiet.close();
    }
  });
});
