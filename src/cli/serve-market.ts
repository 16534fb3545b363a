// The market sources of `spreadcore serve`, each driving the engine's FeedIngest:
//   sim             the built-in simulator, paced by the wall clock (a timer every tick-ms),
//                   SPREADCORE_SIM_SPEED times faster than real time (default 1)
//   replay:FILE     a recording (Binance "<ts> <json>" lines or .screc) at its recorded
//                   pace x speed; when it ends the engine keeps running on the last
//                   book, which goes stale after the ingest's stale-feed interval
//   binance         the live Binance connector (spot or USD-M) for the given symbols; with
//                   live execution a symbol whose depth goes off its grid, or whose orders the
//                   venue refuses off it, has the venue's exchangeInfo read again and moves to
//                   a changed grid (grid-refresh.ts)
//   feed            nothing built in: the data comes from the feed handler (--feed-port)
// prepareMarket() opens what can fail on bad input (a recording's file and format)
// before anything is bound; start() runs the source on an engine. Outside the
// simulator (which sets the clock itself), a timer moves the engine's clock and
// runs the stale-feed check every tick-ms.
import { SpreadcoreError } from '../errors.js';
import { SimDriver } from '../engine/sim-driver.js';
import type { TradingEngine } from '../engine/trading-engine.js';
import { BinanceConnector } from '../feed/binance/binance-connector.js';
import { UnknownBinanceSymbolError, type BinanceInstrumentSpec } from '../feed/binance/instruments.js';
import { GridRefresh, type VenueGridSource } from '../feed/binance/grid-refresh.js';
import { liveGridProblemMessage, sameGridProblemMessage } from '../feed/binance/off-grid-depth.js';
import { gridRefreshLine } from './grid-refresh-line.js';
import { withInstrumentsHint } from './instruments-flag.js';
import { pace } from '../feed/recording/pacer.js';
import { gridProblemMessage, gridProblemsOf, skippedInputWarning, type GridProblem, type MarketSource } from '../feed/replay/market-source.js';
import { openMarketSource } from '../feed/replay/source-options.js';
import { MarketSimulator } from '../feed/sim/market-simulator.js';
import type { CliIo } from './cli-io.js';
import type { Logger } from '../log/logger.js';
import { usageError } from './flags.js';
import type { ServeOptions } from './serve-options.js';

export interface RunningMarket {
  /** sim, replay, binance or feed. */
  readonly source: string;
  /** running, ended, failed (replay); connecting, open, waiting, stopped (binance); listening (feed). */
  state(): string;
  /** Fields for GET /api/health. */
  health(): Record<string, unknown>;
  /** One line for the start banner. */
  readonly describe: string;
  stop(): Promise<void>;
}

export interface PreparedMarket {
  /**
   * `instruments`: the Binance grids of live execution (from the venue's exchangeInfo); without them the built-in table's.
   * `grids`: reads a Binance symbol's grids from the venue's exchangeInfo again, for a symbol whose depth is refused off
   * its grid or whose orders the venue refuses off it (the venue may have changed it while serve runs); without it such a
   * symbol is only warned about.
   */
  start(engine: TradingEngine, io: CliIo, log: Logger, instruments?: readonly BinanceInstrumentSpec[], grids?: VenueGridSource): RunningMarket;
}

function errorText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/** Checks and opens what the market needs from disk; a missing or unreadable recording is a usage error. */
export async function prepareMarket(o: ServeOptions): Promise<PreparedMarket> {
  const m = o.market;
  switch (m.kind) {
    case 'sim': simSpeedFromEnv(); return { start: (engine, _io, log) => startSim(engine, log, o) }; // a bad SPREADCORE_SIM_SPEED fails before anything is bound
    case 'feed': return { start: (engine, _io, log) => startFeedOnly(engine, log, o) };
    case 'binance': return { start: (engine, io, log, instruments, grids) => startBinance(engine, io, log, o, instruments, grids) };
    case 'prediction': return { start: (engine, _io, log) => startPredictionClock(engine, log, o) };
    case 'replay': {
      let source: MarketSource;
      try {
        source = await openMarketSource(m.format === 'binance'
          ? { kind: 'binance', path: m.path, market: undefined, durationS: undefined, instruments: o.instruments }
          : { kind: 'screc', path: m.path, durationS: undefined });
      } catch (e) {
        // a symbol without grids: say how to give them
        if (e instanceof UnknownBinanceSymbolError) throw usageError(`${o.marketOrigin} replay:${m.path}: ${withInstrumentsHint(e)}`);
        if (e instanceof SpreadcoreError) throw usageError(`${o.marketOrigin} replay:${m.path}: ${e.message}`);
        throw e;
      }
      return { start: (engine, io, log) => startReplay(engine, io, log, o, source) };
    }
  }
}

