// Child process of the engine's crash tests (run by test/engine-crash.test.ts with
// the compiled engine from dist/; `npm run build` first).
//
//   node test/support/engine-child.mjs <dataDir> <seed> <fresh|resume> [options as JSON]
//
// Paper trading on the seeded simulator at full speed with a journal in <dataDir>:
// fresh loads seed 000's Step 4 strategy (tight spread, so fills are frequent) and
// starts it; resume restores the engine from the journal and starts the strategy
// again. Every fill the engine reports (its `fill` event, what the SSE stream and
// the API show) is printed at once, synchronously:
//   R <fills> <position> <status> <kill_switch> <ms>   restored (resume)
//   S <status>                                        strategy started
//   F <trade_id> <side> <price> <qty> <inventory>    a reported fill
//   K                                                 kill switch on (returned: journaled)
//   E <trade_id> <why>                                a fill reported before its write committed
//   C <position>                                      strategy stopped, journal closed (clean exit)
// options: { killSwitchAfter?: n (engage the kill switch after n fills),
//            stopAfter?: n (stop cleanly after n fills), maxSeconds?: simulated seconds }
// Without stopAfter it trades until the parent kills it with SIGKILL (or maxSeconds).
import { writeSync } from 'node:fs';
import { SimDriver, TradingEngine } from '../../dist/src/engine/index.js';
import { MarketSimulator } from '../../dist/src/feed/sim/index.js';
import { Journal } from '../../dist/src/store/index.js';

const STRATEGY_ID = 'btc_mm_1';
/**
 * Seed 000's Step 4 parameters with a tighter spread and spacing, larger orders and a wider
 * position limit: 200-450 fills per simulated minute, thousands per run. Such a tight spread
 * loses money on fees: the capital is large enough that the daily loss limit does not halt it.
 */
const STEP4 = {
  name: STRATEGY_ID,
  type: 'MarketMaking',
  symbols: ['BTCUSDT'],
  // a 100 ms refresh: the order diff's placement budget (one ladder per 3 refreshes) then allows
  // ~20 orders a simulated second, so fills come as fast as the market gives them
  parameters: { spread_bps: 0.5, order_size: 0.01, max_position: 0.5, quote_levels: 3, level_spacing_bps: 0.5, inventory_skew: true, skew_factor: 0.5, capital: 1_000_000, quote_refresh_ms: 100 },
};
/** BTCUSDT starting in its high-volatility regime (most trades). */
const SIM_CONFIG = { instruments: [{ symbol: 'BTCUSDT', regimes: { initial: 'high_volatility' } }] };

function report(text) {
  const buf = Buffer.from(text);
  for (let off = 0; off < buf.length; ) {
    try {
      off += writeSync(1, buf, off);
    } catch (e) {
      if (e.code === 'EPIPE') process.exit(1); // the parent is gone (a listener's throw would be swallowed by the engine)
      if (e.code !== 'EAGAIN') throw e;
    }
  }
}

const [dataDir, seedText, mode, optionsText] = process.argv.slice(2);
const seed = Number(seedText);
const options = optionsText ? JSON.parse(optionsText) : {};
if (!dataDir || !Number.isInteger(seed) || (mode !== 'fresh' && mode !== 'resume')) {
  process.stderr.write('usage: engine-child.mjs <dataDir> <seed> <fresh|resume> [options JSON]\n');
  process.exit(2);
}

const journal = Journal.open(dataDir);
const engine = new TradingEngine({ journal });
const driver = new SimDriver(engine, new MarketSimulator(SIM_CONFIG, seed));
driver.run(2); // books live

let fills = 0;
let stopping = false;
const db = journal.db; // the connection (a private field of the compiled Journal): to see whether a transaction is open
engine.events.on('fill', (f) => {
  if (db.inTransaction) report(`E ${f.trade_id} reported while a journal transaction is open\n`); // write, then report
  report(`F ${f.trade_id} ${f.side} ${f.price} ${f.qty} ${f.inventory}\n`);
  fills++;
  if (options.killSwitchAfter !== undefined && fills === options.killSwitchAfter) {
    engine.kill('crash test');
    report('K\n');
  }
  if (options.stopAfter !== undefined && fills >= options.stopAfter) stopping = true;
});

if (mode === 'resume') {
  const t0 = performance.now();
  const r = engine.restore();
  const ms = performance.now() - t0;
  report(`R ${r.fills} ${engine.inventory(STRATEGY_ID).inventory.position} ${engine.strategy(STRATEGY_ID).status} ${r.kill_switch} ${ms.toFixed(1)}\n`);
} else {
  engine.load(STEP4);
}
const started = engine.start(STRATEGY_ID);
report(`S ${started.status}\n`);

const maxSeconds = options.maxSeconds ?? 3600;
for (let s = 0; s < maxSeconds && !stopping; s++) driver.run(1);
engine.stop(STRATEGY_ID);
driver.run(1); // the cancels land (a fill racing one is still reported)
const position = engine.inventory(STRATEGY_ID).inventory.position;
engine.close();
journal.close();
report(`C ${position}\n`);
