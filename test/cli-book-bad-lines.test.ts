// `spreadcore book` on bad input lines: the compiled command stops at the first
// bad line with exit 1 and one clear line on stderr naming the line number and
// the problem, never a stack trace; with --every, the books of the lines before
// it have been printed.
import { describe, it, expect, beforeAll } from 'vitest';
import { existsSync } from 'node:fs';
import { ROOT, spreadcore } from './support/run-cli.js';

const ARGS = ['book', '--tick-size', '0.01', '--lot-size', '0.001'];


const GOOD1 = '{"type":"snapshot","bids":[["100.00","1"]],"asks":[["100.01","2"]]}';
const GOOD2 = '{"type":"change","side":"bid","price":"99.99","delta":"3"}';
const BOOK1 = '{"bids":[["100.00","1.000"]],"asks":[["100.01","2.000"]]}';
const BOOK2 = '{"bids":[["100.00","1.000"],["99.99","3.000"]],"asks":[["100.01","2.000"]]}';

const set = (bids: unknown, asks: unknown = []): string => JSON.stringify({ type: 'set', bids, asks });
const chg = (o: Record<string, unknown>): string => JSON.stringify({ type: 'change', side: 'bid', price: '100.00', delta: '1', ...o });

// [name, bad line, what stderr must say after "line N: "]
const BAD: [string, string, RegExp][] = [
  ['invalid JSON', '{"type":"set",', /invalid JSON/],
  ['not JSON at all', 'hello', /invalid JSON/],
  ['a JSON array', '[1,2]', /must be a JSON object, got an array/],
  ['a JSON string', '"snapshot"', /must be a JSON object, got a string/],
  ['JSON null', 'null', /must be a JSON object, got null/],
  ['missing type', '{"bids":[],"asks":[]}', /missing field "type"/],
  ['unknown type', '{"type":"trade","bids":[],"asks":[]}', /unknown event type "trade"/],
  ['type not a string', '{"type":1,"bids":[],"asks":[]}', /unknown event type 1/],
  ['missing asks', '{"type":"set","bids":[]}', /missing field "asks" in a set event/],
  ['missing bids in a snapshot', '{"type":"snapshot","asks":[]}', /missing field "bids" in a snapshot event/],
  ['extra field', '{"type":"set","bids":[],"asks":[],"ts":1}', /unexpected field "ts" in a set event/],
  ['change fields on a set', '{"type":"set","bids":[],"asks":[],"side":"bid"}', /unexpected field "side"/],
  ['bids not an array', set({ '100.00': '1' }), /"bids" must be an array of \[price, quantity\] pairs/],
  ['asks null', set([], null), /"asks" must be an array/],
  ['level not a pair', set([['100.00', '1', 'x']]), /bids\[0\] must be a \[price, quantity\] pair/],
  ['level not an array', set([], ['100.01']), /asks\[0\] must be a \[price, quantity\] pair/],
  ['price as a number', set([[100, '1']]), /bids\[0\] price must be a decimal string.*got a number \(100\)/],
  ['quantity as a number', set([['100.00', 1]]), /bids\[0\] quantity must be a decimal string.*got a number \(1\)/],
  ['price "NaN"', set([['NaN', '1']]), /bids\[0\] price must be a decimal string.*"NaN"/],
  ['price with an exponent', set([['1e5', '1']]), /bids\[0\] price must be a decimal string.*"1e5"/],
  ['empty price', set([['', '1']]), /bids\[0\] price must be a decimal string.*got ""/],
  ['price with a space', set([[' 100.00', '1']]), /bids\[0\] price must be a decimal string/],
  ['price "Infinity"', set([], [['Infinity', '1']]), /asks\[0\] price must be a decimal string/],
  ['quantity with an exponent', set([['100.00', '1e5']]), /bids\[0\] quantity must be a decimal string.*"1e5"/],
  ['negative absolute quantity', set([['100.00', '1'], ['99.99', '-1']]), /bids\[1\] quantity must not be negative, got "-1"/],
  ['off-grid price', set([['100.005', '1']]), /bids\[0\] price 100\.005 is not a whole multiple of 0\.01/],
  ['off-grid quantity', set([], [['100.01', '0.0001']]), /asks\[0\] quantity 0\.0001 is not a whole multiple of 0\.001/],
  ['too many digits', set([['1234567890.123456', '1']]), /bids\[0\] price 1234567890\.123456 has more than 15 significant digits/],
  ['change with an unknown side', chg({ side: 'buy' }), /"side" must be "bid" or "ask", got "buy"/],
  ['change with a numeric delta', chg({ delta: -1 }), /delta must be a decimal string.*got a number \(-1\)/],
  ['change with an off-grid price', chg({ price: '100.001' }), /price 100\.001 is not a whole multiple of 0\.01/],
  ['change without a delta', '{"type":"change","side":"bid","price":"100.00"}', /missing field "delta" in a change event/],
  ['change with a levels field', chg({ bids: [] }), /unexpected field "bids" in a change event/],
  ['change below zero', chg({ price: '100.00', delta: '-1.001' }),
    /change bid 100\.00 by -1\.001: the change would take the level below zero \(the bid level at 100\.00 holds 1\.000\)/],
  ['change below zero on an empty level', chg({ side: 'ask', price: '100.05', delta: '-0.001' }), /below zero/],
];

describe.concurrent('spreadcore book: bad lines', () => {
  beforeAll(() => {
    if (!existsSync(`${ROOT}/dist/src/cli/main.js`)) {
      throw new Error('dist/src/cli/main.js is missing: run "npm run build" first (npm test does it)');
    }
  });

  for (const [name, line, what] of BAD) {
    it(name, async () => {
      // line 1 good, line 2 blank, line 3 good, line 4 bad, line 5 good (never reached)
      const r = await spreadcore([...ARGS, '--every'], `${GOOD1}\n\n${GOOD2}\n${line}\n${GOOD1}\n`);
      expect(r.status).toBe(1);
      expect(r.stderr).toMatch(/^spreadcore book: line 4: /);
      expect(r.stderr).toMatch(what);
      expect(r.stderr).not.toContain('    at ');
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stdout).toBe(`${BOOK1}\n${BOOK2}\n`);
    });
  }

  it('without --every nothing is printed when a line is bad', async () => {
    const r = await spreadcore(ARGS, `${GOOD1}\n${set([['1.001', '1']])}\n`);
    expect(r.status).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/^spreadcore book: line 2: bids\[0\] price 1\.001 is not a whole multiple of 0\.01 \(SPREADCORE_ERR_OFF_GRID\)\n$/);
  });

  it('a bad first line', async () => {
    const r = await spreadcore([...ARGS, '--every'], '{}\n');
    expect(r.status).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/^spreadcore book: line 1: missing field "type"/);
  });

  it('a bad set changes nothing before the error is reported', async () => {
    // the good level in the same event is not applied: the run stops with the book of line 1
    const r = await spreadcore([...ARGS, '--every'], `${GOOD1}\n${set([['99.00', '5'], ['x', '1']])}\n`);
    expect(r.status).toBe(1);
    expect(r.stdout).toBe(`${BOOK1}\n`);
    expect(r.stderr).toMatch(/line 2: bids\[1\] price must be a decimal string/);
  });
});
