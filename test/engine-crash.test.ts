// Crash safety of the engine, for real: a child process paper-trades seed 000's
// Step 4 strategy on the seeded simulator at full speed with a journal, printing
// every fill the engine reports (its `fill` event: what the SSE stream and the API
// show). This test kills it with SIGKILL after a random number of reported fills,
// then restores an engine from the journal and checks: every reported fill is
// journaled exactly once and in the order reported, no trade id twice; the restored
// position and P&L equal a replay of the journal's fills through a fresh ledger and
// the last reported inventory; the strategy comes back not running and quotes
// nothing; max_position_reached and the trades history survive; the kill switch
// survives; a restart continues on the same journal with new ids, then stops cleanly.
// Runs the compiled engine (dist/): `npm run build` first (npm test does).
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jsonNumber, metricsView, SymbolLedger, tradesView } from '../src/accounting/index.js';
import { SimDriver, TradingEngine } from '../src/engine/index.js';
import { MarketSimulator, type SimConfigInput } from '../src/feed/sim/index.js';
import { Journal, type JournalFill } from '../src/store/index.js';
import { createRng } from './support/fill-sequence.mjs';
import { pool } from './support/pool.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const CHILD = join(ROOT, 'test', 'support', 'engine-child.mjs');
const ID = 'btc_mm_1'; // engine-child.mjs
const SYMBOL = 'BTCUSDT';
const SIM: SimConfigInput = { instruments: [{ symbol: SYMBOL, regimes: { initial: 'high_volatility' } }] }; // engine-child.mjs
const LOT = 0.00001; // BTCUSDT's lot size on the simulator
const RUNS = 20;
const POOL = 4;

interface Reported { id: string; side: string; price: number; qty: number; inventory: number }
interface ChildRun {
  restored: { fills: number; position: number; status: string; killSwitch: string; ms: number } | null;
  startedStatus: string | null;
  fills: Reported[];
  /** Fills reported before the kill switch line (-1: never engaged). */
  killSwitchAt: number;
  closedPosition: number | null;
  signal: NodeJS.Signals | null;
  code: number | null;
  stderr: string;
}

const live = new Set<ChildProcess>();

interface KillPlan { afterFills?: number; msAfterKillSwitch?: number }

/** Runs the child; kills it with SIGKILL per the plan (never, without one). */
function runChild(dataDir: string, seed: number, mode: 'fresh' | 'resume', options: Record<string, number>, kill: KillPlan = {}): Promise<ChildRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CHILD, dataDir, String(seed), mode, JSON.stringify(options)], { stdio: ['ignore', 'pipe', 'pipe'] });
    live.add(child);
    const run: ChildRun = { restored: null, startedStatus: null, fills: [], killSwitchAt: -1, closedPosition: null, signal: null, code: null, stderr: '' };
    let tail = '';
    let killed = false;
    const killNow = (): void => {
      if (killed) return;
      killed = true;
      child.kill('SIGKILL');
    };
    child.stdout.setEncoding('utf8');
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (s: string) => { run.stderr += s; });
    child.stdout.on('data', (chunk: string) => {
      const lines = (tail + chunk).split('\n');
      tail = lines.pop() ?? ''; // a line cut by the kill is not a report
      for (const line of lines) {
        const [tag, ...a] = line.split(' ');
        if (tag === 'F') run.fills.push({ id: a[0]!, side: a[1]!, price: Number(a[2]), qty: Number(a[3]), inventory: Number(a[4]) });
        else if (tag === 'R') run.restored = { fills: Number(a[0]), position: Number(a[1]), status: a[2]!, killSwitch: a[3]!, ms: Number(a[4]) };
        else if (tag === 'S') run.startedStatus = a[0]!;
        else if (tag === 'K') {
          run.killSwitchAt = run.fills.length;
          if (kill.msAfterKillSwitch !== undefined) setTimeout(killNow, kill.msAfterKillSwitch);
        } else if (tag === 'C') run.closedPosition = Number(a[0]);
        else if (tag === 'E') reject(new Error(`the engine reported a fill before it was durable: ${line}`));
        else reject(new Error(`unexpected line from the child: ${JSON.stringify(line)}`));
      }
      if (kill.afterFills !== undefined && run.fills.length >= kill.afterFills) killNow();
    });
    child.on('error', reject);
    child.on('close', (code, signal) => {
      live.delete(child);
      run.code = code;
      run.signal = signal;
      resolve(run);
    });
  });
}

