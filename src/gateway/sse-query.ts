// Parses an /api/stream request's query and resume point into a subscription
// filter. Pure: no uWS objects, so the rules are testable on their own.

export interface SseFilter {
  strategyId: string | null;
  symbol: string | null;
  /** Event names to deliver; null = all (events=all). Without events=, every known event but `order`. */
  events: ReadonlySet<string> | null;
}

export interface SseSubscription {
  filter: SseFilter;
  /** Resume after this id (Last-Event-ID header, else last_event_id query); null = live only. */
  lastEventId: number | null;
}

export type SseQueryResult = { ok: true; sub: SseSubscription } | { ok: false; message: string };

const MAX_VALUE = 128;

/**
 * Events a stream carries only when `events=` names them (or `events=all`): `order` is
 * every order's every state change, ~20 times the rest of seed 000's traffic together.
 */
export const OPT_IN_EVENTS: ReadonlySet<string> = new Set(['order']);

/** The events of a stream without `events=`: every known event but the opt-in ones. */
export function defaultEvents(knownEvents: ReadonlySet<string>): Set<string> {
  const out = new Set<string>();
  for (const e of knownEvents) if (!OPT_IN_EVENTS.has(e)) out.add(e);
  return out;
}

function param(q: URLSearchParams, key: string): string | null {
  const v = q.get(key);
  return v === null || v === '' ? null : v;
}

/** `query` is the raw query string (without '?'); `lastEventIdHeader` the header value or ''. */
export function parseSseQuery(query: string, lastEventIdHeader: string, knownEvents: ReadonlySet<string>): SseQueryResult {
  const q = new URLSearchParams(query);
  const filterKind = param(q, 'filter');
  const strategyId = param(q, 'strategy_id');
  const symbol = param(q, 'symbol');
  if (filterKind !== null && filterKind !== 'strategy' && filterKind !== 'symbol') {
    return { ok: false, message: `filter must be "strategy" or "symbol", got ${JSON.stringify(filterKind.slice(0, MAX_VALUE))}` };
  }
  if (filterKind === 'strategy' && strategyId === null) return { ok: false, message: 'filter=strategy needs strategy_id' };
  if (filterKind === 'symbol' && symbol === null) return { ok: false, message: 'filter=symbol needs symbol' };
  for (const [k, v] of [['strategy_id', strategyId], ['symbol', symbol]] as const) {
    if (v !== null && (v.length > MAX_VALUE || /[\u0000-\u001f]/.test(v))) return { ok: false, message: `${k} is too long or holds control characters` };
  }
  // no events=: everything but the opt-in events (order); events=all: everything
  let events: Set<string> | null = defaultEvents(knownEvents);
  const ev = param(q, 'events');
  if (ev !== null && ev.trim() === 'all') events = null;
  else if (ev !== null) {
    events = new Set();
    for (const name of ev.split(',')) {
      const n = name.trim();
      if (n === '') continue;
      if (!knownEvents.has(n)) return { ok: false, message: `unknown event ${JSON.stringify(n.slice(0, MAX_VALUE))}; known: ${[...knownEvents].join(', ')}` };
      events.add(n);
    }
    if (events.size === 0) return { ok: false, message: 'events lists no event' };
  }
  const rawId = lastEventIdHeader !== '' ? lastEventIdHeader : (param(q, 'last_event_id') ?? '');
  let lastEventId: number | null = null;
  if (rawId !== '') {
    const n = /^\d{1,16}$/.test(rawId.trim()) ? Number(rawId.trim()) : NaN;
    if (!Number.isSafeInteger(n)) return { ok: false, message: 'Last-Event-ID must be a non-negative integer' };
    lastEventId = n;
  }
  return { ok: true, sub: { filter: { strategyId, symbol, events }, lastEventId } };
}

export function filterMatches(f: SseFilter, event: string, strategyId: string | null, symbol: string | null): boolean {
  if (f.events !== null && !f.events.has(event)) return false;
  if (f.strategyId !== null && strategyId !== f.strategyId) return false;
  if (f.symbol !== null && symbol !== f.symbol) return false;
  return true;
}
