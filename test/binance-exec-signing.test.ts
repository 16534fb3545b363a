import { generateKeyPairSync, verify } from 'node:crypto';
import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { Ed25519Signer, HmacSigner, signerFromEnv, toQueryString, wsSignaturePayload } from '../src/venues/binance/signing.js';
import { ServerClock } from '../src/venues/binance/clock.js';
import { BinanceApiError, apiError, classify } from '../src/venues/binance/errors.js';
import { BinanceRestClient } from '../src/venues/binance/rest-client.js';

// rest-api.md "SIGNED Endpoint Examples for POST /api/v3/order" (HMAC Keys): example keys and vector
const DOC_API_KEY = 'vmPUZE6mv9SD5VNHk4HlWFsOr6aKE2zvsw0MuIgwCIPy6utIco14y7Ju91duEh8A';
const DOC_SECRET = 'NhqPtmdSJYdKjVHjA7PZj4Mge3R5YNiP1e3UZjInClVN65XAbvqqM6A7H5fATj0j';

describe('HMAC signing', () => {
  it('matches the REST test vector of rest-api.md', () => {
    const s = new HmacSigner(DOC_API_KEY, DOC_SECRET);
    const payload = toQueryString({ symbol: 'LTCBTC', side: 'BUY', type: 'LIMIT', timeInForce: 'GTC', quantity: '1', price: '0.1', recvWindow: 5000, timestamp: 1499827319559 });
    expect(payload).toBe('symbol=LTCBTC&side=BUY&type=LIMIT&timeInForce=GTC&quantity=1&price=0.1&recvWindow=5000&timestamp=1499827319559');
    expect(s.sign(payload)).toBe('c8db56825ae71d6d79447849e617115f4a920fa2acdcab2b053c4b2838bd6b71');
  });

  it('matches the WebSocket API vector of web-socket-api.md (params sorted by name)', () => {
    const s = new HmacSigner(DOC_API_KEY, DOC_SECRET);
    const params = { symbol: 'BTCUSDT', side: 'SELL', type: 'LIMIT', timeInForce: 'GTC', quantity: '0.01000000', price: '52000.00', recvWindow: 100, timestamp: 1645423376532, apiKey: DOC_API_KEY };
    const payload = wsSignaturePayload(params);
    expect(payload).toBe(`apiKey=${DOC_API_KEY}&price=52000.00&quantity=0.01000000&recvWindow=100&side=SELL&symbol=BTCUSDT&timeInForce=GTC&timestamp=1645423376532&type=LIMIT`);
    expect(s.sign(payload)).toBe('aa1b5712c094bc4e57c05a1a5c1fd8d88dcd628338ea863fec7b88e59fe2db24');
  });

  it('percent-encodes non-ASCII values before signing, as the docs do', () => {
    expect(toQueryString({ symbol: '１２３４５６', side: 'BUY' })).toBe('symbol=%EF%BC%91%EF%BC%92%EF%BC%93%EF%BC%94%EF%BC%95%EF%BC%96&side=BUY');
  });

  it('a different secret gives a different signature', () => {
    expect(new HmacSigner(DOC_API_KEY, DOC_SECRET + 'x').sign('a=1')).not.toBe(new HmacSigner(DOC_API_KEY, DOC_SECRET).sign('a=1'));
  });
});

describe('Ed25519 signing', () => {
  it('signs the payload bytes, base64, verifiable with the public key', () => {
    const { publicKey, privateKey } = generateKeyPairSync('ed25519');
    const pem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    const s = new Ed25519Signer('k', pem);
    const payload = 'symbol=BTCUSDT&side=SELL&type=LIMIT&timeInForce=GTC&quantity=1&price=0.2&timestamp=1668481559918&recvWindow=5000';
    const sig = s.sign(payload);
    expect(sig).toMatch(/^[A-Za-z0-9+/]{86}==$/); // 64 bytes
    expect(verify(null, Buffer.from(payload), publicKey, Buffer.from(sig, 'base64'))).toBe(true);
    expect(verify(null, Buffer.from(payload + 'x'), publicKey, Buffer.from(sig, 'base64'))).toBe(false);
  });

  it('refuses a non-Ed25519 key without quoting it', () => {
    const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
    const pem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    expect(() => new Ed25519Signer('k', pem)).toThrow(/not an Ed25519 key/);
    try { new Ed25519Signer('k', 'garbage-secret-material'); } catch (e) { expect(String((e as Error).message)).not.toContain('garbage-secret-material'); }
  });
});

