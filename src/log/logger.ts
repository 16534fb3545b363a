// Structured logs (pino): one JSON object per line, or coloured readable lines on a
// terminal (pino-pretty, written synchronously on the same stream). Levels: trace,
// debug, info (default), warn, error, fatal, silent. Nothing secret is logged: callers
// pass no tokens, keys or signatures, and as a second line of defence the fields
// named like credentials are censored wherever they appear (REDACT_PATHS).
import { createRequire } from 'node:module';
import type { DestinationStream, Logger as PinoLogger, pino as Pino } from 'pino';
import type PinoPretty from 'pino-pretty';
import { SpreadcoreError } from '../errors.js';

// pino loads with the first logger (a command that fails on its flags never needs it),
// pino-pretty only for a terminal
const require = createRequire(import.meta.url);
const pino = (...args: Parameters<typeof Pino>): PinoLogger => (require('pino') as { pino: typeof Pino }).pino(...args) as unknown as PinoLogger;

export type Logger = PinoLogger;

export const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** Field names that never reach a log line with their value (at the top level and one level down). */
const SECRET_FIELDS = ['authorization', 'token', 'apiKey', 'api_key', 'apiSecret', 'api_secret', 'secret', 'signature', 'password', 'privateKey', 'private_key', 'cookie'];
export const REDACT_PATHS = [...SECRET_FIELDS, ...SECRET_FIELDS.map((f) => `*.${f}`), 'req.headers.authorization', 'req.headers.cookie'];

export function parseLogLevel(text: string): LogLevel {
  const v = text.trim().toLowerCase();
  if ((LOG_LEVELS as readonly string[]).includes(v)) return v as LogLevel;
  throw new SpreadcoreError('SPREADCORE_ERR_BAD_FLAG', `--log-level must be one of ${LOG_LEVELS.join(', ')}, got ${JSON.stringify(text)}`);
}

export interface LoggerOptions {
  level?: LogLevel;
  /** Where lines go (default process.stderr). */
  stream?: NodeJS.WritableStream;
  /** Readable coloured lines instead of JSON; default: when the stream is a terminal. */
  pretty?: boolean;
  /** The `name` field of every line, e.g. "spreadcore serve". */
  name?: string;
}

export function createLogger(opts: LoggerOptions = {}): Logger {
  const stream = opts.stream ?? process.stderr;
  const pretty = opts.pretty ?? (stream as { isTTY?: boolean }).isTTY === true;
  const options = {
    level: opts.level ?? 'info',
    ...(opts.name !== undefined ? { name: opts.name } : {}),
    base: undefined, // no pid / hostname on every line
    redact: { paths: REDACT_PATHS, censor: '[redacted]' },
  };
  if (pretty) {
    const pinoPretty = require('pino-pretty') as typeof PinoPretty;
    return pino(options, pinoPretty({ destination: stream, sync: true, colorize: true, singleLine: true, translateTime: 'SYS:HH:MM:ss.l', ignore: 'name' }));
  }
  return pino(options, stream as unknown as DestinationStream);
}

/** A logger that writes nothing (library code constructed without one). */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}

/** Query parameters whose values are logged as sent; every other value is written as [redacted]. */
const PLAIN_QUERY_KEYS = new Set(['symbol', 'limit', 'events', 'filter', 'strategy_id', 'since', 'last_event_id', 'depth', 'side', 'status']);

/**
 * A request's query string for a log line: parameter names are kept, values only for the
 * known harmless ones (a token or signature sent in a URL never reaches the log).
 */
export function queryForLog(rawQuery: string): string {
  if (rawQuery === '') return '';
  return rawQuery.split('&').slice(0, 32).map((part) => {
    const eq = part.indexOf('=');
    const key = (eq < 0 ? part : part.slice(0, eq)).slice(0, 64);
    if (eq < 0) return key;
    let name = key;
    try { name = decodeURIComponent(key); } catch { /* keep it encoded */ }
    return PLAIN_QUERY_KEYS.has(name) ? `${key}=${part.slice(eq + 1, eq + 65)}` : `${key}=[redacted]`;
  }).join('&');
}
