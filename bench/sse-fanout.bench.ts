// SSE fan-out on loopback: the engine on the real-time simulator with the SSE hub at
// /api/stream (bench/support/sse-fanout-server.ts, a child process), first with no
// subscriber, then with 1,000 subscribers (two client processes of 500 raw-socket
// subscribers each, bench/support/sse-subscribers.ts), in one server process; then
// the same again with a server whose hub defers its writes (deferDelivery). Market
// orders at FILLS_PER_S keep fills frequent.
//
// Measured: the engine's tick-to-quote in the server (every batch, from its first
// message to the return of its end of batch, which includes publishing the batch's
// events to every subscriber); events published and delivered per second; for every
// subscriber, that it received every fill published after it joined exactly once and
// in order (fills are never coalesced; quote updates may be); the server's RSS.
// Run: npx tsc -p tsconfig.build.json && node dist/bench/sse-fanout.bench.js
import { cpus, loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { forkBenchChild, type BenchChild } from './support/child-ipc.js';

const SUBSCRIBERS = 1000;
const CLIENT_PROCESSES = 2;
const PHASE_S = 12;
const FILLS_PER_S = 100;
const TICK_MS = 5;

interface Pcts { n: number; p50: number; p99: number; p999: number; max: number }
interface Phase {
  name: string; seconds: number; firstId: number; lastId: number; batches: Pcts; eventBatches: Pcts; publishNs: number; flushNs: number; flushTimes: Pcts;
  gc: { n: number; totalMs: number; maxMs: number };
  published: Record<string, number>; deliveries: number; coalesced: number; cpu: number; rssBytes: number; clients: number;
  ordersSent: number; orderErrors: number; fills: number;
}
interface Verify { subscribers: number; ok: number; missing: number; duplicates: number; outOfOrder: number; checkedFills: number; closed: number; inWindow: number[]; events: number }

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

interface ModeResult {
  defer: boolean; openFiles: string; before: Phase; during: Phase; checks: Verify[]; connected: { connected: number; chunked: boolean }[];
  dropped: number; tailMs: number; clientCpu: number;
}

/** One server process: PHASE_S with no subscriber, then PHASE_S with SUBSCRIBERS, then the fill check. */
async function runMode(here: string, defer: boolean): Promise<ModeResult> {
  const server = forkBenchChild(join(here, 'support', 'sse-fanout-server.js'), ['--fills-per-s', String(FILLS_PER_S), '--tick-ms', String(TICK_MS), ...(defer ? ['--defer'] : [])]);
  const clients: BenchChild[] = [];
  try {
    const { port, openFiles } = await server.ask<{ port: number; openFiles: string }>('ready');
    await sleep(1500);
    await server.ask('phase-start', 'no subscriber');
    await sleep(PHASE_S * 1000);
    const before = await server.ask<Phase>('phase-end');

    // subscribers connect while the market and the orders are paused
    const { lastEventId } = await server.ask<{ lastEventId: number }>('pause');
    for (let i = 0; i < CLIENT_PROCESSES; i++) clients.push(forkBenchChild(join(here, 'support', 'sse-subscribers.js')));
    const connected = await Promise.all(clients.map((c) => c.ask<{ connected: number; chunked: boolean }>('connect', { port, n: SUBSCRIBERS / CLIENT_PROCESSES, path: '/api/stream' }, 60_000)));
    // the window: events from the next id on, counted by every subscriber
    await Promise.all(clients.map((c) => c.ask('window', lastEventId + 1)));
    const cpu0 = await Promise.all(clients.map((c) => c.ask<NodeJS.CpuUsage>('cpu')));
    const t0 = performance.now();
    await server.ask('phase-start', `${SUBSCRIBERS} subscribers`);
    await server.ask('resume');
    await sleep(PHASE_S * 1000);
    await server.ask('pause');
    const during = await server.ask<Phase>('phase-end');
    const cpu1 = await Promise.all(clients.map((c) => c.ask<NodeJS.CpuUsage>('cpu')));
    const clientCpu = cpu1.reduce((a, c, i) => a + c.user + c.system - cpu0[i]!.user - cpu0[i]!.system, 0) / 1e3 / (performance.now() - t0);
    // the tail: until every live subscriber has the last event (or 20 s)
    const tailStart = performance.now();
    while (performance.now() - tailStart < 20_000) {
      const ps = await Promise.all(clients.map((c) => c.ask<{ minLastId: number; closed: number }>('progress')));
      if (Math.min(...ps.map((p) => p.minLastId)) >= during.lastId) break;
      await sleep(50);
    }
    const tailMs = performance.now() - tailStart;
    const fillIds = await server.ask<number[]>('fill-ids');
    const checks = await Promise.all(clients.map((c) => c.ask<Verify>('verify', { fillIds, toId: during.lastId }, 120_000)));
    const stats = await server.ask<{ counters: Record<string, number> }>('stats');
    await Promise.all(clients.map((c) => c.ask('close')));
    return { defer, openFiles, before, during, checks, connected, dropped: stats.counters['droppedClients'] ?? 0, tailMs, clientCpu };
  } finally {
    await Promise.all(clients.map((c) => c.stop()));
    await server.stop();
  }
}

export async function runSseFanoutBench(): Promise<string> {
  const here = dirname(fileURLToPath(import.meta.url));
  const results = [await runMode(here, false), await runMode(here, true)];

  const us = (ns: number): string => (ns / 1000).toFixed(1);
  const int = (x: number): string => Math.round(x).toLocaleString('en-US');
  const mib = (b: number): string => (b / 2 ** 20).toFixed(0);
  const mode = (r: ModeResult): string => (r.defer ? 'deferred (flush passes: ≤ 4 ms per loop turn, ≤ 1/5 of the time; default)' : 'in publish()');
  const rows: string[] = [
    '## SSE fan-out to 1,000 subscribers',
    '',
    `Run: \`npx tsc -p tsconfig.build.json && node dist/bench/sse-fanout.bench.js\` (about ${Math.round(4 * PHASE_S + 30)} s; it starts and stops its server and subscriber processes itself)`,
    '',
    `Server child: TradingEngine on the built-in simulator paced in real time (SimDriver every ${TICK_MS} ms, as \`spreadcore serve\`), seed 000's strategy quoting BTCUSDT, ` +
      `${FILLS_PER_S} market orders/s of 0.01 ETHUSDT offered (runs of 50 on one side, then the other; no strategy quotes ETHUSDT, so they do not cross our own quotes) so fills are frequent, ` +
      'the SseHub attached to the engine\'s events and served by the uWS Gateway at /api/stream (no request-rate limit configured; hub defaults otherwise (the per-address subscriber limit raised to 1,000: the subscribers share one address): 256 KiB pending per client, 5 s backed up at most, ' +
      `quote_update coalescing while a client is backed up). Subscribers: ${CLIENT_PROCESSES} processes × ${SUBSCRIBERS / CLIENT_PROCESSES} raw node:net connections ` +
      `(HTTP/1.1, chunked decoding, SSE framing; no filter: every event). Server, subscribers and this process share the ${cpus().length} cores. ` +
      `Open-files limit in the server (soft hard): ${results[0]!.openFiles}; ${SUBSCRIBERS} subscribers need ~${SUBSCRIBERS} descriptors on each side, so nothing was raised. ` +
      `Two server processes in turn, one per way of writing to subscribers, each: ${PHASE_S} s with no subscriber, then ${PHASE_S} s with ${SUBSCRIBERS}.`,
    '',
    '### Tick-to-quote in the server, µs',
    '',
    'Every batch from its first message to the return of its end of batch: book updates, the engine\'s decision (paper matching and fills, risk, quote ladder, order diff, orders) and publishing its events to the hub (which writes them there and then in the in-publish() mode, and in the next flush pass when deferred).',
    '',
    '| hub writes | subscribers | batches | p50 | p99 | p99.9 | max | batches that published events | their p50 | their p99 | server CPU | server RSS MiB | GC pauses: count, total ms, max ms |',
    '|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|',
  ];
  for (const r of results) {
    for (const p of [r.before, r.during]) {
      rows.push(`| ${mode(r)} | ${p.clients} | ${int(p.batches.n)} | ${us(p.batches.p50)} | ${us(p.batches.p99)} | ${us(p.batches.p999)} | ${us(p.batches.max)} | ` +
        `${int(p.eventBatches.n)} | ${us(p.eventBatches.p50)} | ${us(p.eventBatches.p99)} | ${Math.round(p.cpu * 100)}% | ${mib(p.rssBytes)} | ` +
        `${p.gc.n}, ${p.gc.totalMs.toFixed(0)}, ${p.gc.maxMs.toFixed(1)} |`);
    }
  }
  const names = [...new Set(results.flatMap((r) => Object.keys(r.during.published)))].sort();
  rows.push('', `### Events and delivery with ${SUBSCRIBERS} subscribers`, '',
    `| | ${results.map(mode).join(' | ')} |`, `|---|${results.map(() => '--:').join('|')}|`);
  const row = (label: string, f: (r: ModeResult) => string): void => { rows.push(`| ${label} | ${results.map(f).join(' | ')} |`); };
  const win = (r: ModeResult): number[] => r.checks.flatMap((c) => c.inWindow).sort((a, b) => a - b);
  const published = (r: ModeResult): number => r.during.lastId - r.during.firstId + 1;
  const sum = (r: ModeResult, k: 'ok' | 'missing' | 'duplicates' | 'outOfOrder' | 'checkedFills' | 'closed' | 'subscribers'): number => r.checks.reduce((a, c) => a + c[k], 0);
  row('phase length, s', (r) => r.during.seconds.toFixed(1));
  for (const k of names) row(`${k} published/s`, (r) => int((r.during.published[k] ?? 0) / r.during.seconds));
  row('all events published/s', (r) => int(published(r) / r.during.seconds));
  row('market orders placed / refused per s; engine fills per s', (r) => `${int(r.during.ordersSent / r.during.seconds)} / ${int(r.during.orderErrors / r.during.seconds)}; ${int(r.during.fills / r.during.seconds)}`);
  row('subscribers connected (chunked responses)', (r) => `${int(r.connected.reduce((a, c) => a + c.connected, 0))} (${r.connected.every((c) => c.chunked) ? 'yes' : 'no'})`);
  row('events received per subscriber: min / median / max (of published)', (r) => { const w = win(r); return `${int(w[0] ?? 0)} / ${int(w[w.length >> 1] ?? 0)} / ${int(w[w.length - 1] ?? 0)} (${int(published(r))})`; });
  row('events/s per subscriber (median)', (r) => { const w = win(r); return int((w[w.length >> 1] ?? 0) / r.during.seconds); });
  row('events/s delivered, all subscribers', (r) => int(win(r).reduce((a, x) => a + x, 0) / r.during.seconds));
  row('server time writing to subscribers, µs per delivery', (r) => ((r.defer ? r.during.flushNs : r.during.publishNs) / 1000 / Math.max(1, r.during.deliveries)).toFixed(2));
  row('share of the phase spent writing to subscribers', (r) => `${(((r.defer ? r.during.flushNs : r.during.publishNs) / 1e9 / r.during.seconds) * 100).toFixed(0)}%`);
  row('flushes: count, p50 / p99 / max ms', (r) => (r.defer ? `${int(r.during.flushTimes.n)}, ${(r.during.flushTimes.p50 / 1e6).toFixed(2)} / ${(r.during.flushTimes.p99 / 1e6).toFixed(2)} / ${(r.during.flushTimes.max / 1e6).toFixed(2)}` : '–'));
  row('quote_update frames coalesced (client backed up)', (r) => int(r.during.coalesced));
  row('subscribers dropped by the hub / closed', (r) => `${r.dropped} / ${sum(r, 'closed')}`);
  row('fills checked (every subscriber, every fill after it joined)', (r) => int(sum(r, 'checkedFills')));
  row('subscribers with every fill exactly once and in order', (r) => `${int(sum(r, 'ok'))} of ${int(sum(r, 'subscribers'))}`);
  row('fills missing / duplicated / out of order', (r) => `${sum(r, 'missing')} / ${sum(r, 'duplicates')} / ${sum(r, 'outOfOrder')}`);
  row('last event reaches the last subscriber after the market paused, ms', (r) => int(r.tailMs));
  row('subscriber processes\' CPU (sum, share of one core)', (r) => `${Math.round(r.clientCpu * 100)}%`);
  row(`server RSS with ${SUBSCRIBERS} subscribers / none, MiB`, (r) => `${mib(r.during.rssBytes)} / ${mib(r.before.rssBytes)}`);
  const [a, b] = results as [ModeResult, ModeResult];
  const lossFree = results.every((r) => sum(r, 'ok') === SUBSCRIBERS && sum(r, 'missing') + sum(r, 'duplicates') + sum(r, 'outOfOrder') === 0);
  rows.push('', `Reading: ${lossFree ? 'every subscriber got every fill exactly once and in order in both ways' : 'FILL LOSS: see the table'}. ` +
    `Writing inside publish() (one send per event per subscriber, ${((a.during.publishNs / 1000) / Math.max(1, a.during.deliveries)).toFixed(1)} µs each) makes a batch that publishes take ${us(a.during.eventBatches.p50)} µs at the median with ${SUBSCRIBERS} subscribers ` +
    `(${us(a.before.eventBatches.p50)} µs with none) and the engine falls behind its offered orders (${int(a.during.ordersSent / a.during.seconds)} placed/s of ${FILLS_PER_S}); ` +
    `deferred delivery keeps such batches at ${us(b.during.eventBatches.p50)} µs (${us(b.before.eventBatches.p50)} µs with none), places ${int(b.during.ordersSent / b.during.seconds)}/s and delivers ${int(win(b).reduce((x, y) => x + y, 0) / b.during.seconds)} events/s ` +
    `(${((b.during.flushNs / 1000) / Math.max(1, b.during.deliveries)).toFixed(1)} µs per delivery). Over all batches, p99 / p99.9 without → with subscribers: ` +
    `${us(a.before.batches.p99)} / ${us(a.before.batches.p999)} → ${us(a.during.batches.p99)} / ${us(a.during.batches.p999)} µs in publish(), ` +
    `${us(b.before.batches.p99)} / ${us(b.before.batches.p999)} → ${us(b.during.batches.p99)} / ${us(b.during.batches.p999)} µs deferred ` +
    `(in publish() few batches publish at all, so its p99 hides them). Load average at the end: ${loadavg().map((x) => x.toFixed(2)).join(' / ')}.`);
  return rows.join('\n');
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  console.log(await runSseFanoutBench());
}
