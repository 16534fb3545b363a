// `spreadcore book --format binance`: a Binance recording on stdin through the
// connector's sync path (adapter → ingest → WASM book), run as the compiled
// command. Every printed book is checked against the recording's bookTickers;
// a removed depth line is reported as a gap and resynced by a later snapshot line.
import { describe, it, expect, beforeAll } from 'vitest';
import { existsSync, readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { fileURLToPath } from 'node:url';
import { instantiateCore } from '../src/wasm/load.js';
import { WasmBooks } from '../src/wasm/book-api.js';
import {
  LocalBookSync, binanceInstrument, parseBinanceJson,
  type BinanceMarket, type BookTicker, type DecimalPair, type DepthUpdate,
} from '../src/feed/binance/index.js';
import { ROOT, spreadcore } from './support/run-cli.js';

const fixture = (name: string): string => fileURLToPath(new URL(`./fixtures/binance/${name}`, import.meta.url));


/** Recording lines with the parsed payload of each. */
interface Line { text: string; msg: ReturnType<typeof parseBinanceJson> }
function recording(file: string): Line[] {
  return gunzipSync(readFileSync(fixture(file))).toString('utf8').split('\n').filter((l) => l.length > 0)
    .map((text) => ({ text, msg: parseBinanceJson(text.slice(text.indexOf(' ') + 1)) }));
}
const join = (lines: Line[]): string => lines.map((l) => l.text).join('\n') + '\n';

interface Book { u: number; bids: DecimalPair[]; asks: DecimalPair[] }

/** Compares each printed top of book with the bookTicker of the same update id. */
function checkTops(market: BinanceMarket, lines: Line[], out: Book[]): { checks: number; mismatches: string[] } {
  const inst = binanceInstrument(market, 'BTCUSDT');
  const canon = (p: string, q: string): string => `${inst.price.format(inst.price.toUnits(p))} x ${inst.qty.format(inst.qty.toUnits(q))}`;
  const byU = new Map<number, BookTicker>();
  for (const l of lines) if (l.msg.kind === 'bookTicker') byU.set(l.msg.updateId, l.msg);
  let checks = 0;
  const mismatches: string[] = [];
  for (const b of out) {
    const t = byU.get(b.u);
    if (t === undefined) continue;
    checks++;
    const want = `${canon(t.bidPrice, t.bidQty)} / ${canon(t.askPrice, t.askQty)}`;
    const got = `${b.bids[0]![0]} x ${b.bids[0]![1]} / ${b.asks[0]![0]} x ${b.asks[0]![1]}`;
    if (got !== want) mismatches.push(`u=${b.u}: ${got} != ${want}`);
  }
  return { checks, mismatches };
}

const parseOut = (stdout: string): Book[] => stdout.split('\n').filter((l) => l !== '').map((l) => JSON.parse(l) as Book);

describe('spreadcore book --format binance', () => {
  let spot: Line[];
  beforeAll(() => {
    if (!existsSync(`${ROOT}/dist/src/cli/main.js`)) {
      throw new Error('dist/src/cli/main.js is missing: run "npm run build" first (npm test does it)');
    }
    spot = recording('spot_btcusdt_20240808.gz');
  });

  it('spot BTCUSDT --every: one book per applied depth event, each equal to the bookTicker of its update id', async () => {
    const r = await spreadcore(['book', '--format', 'binance', '--every', '--depth', '1'], join(spot));
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const out = parseOut(r.stdout);
    const depth = spot.map((l) => l.msg).filter((m): m is DepthUpdate => m.kind === 'depth');
    expect(out).toHaveLength(3449); // 3,451 depth events, 2 older than the snapshot
    expect(out.map((b) => b.u)).toEqual(depth.slice(2).map((d) => d.finalUpdateId));
    const { checks, mismatches } = checkTops('spot', spot, out);
    expect(mismatches.slice(0, 3)).toEqual([]);
    expect(checks).toBe(564);
    expect(r.stdout.split('\n')[0]).toBe('{"u":50093239224,"bids":[["61837.63","3.788260"]],"asks":[["61837.64","1.605200"]]}');
  });

  it('without --every: the book once at the end, at the last update id, exact decimals on the grids', async () => {
    const r = await spreadcore(['book', '--format', 'binance', '--market', 'spot', '--symbol', 'BTCUSDT', '--depth', '3'], join(spot));
    expect([r.status, r.stderr]).toEqual([0, '']);
    // the same recording through LocalBookSync on its own book, in this process
    const inst = binanceInstrument('spot', 'BTCUSDT');
    const books = new WasmBooks(instantiateCore());
    const ref = new LocalBookSync(books, 0, inst, 'spot');
    for (const l of spot) if (l.msg.kind === 'depth') ref.onDepth(l.msg); else if (l.msg.kind === 'snapshot') ref.onSnapshot(l.msg);
    const { bids, asks } = books.topLevels(0, 3);
    const fmt = (x: { tick: number; qtyLot: number }): DecimalPair => [inst.price.format(x.tick), inst.qty.format(x.qtyLot)];
    expect(r.stdout).toBe(`${JSON.stringify({ u: ref.updateId, bids: bids.map(fmt), asks: asks.map(fmt) })}\n`);
    expect(r.stdout.startsWith('{"u":50093421584,"bids":[["61685.99","1.008700"],["61685.98","0.109720"],')).toBe(true);
  });

  it('usdm BTCUSDT --every: every printed top equals its bookTicker', async () => {
    const usdm = recording('usdm_btcusdt_20240808.gz');
    const r = await spreadcore(['book', '--format', 'binance', '--market', 'usdm', '--every', '--depth', '1'], join(usdm));
    expect([r.status, r.stderr]).toEqual([0, '']);
    const out = parseOut(r.stdout);
    expect(out).toHaveLength(6547);
    const { checks, mismatches } = checkTops('usdm', usdm, out);
    expect(mismatches.slice(0, 3)).toEqual([]);
    expect(checks).toBe(629);
  });

  it('a removed depth line: "gap" with the update ids on stderr, stale until a later snapshot line resyncs', async () => {
    const inst = binanceInstrument('spot', 'BTCUSDT');
    const depthLines = spot.filter((l) => l.msg.kind === 'depth');
    const depth = depthLines.map((l) => l.msg as DepthUpdate);
    // the REST snapshot a connector would have fetched at depth event 1521, written after event 1551
    const books = new WasmBooks(instantiateCore());
    const ref = new LocalBookSync(books, 0, inst, 'spot');
    let snapLine = '';
    for (const l of spot) {
      if (l.msg.kind === 'depth') ref.onDepth(l.msg); else if (l.msg.kind === 'snapshot') ref.onSnapshot(l.msg);
      if (l === depthLines[1521]) {
        const { bids, asks } = books.topLevels(0, 1000);
        const fmt = (x: { tick: number; qtyLot: number }): DecimalPair => [inst.price.format(x.tick), inst.qty.format(x.qtyLot)];
        snapLine = `1 ${JSON.stringify({ lastUpdateId: ref.updateId, bids: bids.map(fmt), asks: asks.map(fmt) })}`;
      }
    }
    const lines = spot.filter((l) => l !== depthLines[1500]).map((l) => l.text);
    lines.splice(lines.indexOf(depthLines[1551]!.text) + 1, 0, snapLine);
    const gapLineNo = lines.indexOf(depthLines[1501]!.text) + 1;
    const snapLineNo = lines.indexOf(snapLine) + 1;
    const r = await spreadcore(['book', '--format', 'binance', '--every', '--depth', '1'], lines.join('\n') + '\n');
    expect(r.status).toBe(0);
    const L = depth[1521]!.finalUpdateId;
    expect(r.stderr).toBe(
      `spreadcore book: gap at line ${gapLineNo}: BTCUSDT spot: sequence gap after u=${depth[1499]!.finalUpdateId}: ` +
      `expected U=${depth[1500]!.firstUpdateId}, received U=${depth[1501]!.firstUpdateId} ` +
      `(event U=${depth[1501]!.firstUpdateId} u=${depth[1501]!.finalUpdateId}); the book is stale until a snapshot line resyncs it\n` +
      `spreadcore book: line ${snapLineNo}: back in sequence on the snapshot lastUpdateId=${L}\n`);
    const out = parseOut(r.stdout);
    // nothing is printed from the gap until the snapshot; the events it covers are not printed again
    const expected = depth.slice(2).filter((_d, i) => i + 2 < 1500 || i + 2 > 1521).map((d) => d.finalUpdateId);
    expect(out.map((b) => b.u)).toEqual(expected);
    const { mismatches, checks } = checkTops('spot', spot, out);
    expect(mismatches.slice(0, 3)).toEqual([]);
    expect(checks).toBeGreaterThan(550);
    expect(out.at(-1)!.u).toBe(50093421584);
  });

  it('a gap that no snapshot resyncs: the books before it are printed, then exit 1', async () => {
    const depthLines = spot.filter((l) => l.msg.kind === 'depth');
    const lines = spot.filter((l) => l !== depthLines[100]);
    const r = await spreadcore(['book', '--format', 'binance', '--every', '--depth', '1'], join(lines));
    expect(r.status).toBe(1);
    expect(parseOut(r.stdout)).toHaveLength(98); // events 2..99
    const err = r.stderr.split('\n');
    expect(err[0]).toMatch(/^spreadcore book: gap at line \d+: BTCUSDT spot: sequence gap after u=\d+: expected U=\d+, received U=\d+/);
    expect(err[1]).toMatch(/^spreadcore book: the input ended out of sequence: no snapshot line resynced the book after the gap \(.*\) \(SPREADCORE_ERR_SEQUENCE_GAP\)$/);
  });

  it('no snapshot line, another symbol, bad lines: exit 1 with the line and the reason', async () => {
    const noSnap = await spreadcore(['book', '--format', 'binance'], join(spot.filter((l) => l.msg.kind !== 'snapshot')));
    expect(noSnap.status).toBe(1);
    expect(noSnap.stdout).toBe('');
    expect(noSnap.stderr).toMatch(/the input ended before the BTCUSDT spot book was in sequence \(0 snapshot line\(s\), 3451 depth event\(s\) waiting for one\) \(SPREADCORE_ERR_BAD_INPUT\)/);

    const eth = await spreadcore(['book', '--format', 'binance', '--symbol', 'ETHUSDT'], join(spot.slice(0, 200)));
    expect(eth.status).toBe(1);
    expect(eth.stderr).toMatch(/before the ETHUSDT spot book was in sequence/);

    const garbage = [...spot.slice(0, 30).map((l) => l.text), 'hello', ...spot.slice(30, 40).map((l) => l.text)].join('\n');
    const g = await spreadcore(['book', '--format', 'binance', '--every'], garbage);
    expect(g.status).toBe(1);
    expect(g.stderr).toBe('spreadcore book: recording line 31: expected "<ts_ns> <json>" but the line has no space: "hello" (SPREADCORE_ERR_BAD_INPUT)\n');
    expect(parseOut(g.stdout).length).toBeGreaterThan(0);

    const i = spot.findIndex((l, k) => k > 30 && l.msg.kind === 'depth' && l.msg.bids.length > 0);
    const nan = spot.map((l) => l.text);
    nan[i] = nan[i]!.replace(/"b":\[\["([0-9.]+)","[0-9.]+"\]/, '"b":[["$1","NaN"]');
    const n = await spreadcore(['book', '--format', 'binance'], nan.join('\n'));
    expect(n.status).toBe(1);
    expect(n.stderr).toMatch(new RegExp(`^spreadcore book: recording line ${i + 1}: BTCUSDT spot depth event u=\\d+: bid level 0 quantity must be a decimal string like "123.45", got "NaN" \\(SPREADCORE_ERR_BAD_DECIMAL\\)\\n$`));

    const bad = await spreadcore(['book', '--format', 'binance'], '1 {"e":"depthUpdate","s":"BTCUSDT"}\n');
    expect(bad.status).toBe(1);
    expect(bad.stderr).toBe('spreadcore book: recording line 1: Binance depthUpdate: field "U" must be a non-negative integer below 2^53, got undefined (SPREADCORE_ERR_BAD_INPUT)\n');
  });

  it('flags', async () => {
    const cases: [string[], RegExp][] = [
      [['--format', 'csv'], /--format must be ndjson or binance, got "csv"/],
      [['--format', 'binance', '--tick-size', '0.01'], /--tick-size does not apply to --format binance/],
      [['--format', 'binance', '--market', 'coinm'], /--market must be spot or usdm, got "coinm"/],
      [['--format', 'binance', '--symbol', 'XRPUSDT'], /--symbol: unknown Binance spot symbol "XRPUSDT" \(known: BTCUSDT, ETHUSDT\)/],
      [['--format', 'binance', '--market', 'usdm', '--symbol', 'SOLUSDT'], /unknown Binance usdm symbol "SOLUSDT" \(known: BTCUSDT, ETHUSDT\)/],
      [['--format', 'binance', '--depth', '0'], /--depth must be a whole number from 1 to 1024/],
      [['--tick-size', '0.01', '--lot-size', '1', '--market', 'spot'], /--market applies to --format binance only/],
    ];
    for (const [args, msg] of cases) {
      const r = await spreadcore(['book', ...args], '');
      expect(r.status, args.join(' ')).toBe(2);
      expect(r.stderr).toMatch(msg);
      expect(r.stderr).toContain('Run "spreadcore book --help" for usage.');
    }
    const help = await spreadcore(['book', '--help'], '');
    expect(help.stdout).toContain('--format binance');
    // the default format is unchanged
    const nd = await spreadcore(['book', '--tick-size', '0.01', '--lot-size', '1'], '{"type":"set","bids":[["1.00","2"]],"asks":[]}\n');
    expect([nd.status, nd.stdout]).toEqual([0, '{"bids":[["1.00","2"]],"asks":[]}\n']);
  });
});