const replay = (fills: readonly JournalFill[]): SymbolLedger => {
  const l = new SymbolLedger({ strategyId: ID, symbol: SYMBOL });
  for (const f of fills) l.applyFill(f);
  return l;
};

interface Verified { journaled: JournalFill[]; unreported: number; restoreMs: number; position: number }

/**
 * Opens the journal a killed child left, checks it against what the child reported,
 * restores an engine from it and checks the engine against a replay of the journal.
 */
function verify(dataDir: string, reported: readonly Reported[], o: { killSwitch: boolean; crashed: boolean; seed: number; maxUnreported?: number }): Verified {
  const journal = Journal.open(dataDir);
  let engine: TradingEngine | undefined;
  try {
    journal.verifyIntegrity();
    const before = journal.strategy(ID);
    expect(before).not.toBeNull();
    if (o.crashed) expect(['running', 'paused']).toContain(before!.status); // it was trading when killed
    const journaled = journal.fills(ID);
    expect(journal.fills(null)).toEqual([]);
    const ids = journaled.map((f) => f.tradeId);
    expect(new Set(ids).size, 'duplicate trade ids in the journal').toBe(ids.length);

    // Reported fills: all there, once, in the order reported, with the same fields; only what was in flight is not.
    const missing = reported.filter((r) => !ids.includes(r.id)).map((r) => r.id);
    expect(missing, 'reported fills missing from the journal').toEqual([]);
    expect(ids.slice(0, reported.length)).toEqual(reported.map((r) => r.id));
    const prefix = replay([]);
    journaled.slice(0, reported.length).forEach((f, i) => {
      const r = reported[i]!;
      const entry = prefix.applyFill(f);
      expect([f.side, Number(f.price), Number(f.qty), jsonNumber(entry.positionAfter)]).toEqual([r.side, r.price, r.qty, r.inventory]);
    });
    const unreported = journaled.length - reported.length;
    expect(unreported, 'journaled fills never reported (in flight at the kill)').toBeLessThanOrEqual(o.maxUnreported ?? 32);

    // The journal replayed through a fresh ledger.
    const ledger = replay(journaled);
    const position = jsonNumber(ledger.position);
    if (unreported === 0 && reported.length > 0) expect(position).toBe(reported[reported.length - 1]!.inventory);

    // An engine restored from it.
    engine = new TradingEngine({ journal });
    const driver = new SimDriver(engine, new MarketSimulator(SIM, o.seed + 7919));
    const t0 = performance.now();
    const r = engine.restore();
    const restoreMs = performance.now() - t0;
    expect(r).toEqual({ ok: true, strategies: [ID], fills: journaled.length, kill_switch: o.killSwitch ? 'HALTED' : 'ACTIVE', open_orders: expect.any(Number), invalid: [] });
    expect(engine.killed).toBe(o.killSwitch);
    const s = engine.list()[0]!;
    expect([s.strategy_id, s.status, s.risk_state]).toEqual([ID, 'stopped', o.killSwitch ? 'HALTED' : 'ACTIVE']);
    expect(journal.strategy(ID)!.status).toBe('stopped'); // restored stopped: starting it again is the user's decision

    const uptime = engine.metrics(ID).uptime_seconds;
    expect(engine.metrics(ID)).toEqual(metricsView(ledger, { strategyId: ID, uptimeSeconds: uptime }));
    const m = engine.metrics(ID);
    expect(m.inventory.current_position).toBe(position);
    expect(m.inventory.max_position_reached).toBe(jsonNumber(ledger.state.totals.maxAbsPosition));
    expect(m.inventory.max_position_reached).toBeGreaterThanOrEqual(Math.max(0, ...reported.map((f) => Math.abs(f.inventory))));
    const restoredLedger = engine.legs(ID)[0]!.ledger!;
    expect([restoredLedger.position.toFixed(), restoredLedger.realizedNet.toFixed(), restoredLedger.feesPaid.toFixed()])
      .toEqual([ledger.position.toFixed(), ledger.realizedNet.toFixed(), ledger.feesPaid.toFixed()]);
    expect(m.performance.total_trades).toBe(journaled.length);
    expect(engine.inventory(ID).inventory.position).toBe(position);
    const lots = Math.round(position / LOT);
    expect([engine.legs(ID)[0]!.inventoryLot, engine.orders.positionLot(ID, SYMBOL), engine.risk.exposure(ID, SYMBOL)!.positionLot]).toEqual([lots, lots, lots]);

    // The trades history: the replay's, and its reported part equal to what was reported.
    const trades = engine.trades(ID, 10_000).trades;
    expect(engine.trades(ID, 10_000)).toEqual(tradesView(ledger, { strategyId: ID, limit: 10_000 }));
    expect(trades).toHaveLength(journaled.length);
    expect(trades.slice(0, reported.length).map((t) => [t.side, t.price, t.qty, t.inventory_after])).toEqual(reported.map((f) => [f.side, f.price, f.qty, f.inventory]));

    // Restored, it does not quote: 10 s of market place no order and fill nothing.
    driver.run(10);
    expect([engine.counters.ordersPlaced, engine.counters.fills, engine.orders.openOrders().length]).toEqual([0, 0, 0]);
    expect(engine.quotes(ID).quotes.bids).toEqual([]);
    expect(engine.quotes(ID).quotes.asks).toEqual([]);
    expect(journal.counts().fills).toBe(journaled.length);
    return { journaled, unreported, restoreMs, position };
  } finally {
    engine?.close();
    journal.close();
  }
}


