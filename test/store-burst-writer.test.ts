// FillBurstWriter: the fills of one turn of the event loop go in one transaction,
// each is reported only once that transaction committed, in the order added.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { SpreadcoreError } from '../src/errors.js';
import { FillBurstWriter, Journal, type RecordResult } from '../src/store/index.js';
import type { FillRecord } from '../src/trading/types.js';

const dirs: string[] = [];
const journals: Journal[] = [];

function openJournal(): Journal {
  const d = mkdtempSync(join(tmpdir(), 'spreadcore-journal-burst-'));
  dirs.push(d);
  const j = Journal.open(join(d, 'data'));
  journals.push(j);
  return j;
}

afterEach(() => {
  for (const j of journals.splice(0)) j.close();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function fill(n: number): FillRecord {
  return {
    tradeId: `tr-${n}`, orderId: `o-${n}`, clientOrderId: `c-${n}`, strategyId: 'mm', symbol: 'BTCUSDT', side: 'SELL',
    price: '0.57', qty: '10', fee: '0.07', liquidity: 'TAKER', tsEventNs: 5n + BigInt(n), tsInitNs: 6n + BigInt(n),
  };
}

const turn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe('FillBurstWriter', () => {
  it('writes the fills of one turn in one transaction and reports each only after it is in the journal', async () => {
    const j = openJournal();
    const reported: [string, RecordResult, boolean][] = [];
    const w = new FillBurstWriter(j, {
      onDurable: (f, r) => reported.push([f.tradeId, r, j.fills('mm').some((x) => x.tradeId === f.tradeId)]),
      onError: (e) => { throw e; },
    });
    j.recordFill(fill(2));
    for (const n of [1, 2, 3]) w.add(fill(n));
    expect([w.pending, reported, j.counts().fills]).toEqual([3, [], 1]);
    await turn();
    expect(reported).toEqual([['tr-1', 'inserted', true], ['tr-2', 'duplicate', true], ['tr-3', 'inserted', true]]);
    expect([w.pending, w.bursts]).toEqual([0, 1]);
    for (const n of [4, 5]) w.add(fill(n));
    await turn();
    expect(w.bursts).toBe(2);
    expect(j.fills('mm').map((f) => f.tradeId)).toEqual(['tr-2', 'tr-1', 'tr-3', 'tr-4', 'tr-5']);
  });

  it('writes at once when a burst reaches maxBurst, and on flush()', () => {
    const j = openJournal();
    const reported: string[] = [];
    const w = new FillBurstWriter(j, { maxBurst: 3, onDurable: (f) => reported.push(f.tradeId), onError: (e) => { throw e; } });
    for (let n = 1; n <= 4; n++) w.add(fill(n));
    expect(reported).toEqual(['tr-1', 'tr-2', 'tr-3']);
    expect(w.pending).toBe(1);
    expect(w.flush()).toBe(1);
    expect(w.flush()).toBe(0);
    expect(reported).toEqual(['tr-1', 'tr-2', 'tr-3', 'tr-4']);
    expect(w.bursts).toBe(2);
  });

  it('refuses a bad fill when it is added, without touching the burst', async () => {
    const j = openJournal();
    const reported: string[] = [];
    const w = new FillBurstWriter(j, { onDurable: (f) => reported.push(f.tradeId), onError: (e) => { throw e; } });
    w.add(fill(1));
    expect(() => w.add({ ...fill(2), price: 'NaN' })).toThrow(SpreadcoreError);
    await turn();
    expect(reported).toEqual(['tr-1']);
  });

  it('reports nothing of a burst that could not be written, and hands it to onError', async () => {
    const j = openJournal();
    const reported: string[] = [];
    const failed: { code: string; fills: string[] }[] = [];
    const w = new FillBurstWriter(j, {
      onDurable: (f) => reported.push(f.tradeId),
      onError: (e, fills) => failed.push({ code: e instanceof SpreadcoreError ? e.code : e.message, fills: fills.map((f) => f.tradeId) }),
    });
    w.add(fill(1));
    w.add(fill(2));
    j.close();
    await turn();
    expect(reported).toEqual([]);
    expect(failed).toEqual([{ code: 'SPREADCORE_ERR_JOURNAL_IO', fills: ['tr-1', 'tr-2'] }]);
  });

  it('writes to the venue it was given', () => {
    const j = openJournal();
    const w = new FillBurstWriter(j, { venue: 'binance', onDurable: () => {}, onError: (e) => { throw e; } });
    w.add(fill(1));
    w.flush();
    expect(j.recordFill(fill(1), 'binance')).toBe('duplicate');
    expect(j.recordFill(fill(1))).toBe('inserted');
  });
});
