// Crash safety of the journal, for real: a child process writes a deterministic
// stream of fills and reports each one on stdout only after the journal returned;
// this test kills it with SIGKILL at a random moment and checks the journal
// against the stream: every reported fill present exactly once, no duplicates,
// nothing beyond what was in flight, the exact prefix of the stream (so the same
// positions), parameter changes consistent with the fills, strategies restored
// stopped. Runs the compiled journal (dist/): `npm run build` first (npm test does).
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Journal } from '../src/store/index.js';
import type { JournalFill } from '../src/store/index.js';
import { createRng, distinctFills, PARAM_EVERY, parameterStep, positions, STRATEGY_IDS } from './support/fill-sequence.mjs';
import { pool } from './support/pool.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const CHILD = join(ROOT, 'test', 'support', 'journal-child.mjs');
const MAX_BURST = 64; // journal-child.mjs
const RESUME_OVERLAP = 80; // journal-child.mjs
const POOL = 4;

interface ChildRun {
  restored: number;
  started: boolean;
  inserted: string[];
  duplicates: string[];
  params: number[];
  closed: boolean;
  signal: NodeJS.Signals | null;
  code: number | null;
  stderr: string;
}

/** Runs the child; kills it with SIGKILL once it has reported killAfter inserted fills (never, when undefined). */
function runChild(dataDir: string, seed: number, mode: 'single' | 'burst', total: number, killAfter?: number): Promise<ChildRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CHILD, dataDir, String(seed), mode, String(total)], { stdio: ['ignore', 'pipe', 'pipe'] });
    const run: ChildRun = { restored: -1, started: false, inserted: [], duplicates: [], params: [], closed: false, signal: null, code: null, stderr: '' };
    let tail = '';
    let killed = false;
    child.stdout.setEncoding('utf8');
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (s: string) => { run.stderr += s; });
    child.stdout.on('data', (chunk: string) => {
      const lines = (tail + chunk).split('\n');
      tail = lines.pop() ?? ''; // a line cut by the kill is not a report
      for (const line of lines) {
        const [tag, arg = ''] = line.split(' ');
        if (tag === 'R') run.restored = Number(arg);
        else if (tag === 'S') run.started = true;
        else if (tag === 'F') run.inserted.push(arg);
        else if (tag === 'D') run.duplicates.push(arg);
        else if (tag === 'P') run.params.push(Number(arg));
        else if (tag === 'C') run.closed = true;
        else reject(new Error(`unexpected line from the child: ${JSON.stringify(line)}`));
      }
      if (!killed && killAfter !== undefined && run.inserted.length >= killAfter) {
        killed = true;
        child.kill('SIGKILL');
      }
    });
    child.on('error', reject);
    child.on('close', (code, signal) => {
      run.code = code;
      run.signal = signal;
      resolve(run);
    });
  });
}

interface Expectation {
  seed: number;
  /** Fills the children reported (inserted or duplicate), across every run on this journal. */
  reported: ReadonlySet<string>;
  /** How many journaled fills may be unreported (in flight at a kill). */
  maxUnreported: number;
  /** The children ever printed S (strategies recorded and set running). */
  strategiesStarted: boolean;
}