/** The clock timer of the sources that do not drive the clock themselves. */
function clockTimer(engine: TradingEngine, log: Logger, tickMs: number): NodeJS.Timeout {
  let lastError = '';
  return setInterval(() => {
    try {
      engine.ingest.checkStaleFeed();
      engine.tick();
    } catch (e) {
      const msg = errorText(e);
      if (msg !== lastError) log.error(`engine clock step failed: ${msg}`);
      lastError = msg;
    }
  }, tickMs);
}

function symbolsOf(engine: TradingEngine): string[] {
  return engine.ingest.symbols().map((s) => s.symbol);
}

/** Largest SPREADCORE_SIM_SPEED: simulated seconds per wall second. */
export const MAX_SIM_SPEED = 1000;

/**
 * The simulator's pace from SPREADCORE_SIM_SPEED: simulated seconds per wall second
 * (default 1, real time; e.g. 30 runs seed 000's first hour in two minutes). The
 * market's clock then runs ahead of the wall clock; everything the engine times
 * (quote refresh, quote age, cooldowns, marks) follows the market's clock.
 */
export function simSpeedFromEnv(env: NodeJS.ProcessEnv = process.env): number {
  const raw = env['SPREADCORE_SIM_SPEED'];
  if (raw === undefined || raw.trim() === '') return 1;
  const v = Number(raw.trim());
  if (!Number.isFinite(v) || v <= 0 || v > MAX_SIM_SPEED) throw usageError(`SPREADCORE_SIM_SPEED must be a number in (0, ${MAX_SIM_SPEED}], got ${JSON.stringify(raw)}`);
  return v;
}

function startSim(engine: TradingEngine, log: Logger, o: ServeOptions): RunningMarket {
  const speed = simSpeedFromEnv();
  const wall0 = Date.now();
  const sim = new MarketSimulator({ startTsNs: wall0 * 1e6, ...(o.universeMarkets > 0 ? { universe: { binaryMarkets: o.universeMarkets } } : {}) }, o.seed);
  const driver = new SimDriver(engine, sim, { stepMs: o.tickMs * speed });
  let lastError = '';
  const timer = setInterval(() => {
    try {
      driver.runUntil((wall0 + (Date.now() - wall0) * speed) * 1e6);
    } catch (e) {
      const msg = errorText(e);
      if (msg !== lastError) log.error(`market step failed: ${msg}`);
      lastError = msg;
    }
  }, o.tickMs);
  return {
    source: 'sim',
    state: () => 'running',
    health: () => ({ seed: o.seed, symbols: symbolsOf(engine), market_events: driver.events, sim_speed: speed, sim_time: Math.floor(driver.nowNs / 1e6) }),
    describe: `built-in simulator, seed ${o.seed}${speed !== 1 ? `, ${speed}x real time (SPREADCORE_SIM_SPEED)` : ''}, symbols ${symbolsOf(engine).join(', ')}`,
    stop: () => { clearInterval(timer); return Promise.resolve(); },
  };
}

function startFeedOnly(engine: TradingEngine, log: Logger, o: ServeOptions): RunningMarket {
  const timer = clockTimer(engine, log, o.tickMs);
  return {
    source: 'feed',
    state: () => (engine.ingest.symbols().length === 0 ? 'waiting' : 'receiving'),
    health: () => ({ symbols: symbolsOf(engine) }),
    describe: `the feed handler on 127.0.0.1:${o.feedPort} (publish to it with spreadcore publish)`,
    stop: () => { clearInterval(timer); return Promise.resolve(); },
  };
}

