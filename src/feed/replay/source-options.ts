// The source flags shared by `spreadcore record`, `publish` and `replay`:
//   --source binance:FILE | screc:FILE | sim
//   --market spot|usdm      (binance; detected from the file when omitted)
//   --seed N, --symbols A,B (sim)
//   --duration-s S          (sim: simulated seconds, default 60; recordings: stop after S s)
//   --instruments FILE      (binance: grids of a symbol without built-in ones)
// parseSourceFlags() checks the command line (--instruments only where it applies: the
// CLI reads the file, src/cli/instruments-flag.ts sourceSpecOf) (SPREADCORE_ERR_BAD_FLAG, a usage
// error); openMarketSource() opens the data (missing or malformed files are data
// errors: SPREADCORE_ERR_IO, SPREADCORE_ERR_BAD_INPUT, SPREADCORE_ERR_BAD_RECORDING).
import { stat } from 'node:fs/promises';
import { SpreadcoreError } from '../../errors.js';
import type { BinanceInstrumentSpec } from '../binance/instruments.js';
import type { BinanceMarket } from '../binance/messages.js';
import { BinanceRecordingSource, detectBinanceRecording } from './binance-recording-source.js';
import { FrameRecordingSource, readRecordingHeader } from './frame-recording-source.js';
import type { MarketSource } from './market-source.js';
import { DEFAULT_SIM_DURATION_S, SimSource } from './sim-source.js';

/** The flag definitions, for parseFlags(). */
export const SOURCE_FLAGS = {
  source: { type: 'string' },
  market: { type: 'string' },
  seed: { type: 'string' },
  symbols: { type: 'string' },
  'duration-s': { type: 'string' },
  instruments: { type: 'string' },
} as const;

export interface SourceFlagValues {
  source?: string;
  market?: string;
  seed?: string;
  symbols?: string;
  'duration-s'?: string;
  instruments?: string;
}

/** Lines for a command's usage text. */
export const SOURCE_USAGE = `Sources (--source, required):
  binance:FILE     a Binance recording, "<receive_ts_ns> <json>" lines (gzip or plain),
                   one symbol per file; the symbol is detected from the file (grids:
                   the built-in BTCUSDT and ETHUSDT, any other with --instruments)
  screc:FILE       a spreadcore binary recording (.screc or .screc.gz)
  sim              the built-in simulator
Source options:
  --market M       binance: spot or usdm (detected from the file when omitted)
  --instruments FILE
                   binance: tick and lot size of a symbol without built-in grids, JSON
                   {"SOLUSDT": {"tick_size": "0.01", "lot_size": "0.001", "market": "spot"}}
                   ("market" spot or usdm, optional; an entry for a built-in symbol replaces its grids)
  --seed N         sim: random seed, an integer (default 1)
  --symbols A,B    sim: symbols to simulate (default BTCUSDT,ETHUSDT,BTC-100K-YES)
  --duration-s S   sim: simulated seconds (default ${DEFAULT_SIM_DURATION_S});
                   recordings: stop after S seconds of recording time (default: all)`;

export const MAX_DURATION_S = 30 * 24 * 3600;

export type SourceSpec =
  | { kind: 'binance'; path: string; market: BinanceMarket | undefined; durationS: number | undefined; instruments?: readonly BinanceInstrumentSpec[] }
  | { kind: 'screc'; path: string; durationS: number | undefined }
  | { kind: 'sim'; seed: number; durationS: number; symbols: string[] | undefined };

function usage(message: string): SpreadcoreError {
  return new SpreadcoreError('SPREADCORE_ERR_BAD_FLAG', message);
}

function parseDuration(v: string): number {
  const n = Number(v);
  if (!/^\d+(\.\d+)?$/.test(v) || !(n > 0) || n > MAX_DURATION_S) {
    throw usage(`--duration-s must be a positive number of seconds up to ${MAX_DURATION_S}, got ${JSON.stringify(v)}`);
  }
  return n;
}

const SYMBOL_RE = /^[A-Za-z0-9][A-Za-z0-9._-]{0,31}$/;

