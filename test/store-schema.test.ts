// Opening a journal: schema versions and migrations, and the coded errors for a
// journal from a newer build, a damaged or foreign file, a locked journal and an
// unusable data directory.
import { closeSync, mkdtempSync, openSync, rmSync, statSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { JOURNAL_APPLICATION_ID, JOURNAL_SCHEMA_VERSION, Journal, MIGRATIONS, type Migration } from '../src/store/index.js';
import type { FillRecord } from '../src/trading/types.js';
import { spreadcoreErrorOf } from './support/thrown.js';
import { openSqlite } from '../src/store/sqlite-driver.js';

const dirs: string[] = [];
const journals: Journal[] = [];

function dataDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'spreadcore-journal-schema-'));
  dirs.push(d);
  return join(d, 'data');
}

function keep(j: Journal): Journal {
  journals.push(j);
  return j;
}

afterEach(() => {
  for (const j of journals.splice(0)) j.close();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});


function fill(n: number): FillRecord {
  return {
    tradeId: `tr-${n}`, orderId: `o-${n}`, clientOrderId: `c-${n}`, strategyId: 'mm', symbol: 'BTCUSDT', side: 'BUY',
    price: '100.5', qty: '0.25', fee: '0.01', liquidity: 'TAKER', tsEventNs: 1n + BigInt(n), tsInitNs: 2n + BigInt(n),
  };
}

/** A migration after this build's newest. */
const NEXT = JOURNAL_SCHEMA_VERSION + 1;
const V2: Migration = {
  version: NEXT,
  description: 'fills.note',
  up: (db) => { db.exec('ALTER TABLE fills ADD COLUMN note TEXT'); },
};

describe('schema versions', () => {
  it('records the migrations it applied in schema_version', () => {
    const dir = dataDir();
    keep(Journal.open(dir)).close();
    const db = openSqlite(join(dir, 'journal.sqlite'), { timeoutMs: 0, readonly: true });
    try {
      expect(db.prepare('SELECT version, description FROM schema_version').all()).toEqual(MIGRATIONS.map((m) => ({ version: m.version, description: m.description })));
      expect(db.pragma('application_id', { simple: true })).toBe(JOURNAL_APPLICATION_ID);
    } finally {
      db.close();
    }
  });

  it('applies only the missing migrations to an existing journal, keeping its data', () => {
    const dir = dataDir();
    const v1 = keep(Journal.open(dir));
    v1.recordFill(fill(1));
    v1.close();
    const v2 = keep(Journal.open(dir, { migrations: [...MIGRATIONS, V2] }));
    expect(v2.schemaVersion).toBe(NEXT);
    expect(v2.fills('mm').map((f) => f.tradeId)).toEqual(['tr-1']);
    v2.close();
    // Opened again with the same list: nothing left to apply.
    expect(keep(Journal.open(dir, { migrations: [...MIGRATIONS, V2] })).schemaVersion).toBe(NEXT);
  });

  it('refuses a journal written by a newer build', () => {
    const dir = dataDir();
    keep(Journal.open(dir, { migrations: [...MIGRATIONS, V2] })).close();
    const e = spreadcoreErrorOf(() => keep(Journal.open(dir)));
    expect(e.code).toBe('SPREADCORE_ERR_JOURNAL_SCHEMA');
    expect(e.message).toContain(`schema version ${NEXT} was written by a newer spreadcore; this build reads up to version ${JOURNAL_SCHEMA_VERSION}`);
    // Refused without a change: the newer build still opens it.
    expect(keep(Journal.open(dir, { migrations: [...MIGRATIONS, V2] })).schemaVersion).toBe(NEXT);
  });

  it('rolls a failing migration back whole and says which one failed', () => {
    const dir = dataDir();
    keep(Journal.open(dir)).close();
    const broken: Migration = { version: NEXT, description: 'half done', up: (db) => { db.exec('CREATE TABLE extra (x INTEGER) STRICT; SELECT no_such_function()'); } };
    const e = spreadcoreErrorOf(() => keep(Journal.open(dir, { migrations: [...MIGRATIONS, broken] })));
    expect(e.code).toBe('SPREADCORE_ERR_JOURNAL_SCHEMA');
    expect(e.message).toContain(`migration to schema version ${NEXT} (half done) failed and was rolled back`);
    const db = openSqlite(join(dir, 'journal.sqlite'), { timeoutMs: 0, readonly: true });
    try {
      expect(db.prepare("SELECT name FROM sqlite_schema WHERE name = 'extra'").all()).toEqual([]);
      expect(db.prepare('SELECT MAX(version) AS v FROM schema_version').get()).toEqual({ v: JOURNAL_SCHEMA_VERSION });
    } finally {
      db.close();
    }
  });
});

