// The SQLite driver under the journal: better-sqlite3 on Node 20 and 22, Node's built-in
// node:sqlite on Node 24 and later.
//
// Why two: better-sqlite3 12 (the last line that builds on Node 20) can abort the process at
// exit on Node >= 24.19 when a statement is garbage-collected outside a JS context
// (nodejs/node#65446); better-sqlite3 13 fixes that but needs Node >= 22. node:sqlite is
// part of Node itself (unflagged since 22.13 / 23.4; `DatabaseSync`, `StatementSync`:
// https://nodejs.org/api/sqlite.html), so on Node 24 the journal uses it and loads no addon.
// SPREADCORE_SQLITE=better-sqlite3|node-sqlite chooses explicitly (node-sqlite needs Node >= 22.13).
//
// Both are driven through the small synchronous surface the journal uses (SqlDatabase,
// SqlStatement below), shaped like better-sqlite3's: prepare/run/get/all/iterate, pluck,
// safeIntegers, exec, pragma, transaction (nested calls become savepoints), close.
import { createRequire } from 'node:module';
import { SpreadcoreError } from '../errors.js';

export interface SqlRunResult { readonly changes: number | bigint; readonly lastInsertRowid: number | bigint }

export interface SqlStatement {
  run(...params: unknown[]): SqlRunResult;
  get(...params: unknown[]): unknown;
  all(...params: unknown[]): unknown[];
  iterate(...params: unknown[]): IterableIterator<unknown>;
  /** Rows as their first column's value. */
  pluck(on?: boolean): this;
  /** INTEGER columns as bigint. */
  safeIntegers(on?: boolean): this;
}

export interface SqlDatabase {
  prepare(sql: string): SqlStatement;
  exec(sql: string): void;
  /** `PRAGMA <source>`: every row, or with simple the first column of the first row. */
  pragma(source: string, options?: { simple?: boolean }): unknown;
  /** fn wrapped in BEGIN … COMMIT (ROLLBACK on a throw); inside a transaction, in a savepoint. `.immediate` begins with BEGIN IMMEDIATE. */
  transaction<A extends unknown[], R>(fn: (...args: A) => R): SqlTransaction<A, R>;
  close(): void;
  readonly open: boolean;
  readonly inTransaction: boolean;
}

export type SqlTransaction<A extends unknown[], R> = ((...args: A) => R) & { immediate(...args: A): R };

export type SqliteDriverName = 'better-sqlite3' | 'node-sqlite';

const require = createRequire(import.meta.url);

function nodeVersion(): [number, number] {
  const [major, minor] = process.versions.node.split('.').map(Number);
  return [major ?? 0, minor ?? 0];
}

/** The driver this process uses: SPREADCORE_SQLITE, else node-sqlite on Node >= 24 and better-sqlite3 before. */
export function sqliteDriverName(env: Readonly<Record<string, string | undefined>> = process.env): SqliteDriverName {
  const v = env['SPREADCORE_SQLITE'];
  if (v !== undefined && v !== '') {
    if (v !== 'better-sqlite3' && v !== 'node-sqlite') {
      throw new SpreadcoreError('SPREADCORE_ERR_BAD_PARAM', `SPREADCORE_SQLITE must be better-sqlite3 or node-sqlite, got ${JSON.stringify(v)}`);
    }
    return v;
  }
  return nodeVersion()[0] >= 24 ? 'node-sqlite' : 'better-sqlite3';
}

export interface OpenSqliteOptions {
  /** How long a locked database is waited for, ms (0: refused at once). */
  readonly timeoutMs: number;
  readonly readonly?: boolean;
  readonly driver?: SqliteDriverName;
}

/** Opens (creating unless readonly) a database file with the driver of this process. */
export function openSqlite(path: string, o: OpenSqliteOptions): SqlDatabase {
  const driver = o.driver ?? sqliteDriverName();
  const readonly = o.readonly === true;
  if (driver === 'better-sqlite3') {
    const Database = require('better-sqlite3') as new (path: string, o: { timeout: number; readonly: boolean }) => SqlDatabase;
    return new Database(path, { timeout: o.timeoutMs, readonly });
  }
  const [major, minor] = nodeVersion();
  if (major < 22 || (major === 22 && minor < 13)) {
    throw new SpreadcoreError('SPREADCORE_ERR_BAD_PARAM', `node:sqlite needs Node.js 22.13 or later (this is ${process.versions.node}); unset SPREADCORE_SQLITE to use better-sqlite3`);
  }
  return new NodeSqliteDatabase(path, o.timeoutMs, readonly);
}

// ---- node:sqlite -------------------------------------------------------------------------------

interface NodeStatementSync {
  run(...p: unknown[]): SqlRunResult;
  get(...p: unknown[]): Record<string, unknown> | undefined;
  all(...p: unknown[]): Record<string, unknown>[];
  iterate(...p: unknown[]): IterableIterator<Record<string, unknown>>;
  setReadBigInts(on: boolean): void;
}
interface NodeDatabaseSync {
  prepare(sql: string): NodeStatementSync;
  exec(sql: string): void;
  close(): void;
  readonly isOpen?: boolean;
  readonly isTransaction?: boolean;
}

function firstColumn(row: Record<string, unknown> | undefined): unknown {
  if (row === undefined) return undefined;
  for (const k in row) return row[k];
  return undefined;
}

