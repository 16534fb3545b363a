// The SSE hub's pure parts: the replay ring and the query/resume parser.
import { describe, expect, it } from 'vitest';
import { SseRing, type SseEntry } from '../src/gateway/sse-ring.js';
import { filterMatches, parseSseQuery } from '../src/gateway/sse-query.js';
import { SseHub } from '../src/gateway/sse-hub.js';

const entry = (id: number, bytes = 10): SseEntry => ({ id, event: 'fill', frame: `id: ${id}\n\n`, bytes, strategyId: null, symbol: null });
const known = new Set(['quote_update', 'fill', 'order']);

describe('SseRing', () => {
  it('keeps the newest events within the count and byte bounds', () => {
    const r = new SseRing(5, 1000);
    for (let i = 1; i <= 12; i++) r.push(entry(i));
    expect(r.size).toBe(5);
    expect(r.oldestId).toBe(8);
    expect(r.bytes).toBe(50);
    const seen: number[] = [];
    r.forEachAfter(9, (e) => { seen.push(e.id); });
    expect(seen).toEqual([10, 11, 12]);
    const all: number[] = [];
    r.forEachAfter(0, (e) => { all.push(e.id); });
    expect(all).toEqual([8, 9, 10, 11, 12]);
    const none: number[] = [];
    r.forEachAfter(12, (e) => { none.push(e.id); });
    expect(none).toEqual([]);
    const b = new SseRing(100, 35);
    for (let i = 1; i <= 10; i++) b.push(entry(i));
    expect(b.size).toBe(3);
    expect(b.oldestId).toBe(8);
    b.push(entry(11, 500));
    expect(b.size).toBe(1);
    expect(b.oldestId).toBe(11);
  });
});

describe('parseSseQuery', () => {
  it('reads filters and the resume point', () => {
    const r = parseSseQuery('filter=strategy&strategy_id=btc_mm_1&events=fill,quote_update', '', known);
    expect(r.ok && r.sub.filter.strategyId).toBe('btc_mm_1');
    expect(r.ok && [...r.sub.filter.events!]).toEqual(['fill', 'quote_update']);
    expect(r.ok && r.sub.lastEventId).toBe(null);
    const h = parseSseQuery('last_event_id=3', '17', known);
    expect(h.ok && h.sub.lastEventId).toBe(17);
    const q = parseSseQuery('last_event_id=3&symbol=ETHUSDT', '', known);
    expect(q.ok && q.sub.lastEventId).toBe(3);
    expect(q.ok && q.sub.filter.symbol).toBe('ETHUSDT');
  });

  it('refuses bad input', () => {
    for (const [query, header] of [['filter=strategy', ''], ['filter=bogus', ''], ['events=nope', ''], ['events=,', ''], ['', 'abc'], ['', '-1'],
      ['', '99999999999999999'], ['symbol=a%0Ab', ''], [`strategy_id=${'x'.repeat(200)}`, '']] as const) {
      expect(parseSseQuery(query, header, known).ok, `${query} / ${header}`).toBe(false);
    }
  });

  it('filterMatches', () => {
    const f = { strategyId: 's1', symbol: null, events: new Set(['fill']) };
    expect(filterMatches(f, 'fill', 's1', 'X')).toBe(true);
    expect(filterMatches(f, 'fill', 's2', 'X')).toBe(false);
    expect(filterMatches(f, 'quote_update', 's1', 'X')).toBe(false);
    expect(filterMatches(f, 'fill', null, 'X')).toBe(false);
  });
});

describe('SseHub without a server', () => {
  it('assigns consecutive ids from firstId and rejects bad options', () => {
    const hub = new SseHub({ firstId: 1_700_000_000_000_000 });
    expect(hub.publish('fill', { a: 1 })).toBe(1_700_000_000_000_000);
    expect(hub.publish('fill', { a: 2 })).toBe(1_700_000_000_000_001);
    expect(hub.publish('bad\nname', {})).toBe(-1);
    expect(hub.publish('fill', undefined)).toBe(-1);
    expect(hub.stats().buffer.events).toBe(2);
    expect(() => new SseHub({ maxPendingBytes: 10 })).toThrow(/maxPendingBytes/);
    expect(() => new SseHub({ bufferEvents: 0 })).toThrow(/bufferEvents/);
    hub.close();
  });
});