const dirs: string[] = [];
/**
 * A new data dir. ram: on /dev/shm when there is one: a SIGKILL loses nothing the kernel
 * already has, so fsync (what synchronous=FULL adds, for power loss) is not what these
 * runs test, and on disk it would take most of their time. The restart and kill switch
 * runs use the temp dir on disk.
 */
function freshDir(ram = false): string {
  const root = ram && existsSync('/dev/shm') ? '/dev/shm' : tmpdir();
  const d = mkdtempSync(join(root, 'spreadcore-engine-crash-'));
  dirs.push(d);
  return join(d, 'data');
}

const stats = (xs: readonly number[]): string => {
  const s = [...xs].sort((a, b) => a - b);
  const sum = s.reduce((a, b) => a + b, 0);
  return `min ${s[0]!.toFixed(0)}, median ${s[Math.floor(s.length / 2)]!.toFixed(0)}, max ${s[s.length - 1]!.toFixed(0)}, total ${sum.toFixed(0)}`;
};

beforeAll(() => {
  for (const dir of ['engine', 'store', 'strategy', 'execution', 'accounting', 'risk']) {
    const dist = join(ROOT, 'dist', 'src', dir);
    if (!existsSync(dist)) throw new Error(`dist/src/${dir} is missing: run "npm run build" first (npm test does)`);
    for (const f of readdirSync(join(ROOT, 'src', dir)).filter((n) => n.endsWith('.ts'))) {
      const js = join(dist, f.replace(/\.ts$/, '.js'));
      if (!existsSync(js) || statSync(js).mtimeMs < statSync(join(ROOT, 'src', dir, f)).mtimeMs) {
        throw new Error(`dist/src/${dir}/${f.replace(/\.ts$/, '.js')} is older than src/${dir}/${f}: run "npm run build" first`);
      }
    }
  }
});

