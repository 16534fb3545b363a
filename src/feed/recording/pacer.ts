// Replays timestamped items at their recorded pace × speed, or as fast as possible.
// Waits with timers (coarse) and finishes on the clock (fine), so a long replay
// does not drift: each item is due at start + offset / speed.
import { setTimeout as sleep } from 'node:timers/promises';
import { SpreadcoreError } from '../../errors.js';

/** 'max' or a positive multiple of real time. */
export type ReplaySpeed = number | 'max';

export function parseSpeed(s: string): ReplaySpeed {
  if (s === 'max') return 'max';
  if (!/^\d+(\.\d+)?$/.test(s) || !(Number(s) > 0) || !Number.isFinite(Number(s))) {
    throw new SpreadcoreError('SPREADCORE_ERR_BAD_FLAG', `--speed must be a positive number (1 = recorded pace) or "max", got ${JSON.stringify(s)}`);
  }
  return Number(s);
}

export interface Paced<T> { readonly offsetNs: number; readonly item: T }

/**
 * Emits items when due. Items must come in non-decreasing offset order (a step
 * back is emitted at once). Returns the number emitted; stops early when the
 * signal aborts.
 */
export async function pace<T>(items: AsyncIterable<Paced<T>> | Iterable<Paced<T>>, speed: ReplaySpeed,
  emit: (item: T, offsetNs: number) => void, signal?: AbortSignal): Promise<number> {
  const start = process.hrtime.bigint();
  let first = -1;
  let n = 0;
  for await (const { offsetNs, item } of items) {
    if (signal?.aborted) break;
    if (speed !== 'max') {
      if (first < 0) first = offsetNs;
      const dueNs = (offsetNs - first) / speed;
      for (;;) {
        const waitNs = dueNs - Number(process.hrtime.bigint() - start);
        if (waitNs <= 0) break;
        if (waitNs > 2e6) await sleep(Math.floor((waitNs - 1e6) / 1e6), undefined, { signal }).catch(() => undefined);
        else await new Promise<void>((r) => setImmediate(r));
        if (signal?.aborted) return n;
      }
    }
    emit(item, offsetNs);
    n++;
  }
  return n;
}
