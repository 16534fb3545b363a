// Fault injection: what the replica does wrong on purpose, set at start
// (--faults JSON) and changed at run time (POST /__replica/faults with the same
// JSON; DELETE clears). Counted faults apply to the next N matching requests or
// events and then stop. See docs/binance-replica.md for each one.
export type UnknownOutcomeMode = '5xx' | 'timeout';

export interface FaultState {
  /** Trading answers (place, cancel, modify, cancelReplace, cancel-all) leave this long after the action took effect. */
  ackDelayMs: number;
  /** Server clock offset, ms (time, serverTime, the timestamp check, event times). */
  clockSkewMs: number;
  /** The next N trading requests take effect but are answered with 5xx (-1007) or never answered. */
  unknownOutcome: { count: number; mode: UnknownOutcomeMode; status: number; timeoutMs: number };
  /** The next N requests (REST or WS API) are refused with 429 (-1003) and Retry-After. */
  rateLimit429: { count: number; retryAfterS: number };
  /** The next N user-data events are sent twice. */
  duplicateUserEvents: number;
  /** The next N pairs of user-data events are sent in swapped order. */
  reorderUserEvents: number;
  /** The next N REST requests are dropped (socket destroyed) before they are read. */
  dropRequests: number;
  /** The next N REST requests to one path (any method) are answered `status` (-1007) without doing anything: a query that fails. */
  failRequests: { count: number; path: string; status: number };
  /** The next N level removals (quantity "0") are left out of the diff-depth events: a client's book keeps those levels. */
  omitDepthRemovals: number;
}

export function noFaults(): FaultState {
  return {
    ackDelayMs: 0, clockSkewMs: 0,
    unknownOutcome: { count: 0, mode: '5xx', status: 503, timeoutMs: 10_000 },
    rateLimit429: { count: 0, retryAfterS: 1 },
    duplicateUserEvents: 0, reorderUserEvents: 0, dropRequests: 0,
    failRequests: { count: 0, path: '', status: 503 },
    omitDepthRemovals: 0,
  };
}

/** One-shot actions a fault request may also carry. */
export interface FaultActions {
  dropConnections: boolean;
  expireListenKeys: boolean;
  ban418Ms: number;
}

function num(o: Record<string, unknown>, k: string, min: number, max: number, integer = true): number | undefined {
  const v = o[k];
  if (v === undefined) return undefined;
  if (typeof v !== 'number' || !Number.isFinite(v) || v < min || v > max || (integer && !Number.isInteger(v))) {
    throw new Error(`${k} must be ${integer ? 'an integer' : 'a number'} from ${min} to ${max}, got ${JSON.stringify(v)}`);
  }
  return v;
}

const KNOWN = new Set(['ackDelayMs', 'clockSkewMs', 'unknownOutcome', 'rateLimit429', 'duplicateUserEvents', 'reorderUserEvents', 'dropRequests', 'failRequests',
  'omitDepthRemovals', 'dropConnections', 'expireListenKeys', 'ban418Ms']);

/** Merges a JSON fault request into state; returns the one-shot actions. Throws Error naming the bad field. */
export function applyFaults(state: FaultState, input: unknown): FaultActions {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) throw new Error('faults must be a JSON object');
  const o = input as Record<string, unknown>;
  for (const k of Object.keys(o)) if (!KNOWN.has(k)) throw new Error(`unknown fault ${JSON.stringify(k)}; known: ${[...KNOWN].join(', ')}`);
  const next = structuredClone(state);
  const day = 86_400_000;
  next.ackDelayMs = num(o, 'ackDelayMs', 0, 600_000) ?? next.ackDelayMs;
  next.clockSkewMs = num(o, 'clockSkewMs', -day, day) ?? next.clockSkewMs;
  next.duplicateUserEvents = num(o, 'duplicateUserEvents', 0, 1e6) ?? next.duplicateUserEvents;
  next.reorderUserEvents = num(o, 'reorderUserEvents', 0, 1e6) ?? next.reorderUserEvents;
  next.dropRequests = num(o, 'dropRequests', 0, 1e6) ?? next.dropRequests;
  next.omitDepthRemovals = num(o, 'omitDepthRemovals', 0, 1e6) ?? next.omitDepthRemovals;
  const uo = o['unknownOutcome'];
  if (uo !== undefined) {
    if (typeof uo !== 'object' || uo === null) throw new Error('unknownOutcome must be an object {count, mode, status, timeoutMs}');
    const u = uo as Record<string, unknown>;
    const mode = u['mode'] ?? next.unknownOutcome.mode;
    if (mode !== '5xx' && mode !== 'timeout') throw new Error(`unknownOutcome.mode must be "5xx" or "timeout", got ${JSON.stringify(mode)}`);
    next.unknownOutcome = {
      count: num(u, 'count', 0, 1e6) ?? 1, mode, status: num(u, 'status', 500, 599) ?? 503, timeoutMs: num(u, 'timeoutMs', 0, 600_000) ?? 10_000,
    };
  }
  const rl = o['rateLimit429'];
  if (rl !== undefined) {
    if (typeof rl !== 'object' || rl === null) throw new Error('rateLimit429 must be an object {count, retryAfterS}');
    const r = rl as Record<string, unknown>;
    next.rateLimit429 = { count: num(r, 'count', 0, 1e6) ?? 1, retryAfterS: num(r, 'retryAfterS', 0, 86_400) ?? 1 };
  }
  const fr = o['failRequests'];
  if (fr !== undefined) {
    if (typeof fr !== 'object' || fr === null) throw new Error('failRequests must be an object {count, path, status}');
    const f = fr as Record<string, unknown>;
    if (typeof f['path'] !== 'string' || !f['path'].startsWith('/')) throw new Error(`failRequests.path must be a REST path such as "/fapi/v1/openOrders", got ${JSON.stringify(f['path'])}`);
    next.failRequests = { count: num(f, 'count', 0, 1e6) ?? 1, path: f['path'], status: num(f, 'status', 500, 599) ?? 503 };
  }
  const actions: FaultActions = {
    dropConnections: o['dropConnections'] === true,
    expireListenKeys: o['expireListenKeys'] === true,
    ban418Ms: num(o, 'ban418Ms', 0, 3 * day) ?? 0,
  };
  for (const k of ['dropConnections', 'expireListenKeys'] as const) {
    if (o[k] !== undefined && typeof o[k] !== 'boolean') throw new Error(`${k} must be true or false`);
  }
  Object.assign(state, next);
  return actions;
}