afterAll(() => {
  for (const c of live) c.kill('SIGKILL'); // a failed or timed-out test leaves no child trading
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

describe('engine under SIGKILL', () => {
  it(`${RUNS} paper-trading runs killed after a random number of reported fills: every reported fill journaled once, restore equals the replay`, async () => {
    const rng = createRng(20261121);
    const runs = Array.from({ length: RUNS }, (_, i) => ({ seed: 3000 + i, killAfter: 50 + Math.floor(rng() * 1500) }));
    const rows: { seed: number; killAfter: number; reported: number; journaled: number; unreported: number; restoreMs: number }[] = [];
    await pool(runs, POOL, async ({ seed, killAfter }) => {
      const dataDir = freshDir(true);
      const run = await runChild(dataDir, seed, 'fresh', {}, { afterFills: killAfter });
      const where = `seed ${seed}, kill after ${killAfter}: ${run.stderr}`;
      expect(run.signal, where).toBe('SIGKILL');
      expect(run.startedStatus, where).toBe('running');
      expect(run.fills.length, where).toBeGreaterThanOrEqual(killAfter);
      const v = verify(dataDir, run.fills, { killSwitch: false, crashed: true, seed });
      rows.push({ seed, killAfter, reported: run.fills.length, journaled: v.journaled.length, unreported: v.unreported, restoreMs: v.restoreMs });
    });
    rows.sort((a, b) => a.seed - b.seed);
    console.log([
      `engine crash: ${rows.length} runs, ${rows.length} SIGKILLs`,
      ...rows.map((r) => `  seed ${r.seed}: killed after ${r.killAfter} -> ${r.reported} fills reported, ${r.journaled} journaled (${r.unreported} in flight), restore ${r.restoreMs.toFixed(1)} ms`),
      `  fills reported per run: ${stats(rows.map((r) => r.reported))}`,
      `  restore ms: ${stats(rows.map((r) => r.restoreMs))}`,
      `  runs with journaled-but-unreported fills: ${rows.filter((r) => r.unreported > 0).length}`,
    ].join('\n'));
    expect(rows).toHaveLength(RUNS);
  }, 150_000);

  it('killed, restarted on the same journal, trading on with new ids, then a clean stop', async () => {
    const seed = 4100;
    const dataDir = freshDir();
    const r1 = await runChild(dataDir, seed, 'fresh', {}, { afterFills: 700 });
    expect(r1.signal, r1.stderr).toBe('SIGKILL');
    const v1 = verify(dataDir, r1.fills, { killSwitch: false, crashed: true, seed });

    const r2 = await runChild(dataDir, seed + 1, 'resume', { stopAfter: 600 });
    expect([r2.code, r2.signal], r2.stderr).toEqual([0, null]);
    expect(r2.restored).toMatchObject({ fills: v1.journaled.length, position: v1.position, status: 'stopped', killSwitch: 'ACTIVE' });
    expect(r2.startedStatus).toBe('running');
    expect(r2.fills.length).toBeGreaterThanOrEqual(600);
    const old = new Set(v1.journaled.map((f) => f.tradeId));
    expect(r2.fills.filter((f) => old.has(f.id)), 'an old trade id reported again').toEqual([]);
    expect(new Set(r2.fills.map((f) => f.id)).size).toBe(r2.fills.length);
    // the inventory continues from the restored position
    const first = r2.fills[0]!;
    expect(first.inventory).toBeCloseTo(v1.position + (first.side === 'BUY' ? first.qty : -first.qty), 8);
    expect(r2.closedPosition).toBe(r2.fills[r2.fills.length - 1]!.inventory);
    expect(readdirSync(dataDir).sort()).toEqual(['journal.sqlite']); // closed cleanly: the WAL folded back

    const journal = Journal.open(dataDir);
    expect(journal.strategy(ID)!.status).toBe('stopped');
    journal.close();
    // everything reported by both runs, once, in order; the unreported in-flight fills of the first run in between
    const all = [...v1.journaled.map((f) => ({ id: f.tradeId })), ...r2.fills];
    const v2 = verify(dataDir, [], { killSwitch: false, crashed: false, seed, maxUnreported: Infinity });
    expect(v2.journaled.map((f) => f.tradeId)).toEqual(all.map((f) => f.id));
    expect(v2.position).toBe(r2.closedPosition);
    console.log(`engine restart: killed after ${r1.fills.length} reported (${v1.journaled.length} journaled), restored in ${r2.restored!.ms} ms in the child, ${r2.fills.length} new fills, clean stop at position ${r2.closedPosition}; ${v2.journaled.length} fills in the journal`);
  }, 60_000);

  it('the kill switch survives a kill: restored HALTED, and a restarted engine stays halted', async () => {
    const seed = 4200;
    const dataDir = freshDir();
    const r1 = await runChild(dataDir, seed, 'fresh', { killSwitchAfter: 300 }, { msAfterKillSwitch: 300 });
    expect(r1.signal, r1.stderr).toBe('SIGKILL');
    expect(r1.killSwitchAt).toBe(300);
    const v = verify(dataDir, r1.fills, { killSwitch: true, crashed: true, seed });

    // a new process on the journal: restored halted, started it stays paused by the risk engine, no fill
    const r2 = await runChild(dataDir, seed + 1, 'resume', { maxSeconds: 30 });
    expect([r2.code, r2.signal], r2.stderr).toEqual([0, null]);
    expect(r2.restored).toMatchObject({ fills: v.journaled.length, position: v.position, status: 'stopped', killSwitch: 'HALTED' });
    expect(r2.startedStatus).toBe('paused');
    expect(r2.fills).toEqual([]);
    expect(r2.closedPosition).toBe(v.position);
    console.log(`engine kill switch: engaged after ${r1.fills.length > 0 ? r1.killSwitchAt : 0} fills, killed ${r1.fills.length - r1.killSwitchAt} fills later; restored HALTED twice, no fill after restart`);
  }, 60_000);
});
