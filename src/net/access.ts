// Who may talk to a listener the process opens: the control API (src/gateway) and the
// feed handler (src/feed/handler) apply the same rules, from here.
//
//  - Bind: a non-loopback bind address requires a bearer token (checkBind throws
//    otherwise); a token is at least 16 characters without spaces.
//  - Host: bound to loopback, the Host header must name a loopback address (or be
//    absent): a page on another name that resolves to 127.0.0.1 (DNS rebinding)
//    is refused with 403.
//  - Origin: a request carrying an Origin whose host:port is not the Host header's
//    (another site, another port of the same machine, or the opaque "null") is
//    refused with 403 — on mutating methods for the control API, on every request
//    for a listener where any request acts (a WebSocket upgrade: browsers send
//    Origin and no CORS check protects it). Clients that are not browsers send no
//    Origin and are not affected.
//  - Token: when one is configured (always off loopback), every request must carry
//    "Authorization: Bearer <token>", compared in constant time, else 401.
import { createHash, timingSafeEqual } from 'node:crypto';
import { SpreadcoreError } from '../errors.js';

/** 127.0.0.0/8, ::1 (also bracketed or IPv4-mapped) and "localhost". Everything else, 0.0.0.0 and :: included, is not. */
export function isLoopbackHost(host: string): boolean {
  const h = host.trim().toLowerCase().replace(/^\[(.*)\]$/, '$1');
  if (h === 'localhost' || h === '::1' || h === '0:0:0:0:0:0:0:1') return true;
  const v4 = h.startsWith('::ffff:') ? h.slice(7) : h;
  return /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(v4);
}

const digest = (s: string): Buffer => createHash('sha256').update(s, 'utf8').digest();

/**
 * True when an Authorization header value is "Bearer <token>" with the expected
 * token. Both sides are hashed first, so the comparison takes the same time
 * whatever the lengths and contents.
 */
export function bearerMatches(authorization: string, expectedToken: string): boolean {
  const m = /^bearer[ \t]+(\S+)[ \t]*$/i.exec(authorization);
  const given = m?.[1] ?? '';
  const same = timingSafeEqual(digest(given), digest(expectedToken));
  return m !== null && same;
}

/** The host name of a Host header ("127.0.0.1:8080" → "127.0.0.1", "[::1]:80" → "::1"). */
export function hostName(host: string): string {
  if (host.startsWith('[')) {
    const end = host.indexOf(']');
    return end < 0 ? host : host.slice(1, end);
  }
  const colon = host.indexOf(':');
  return colon < 0 ? host : host.slice(0, colon);
}

/**
 * Checks a listener's bind address and token before anything is bound: throws
 * SPREADCORE_ERR_BAD_PARAM for a token that is too short or has spaces, and for a
 * non-loopback address without a token. `what` names the listener in the message.
 */
export function checkBind(host: string, token: string | undefined, what: string): void {
  if (token !== undefined && (token.length < 16 || /\s/.test(token))) {
    throw new SpreadcoreError('SPREADCORE_ERR_BAD_PARAM', 'token must be at least 16 characters without spaces');
  }
  if (token === undefined && !isLoopbackHost(host)) {
    throw new SpreadcoreError('SPREADCORE_ERR_BAD_PARAM', `binding ${what} to ${host} (not loopback) requires a token`);
  }
}

/** Bound to `boundHost`: may a request carrying this Host header be served? */
export function hostAllowed(boundHost: string, hostHeader: string): boolean {
  if (!isLoopbackHost(boundHost)) return true;
  const name = hostName(hostHeader);
  return name === '' || isLoopbackHost(name);
}

/** True when an Origin header names the same host:port as the Host header ("" = no Origin: not a browser, allowed). */
export function sameOrigin(originHeader: string, hostHeader: string): boolean {
  if (originHeader === '') return true;
  let originHost = '';
  try { originHost = new URL(originHeader).host; } catch { /* opaque origin ("null") */ }
  return originHost !== '' && originHost.toLowerCase() === hostHeader.toLowerCase();
}

/** One listener's access settings. */
export interface AccessPolicy {
  /** The address the listener binds. */
  readonly boundHost: string;
  /** The bearer token every request must carry, when set. */
  readonly token: string | undefined;
}

/** The headers of one request the rules look at ("" when absent). */
export interface AccessRequest {
  readonly host: string;
  readonly origin: string;
  readonly authorization: string;
  /** Whether the Origin rule applies to this request (a mutating method, a WebSocket upgrade). */
  readonly checkOrigin: boolean;
}

export type AccessDenialReason = 'host' | 'origin' | 'token';

/** Why a request is refused: 403 for Host and Origin, 401 (with WWW-Authenticate: Bearer) for the token. */
export interface AccessDenial {
  readonly status: 401 | 403;
  readonly reason: AccessDenialReason;
  readonly message: string;
}

const DENIALS: Record<AccessDenialReason, AccessDenial> = {
  host: { status: 403, reason: 'host', message: 'the Host header must name this machine' },
  origin: { status: 403, reason: 'origin', message: 'cross-origin requests are not allowed' },
  token: { status: 401, reason: 'token', message: 'a valid bearer token is required' },
};

/** Applies the rules above to one request: null when it may be served, else why not. */
export function accessDenial(policy: AccessPolicy, req: AccessRequest): AccessDenial | null {
  if (!hostAllowed(policy.boundHost, req.host)) return DENIALS.host;
  if (req.checkOrigin && !sameOrigin(req.origin, req.host)) return DENIALS.origin;
  if (policy.token !== undefined && !bearerMatches(req.authorization, policy.token)) return DENIALS.token;
  return null;
}
