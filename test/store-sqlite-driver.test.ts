// The journal's SQLite surface on each driver this Node.js can load: better-sqlite3 (Node 20
// and 22) and Node's own node:sqlite (Node 22.13+, the default from Node 24). Both must behave
// the same where the journal depends on it: transactions commit together or not at all, nested
// ones roll back only their savepoint, pluck and safeIntegers, PRAGMA answers, and failures
// named as SQLite names them (SQLITE_CONSTRAINT_UNIQUE, SQLITE_BUSY) for the coded errors.
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openSqlite, sqliteDriverName, type SqliteDriverName } from '../src/store/sqlite-driver.js';
import { journalError } from '../src/store/sqlite-errors.js';

const require = createRequire(import.meta.url);
const [major, minor] = process.versions.node.split('.').map(Number) as [number, number];

function loads(driver: SqliteDriverName): boolean {
  try {
    if (driver === 'node-sqlite') return major > 22 || (major === 22 && minor >= 13);
    const D = require('better-sqlite3') as new (p: string) => { close(): void };
    new D(':memory:').close();
    return true;
  } catch {
    return false; // an addon built for another Node ABI
  }
}

const dir = mkdtempSync(join(tmpdir(), 'sc-sqlite-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

it('picks node:sqlite from Node 24 on, better-sqlite3 before; SPREADCORE_SQLITE overrides, and a bad value is refused', () => {
  expect(sqliteDriverName({})).toBe(major >= 24 ? 'node-sqlite' : 'better-sqlite3');
  expect(sqliteDriverName({ SPREADCORE_SQLITE: 'better-sqlite3' })).toBe('better-sqlite3');
  expect(sqliteDriverName({ SPREADCORE_SQLITE: 'node-sqlite' })).toBe('node-sqlite');
  expect(() => sqliteDriverName({ SPREADCORE_SQLITE: 'sqlite4' })).toThrow(/SPREADCORE_SQLITE must be better-sqlite3 or node-sqlite/);
  if (major < 22) expect(() => openSqlite(join(dir, 'x.sqlite'), { timeoutMs: 0, driver: 'node-sqlite' })).toThrow(/needs Node.js 22.13/);
});

for (const driver of ['better-sqlite3', 'node-sqlite'] as const) {
  describe.skipIf(!loads(driver))(`driver ${driver}`, () => {
    const file = join(dir, `${driver}.sqlite`);

    it('transactions: commit together, roll back on a throw, nested ones roll back only their savepoint; immediate', () => {
      const db = openSqlite(file, { timeoutMs: 0, driver });
      try {
        db.exec('CREATE TABLE t (k TEXT PRIMARY KEY, v INTEGER) STRICT');
        const ins = db.prepare('INSERT INTO t (k, v) VALUES (?, ?)');
        const count = db.prepare('SELECT COUNT(*) FROM t').pluck();
        db.transaction(() => { ins.run('a', 1); ins.run('b', 2); })();
        expect(count.get()).toBe(2);
        expect(() => db.transaction(() => { ins.run('c', 3); throw new Error('no'); })()).toThrow('no');
        expect(count.get()).toBe(2);
        expect(db.inTransaction).toBe(false);
        db.transaction(() => {
          ins.run('d', 4);
          expect(db.inTransaction).toBe(true);
          expect(() => db.transaction(() => { ins.run('e', 5); throw new Error('inner'); })()).toThrow('inner');
          db.transaction(() => { ins.run('f', 6); })();
        })();
        expect(db.prepare('SELECT k FROM t ORDER BY k').pluck().all()).toEqual(['a', 'b', 'd', 'f']);
        const t = db.transaction((k: string, v: number) => ins.run(k, v).changes);
        expect(Number(t.immediate('g', 7))).toBe(1);
        // rows, pluck, iterate, named parameters, big integers
        expect({ ...(db.prepare('SELECT k, v FROM t WHERE k = @k').get({ k: 'g' }) as object) }).toEqual({ k: 'g', v: 7 });
        expect([...db.prepare('SELECT v FROM t ORDER BY v').pluck().iterate()]).toEqual([1, 2, 4, 6, 7]);
        db.prepare('INSERT INTO t (k, v) VALUES (?, ?)').run('big', 9007199254740993n);
        expect(db.prepare('SELECT v FROM t WHERE k = ?').pluck().safeIntegers(true).get('big')).toBe(9007199254740993n);
        expect(db.pragma('user_version', { simple: true })).toBe(0);
        db.pragma('user_version = 42');
        expect(db.pragma('user_version', { simple: true })).toBe(42);
        expect(db.pragma('user_version')).toEqual([expect.objectContaining({ user_version: 42 })]);
        // a unique violation is named as SQLite names it and becomes the journal's conflict code
        let thrown: unknown;
        try { ins.run('a', 9); } catch (e) { thrown = e; }
        expect((thrown as Error).name).toBe('SqliteError');
        expect((thrown as { code: string }).code).toBe('SQLITE_CONSTRAINT_PRIMARYKEY');
        expect((journalError(thrown, file, 'writing') as { code: string }).code).toBe('SPREADCORE_ERR_JOURNAL_CONFLICT');
      } finally {
        db.close();
      }
      expect(db.open).toBe(false);
    });

    it('a database held in EXCLUSIVE locking mode is refused at once with SQLITE_BUSY', () => {
      const held = openSqlite(join(dir, `${driver}-lock.sqlite`), { timeoutMs: 0, driver });
      held.pragma('locking_mode = EXCLUSIVE');
      expect(held.pragma('journal_mode = WAL', { simple: true })).toBe('wal');
      held.exec('BEGIN EXCLUSIVE; COMMIT');
      const other = openSqlite(join(dir, `${driver}-lock.sqlite`), { timeoutMs: 0, driver });
      let thrown: unknown;
      try { other.exec('BEGIN EXCLUSIVE; COMMIT'); } catch (e) { thrown = e; }
      other.close();
      held.close();
      expect((thrown as { code: string }).code).toMatch(/^SQLITE_BUSY/);
      expect((journalError(thrown, 'x', 'opening') as { code: string }).code).toBe('SPREADCORE_ERR_JOURNAL_LOCKED');
    });
  });
}
