// Request signing for Binance (spot REST / WebSocket API and USD-M futures).
//
// - HMAC-SHA256: hex digest of the signature payload, keyed with the secret key
//   (binance-spot-api-docs rest-api.md "SIGNED Endpoint Examples for POST /api/v3/order",
//   HMAC Keys). REST payload = query string concatenated with the body; WebSocket API
//   payload = every param except `signature`, sorted by name, joined `k=v&…`
//   (web-socket-api.md "SIGNED request example (HMAC)").
// - Ed25519: the raw 64-byte signature of the payload's bytes, base64-encoded
//   (rest-api.md / web-socket-api.md "Ed25519"); in a REST query it must be percent-encoded.
//
// Key material is held in private class fields and built once into node:crypto
// KeyObjects: it never appears in toString, JSON.stringify, util.inspect or an error
// message (a signer prints as `BinanceSigner(hmac, keys redacted)`).
import { createHmac, createPrivateKey, createSecretKey, sign as cryptoSign, type KeyObject } from 'node:crypto';
import { inspect } from 'node:util';
import { BinanceError } from './errors.js';

export type SignerKind = 'hmac' | 'ed25519';

/** A signer: the API key for the `X-MBX-APIKEY` header / `apiKey` param and a signing function. */
export interface RequestSigner {
  readonly kind: SignerKind;
  /** The API key (sent in the clear as a header or param; still never logged by this module). */
  apiKey(): string;
  /** Signature of the payload: hex (HMAC) or base64 (Ed25519). */
  sign(payload: string): string;
}


abstract class SignerBase implements RequestSigner {
  abstract readonly kind: SignerKind;
  readonly #apiKey: string;
  protected constructor(apiKey: string) {
    if (typeof apiKey !== 'string' || apiKey.length === 0) throw new BinanceError('BINANCE_ERR_KEYS', 'the API key must be a non-empty string');
    this.#apiKey = apiKey;
  }
  apiKey(): string { return this.#apiKey; }
  abstract sign(payload: string): string;
  toString(): string { return `BinanceSigner(${this.kind}, keys redacted)`; }
  toJSON(): string { return this.toString(); }
  [inspect.custom](): string { return this.toString(); }
}

/** HMAC-SHA256 with the secret key, hex output. */
export class HmacSigner extends SignerBase {
  readonly kind = 'hmac' as const;
  readonly #key: KeyObject;
  constructor(apiKey: string, secretKey: string) {
    super(apiKey);
    if (typeof secretKey !== 'string' || secretKey.length === 0) throw new BinanceError('BINANCE_ERR_KEYS', 'the secret key must be a non-empty string');
    this.#key = createSecretKey(Buffer.from(secretKey, 'utf8'));
  }
  sign(payload: string): string {
    return createHmac('sha256', this.#key).update(payload, 'utf8').digest('hex');
  }
}

/** Ed25519 with a PKCS#8 PEM private key, base64 output. */
export class Ed25519Signer extends SignerBase {
  readonly kind = 'ed25519' as const;
  readonly #key: KeyObject;
  constructor(apiKey: string, privateKeyPem: string, passphrase?: string) {
    super(apiKey);
    let key: KeyObject;
    try {
      key = passphrase === undefined ? createPrivateKey(privateKeyPem) : createPrivateKey({ key: privateKeyPem, passphrase });
    } catch {
      // never echo the key material or node's message (which may quote it)
      throw new BinanceError('BINANCE_ERR_KEYS', 'the Ed25519 private key could not be read (expected a PKCS#8 PEM)');
    }
    if (key.asymmetricKeyType !== 'ed25519') throw new BinanceError('BINANCE_ERR_KEYS', 'the private key is not an Ed25519 key');
    this.#key = key;
  }
  sign(payload: string): string {
    return cryptoSign(null, Buffer.from(payload, 'utf8'), this.#key).toString('base64');
  }
}

/**
 * The signer from the environment: BINANCE_API_KEY plus BINANCE_API_SECRET (HMAC) or
 * BINANCE_PRIVATE_KEY_PEM (Ed25519, optional BINANCE_PRIVATE_KEY_PASSPHRASE). Keys come
 * from the environment only; undefined when none are set.
 */
export function signerFromEnv(env: NodeJS.ProcessEnv = process.env): RequestSigner | undefined {
  const apiKey = env['BINANCE_API_KEY'];
  if (apiKey === undefined || apiKey === '') return undefined;
  const pem = env['BINANCE_PRIVATE_KEY_PEM'];
  if (pem !== undefined && pem !== '') return new Ed25519Signer(apiKey, pem, env['BINANCE_PRIVATE_KEY_PASSPHRASE'] || undefined);
  const secret = env['BINANCE_API_SECRET'];
  if (secret !== undefined && secret !== '') return new HmacSigner(apiKey, secret);
  throw new BinanceError('BINANCE_ERR_KEYS', 'BINANCE_API_KEY is set but neither BINANCE_API_SECRET nor BINANCE_PRIVATE_KEY_PEM is');
}

/** Percent-encodes a value for a query string (RFC 3986 unreserved set kept). */
export function encodeValue(v: string): string {
  // fast path: the usual symbol/decimal/id values need no encoding
  for (let i = 0; i < v.length; i++) {
    const c = v.charCodeAt(i);
    const plain = (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 45 || c === 46 || c === 95 || c === 126;
    if (!plain) return encodeURIComponent(v);
  }
  return v;
}

export type ParamValue = string | number | boolean;

/** REST form: `k=v&…` in the given order, values percent-encoded (this string is what gets signed). */
export function toQueryString(params: Readonly<Record<string, ParamValue | undefined>>): string {
  let out = '';
  for (const k in params) {
    const v = params[k];
    if (v === undefined) continue;
    if (out.length > 0) out += '&';
    out += k + '=' + encodeValue(String(v));
  }
  return out;
}

/** WebSocket API payload: params except `signature` sorted by name, `k=v&…`, values as is (UTF-8). */
export function wsSignaturePayload(params: Readonly<Record<string, ParamValue | undefined>>): string {
  const keys = Object.keys(params).filter((k) => k !== 'signature' && params[k] !== undefined).sort();
  let out = '';
  for (let i = 0; i < keys.length; i++) {
    const k = keys[i]!;
    if (i > 0) out += '&';
    out += k + '=' + String(params[k]);
  }
  return out;
}

/** The signature as it goes into a REST query string (base64 needs percent-encoding; hex does not). */
export function signatureParam(signer: RequestSigner, payload: string): string {
  const s = signer.sign(payload);
  return signer.kind === 'hmac' ? s : encodeURIComponent(s);
}
