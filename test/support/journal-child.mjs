// Child process of the journal's crash tests (run by test/store-crash.test.ts
// with the compiled journal from dist/; `npm run build` first).
//
//   node test/support/journal-child.mjs <dataDir> <seed> <single|burst> <total>
//
// Opens the journal, restores it, marks the strategies running, then writes the
// seed's fill stream (test/support/fill-sequence.mjs) from a little before what
// the journal already holds (those are redelivered: duplicates) until <total>
// distinct fills. Each fill is written first and only then reported on stdout:
//   R <n>      restored, the journal held n fills
//   S          strategies recorded and running
//   F <id>     fill written (inserted)          D <id>   fill was a duplicate
//   P <k>      parameter change after the k-th distinct fill written
//   C          all written, journal closed
// single: one transaction per fill (recordFill). burst: bursts of 1..64 fills
// per turn of the event loop through FillBurstWriter (one transaction per burst).
// The parent kills this process with SIGKILL at a moment of its choosing.
import { writeSync } from 'node:fs';
import { Journal, FillBurstWriter } from '../../dist/src/store/index.js';
import { createRng, fillEvents, parameterStep, PARAM_EVERY, STRATEGY_IDS, SYMBOLS } from './fill-sequence.mjs';

export const RESUME_OVERLAP = 80; // more than a burst: whatever a kill left unreported is redelivered
export const MAX_BURST = 64;

function report(text) {
  const buf = Buffer.from(text);
  for (let off = 0; off < buf.length; ) {
    try {
      off += writeSync(1, buf, off);
    } catch (e) {
      if (e.code !== 'EAGAIN') throw e;
    }
  }
}

const [dataDir, seedText, mode, totalText] = process.argv.slice(2);
const seed = Number(seedText);
const total = Number(totalText);
if (!dataDir || !Number.isInteger(seed) || !Number.isInteger(total) || (mode !== 'single' && mode !== 'burst')) {
  process.stderr.write('usage: journal-child.mjs <dataDir> <seed> <single|burst> <total>\n');
  process.exit(2);
}

const journal = Journal.open(dataDir);
const restored = journal.restore();
let restoredCount = 0;
for (const list of restored.fillsByStrategy.values()) restoredCount += list.length;
report(`R ${restoredCount}\n`);
if (restored.strategies.length === 0) {
  for (const id of STRATEGY_IDS) {
    journal.recordStrategy({ id, name: id, type: 'MarketMaking', symbols: SYMBOLS, parameters: { spread_bps: 4, order_size: 0.001, quote_levels: 3 }, status: 'stopped' });
  }
}
for (const id of STRATEGY_IDS) journal.updateStrategyStatus(id, 'running');
report('S\n');

const indexOf = (fill) => Number(fill.tradeId.slice(fill.tradeId.lastIndexOf('-') + 1));

function afterDurable(fill, result, redelivery) {
  report(`${result === 'inserted' ? 'F' : 'D'} ${fill.tradeId}\n`);
  if (redelivery) return;
  const k = indexOf(fill) + 1;
  if (k % PARAM_EVERY === 0) {
    const step = parameterStep(k);
    journal.recordParameterChange(step.strategyId, 'spread_bps', step.spreadBps, { source: 'api' });
    report(`P ${k}\n`);
  }
}

const events = fillEvents(seed);
let written = 0; // distinct fills taken from the stream
const resumeFrom = Math.max(0, restoredCount - RESUME_OVERLAP);
while (written < resumeFrom) if (!events.next().value.redelivery) written++;

if (mode === 'single') {
  while (written < total) {
    const e = events.next().value;
    if (!e.redelivery) written++;
    afterDurable(e.fill, journal.recordFill(e.fill), e.redelivery);
  }
} else {
  const redeliveryFlags = []; // in add() order, which is onDurable's order
  const writer = new FillBurstWriter(journal, {
    maxBurst: MAX_BURST,
    onDurable: (fill, result) => afterDurable(fill, result, redeliveryFlags.shift()),
    onError: (err) => {
      process.stderr.write(`burst failed: ${err.message}\n`);
      process.exit(3);
    },
  });
  const rng = createRng(seed ^ 0x5bd1e995);
  while (written < total) {
    const size = 1 + Math.floor(rng() * MAX_BURST);
    for (let i = 0; i < size && written < total; i++) {
      const e = events.next().value;
      redeliveryFlags.push(e.redelivery);
      if (!e.redelivery) written++;
      writer.add(e.fill);
    }
    await new Promise((resolve) => setImmediate(resolve));
  }
  writer.flush();
}
journal.close();
report('C\n');
