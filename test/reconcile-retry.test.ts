// ReconcileRetry on its own (fake timers): the delays, one attempt pending at a time, one line
// for an outage and one for its end, the same for reconciles that run but are not clean,
// nothing after close().
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

  it('says an outage where warn points, naming the health object given', () => {
    const info: string[] = [];
    const warn: string[] = [];
    const r = new ReconcileRetry({ venue: 'binance', name: 'Binance', health: 'execution', retry: () => {}, log: (l) => info.push(l), warn: (l) => warn.push(l) });
    r.failed('HTTP 503');
    r.failed('HTTP 503');
    expect(warn).toEqual(['binance: reconcile failed (HTTP 503); strategies stay paused (venue), trying again in the background '
      + '(after 1 s, then up to every 30 s) until Binance answers (GET /api/health: execution.reconcile_failures)']);
    r.ran();
    expect(info).toEqual(['binance: reconcile ran again after 2 failed attempt(s)']);
    r.unclean('orders to settle');
    expect(info[1]).toContain('(GET /api/health: execution.reconcile_unclean)');
    r.close();
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

  it('runs an unclean reconcile again until one is clean: one line for the series and one for its end', () => {
    const { r, lines, retries } = setup();
    r.ran();
    r.unclean('0 unknown open orders, 1 orders missing at the venue');
    expect(r.uncleanInARow).toBe(1);
    vi.advanceTimersByTime(999);
    expect(retries()).toBe(0);
    vi.advanceTimersByTime(1);
    expect(retries()).toBe(1);
    // the second pass is not clean either: 2 s later
    r.ran();
    r.unclean('0 unknown open orders, 1 orders missing at the venue');
    vi.advanceTimersByTime(1999);
    expect(retries()).toBe(1);
    vi.advanceTimersByTime(1);
    expect(retries()).toBe(2);
    // a failure in the series schedules one attempt, not two
    r.failed('Kalshi 503');
    r.unclean('again');
    expect(lines).toHaveLength(2);
    expect(lines[0]).toBe('kalshi: reconcile found 0 unknown open orders, 1 orders missing at the venue; staying paused (venue), reconciling again in the background '
      + '(after 1 s, then up to every 30 s) until it is clean (GET /api/health: execution.kalshi.reconcile_unclean)');
    expect(lines[1]).toMatch(/^kalshi: reconcile failed \(Kalshi 503\)/);
    vi.advanceTimersByTime(4000);
    expect(retries()).toBe(3);
    r.ran();
    r.clean();
    expect(r.uncleanInARow).toBe(0);
    expect(lines.slice(2)).toEqual(['kalshi: reconcile ran again after 1 failed attempt(s)', 'kalshi: reconcile clean after 3 pass(es) that were not']);
    // nothing more is scheduled, and a clean pass alone logs nothing
    vi.advanceTimersByTime(60_000);
    expect(retries()).toBe(3);
    r.clean();
    expect(lines).toHaveLength(4);
  });

  it('a clean pass cancels the pending one; nothing after close()', () => {
    const { r, lines, retries } = setup();
    r.unclean('1 unknown open orders');
    r.clean();
    vi.advanceTimersByTime(60_000);
    expect(retries()).toBe(0);
    r.unclean('1 unknown open orders');
    r.close();
    r.unclean('1 unknown open orders');
    vi.advanceTimersByTime(60_000);
    expect(retries()).toBe(0);
    expect(lines.filter((l) => /reconcile found/.test(l))).toHaveLength(2);
  });
});
