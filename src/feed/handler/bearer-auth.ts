// Bearer-token checks for the feed handler: which bind addresses count as
// loopback (no token needed), and a constant-time token comparison.
import { createHash, timingSafeEqual } from 'node:crypto';

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