/** Opens the journal the child left and checks it against the stream; returns its fills. */
function verifyJournal(dataDir: string, x: Expectation): JournalFill[] {
  const journal = Journal.open(dataDir);
  try {
    journal.verifyIntegrity();
    const restored = journal.restore();
    const fills = [...restored.fillsByStrategy.values()].flat().sort((a, b) => a.seq - b.seq);
    const ids = fills.map((f) => f.tradeId);
    const idSet = new Set(ids);
    expect(idSet.size, 'duplicate trade ids in the journal').toBe(ids.length);
    expect(fills.map((f) => f.seq)).toEqual(fills.map((_, i) => i + 1));

    // Exactly the first n fills of the stream, field for field: no gap, nothing foreign.
    const expected = distinctFills(x.seed, fills.length);
    expect(fills.map(({ seq: _s, venue: _v, ...f }) => f)).toEqual(expected);
    expect(fills.every((f) => f.venue === 'paper')).toBe(true);

    // Every reported fill is there; at most what was in flight is unreported.
    const missing = [...x.reported].filter((id) => !idSet.has(id));
    expect(missing, 'reported fills missing from the journal').toEqual([]);
    const unreported = ids.filter((id) => !x.reported.has(id)).length;
    expect(unreported).toBeLessThanOrEqual(x.maxUnreported);

    // Positions from the journal = positions from the stream up to the last durable fill.
    expect(positions(fills)).toEqual(positions(expected));

    // Strategies: restored stopped, never running; their parameters follow the audit log.
    if (x.strategiesStarted) {
      expect(restored.strategies.map((s) => [s.id, s.status])).toEqual(STRATEGY_IDS.map((id) => [id, 'stopped']));
      expect(restored.strategies.every((s) => s.lastStatus === 'running' || s.lastStatus === 'stopped')).toBe(true);
      const changes = STRATEGY_IDS.flatMap((id) => journal.parameterChanges(id)).sort((a, b) => a.seq - b.seq);
      const due: number[] = [];
      for (let k = PARAM_EVERY; k <= fills.length; k += PARAM_EVERY) due.push(k);
      // The change after the last durable multiple may not have been written (killed in between).
      const done = changes.length;
      expect(done === due.length || (done === due.length - 1 && (due[done] ?? 0) > fills.length - x.maxUnreported - 1)).toBe(true);
      const last = new Map<string, unknown>(STRATEGY_IDS.map((id) => [id, 4]));
      changes.forEach((c, i) => {
        const step = parameterStep(due[i] ?? -1);
        expect([c.strategyId, c.field, c.oldValue, c.newValue]).toEqual([step.strategyId, 'spread_bps', last.get(step.strategyId), step.spreadBps]);
        last.set(step.strategyId, step.spreadBps);
      });
      for (const s of restored.strategies) expect(s.parameters['spread_bps']).toBe(last.get(s.id));
    }
    return fills;
  } finally {
    journal.close();
  }
}


const dirs: string[] = [];
function freshDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'spreadcore-journal-crash-'));
  dirs.push(d);
  return join(d, 'data');
}

beforeAll(() => {
  const dist = join(ROOT, 'dist', 'src', 'store');
  if (!existsSync(join(dist, 'index.js'))) throw new Error('dist/src/store is missing: run "npm run build" first (npm test does)');
  for (const f of readdirSync(join(ROOT, 'src', 'store')).filter((n) => n.endsWith('.ts'))) {
    const js = join(dist, f.replace(/\.ts$/, '.js'));
    if (!existsSync(js) || statSync(js).mtimeMs < statSync(join(ROOT, 'src', 'store', f)).mtimeMs) {
      throw new Error(`dist/src/store/${f.replace(/\.ts$/, '.js')} is older than src/store/${f}: run "npm run build" first`);
    }
  }
});

afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