describe('keys never leak', () => {
  it('not in toString, JSON.stringify, util.inspect, or errors', () => {
    const { privateKey } = generateKeyPairSync('ed25519');
    const pem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    const pemBody = pem.split('\n')[1]!;
    const signers = [new HmacSigner(DOC_API_KEY, DOC_SECRET), new Ed25519Signer(DOC_API_KEY, pem)];
    for (const s of signers) {
      const texts = [String(s), `${s}`, JSON.stringify(s), JSON.stringify({ s }), inspect(s, { showHidden: true, depth: 10 }), inspect({ nested: { s } }, { depth: 10 })];
      for (const t of texts) {
        expect(t).not.toContain(DOC_SECRET);
        expect(t).not.toContain(DOC_API_KEY);
        expect(t).not.toContain(pemBody);
      }
    }
    expect(() => signerFromEnv({ BINANCE_API_KEY: DOC_API_KEY })).toThrow();
    try { signerFromEnv({ BINANCE_API_KEY: DOC_API_KEY }); } catch (e) { expect(inspect(e)).not.toContain(DOC_API_KEY); }
    const fromEnv = signerFromEnv({ BINANCE_API_KEY: DOC_API_KEY, BINANCE_API_SECRET: DOC_SECRET })!;
    expect(fromEnv.kind).toBe('hmac');
    expect(inspect(fromEnv)).not.toContain(DOC_SECRET);
    expect(signerFromEnv({})).toBeUndefined();
    // nor through the objects that hold a signer
    const rest = new BinanceRestClient({ market: 'spot', baseUrl: 'http://127.0.0.1:1', signer: signers[0]! });
    for (const t of [inspect(rest, { depth: 10, showHidden: true }), JSON.stringify({ signer: signers[1] })]) {
      expect(t).not.toContain(DOC_SECRET);
      expect(t).not.toContain(DOC_API_KEY);
      expect(t).not.toContain(pemBody);
    }
  });

  it('errors of failed requests carry no key material', async () => {
    const rest = new BinanceRestClient({ market: 'spot', baseUrl: 'http://127.0.0.1:1', signer: new HmacSigner(DOC_API_KEY, DOC_SECRET), timeoutMs: 500 });
    const e = await rest.openOrders('BTCUSDT').catch((x) => x);
    expect(e).toBeInstanceOf(BinanceApiError);
    for (const t of [String(e), inspect(e), JSON.stringify(e), (e as Error).stack ?? '']) {
      expect(t).not.toContain(DOC_SECRET);
      expect(t).not.toContain(DOC_API_KEY);
      expect(t).not.toMatch(/signature=/);
    }
  });
});

describe('error classification (errors.md, rest-api.md)', () => {
  it('maps codes and statuses to what we do', () => {
    expect(classify(400, -2010, 'Order would immediately match and take.')).toBe('post_only_would_cross');
    expect(classify(400, -2010, 'Account has insufficient balance for requested action.')).toBe('rejected');
    expect(classify(400, -5022, 'Due to the order could not be executed as maker, the Post Only order will be rejected.')).toBe('post_only_would_cross');
    expect(classify(400, -1013, 'Filter failure: PRICE_FILTER')).toBe('rejected');
    expect(classify(400, -1022, 'Signature for this request is not valid.')).toBe('rejected');
    expect(classify(400, -1021, 'Timestamp for this request is outside of the recvWindow.')).toBe('clock_skew');
    expect(classify(400, -2013, 'Order does not exist.')).toBe('not_found');
    expect(classify(400, -1125, 'This listenKey does not exist.')).toBe('listen_key_expired');
    expect(classify(503, 0, '')).toBe('unknown_outcome');
    expect(classify(0, 0, 'timeout')).toBe('unknown_outcome');
    expect(classify(400, -1007, 'Timeout waiting for response from backend server.')).toBe('unknown_outcome');
    expect(classify(429, -1003, 'Too much request weight used')).toBe('rate_limited');
    expect(classify(429, -1015, 'Too many new orders')).toBe('rate_limited');
    expect(classify(418, -1003, 'IP banned')).toBe('banned');
    expect(apiError(400, -2010, 'Order would immediately match and take.').reason).toBe('post_only_would_cross');
    expect(apiError(400, -1013, 'x').reason).toBe('binance_-1013_invalid_message');
  });
});

describe('server clock', () => {
  it('offset = serverTime − local midpoint of the smallest-RTT sample', async () => {
    let local = 1_000_000;
    const rtts = [40, 10, 30];
    let i = 0;
    const clock = new ServerClock({
      now: () => local,
      fetchServerTime: async () => { const rtt = rtts[i++]!; local += rtt / 2; const server = local + 500; local += rtt / 2; return server; },
    });
    await clock.sync();
    expect(clock.rttMs).toBe(10);
    expect(clock.offsetMs).toBe(500);
    expect(clock.timestamp()).toBe(local + 500);
  });

  it('-1021 leads to exactly one resync and one retry; a second -1021 is returned', async () => {
    let syncs = 0;
    const clock = new ServerClock({ samples: 1, fetchServerTime: async () => { syncs++; return Date.now(); } });
    let calls = 0;
    const skew = () => new BinanceApiError(400, -1021, 'Timestamp for this request is outside of the recvWindow.', 'clock_skew');
    await expect(clock.withSkewRetry(async () => { calls++; if (calls === 1) throw skew(); return 'ok'; })).resolves.toBe('ok');
    expect([calls, syncs]).toEqual([2, 1]);
    calls = 0; syncs = 0;
    await expect(clock.withSkewRetry(async () => { calls++; throw skew(); })).rejects.toMatchObject({ binanceCode: -1021 });
    expect([calls, syncs]).toEqual([2, 1]);
    calls = 0;
    await expect(clock.withSkewRetry(async () => { calls++; throw new BinanceApiError(400, -1013, 'x', 'rejected'); })).rejects.toMatchObject({ binanceCode: -1013 });
    expect(calls).toBe(1);
  });
});
