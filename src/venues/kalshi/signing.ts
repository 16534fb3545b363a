// Kalshi request signing (docs.kalshi.com getting_started/quick_start_authenticated_requests,
// getting_started/api_keys; kalshi-typescript auth.ts): the message is
//   timestamp_ms + METHOD + path
// with the full path including /trade-api/v2 and without the query string; the signature is
// RSA-PSS with SHA-256 (MGF1-SHA-256, salt length = digest length), base64, sent with
// KALSHI-ACCESS-KEY (the key id) and KALSHI-ACCESS-TIMESTAMP. The WebSocket handshake signs
// ts + "GET" + "/trade-api/ws/v2" (getting_started/quick_start_websockets).
//
// The private key lives in a KeyObject held in a private field: it never appears in JSON,
// util.inspect, logs or error messages.
import { constants, createPrivateKey, createPublicKey, sign, verify, type KeyObject } from 'node:crypto';
import { inspect } from 'node:util';

export interface SignedHeaders {
  'KALSHI-ACCESS-KEY': string;
  'KALSHI-ACCESS-TIMESTAMP': string;
  'KALSHI-ACCESS-SIGNATURE': string;
}

const PSS = { padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: constants.RSA_PSS_SALTLEN_DIGEST } as const;

/** The path a request signs: the URL path without query or fragment. */
export function signingPath(pathOrUrl: string): string {
  let p = pathOrUrl;
  if (/^[a-z]+:\/\//i.test(p)) p = new URL(p).pathname;
  const q = p.search(/[?#]/);
  return q < 0 ? p : p.slice(0, q);
}

/** The string that is signed. */
export function signingMessage(timestampMs: string, method: string, path: string): string {
  return `${timestampMs}${method.toUpperCase()}${signingPath(path)}`;
}

export class KalshiSigner {
  readonly keyId: string;
  readonly #key: KeyObject;

  /** privateKeyPem: PKCS#1 ("BEGIN RSA PRIVATE KEY", as Kalshi downloads it) or PKCS#8. */
  constructor(keyId: string, privateKeyPem: string) {
    if (typeof keyId !== 'string' || keyId === '') throw new Error('Kalshi key id must be a non-empty string');
    let key: KeyObject;
    try {
      key = createPrivateKey({ key: privateKeyPem, format: 'pem' });
    } catch {
      throw new Error('Kalshi private key could not be read (expected an RSA private key in PEM)'); // never echo the PEM
    }
    if (key.asymmetricKeyType !== 'rsa') throw new Error(`Kalshi private key must be RSA, got ${String(key.asymmetricKeyType)}`);
    this.keyId = keyId;
    this.#key = key;
  }

  /** The three headers for a request at timestampMs (default now). */
  headers(method: string, path: string, timestampMs: number = Date.now()): SignedHeaders {
    const ts = String(Math.trunc(timestampMs));
    const sig = sign('sha256', Buffer.from(signingMessage(ts, method, path)), { key: this.#key, ...PSS }).toString('base64');
    return { 'KALSHI-ACCESS-KEY': this.keyId, 'KALSHI-ACCESS-TIMESTAMP': ts, 'KALSHI-ACCESS-SIGNATURE': sig };
  }

  /** The public half (for a replica or a test). */
  publicKeyPem(): string { return createPublicKey(this.#key).export({ type: 'spki', format: 'pem' }).toString(); }

  toJSON(): Record<string, string> { return { keyId: this.keyId, privateKey: '[redacted]' }; }
  toString(): string { return `KalshiSigner(${this.keyId})`; }
  [inspect.custom](): string { return `KalshiSigner { keyId: ${JSON.stringify(this.keyId)}, privateKey: [redacted] }`; }
}

/** Checks a signature as Kalshi does (the replica uses it). */
export function verifyKalshiSignature(publicKey: KeyObject | string, timestampMs: string, method: string, path: string, signatureB64: string): boolean {
  try {
    const key = typeof publicKey === 'string' ? createPublicKey(publicKey) : publicKey;
    return verify('sha256', Buffer.from(signingMessage(timestampMs, method, path)), { key, ...PSS }, Buffer.from(signatureB64, 'base64'));
  } catch {
    return false;
  }
}

/**
 * A signer from the environment: KALSHI_API_KEY_ID and KALSHI_PRIVATE_KEY_PEM (the PEM text;
 * literal "\n" sequences are turned into newlines). Undefined when either is missing.
 */
export function signerFromEnv(env: NodeJS.ProcessEnv = process.env): KalshiSigner | undefined {
  const id = env['KALSHI_API_KEY_ID'];
  const pem = env['KALSHI_PRIVATE_KEY_PEM'];
  if (id === undefined || id === '' || pem === undefined || pem === '') return undefined;
  return new KalshiSigner(id, pem.includes('\\n') ? pem.replace(/\\n/g, '\n') : pem);
}