describe('journal under SIGKILL', () => {
  it('a journal held by another process is refused as locked, and free again once that process is killed', async () => {
    const dataDir = freshDir();
    const holder = spawn(process.execPath, ['--input-type=module', '-e', [
      `const { Journal } = await import(${JSON.stringify(join(ROOT, 'dist', 'src', 'store', 'index.js'))});`,
      `Journal.open(${JSON.stringify(dataDir)}); process.stdout.write('open\\n'); setInterval(() => {}, 1000);`,
    ].join('\n')], { stdio: ['ignore', 'pipe', 'inherit'] });
    await new Promise<void>((resolve, reject) => {
      holder.stdout.once('data', () => resolve());
      holder.once('exit', (code) => reject(new Error(`holder exited with ${code}`)));
    });
    let code = '';
    try {
      Journal.open(dataDir).close();
    } catch (e) {
      code = (e as { code?: string }).code ?? String(e);
    }
    const exited = new Promise((resolve) => holder.once('exit', resolve));
    holder.kill('SIGKILL');
    await exited;
    expect(code).toBe('SPREADCORE_ERR_JOURNAL_LOCKED');
    const j = Journal.open(dataDir); // no stale lock after kill -9
    expect(j.counts().fills).toBe(0);
    j.close();
  });

  it('one transaction per fill: 12 runs killed at random, each reported fill durable exactly once', async () => {
    const rng = createRng(20240611);
    const runs = Array.from({ length: 12 }, (_, i) => ({ seed: 100 + i, killAfter: 20 + Math.floor(rng() * 900) }));
    await pool(runs, POOL, async ({ seed, killAfter }) => {
      const dataDir = freshDir();
      const run = await runChild(dataDir, seed, 'single', 5000, killAfter);
      const where = `seed ${seed}, kill after ${killAfter}: ${run.stderr}`;
      expect(run.signal, where).toBe('SIGKILL');
      expect(run.inserted.length, where).toBeGreaterThanOrEqual(killAfter);
      const fills = verifyJournal(dataDir, {
        seed, reported: new Set([...run.inserted, ...run.duplicates]), maxUnreported: 1, strategiesStarted: true,
      });
      expect(fills.length).toBeLessThan(5000);
    });
  });

  it('bursts: 10 journals killed mid-burst, restarted and killed again, then run to a clean close', async () => {
    const rng = createRng(777);
    const total = 2500;
    const runs = Array.from({ length: 10 }, (_, i) => ({ seed: 200 + i, first: 1 + Math.floor(rng() * 1200), second: 1 + Math.floor(rng() * 600) }));
    await pool(runs, POOL, async ({ seed, first, second }) => {
      const dataDir = freshDir();
      const reported = new Set<string>();
      const where = (phase: string, r: ChildRun): string => `seed ${seed} ${phase}: ${r.stderr}`;

      const r1 = await runChild(dataDir, seed, 'burst', total, first);
      expect(r1.signal, where('first run', r1)).toBe('SIGKILL');
      for (const id of [...r1.inserted, ...r1.duplicates]) reported.add(id);
      const after1 = verifyJournal(dataDir, { seed, reported, maxUnreported: MAX_BURST, strategiesStarted: r1.started });

      // Restart mid-stream: the child restores, redelivers its last RESUME_OVERLAP fills (duplicates) and goes on.
      const r2 = await runChild(dataDir, seed, 'burst', total, second);
      expect(r2.signal, where('second run', r2)).toBe('SIGKILL');
      expect(r2.restored).toBe(after1.length);
      expect(r2.duplicates.length).toBeGreaterThanOrEqual(Math.min(after1.length, RESUME_OVERLAP));
      const before = new Set(after1.map((f) => f.tradeId));
      expect(r2.inserted.filter((id) => before.has(id)), 'a journaled fill inserted twice').toEqual([]);
      for (const id of [...r2.inserted, ...r2.duplicates]) reported.add(id);
      const after2 = verifyJournal(dataDir, { seed, reported, maxUnreported: 2 * MAX_BURST, strategiesStarted: true });
      expect(after2.length).toBeGreaterThanOrEqual(after1.length);

      // Run to the end and close cleanly: everything there, the WAL folded back into the file.
      const r3 = await runChild(dataDir, seed, 'burst', total);
      expect([r3.code, r3.closed], where('last run', r3)).toEqual([0, true]);
      expect(r3.restored).toBe(after2.length);
      for (const id of [...r3.inserted, ...r3.duplicates]) reported.add(id);
      expect(readdirSync(dataDir).sort()).toEqual(['journal.sqlite']);
      const final = verifyJournal(dataDir, { seed, reported, maxUnreported: 2 * MAX_BURST, strategiesStarted: true });
      expect(final.length).toBe(total);
    });
  });
});