/** Checks the source flags; throws a usage error naming the flag. */
export function parseSourceFlags(f: SourceFlagValues): SourceSpec {
  const src = f.source;
  if (src === undefined) throw usage('--source is required (binance:FILE, screc:FILE or sim)');
  const only = (flag: keyof SourceFlagValues, kind: string): void => {
    if (f[flag] !== undefined) throw usage(`--${flag} applies to --source ${kind} only`);
  };
  const durationS = f['duration-s'] === undefined ? undefined : parseDuration(f['duration-s']);
  if (src === 'sim') {
    only('market', 'binance:FILE');
    only('instruments', 'binance:FILE');
    let seed = 1;
    if (f.seed !== undefined) {
      seed = Number(f.seed);
      if (!/^-?\d+$/.test(f.seed) || !Number.isSafeInteger(seed)) throw usage(`--seed must be an integer, got ${JSON.stringify(f.seed)}`);
    }
    let symbols: string[] | undefined;
    if (f.symbols !== undefined) {
      symbols = f.symbols.split(',');
      for (const s of symbols) {
        if (!SYMBOL_RE.test(s)) throw usage(`--symbols must be a comma-separated list of symbols such as BTCUSDT,ETHUSDT, got ${JSON.stringify(f.symbols)}`);
      }
      if (new Set(symbols).size !== symbols.length) throw usage(`--symbols lists a symbol twice: ${JSON.stringify(f.symbols)}`);
      if (symbols.length > 32) throw usage(`--symbols takes at most 32 symbols, got ${symbols.length}`);
    }
    return { kind: 'sim', seed, durationS: durationS ?? DEFAULT_SIM_DURATION_S, symbols };
  }
  const colon = src.indexOf(':');
  const kind = colon < 0 ? src : src.slice(0, colon);
  const path = colon < 0 ? '' : src.slice(colon + 1);
  if (kind !== 'binance' && kind !== 'screc') {
    throw usage(`--source must be binance:FILE, screc:FILE or sim, got ${JSON.stringify(src)}`);
  }
  if (path === '') throw usage(`--source ${kind}: needs a file, e.g. --source ${kind}:${kind === 'binance' ? 'btcusdt.gz' : 'feed.screc.gz'}`);
  only('seed', 'sim');
  only('symbols', 'sim');
  if (kind === 'screc') {
    only('market', 'binance:FILE');
    if (f.instruments !== undefined) throw usage('--instruments applies to --source binance:FILE only (a .screc recording carries its own instrument definitions)');
    return { kind, path, durationS };
  }
  const m = f.market;
  if (m !== undefined && m !== 'spot' && m !== 'usdm') throw usage(`--market must be spot or usdm, got ${JSON.stringify(m)}`);
  return { kind, path, market: m, durationS };
}

async function checkReadable(path: string): Promise<void> {
  try {
    const st = await stat(path);
    if (st.isDirectory()) throw new SpreadcoreError('SPREADCORE_ERR_IO', `cannot read ${path}: it is a directory`);
  } catch (e) {
    if (e instanceof SpreadcoreError) throw e;
    const err = e as NodeJS.ErrnoException;
    const why = err.code === 'ENOENT' ? 'no such file' : err.code === 'EACCES' ? 'permission denied' : err.message;
    throw new SpreadcoreError('SPREADCORE_ERR_IO', `cannot read ${path}: ${why}`);
  }
}

/** Opens the data a spec names (reads a recording's first lines or header). */
export async function openMarketSource(spec: SourceSpec): Promise<MarketSource> {
  switch (spec.kind) {
    case 'sim':
      try {
        return new SimSource({ seed: spec.seed, durationS: spec.durationS, symbols: spec.symbols });
      } catch (e) {
        // a symbol list the simulator refuses is a bad command line
        if (e instanceof SpreadcoreError && e.code === 'SPREADCORE_ERR_BAD_PARAM') throw usage(`simulator: ${e.message}`);
        throw e;
      }
    case 'screc': {
      await checkReadable(spec.path);
      const header = await readRecordingHeader(spec.path);
      return new FrameRecordingSource(spec.path, header, { durationS: spec.durationS });
    }
    case 'binance': {
      await checkReadable(spec.path);
      const info = await detectBinanceRecording(spec.path, spec.market, spec.instruments);
      return new BinanceRecordingSource(spec.path, info, { durationS: spec.durationS, ...(spec.instruments !== undefined ? { instruments: spec.instruments } : {}) });
    }
  }
}

/** The file a spec reads, if any (so an output file can be checked against it). */
export function sourcePath(spec: SourceSpec): string | undefined {
  return spec.kind === 'sim' ? undefined : spec.path;
}
