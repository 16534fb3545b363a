// SIGNED request checks, as rest-api.md "SIGNED Endpoint security" and "Timing
// security" and web-socket-api.md "SIGNED request security" describe them:
// - REST: the signed payload is the query string concatenated with the body
//   (without the signature parameter); HMAC-SHA256 hex (case-insensitive) or
//   Ed25519 base64; the key in the X-MBX-APIKEY header.
// - WS API: every parameter but signature, sorted by name, joined as k=v&k=v.
// - timestamp (ms, or µs when it has 16 digits) must satisfy
//   timestamp < serverTime + 1000 and serverTime − timestamp ≤ recvWindow
//   (default 5000, at most 60000, up to three decimals).
import { createHmac, createPublicKey, timingSafeEqual, verify, type KeyObject } from 'node:crypto';
import { err, ReplicaError } from './replica-error.js';
import type { Params } from './order-params.js';

export interface ApiKeySpec {
  readonly apiKey: string;
  /** HMAC secret. */
  readonly secret?: string;
  /** Ed25519 public key, PEM. */
  readonly ed25519PublicKeyPem?: string;
}

interface KeyEntry { readonly apiKey: string; readonly secret: string | null; readonly ed25519: KeyObject | null }

/** The demo key pair the replica uses when none is given (printed at start; never a real key). */
export const DEMO_API_KEY = 'replica-demo-api-key';
export const DEMO_API_SECRET = 'replica-demo-api-secret';

export class Auth {
  private readonly keys = new Map<string, KeyEntry>();

  constructor(specs: readonly ApiKeySpec[]) {
    for (const s of specs) {
      if (!/^[A-Za-z0-9_-]{1,128}$/.test(s.apiKey)) throw new Error(`replica: API key ${JSON.stringify(s.apiKey)} must be 1-128 of A-Z a-z 0-9 _ -`);
      this.keys.set(s.apiKey, {
        apiKey: s.apiKey, secret: s.secret ?? null,
        ed25519: s.ed25519PublicKeyPem === undefined ? null : createPublicKey(s.ed25519PublicKeyPem),
      });
    }
  }

  /** The key named by X-MBX-APIKEY (API-key endpoints that are not SIGNED, e.g. listenKey). */
  key(apiKey: string | undefined): KeyEntry {
    if (apiKey === undefined || apiKey === '') throw err.apiKeyFormat();
    const k = this.keys.get(apiKey);
    if (k === undefined) throw err.rejectedKey();
    return k;
  }

  /** A SIGNED REST request. rawQuery / rawBody as received (percent-encoded). */
  verifyRest(apiKey: string | undefined, rawQuery: string, rawBody: string, p: Params, serverMs: number): void {
    const k = this.key(apiKey);
    const strip = (s: string): string => s.split('&').filter((x) => x !== '' && !x.startsWith('signature=')).join('&');
    const q = strip(rawQuery);
    const b = strip(rawBody);
    this.check(k, q + b, p, serverMs);
  }

  /** A SIGNED WS API request: params carry apiKey and signature. */
  verifyWs(params: Readonly<Record<string, unknown>>, p: Params, serverMs: number): void {
    const apiKey = p.get('apiKey');
    const k = this.key(apiKey);
    const payload = Object.keys(params).filter((n) => n !== 'signature').sort()
      .map((n) => `${n}=${String(params[n])}`).join('&');
    this.check(k, payload, p, serverMs);
  }

  /**
   * session.logon (web-socket-api.md "Session Authentication"): a SIGNED request whose key
   * must be an Ed25519 one ("Only Ed25519 keys are supported for this feature"); answers the key.
   */
  logon(params: Readonly<Record<string, unknown>>, p: Params, serverMs: number): string {
    this.verifyWs(params, p, serverMs);
    const k = this.key(p.get('apiKey'));
    if (k.ed25519 === null) throw err.unsupported();
    return k.apiKey;
  }

  /** A SIGNED request on a session authenticated by session.logon: no apiKey or signature, timestamp rules still apply; the key must still be valid. */
  verifySession(apiKey: string, p: Params, serverMs: number): void {
    this.key(apiKey);
    checkTimestamp(p, serverMs);
  }

  private check(k: KeyEntry, payload: string, p: Params, serverMs: number): void {
    const sig = p.get('signature');
    if (sig === undefined || sig === '') throw err.mandatory('signature');
    checkTimestamp(p, serverMs);
    if (!this.signatureOk(k, payload, sig)) throw err.badSignature();
  }

  private signatureOk(k: KeyEntry, payload: string, sig: string): boolean {
    if (k.secret !== null && /^[0-9a-fA-F]{64}$/.test(sig)) {
      const want = createHmac('sha256', k.secret).update(payload).digest();
      return timingSafeEqual(want, Buffer.from(sig, 'hex'));
    }
    if (k.ed25519 !== null) {
      const raw = Buffer.from(sig, 'base64');
      if (raw.length !== 64) return false;
      return verify(null, Buffer.from(payload), k.ed25519, raw);
    }
    return false;
  }
}

/** timestamp / recvWindow rules; throws -1021 (or -1102 / -1100 for malformed values). */
export function checkTimestamp(p: Params, serverMs: number): void {
  const tsText = p.get('timestamp');
  if (tsText === undefined || tsText === '') throw err.mandatory('timestamp');
  if (!/^\d{1,16}$/.test(tsText)) throw err.illegal('timestamp', '^[0-9]{1,16}$');
  let ts = Number(tsText);
  if (tsText.length >= 16) ts /= 1000; // microseconds
  let recvWindow = 5000;
  const rw = p.get('recvWindow');
  if (rw !== undefined && rw !== '') {
    if (!/^\d{1,5}(\.\d{1,3})?$/.test(rw) || Number(rw) > 60000) {
      throw new ReplicaError(400, -1131, 'recvWindow must be less than 60000');
    }
    recvWindow = Number(rw);
  }
  if (!(ts < serverMs + 1000)) throw err.timestampAhead();
  if (serverMs - ts > recvWindow) throw err.timestampOutside();
}