class NodeSqliteStatement implements SqlStatement {
  private plucked = false;
  constructor(private readonly st: NodeStatementSync) {}
  run(...params: unknown[]): SqlRunResult {
    try { return this.st.run(...params); } catch (e) { throw asSqliteError(e); }
  }
  get(...params: unknown[]): unknown {
    let row: Record<string, unknown> | undefined;
    try { row = this.st.get(...params); } catch (e) { throw asSqliteError(e); }
    return this.plucked ? firstColumn(row) : row;
  }
  all(...params: unknown[]): unknown[] {
    let rows: Record<string, unknown>[];
    try { rows = this.st.all(...params); } catch (e) { throw asSqliteError(e); }
    return this.plucked ? rows.map(firstColumn) : rows;
  }
  *iterate(...params: unknown[]): IterableIterator<unknown> {
    for (const row of this.st.iterate(...params)) yield this.plucked ? firstColumn(row) : row;
  }
  pluck(on = true): this { this.plucked = on; return this; }
  safeIntegers(on = true): this { this.st.setReadBigInts(on); return this; }
}

class NodeSqliteDatabase implements SqlDatabase {
  private readonly db: NodeDatabaseSync;
  private closed = false;
  private depth = 0;

  constructor(path: string, timeoutMs: number, readOnly: boolean) {
    const { DatabaseSync } = require('node:sqlite') as { DatabaseSync: new (path: string, o: { timeout: number; readOnly: boolean }) => NodeDatabaseSync };
    try {
      this.db = new DatabaseSync(path, { timeout: timeoutMs, readOnly });
    } catch (e) {
      throw asSqliteError(e);
    }
  }

  get open(): boolean { return !this.closed && this.db.isOpen !== false; }
  get inTransaction(): boolean { return this.db.isTransaction ?? this.depth > 0; }

  prepare(sql: string): SqlStatement {
    try { return new NodeSqliteStatement(this.db.prepare(sql)); } catch (e) { throw asSqliteError(e); }
  }

  exec(sql: string): void {
    try { this.db.exec(sql); } catch (e) { throw asSqliteError(e); }
  }

  pragma(source: string, options: { simple?: boolean } = {}): unknown {
    const rows = this.prepare(`PRAGMA ${source}`).all() as Record<string, unknown>[];
    return options.simple === true ? firstColumn(rows[0]) : rows;
  }

  transaction<A extends unknown[], R>(fn: (...args: A) => R): SqlTransaction<A, R> {
    const run = (begin: string, args: A): R => {
      const outer = !this.inTransaction;
      const savepoint = `sc_sp_${this.depth}`;
      this.exec(outer ? begin : `SAVEPOINT ${savepoint}`);
      this.depth++;
      let result: R;
      try {
        result = fn(...args);
      } catch (e) {
        this.depth--;
        if (outer) { if (this.inTransaction) this.db.exec('ROLLBACK'); } else { this.db.exec(`ROLLBACK TO ${savepoint}`); this.db.exec(`RELEASE ${savepoint}`); }
        throw e;
      }
      this.depth--;
      try {
        this.exec(outer ? 'COMMIT' : `RELEASE ${savepoint}`);
      } catch (e) {
        if (outer && this.inTransaction) this.db.exec('ROLLBACK');
        throw e;
      }
      return result;
    };
    const t = ((...args: A): R => run('BEGIN', args)) as SqlTransaction<A, R>;
    t.immediate = (...args: A): R => run('BEGIN IMMEDIATE', args);
    return t;
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.db.close();
  }
}

// SQLite's result codes by number (https://www.sqlite.org/rescode.html) for the names the
// journal's error mapping reads; an extended code not listed is named by its primary code.
const RESULT_CODES: Readonly<Record<number, string>> = {
  1: 'SQLITE_ERROR', 5: 'SQLITE_BUSY', 6: 'SQLITE_LOCKED', 8: 'SQLITE_READONLY', 10: 'SQLITE_IOERR', 11: 'SQLITE_CORRUPT',
  13: 'SQLITE_FULL', 14: 'SQLITE_CANTOPEN', 19: 'SQLITE_CONSTRAINT', 26: 'SQLITE_NOTADB',
  1555: 'SQLITE_CONSTRAINT_PRIMARYKEY', 2067: 'SQLITE_CONSTRAINT_UNIQUE', 275: 'SQLITE_CONSTRAINT_CHECK', 1299: 'SQLITE_CONSTRAINT_NOTNULL',
  787: 'SQLITE_CONSTRAINT_FOREIGNKEY', 1034: 'SQLITE_IOERR_FSYNC', 517: 'SQLITE_BUSY_SNAPSHOT', 261: 'SQLITE_BUSY_RECOVERY',
};

function codeName(errcode: number): string {
  return RESULT_CODES[errcode] ?? RESULT_CODES[errcode & 0xff] ?? `SQLITE_${errcode}`;
}

/** node:sqlite's errors (code ERR_SQLITE_ERROR, numeric errcode) as better-sqlite3's SqliteError shape: name 'SqliteError', code the result code's name. */
function asSqliteError(e: unknown): unknown {
  const x = e as Error & { code?: unknown; errcode?: unknown };
  if (!(e instanceof Error) || x.code !== 'ERR_SQLITE_ERROR' || typeof x.errcode !== 'number') return e;
  const err = new Error(x.message) as Error & { code: string };
  err.name = 'SqliteError';
  err.code = codeName(x.errcode);
  err.cause = e;
  return err;
}
