// The logger: JSON lines with levels off a terminal, readable lines on one, the level
// filter, credentials censored by field name, query strings logged without their
// secret values, and --log-level values checked.
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger, parseLogLevel, queryForLog } from '../src/log/logger.js';
import { spreadcoreErrorOf } from './support/thrown.js';

function sink(isTTY = false): { stream: PassThrough; text: () => string } {
  const stream = new PassThrough();
  (stream as unknown as { isTTY: boolean }).isTTY = isTTY;
  let text = '';
  stream.on('data', (b: Buffer) => { text += b.toString(); });
  return { stream, text: () => text };
}

describe('logger', () => {
  it('writes one JSON object per line with level, time, name and message, filtered by level', async () => {
    const s = sink();
    const log = createLogger({ stream: s.stream, level: 'info', name: 'spreadcore serve' });
    log.debug('not shown');
    log.info({ port: 8080 }, 'listening');
    log.warn('careful');
    await new Promise((r) => setImmediate(r));
    const lines = s.text().trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatchObject({ level: 30, name: 'spreadcore serve', port: 8080, msg: 'listening' });
    expect(typeof lines[0]!['time']).toBe('number');
    expect(lines[1]).toMatchObject({ level: 40, msg: 'careful' });
    expect(lines[0]).not.toHaveProperty('pid');
  });

  it('is readable text, not JSON, on a terminal', async () => {
    const s = sink(true);
    createLogger({ stream: s.stream }).warn({ req_id: 'r1' }, 'GET /api/nope 404');
    await new Promise((r) => setImmediate(r));
    expect(s.text()).toMatch(/WARN/);
    expect(s.text()).toContain('GET /api/nope 404');
    expect(s.text()).toContain('r1');
    expect(() => JSON.parse(s.text())).toThrow();
  });

  it('censors fields named like credentials, at the top level and one level down', async () => {
    const s = sink();
    const log = createLogger({ stream: s.stream });
    log.info({ token: 'CANARYtok', authorization: 'Bearer CANARYauth', venue: { apiKey: 'CANARYkey', apiSecret: 'CANARYsec', signature: 'CANARYsig' } }, 'connected');
    await new Promise((r) => setImmediate(r));
    expect(s.text()).not.toMatch(/CANARY/);
    expect(s.text()).toContain('[redacted]');
  });

  it('logs a query string with only the harmless values', () => {
    expect(queryForLog('')).toBe('');
    expect(queryForLog('symbol=BTCUSDT&limit=5')).toBe('symbol=BTCUSDT&limit=5');
    expect(queryForLog('symbol=BTCUSDT&token=CANARY&signature=CANARY&api%5Fkey=CANARY&flag')).toBe('symbol=BTCUSDT&token=[redacted]&signature=[redacted]&api%5Fkey=[redacted]&flag');
    expect(queryForLog('x=1&'.repeat(100)).split('&')).toHaveLength(32);
  });

  it('takes the levels by name and refuses others', () => {
    expect(parseLogLevel('debug')).toBe('debug');
    expect(parseLogLevel(' WARN ')).toBe('warn');
    const e = spreadcoreErrorOf(() => parseLogLevel('loud'));
    expect(e.code).toBe('SPREADCORE_ERR_BAD_FLAG');
    expect(e.message).toMatch(/--log-level must be one of trace, debug, info, warn, error, fatal, silent, got "loud"/);
  });
});
