// Profiling driver for the full backtest path: the USD-M recording as Binance lines and as
// a .screc, parse cached, many runs in one process; prints each run's events/s (wall and
// CPU). With a third argument, writes a V8 CPU profile of the runs after the first
// `warm` ones to that file (the settled path only; open it in Chrome DevTools).
// Run: npx tsc -p tsconfig.build.json && node dist/bench/support/backtest-profile.js [gz|screc] [runs] [out.cpuprofile] [warm]
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseBacktestSpec, runBacktest } from '../../src/backtest/index.js';
import { recordSource } from '../../src/feed/replay/record-source.js';
import { openMarketSource } from '../../src/feed/replay/source-options.js';
import { DEFAULT_BACKTEST_PARAMS } from './default-backtest.js';

const file = join(process.cwd(), 'test/fixtures/binance/usdm_btcusdt_20240808.gz');
const PARAMS = DEFAULT_BACKTEST_PARAMS;
const kind = process.argv[2] ?? 'gz';
const runs = Number(process.argv[3] ?? 20);
let data: Uint8Array = readFileSync(file);
if (kind === 'screc') {
  const dir = mkdtempSync(join(tmpdir(), 'bt-prof-'));
  const out = join(dir, 'x.screc');
  await recordSource(await openMarketSource({ kind: 'binance', path: file, market: undefined, durationS: undefined }), out);
  data = readFileSync(out);
  rmSync(dir, { recursive: true, force: true });
}
const spec = parseBacktestSpec(PARAMS);
const profileOut = process.argv[4];
const warm = Number(process.argv[5] ?? 5);
const session = profileOut === undefined ? undefined : new Session();
for (let r = 0; r < runs; r++) {
  if (session !== undefined && r === warm) {
    session.connect();
    await session.post('Profiler.enable');
    await session.post('Profiler.setSamplingInterval', { interval: 100 });
    await session.post('Profiler.start');
  }
  const c0 = process.cpuUsage();
  const t0 = process.hrtime.bigint();
  const res = runBacktest(data, spec, { seed: 1 });
  const s = Number(process.hrtime.bigint() - t0) / 1e9;
  const c = process.cpuUsage(c0);
  const cpu = (c.user + c.system) / 1e6;
  console.log(`run ${r}: ${(res.objectives.events / s / 1e6).toFixed(2)} M events/s wall, ${(res.objectives.events / cpu / 1e6).toFixed(2)} M/s CPU, ${(s * 1e3).toFixed(1)} ms, fills ${res.objectives.fills}, pnl ${res.objectives.net_pnl}`);
}
if (session !== undefined && profileOut !== undefined) {
  const { profile } = await session.post('Profiler.stop');
  writeFileSync(profileOut, JSON.stringify(profile));
  session.disconnect();
}