/** Kalshi / Polymarket: the connectors (serve-prediction.ts) feed the ingest; this moves the clock and the stale-feed check. */
function startPredictionClock(engine: TradingEngine, log: Logger, o: ServeOptions): RunningMarket {
  const timer = clockTimer(engine, log, o.tickMs);
  const venues = o.market.kind === 'prediction' ? o.market.venues : [];
  return {
    source: venues.join(','),
    state: () => (engine.ingest.symbols().some((s) => s.state === 'live') ? 'open' : 'connecting'),
    health: () => ({ symbols: symbolsOf(engine) }),
    describe: venues.map((v) => (v === 'kalshi' ? 'Kalshi' : 'Polymarket')).join(' and '),
    stop: () => { clearInterval(timer); return Promise.resolve(); },
  };
}

function startReplay(engine: TradingEngine, io: CliIo, log: Logger, o: ServeOptions, source: MarketSource): RunningMarket {
  const ingest = engine.ingest;
  const abort = new AbortController();
  let state = 'running';
  let steps = 0;
  let error = '';
  const run = source.open(ingest);
  // a grid coarser than the recording: the symbol's book stays empty; say so once per symbol
  source.onGridProblem = (p) => { io.stdout.write(`spreadcore serve: market: warning: ${gridProblemMessage(p)}\n`); };
  const timer = clockTimer(engine, log, o.tickMs);
  const done = pace(run.steps, o.speed, (step) => {
    ingest.setClock();
    run.apply(step);
    steps++;
  }, abort.signal).then(() => {
    if (abort.signal.aborted) return;
    state = 'ended';
    const warning = skippedInputWarning(source);
    io.stdout.write(`spreadcore serve: market: the recording ended after ${steps} messages; strategies keep their state, the API keeps answering, the books go stale without data${warning !== null ? ` (${warning})` : ''}\n`);
  }, (e: unknown) => {
    state = 'failed';
    error = errorText(e);
    log.error(`market: the replay stopped after ${steps} messages: ${error}`);
  });
  return {
    source: 'replay',
    state: () => state,
    health: () => {
      const problems = gridProblemsOf(source);
      return {
        recording: source.label, speed: o.speed, messages: steps, symbols: symbolsOf(engine),
        // per symbol: snapshots and depth events refused for a level off the symbol's grid
        ...(source.gridProblems !== undefined ? { refused_depth: Object.fromEntries(symbolsOf(engine).map((s) => [s, problems.find((p) => p.symbol === s)?.refused ?? 0])) } : {}),
        ...(problems.length > 0 ? { market_warnings: problems.map(gridProblemMessage) } : {}),
        ...(error !== '' ? { error } : {}),
      };
    },
    describe: `replay of ${source.label} at ${o.speed === 'max' ? 'full speed' : `${o.speed}x the recorded pace`}`,
    stop: async () => { abort.abort(); clearInterval(timer); await done; },
  };
}

/** A live symbol's off-grid warning: the same-grid one once the venue's exchangeInfo, read again, gave the grid in use. */
function gridWarning(p: GridProblem, refresh: GridRefresh | null): string {
  const spec = refresh?.spec(p.symbol);
  return spec !== undefined && refresh!.venueHasSameGrid(p.symbol) ? sameGridProblemMessage(p, spec) : liveGridProblemMessage(p);
}

