// CoalescedRun: a reconciliation runs once at a time; calls during a pass are covered by
// exactly one more pass after it (not one each), and a closed session stops repeating.
import { expect, it } from 'vitest';
import { CoalescedRun } from '../src/venues/coalesced-run.js';

it('calls during a pass share one more pass; calls after a run start a new one; goOn stops the repeats', async () => {
  const r = new CoalescedRun<number>();
  let passes = 0;
  let release: (() => void) | null = null;
  const pass = (): Promise<number> => { passes++; const n = passes; return new Promise((res) => { release = () => res(n); }); };
  const a = r.run(pass);
  expect(r.busy).toBe(true);
  const b = r.run(pass);
  const c = r.run(pass);
  expect(r.again).toBe(true);
  release!();
  await new Promise((x) => setTimeout(x, 0));
  expect(passes).toBe(2); // one more pass for both calls made during the first
  release!();
  expect(await a).toBe(2);
  expect(await b).toBe(2);
  expect(await c).toBe(2);
  expect(r.busy).toBe(false);
  // the run's own goOn decides (a later caller's is not consulted)
  const d = r.run(pass, () => false);
  r.run(pass);
  release!();
  expect(await d).toBe(3);
  let open = true;
  const e = r.run(pass, () => open);
  r.run(pass);
  open = false;
  release!();
  expect(await e).toBe(4); // closed: no further pass
  expect(passes).toBe(4);
});

it('a failing pass rejects every caller of its run and frees the runner', async () => {
  const r = new CoalescedRun<void>();
  const a = r.run(() => Promise.reject(new Error('venue down')));
  await expect(a).rejects.toThrow('venue down');
  expect(r.busy).toBe(false);
  await expect(r.run(() => Promise.resolve())).resolves.toBeUndefined();
});
