// L2 authentication: every trading request carries POLY_ADDRESS, POLY_API_KEY,
// POLY_PASSPHRASE, POLY_TIMESTAMP (Unix seconds) and POLY_SIGNATURE = HMAC-SHA256 over
// `timestamp + METHOD + requestPath + body` keyed with the base64url-decoded API secret,
// encoded base64 with '+' → '-' and '/' → '_' and the '=' padding kept
// (Polymarket/clob-client-v2 src/signing/hmac.ts and src/headers/index.ts; the client's
// test vector is checked in test/polymarket-auth.test.ts).
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { ApiCreds } from './credentials.js';

export interface L2Headers {
  POLY_ADDRESS: string;
  POLY_SIGNATURE: string;
  POLY_TIMESTAMP: string;
  POLY_API_KEY: string;
  POLY_PASSPHRASE: string;
}

function secretBytes(secret: string): Buffer {
  return Buffer.from(secret.replace(/-/g, '+').replace(/_/g, '/'), 'base64');
}

export function polyHmacSignature(secret: string, timestampS: number | string, method: string, requestPath: string, body?: string): string {
  const msg = `${timestampS}${method}${requestPath}${body ?? ''}`;
  return createHmac('sha256', secretBytes(secret)).update(msg).digest('base64').replace(/\+/g, '-').replace(/\//g, '_');
}

export function l2Headers(address: string, creds: ApiCreds, timestampS: number, method: string, requestPath: string, body?: string): L2Headers {
  return {
    POLY_ADDRESS: address,
    POLY_SIGNATURE: polyHmacSignature(creds.secret, timestampS, method, requestPath, body),
    POLY_TIMESTAMP: String(timestampS),
    POLY_API_KEY: creds.key,
    POLY_PASSPHRASE: creds.passphrase,
  };
}

/** Constant-time comparison of two signatures (the replica's check). */
export function signaturesEqual(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}