function startBinance(
  engine: TradingEngine, io: CliIo, log: Logger, o: ServeOptions, instruments: readonly BinanceInstrumentSpec[] | undefined,
  grids: VenueGridSource | undefined,
): RunningMarket {
  const m = o.market;
  if (m.kind !== 'binance') throw new SpreadcoreError('SPREADCORE_ERR_BAD_PARAM', 'not a Binance market');
  const synced = new Set<string>();
  /** Symbols moved to a new grid and not yet in sync on it. */
  const regridded = new Set<string>();
  let refresh: GridRefresh | null = null;
  const say = (line: string): void => { io.stdout.write(`spreadcore serve: market: ${line}\n`); };
  const connector = new BinanceConnector(engine.ingest, {
    market: m.market, symbols: o.symbols, ...(instruments !== undefined ? { instruments } : {}),
    ...(m.restUrl !== undefined ? { restUrl: m.restUrl } : {}), ...(m.wsUrl !== undefined ? { wsUrl: m.wsUrl } : {}),
  }, {
    onEvent: (e) => {
      if (e.type === 'synced' && !synced.has(e.symbol)) {
        synced.add(e.symbol);
        regridded.delete(e.symbol);
        io.stdout.write(`spreadcore serve: market: ${e.symbol} in sync with Binance (update id ${e.updateId})\n`);
      } else if (e.type === 'synced' && regridded.delete(e.symbol)) {
        const spec = refresh?.spec(e.symbol);
        say(`${e.symbol} in sync with Binance on its new grid${spec !== undefined ? ` (tick ${spec.tickSize}, step ${spec.orderLotSize})` : ''} (update id ${e.updateId})`);
      } else if (e.type === 'rejected') {
        // depth off the symbol's grid: read the venue's grid again (at most every 30 s per symbol)
        if (refresh !== null && e.error.code === 'SPREADCORE_ERR_OFF_GRID') void refresh.onOffGrid(e.symbol);
      } else if (e.type === 'gap') io.stdout.write(`spreadcore serve: market: ${e.symbol} sequence gap, resyncing\n`);
      else if (e.type === 'crossed-resync') {
        io.stdout.write(`spreadcore serve: market: ${e.symbol} book crossed for ${e.crossedMs} ms (bid ${e.bid} ≥ ask ${e.ask}): out of step with Binance, resyncing from a new snapshot\n`);
      }
      else if (e.type === 'disconnected') io.stdout.write(`spreadcore serve: market: Binance connection ${e.connection} closed (${e.cause}); reconnecting\n`);
      // depth off the symbol's grid: the book refuses it and resyncs forever; say so once per symbol
      // (with a re-read of the venue's grid, once it found the same grid)
      else if (e.type === 'off-grid' && refresh?.spec(e.symbol) === undefined) io.stdout.write(`spreadcore serve: market: warning: ${liveGridProblemMessage(e.problem)}\n`);
    },
  });
  if (grids !== undefined && instruments !== undefined) {
    const specs = instruments.filter((s) => s.market === m.market && connector.symbols.includes(s.symbol) && (grids.symbols?.includes(s.symbol) ?? true));
    const r = new GridRefresh({
      specs, read: grids.read, intervalMs: o.gridRereadMs,
      redefine: (symbol, spec) => { regridded.add(symbol); connector.redefine(symbol, spec); },
      report: (ev) => { say(gridRefreshLine(ev, connector.offGrid.problems().find((p) => p.symbol === ev.symbol))); },
    });
    // a coarser tick or step leaves the depth on the old grid too: only refused orders show it
    grids.onGridRefusal?.((symbol) => { void r.onOrderRefused(symbol); });
    refresh = r;
  }
  const timer = clockTimer(engine, log, o.tickMs);
  connector.start();
  return {
    source: 'binance',
    state: () => connector.state,
    health: () => {
      const problems = connector.offGrid.problems();
      return {
        binance_market: m.market, symbols: connector.symbols, synced: connector.synced,
        connects: connector.counters.connects, reconnects: connector.counters.reconnects, gaps: connector.counters.gaps,
        crossed_resyncs: connector.counters.crossedResyncs, messages: connector.counters.messages,
        // per symbol: snapshots and depth events refused for a level off the symbol's grid
        refused_depth: Object.fromEntries(connector.symbols.map((s) => [s, connector.offGrid.refused(s)])),
        // per symbol: changes of the venue's tick or step size picked up while serve runs
        ...(refresh !== null ? { grid_changes: Object.fromEntries(connector.symbols.map((s) => [s, refresh!.changes(s)])) } : {}),
        ...(problems.length > 0 ? { market_warnings: problems.map((p) => gridWarning(p, refresh)) } : {}),
      };
    },
    describe: `Binance ${m.market} ${connector.symbols.join(', ')} (${connector.config.wsUrl})`,
    stop: async () => { refresh?.stop(); clearInterval(timer); await connector.stop(); },
  };
}