describe('files that are not a usable journal', () => {
  it('refuses a file that is not SQLite at all', () => {
    const dir = dataDir();
    keep(Journal.open(dir)).close();
    writeFileSync(join(dir, 'journal.sqlite'), 'this is not a database, just some text that is long enough to be read as a header '.repeat(20));
    const e = spreadcoreErrorOf(() => keep(Journal.open(dir)));
    expect(e.code).toBe('SPREADCORE_ERR_JOURNAL_CORRUPT');
    expect(e.message).toContain(join(dir, 'journal.sqlite'));
  });

  it('refuses another program\'s SQLite database', () => {
    const dir = dataDir();
    keep(Journal.open(dir)).close();
    rmSync(join(dir, 'journal.sqlite'));
    const db = openSqlite(join(dir, 'journal.sqlite'), { timeoutMs: 0 });
    db.exec('CREATE TABLE customers (id INTEGER PRIMARY KEY, name TEXT)');
    db.close();
    const e = spreadcoreErrorOf(() => keep(Journal.open(dir)));
    expect(e.code).toBe('SPREADCORE_ERR_JOURNAL_CORRUPT');
    expect(e.message).toContain('not a spreadcore journal');
  });

  it('reports damaged pages inside a journal as corrupt', () => {
    const dir = dataDir();
    const j = keep(Journal.open(dir));
    j.recordFills(Array.from({ length: 3000 }, (_, i) => fill(i)));
    j.close();
    const path = join(dir, 'journal.sqlite');
    const size = statSync(path).size;
    const fd = openSync(path, 'r+');
    try {
      // Scribble over the middle of the file (the fills table's pages), leaving the header intact.
      writeSync(fd, Buffer.alloc(16 * 4096, 0xa5), 0, 16 * 4096, Math.floor(size / 2 / 4096) * 4096);
    } finally {
      closeSync(fd);
    }
    const e = spreadcoreErrorOf(() => {
      const again = keep(Journal.open(dir));
      again.verifyIntegrity();
      again.restore();
    });
    expect(e.code).toBe('SPREADCORE_ERR_JOURNAL_CORRUPT');
  });

  it('refuses a journal another connection holds, and opens it once that one is closed', () => {
    const dir = dataDir();
    const first = keep(Journal.open(dir));
    first.recordFill(fill(1));
    const e = spreadcoreErrorOf(() => keep(Journal.open(dir)));
    expect(e.code).toBe('SPREADCORE_ERR_JOURNAL_LOCKED');
    expect(e.message).toContain('another spreadcore process using the same --data-dir');
    first.close();
    expect(keep(Journal.open(dir)).fills('mm').map((f) => f.tradeId)).toEqual(['tr-1']);
  });

  it('reports a data directory that cannot be created', () => {
    const base = dataDir();
    keep(Journal.open(base)).close();
    const e = spreadcoreErrorOf(() => keep(Journal.open(join(base, 'journal.sqlite', 'sub'))));
    expect(e.code).toBe('SPREADCORE_ERR_JOURNAL_IO');
  });
});
