// The backtest the speed benchmarks time (seed 000's grid on one symbol, queue fill model,
// recorded feed latency), and the child process that runs it `runs` times in one fresh
// process and reports the CPU time of each run: shared by backtest.bench.ts and the
// runners in bench/support/ and bench/hftbacktest/.

export const DEFAULT_BACKTEST_PARAMS = {
  symbols: ['BTCUSDT'],
  parameters: { spread_bps: 2, order_size: 0.001, max_position: 0.01, quote_levels: 3, level_spacing_bps: 1, requote_threshold_price: 0.1, quote_refresh_ms: 100 },
  maker_fee_bps: 0,
};

/**
 * The child script (`node --input-type=module -e <script> <dist> <recording> <runs> <params JSON> [cacheDir|-]`):
 * prints one JSON line `{ events, sig, counts, cpuMs }`: `sig` is the result's JSON length, net
 * P&L and fills (two builds giving the same backtest give the same sig), `counts` its decisions,
 * orders placed and cancelled, fills and net P&L.
 */
export const BACKTEST_CHILD = `
const { readFileSync } = await import('node:fs');
const { parseBacktestSpec, runBacktest } = await import(process.argv[1] + '/src/backtest/index.js');
const data = readFileSync(process.argv[2]);
const spec = parseBacktestSpec(JSON.parse(process.argv[4]));
const cache = process.argv[5] !== undefined && process.argv[5] !== '-' ? { parseCache: { dir: process.argv[5] } } : {};
const cpu = () => { const c = process.cpuUsage(); return (c.user + c.system) / 1e3; };
const cpuMs = []; let events = 0; let sig = ''; let counts = '';
for (let r = 0; r < Number(process.argv[3]); r++) {
  const c0 = cpu();
  const res = runBacktest(data, spec, { seed: 1, ...cache });
  cpuMs.push(cpu() - c0);
  events = res.objectives.events;
  sig = JSON.stringify(res).length + ' B, net ' + res.objectives.net_pnl + ', fills ' + res.objectives.fills;
  const c = res.counters;
  counts = 'decisions ' + c.decisions + ', placed ' + c.orders_placed + ', cancelled ' + c.orders_cancelled + ', fills ' + c.fills + ', net ' + res.objectives.net_pnl;
}
console.log(JSON.stringify({ events, sig, counts, cpuMs }));
`;

export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}
