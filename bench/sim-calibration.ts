// Measures a real Binance recording and the simulator's market the same way
// (src/feed/sim/market-stats.ts) and prints both side by side: the numbers of
// docs/simulator.md "Calibration".
//   npm run build:ts && node dist/bench/sim-calibration.js [seconds of simulation, default 3600] [seed]
import { replaySource } from '../src/feed/replay/market-source.js';
import { openMarketSource } from '../src/feed/replay/source-options.js';
import { MarketSimulator } from '../src/feed/sim/market-simulator.js';
import { MarketStatsSink, type MarketStats } from '../src/feed/sim/market-stats.js';

export async function measureRecording(path: string, symbol = 'BTCUSDT'): Promise<MarketStats> {
  const src = await openMarketSource({ kind: 'binance', path, market: undefined, durationS: undefined });
  const sink = new MarketStatsSink(symbol);
  await replaySource(src, sink);
  return sink.result();
}

export function measureSim(seconds: number, seed: number, symbol = 'BTCUSDT', regime: 'switching' | 'ranging' | 'high_volatility' = 'switching'): MarketStats {
  const regimes = regime === 'switching' ? {} : { initial: regime, switching: false };
  const sim = new MarketSimulator({ instruments: [{ symbol, regimes }] }, seed);
  const sink = new MarketStatsSink(symbol);
  sim.start(sink);
  sim.advanceTo(sim.startTsNs + seconds * 1e9, sink);
  return sink.result();
}

const fmt = (x: number, d = 3): string => (Number.isFinite(x) ? x.toPrecision(d) : String(x));

function rows(s: MarketStats): Record<string, string> {
  return {
    'seconds measured': fmt(s.seconds, 4),
    'spread p10/p50/p90 (ticks)': `${s.spreadTicks.p10} / ${s.spreadTicks.p50} / ${s.spreadTicks.p90}`,
    'spread = 1 tick (% of samples)': fmt(s.spreadTicks.oneTickPct),
    'size at levels 1..5 (base)': s.levelQty.map((x) => fmt(x, 2)).join(' / '),
    'levels within 10 ticks of the touch': fmt(s.levelsWithin10Ticks),
    'trades / s': fmt(s.tradesPerS),
    'volume / s (base)': fmt(s.volumePerS),
    'trade size p10/p50/p90/p99 (base)': `${fmt(s.tradeQty.p10, 2)} / ${fmt(s.tradeQty.p50, 2)} / ${fmt(s.tradeQty.p90, 2)} / ${fmt(s.tradeQty.p99, 2)}`,
    'trade size mean (base)': fmt(s.tradeQty.mean),
    'mid vol of 1 s returns (bps/sqrt s)': fmt(s.midVolBpsPerSqrtS),
    'mid vol of 10 s returns (bps/sqrt s)': fmt(s.midVol10sBpsPerSqrtS),
    '1 s returns beyond 2 bps (%)': fmt(s.moves1sOver2BpsPct),
    'excess kurtosis of 1 s returns': fmt(s.kurtosis1s),
    'median |1 s mid move| (ticks)': fmt(s.midMove1sTicksP50),
    'mid': fmt(s.mid, 6),
  };
}

async function main(): Promise<void> {
  const seconds = Number(process.argv[2] ?? 3600);
  const seed = Number(process.argv[3] ?? 1);
  const files = ['test/fixtures/binance/spot_btcusdt_20240808.gz', 'test/fixtures/binance/usdm_btcusdt_20240808.gz'];
  const cols: [string, Record<string, string>][] = [];
  for (const f of files) cols.push([f.split('/').pop()!, rows(await measureRecording(f))]);
  cols.push([`sim BTCUSDT ranging, seed ${seed}, ${seconds} s`, rows(measureSim(seconds, seed, 'BTCUSDT', 'ranging'))]);
  cols.push([`sim BTCUSDT high_volatility, seed ${seed}, ${seconds} s`, rows(measureSim(seconds, seed, 'BTCUSDT', 'high_volatility'))]);
  cols.push([`sim BTCUSDT regimes switching, seed ${seed}, ${seconds} s`, rows(measureSim(seconds, seed))]);
  const keys = Object.keys(cols[0]![1]);
  process.stdout.write(`| | ${cols.map((c) => c[0]).join(' | ')} |\n|---|${cols.map(() => '---:').join('|')}|\n`);
  for (const k of keys) process.stdout.write(`| ${k} | ${cols.map((c) => c[1][k]).join(' | ')} |\n`);
}

if (process.argv[1]?.endsWith('sim-calibration.js')) void main();
