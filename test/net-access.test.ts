// The access rules every listener applies (src/net/access.ts), as a table: the Host
// header against DNS rebinding, the Origin header against cross-site pages, the token.
import { describe, expect, it } from 'vitest';
import { accessDenial, checkBind, hostAllowed, hostName, sameOrigin, type AccessPolicy } from '../src/net/access.js';

const LOOPBACK: AccessPolicy = { boundHost: '127.0.0.1', token: undefined };
const TOKEN = 'access-token-0123456789';
const OPEN: AccessPolicy = { boundHost: '0.0.0.0', token: TOKEN };

describe('access rules', () => {
  it('Host: bound to loopback, only loopback names (or none) pass; bound elsewhere, any', () => {
    for (const h of ['127.0.0.1:8081', 'localhost:8081', '[::1]:8081', 'LOCALHOST', '127.9.9.9', '']) expect(hostAllowed('127.0.0.1', h), h).toBe(true);
    for (const h of ['evil.example:8081', '192.168.1.2:8081', '127.0.0.1.evil.example', '0.0.0.0:8081']) expect(hostAllowed('127.0.0.1', h), h).toBe(false);
    expect(hostAllowed('0.0.0.0', 'evil.example')).toBe(true);
    expect(hostName('[::1]:80')).toBe('::1');
  });

  it('Origin: absent passes; only the same host:port passes', () => {
    expect(sameOrigin('', '127.0.0.1:8081')).toBe(true);
    expect(sameOrigin('http://127.0.0.1:8081', '127.0.0.1:8081')).toBe(true);
    expect(sameOrigin('http://LOCALHOST:8081', 'localhost:8081')).toBe(true);
    expect(sameOrigin('http://[::1]:8081', '[::1]:8081')).toBe(true);
    for (const o of ['http://127.0.0.1:5173', 'http://localhost:8081', 'https://evil.example', 'null', 'not a url']) {
      expect(sameOrigin(o, '127.0.0.1:8081'), o).toBe(false);
    }
  });

  it('accessDenial: host, then origin (when it applies), then token', () => {
    const req = (o: Partial<{ host: string; origin: string; authorization: string; checkOrigin: boolean }>) =>
      ({ host: '127.0.0.1:8081', origin: '', authorization: '', checkOrigin: true, ...o });
    expect(accessDenial(LOOPBACK, req({}))).toBeNull();
    expect(accessDenial(LOOPBACK, req({ host: 'evil.example:8081' }))).toMatchObject({ status: 403, reason: 'host' });
    expect(accessDenial(LOOPBACK, req({ origin: 'http://127.0.0.1:9999' }))).toMatchObject({ status: 403, reason: 'origin' });
    expect(accessDenial(LOOPBACK, req({ origin: 'http://127.0.0.1:9999', checkOrigin: false }))).toBeNull();
    expect(accessDenial(OPEN, req({}))).toMatchObject({ status: 401, reason: 'token' });
    expect(accessDenial(OPEN, req({ authorization: `Bearer ${TOKEN}` }))).toBeNull();
    expect(accessDenial(OPEN, req({ authorization: `Bearer ${TOKEN}`, origin: 'https://evil.example' }))).toMatchObject({ status: 403, reason: 'origin' });
    expect(accessDenial({ boundHost: '127.0.0.1', token: TOKEN }, req({ authorization: 'Bearer wrong-token-0123456789' }))).toMatchObject({ status: 401 });
  });

  it('checkBind: a non-loopback address needs a token; a token has 16+ characters and no spaces', () => {
    expect(() => checkBind('127.0.0.1', undefined, 'x')).not.toThrow();
    expect(() => checkBind('0.0.0.0', undefined, 'the feed handler')).toThrow(/binding the feed handler to 0\.0\.0\.0 \(not loopback\) requires a token/);
    expect(() => checkBind('0.0.0.0', 'short', 'x')).toThrow(/at least 16/);
    expect(() => checkBind('0.0.0.0', 'has a space 0123456789', 'x')).toThrow(/without spaces/);
    expect(() => checkBind('0.0.0.0', TOKEN, 'x')).not.toThrow();
  });
});
