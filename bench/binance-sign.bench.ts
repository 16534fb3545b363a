// The cost of building and signing one Binance order frame, per key type, on the
// requote path: VenueOrder (ticks/lots) → params with exact decimal strings (instrument
// grids) → signed REST query string (HMAC hex / Ed25519 base64 percent-encoded) or signed
// WebSocket API text frame (params sorted, signed, JSON), or a WebSocket API frame on a
// session authenticated once by session.logon (no per-request signature). Keys are pre-built
// KeyObjects.
// Run: npx tsc -p tsconfig.build.json && node dist/bench/binance-sign.bench.js
import { generateKeyPairSync } from 'node:crypto';
import { pathToFileURL } from 'node:url';
import { Bench } from 'tinybench';
import type { VenueOrder } from '../src/execution/venue.js';
import { Instrument } from '../src/orderbook/instrument.js';
import { orderParams } from '../src/venues/binance/binance-venue.js';
import { buildSignedQuery } from '../src/venues/binance/rest-client.js';
import { Ed25519Signer, HmacSigner, toQueryString, type RequestSigner } from '../src/venues/binance/signing.js';
import { buildSessionWsFrame, buildSignedWsFrame } from '../src/venues/binance/ws-api-client.js';

export async function runBinanceSignBench(): Promise<string> {
  const inst = new Instrument({ symbol: 'BTCUSDT', tickSize: '0.01000000', lotSize: '0.00001000' });
  const hmac = new HmacSigner('bench-api-key-0123456789abcdef', 'bench-secret-0123456789abcdef0123456789abcdef0123456789abcdef0123');
  const { privateKey } = generateKeyPairSync('ed25519');
  const ed = new Ed25519Signer('bench-api-key-0123456789abcdef', privateKey.export({ type: 'pkcs8', format: 'pem' }).toString());
  let n = 0;
  let sink = 0;
  const nextOrder = (): VenueOrder => {
    n++;
    return { orderId: `o${n}`, clientOrderId: `scbench-${n.toString(36)}`, strategyId: 's', symbol: 'BTCUSDT', side: (n & 1) === 0 ? 'BUY' : 'SELL', type: 'LIMIT', timeInForce: 'POST_ONLY', priceTick: 6_000_000 + (n % 500), qtyLot: 100 + (n % 7) };
  };
  const ts = 1_767_000_000_000;
  const rest = (signer: RequestSigner) => () => {
    const o = nextOrder();
    sink += buildSignedQuery(toQueryString(orderParams('spot', o, inst, o.clientOrderId)), 5000, ts + n, signer).length;
  };
  const ws = (signer: RequestSigner) => () => {
    const o = nextOrder();
    sink += buildSignedWsFrame('r' + n.toString(36), 'order.place', orderParams('spot', o, inst, o.clientOrderId), signer, 5000, ts + n).length;
  };

  const bench = new Bench({ name: 'binance order frame', time: 1_000, warmupTime: 200 });
  bench.add('params only (ticks/lots → decimal strings)', () => { const o = nextOrder(); sink += Object.keys(orderParams('spot', o, inst, o.clientOrderId)).length; });
  bench.add('HMAC-SHA256 sign only (110-byte payload)', () => { sink += hmac.sign('symbol=BTCUSDT&side=BUY&type=LIMIT_MAKER&quantity=0.00100&price=60000.00&recvWindow=5000&timestamp=' + (ts + n++)).length; });
  bench.add('Ed25519 sign only (110-byte payload)', () => { sink += ed.sign('symbol=BTCUSDT&side=BUY&type=LIMIT_MAKER&quantity=0.00100&price=60000.00&recvWindow=5000&timestamp=' + (ts + n++)).length; });
  bench.add('REST order, HMAC (params + query + signature)', rest(hmac));
  bench.add('REST order, Ed25519 (params + query + signature)', rest(ed));
  bench.add('WS API order.place frame, HMAC (sorted, signed, JSON)', ws(hmac));
  bench.add('WS API order.place frame, Ed25519 (sorted, signed, JSON)', ws(ed));
  bench.add('WS API order.place frame, Ed25519 session.logon (timestamp only, JSON)', () => {
    const o = nextOrder();
    sink += buildSessionWsFrame('r' + n.toString(36), 'order.place', orderParams('spot', o, inst, o.clientOrderId), 5000, ts + n).length;
  });
  await bench.run();
  if (sink === 0) throw new Error('nothing built');

  const rows = [
    `Binance order frame build + sign (Node ${process.version}, one core, ${new Date().toISOString().slice(0, 10)})`,
    '',
    '| case | µs/frame mean | µs/frame p50 | µs/frame p99 | k frames/s |',
    '|---|---:|---:|---:|---:|',
  ];
  for (const task of bench.tasks) {
    const r = task.result;
    if (r.state !== 'completed') { rows.push(`| ${task.name} | ${r.state} | | | |`); continue; }
    const us = (ms: number): string => (ms * 1e3).toFixed(2);
    rows.push(`| ${task.name} | ${us(r.latency.mean)} | ${us(r.latency.p50)} | ${us(r.latency.p99)} | ${(1 / r.latency.mean).toFixed(0)} |`);
  }
  return rows.join('\n');
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  console.log(await runBinanceSignBench());
}
