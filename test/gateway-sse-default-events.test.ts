// /api/stream's default events: seed 000's stream (quote updates, fills and the other
// low-volume events) without `events=`; `order` only when asked for (`events=order,...`
// or `events=all`); filters combine as before.
import { describe, expect, it } from 'vitest';
import { OPT_IN_EVENTS, defaultEvents, filterMatches, parseSseQuery } from '../src/gateway/sse-query.js';
import { SSE_EVENT_NAMES } from '../src/gateway/sse-hub.js';

const known = new Set(SSE_EVENT_NAMES);

describe('the stream\'s default events', () => {
  it('without events=: every known event but order', () => {
    const r = parseSseQuery('filter=strategy&strategy_id=btc_mm_1', '', known);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    const f = r.sub.filter;
    for (const e of ['quote_update', 'fill', 'pnl', 'risk', 'volatility_pause', 'strategy_state']) {
      expect(known.has(e), e).toBe(true);
      expect(filterMatches(f, e, 'btc_mm_1', 'BTCUSDT'), e).toBe(true);
    }
    expect(filterMatches(f, 'order', 'btc_mm_1', 'BTCUSDT')).toBe(false);
    expect(filterMatches(f, 'fill', 'other', 'BTCUSDT')).toBe(false);
    expect([...OPT_IN_EVENTS]).toEqual(['order']);
    expect(defaultEvents(known).size).toBe(known.size - 1);
  });

  it('events=order,... adds orders; events=all is everything; unknown names still answer 400', () => {
    const o = parseSseQuery('strategy_id=btc_mm_1&events=order,fill', '', known);
    expect(o.ok && [...o.sub.filter.events!]).toEqual(['order', 'fill']);
    if (o.ok) {
      expect(filterMatches(o.sub.filter, 'order', 'btc_mm_1', null)).toBe(true);
      expect(filterMatches(o.sub.filter, 'quote_update', 'btc_mm_1', null)).toBe(false);
    }
    const all = parseSseQuery('events=all', '', known);
    expect(all.ok && all.sub.filter.events).toBe(null);
    if (all.ok) for (const e of known) expect(filterMatches(all.sub.filter, e, 's', 'X')).toBe(true);
    expect(parseSseQuery('events=orders', '', known).ok).toBe(false);
    expect(parseSseQuery('events=,', '', known).ok).toBe(false);
  });
});
