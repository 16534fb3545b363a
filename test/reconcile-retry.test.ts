// ReconcileRetry on its own (fake timers): the delays, one attempt pending at a time, one line
// for an outage and one for its end, nothing after close().
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ReconcileRetry } from '../src/venues/reconcile-retry.js';

beforeEach(() => { vi.useFakeTimers(); });
afterEach(() => { vi.useRealTimers(); });

function setup(): { r: ReconcileRetry; lines: string[]; retries: () => number } {
  const lines: string[] = [];
  let n = 0;
  const r = new ReconcileRetry({ venue: 'kalshi', name: 'Kalshi', retry: () => { n++; }, log: (l) => lines.push(l) });
  return { r, lines, retries: () => n };
}

describe('ReconcileRetry', () => {
  it('waits 1 s, 2 s, 4 s … at most 30 s', () => {
    expect([1, 2, 3, 4, 5, 6, 7, 20].map((f) => ReconcileRetry.delayMs(f))).toEqual([1000, 2000, 4000, 8000, 16000, 30000, 30000, 30000]);
  });

  it('logs an outage once and its end once, with one retry pending at a time', () => {
    const { r, lines, retries } = setup();
    r.failed('Kalshi 503 service_unavailable');
    r.failed('again');
    expect(r.failuresInARow).toBe(2);
    vi.advanceTimersByTime(999);
    expect(retries()).toBe(0);
    vi.advanceTimersByTime(1);
    expect(retries()).toBe(1);
    r.failed('again');
    vi.advanceTimersByTime(3999);
    expect(retries()).toBe(1);
    vi.advanceTimersByTime(1);
    expect(retries()).toBe(2);
    expect(lines).toEqual(['kalshi: reconcile failed (Kalshi 503 service_unavailable); strategies stay paused (venue), trying again in the background '
      + '(after 1 s, then up to every 30 s) until Kalshi answers (GET /api/health: execution.kalshi.reconcile_failures)']);
    r.failed('again');
    r.ran();
    expect(r.failuresInARow).toBe(0);
    expect(lines[1]).toBe('kalshi: reconcile ran again after 4 failed attempt(s)');
    vi.advanceTimersByTime(60_000);
    expect(retries()).toBe(2);
    r.ran();
    expect(lines).toHaveLength(2);
  });

  it('retries and logs nothing after close()', () => {
    const { r, lines, retries } = setup();
    r.failed('down');
    r.close();
    r.failed('down');
    vi.advanceTimersByTime(60_000);
    expect(retries()).toBe(0);
    expect(r.failuresInARow).toBe(1);
    expect(lines).toHaveLength(1);
  });
});
