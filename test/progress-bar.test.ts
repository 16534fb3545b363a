import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { compactCount, formatDuration, ProgressBar, progressLine } from '../src/cli/progress-bar.js';

class Sink extends Writable {
  text = '';
  constructor(readonly isTTY: boolean) { super(); }
  override _write(chunk: Buffer, _enc: BufferEncoding, cb: () => void): void {
    this.text += chunk.toString();
    cb();
  }
}

describe('progress bar', () => {
  it('draws nothing when the stream is not a terminal', () => {
    const s = new Sink(false);
    const bar = new ProgressBar({ stream: s, label: 'x', total: 10 });
    expect(bar.enabled).toBe(false);
    bar.update(5);
    bar.finish();
    expect(s.text).toBe('');
  });

  it('on a terminal, redraws in place at most once per interval and ends with a newline', () => {
    const s = new Sink(true);
    let t = 0;
    const bar = new ProgressBar({ stream: s, label: 'backtest', total: 1000, unit: 'events', intervalMs: 100, now: () => t });
    t = 50; bar.update(100);   // first draw
    t = 90; bar.update(200);   // within the interval: no draw
    t = 160; bar.update(300);  // draw
    expect(s.text.split('\r').length - 1).toBe(2);
    expect(s.text).not.toContain('200/');
    expect(s.text).toContain('300/1000 events');
    t = 1000; bar.finish();
    expect(s.text.endsWith('\n')).toBe(true);
    expect(s.text).toContain('300/1000');
    const before = s.text;
    bar.update(999); bar.finish();
    expect(s.text).toBe(before);
  });

  it('clears leftovers of a longer previous line', () => {
    const s = new Sink(true);
    let t = 0;
    const bar = new ProgressBar({ stream: s, label: 'run', unit: 'events', intervalMs: 0, now: () => t });
    t = 1; bar.update(123_456_789);
    t = 1000; bar.update(5);
    const lines = s.text.split('\r').filter((l) => l !== '');
    expect(lines[1]!.length).toBeGreaterThanOrEqual(lines[0]!.length);
  });

  it('line: percentage, rate and ETA from elapsed time', () => {
    // 250 of 1000 in 2 s → 125/s, 750 left → 6 s
    const line = progressLine('bt', 250, 1000, 'events', 2000);
    expect(line).toContain('25%');
    expect(line).toContain('125 events/s');
    expect(line).toContain('ETA 6s');
    expect(line).toContain('[' + '#'.repeat(6) + '-'.repeat(18) + ']');
    // unknown total: no bar, no ETA
    const open = progressLine('bt', 50, 0, 'paths', 1000);
    expect(open).not.toContain('[');
    expect(open).not.toContain('ETA');
    expect(progressLine('bt', 0, 10, 'x', 0)).toContain('ETA ?');
  });

  it('formats counts and durations', () => {
    expect(compactCount(999)).toBe('999');
    expect(compactCount(45_300)).toBe('45.3k');
    expect(compactCount(1_234_567)).toBe('1.23M');
    expect(formatDuration(12.4)).toBe('12s');
    expect(formatDuration(185)).toBe('3m05s');
    expect(formatDuration(3720)).toBe('1h02m');
    expect(formatDuration(Number.NaN)).toBe('?');
  });
});
