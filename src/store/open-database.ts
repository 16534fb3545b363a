// Opens the journal's SQLite file with the settings every guarantee rests on.
//
// - journal_mode=WAL: a commit appends to journal.sqlite-wal; a crash at any point
//   leaves the last committed transaction readable on the next open.
// - synchronous=FULL: every commit fsyncs the WAL before it returns, so a write
//   that returned survives a power loss, not only a killed process.
// - locking_mode=EXCLUSIVE, taken at open: one process owns the journal until it
//   closes or dies (the OS drops the lock with the process, so a kill -9 never
//   leaves a stale lock). A second engine on the same --data-dir fails at once
//   instead of interleaving its writes. It also means no -shm file.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { SpreadcoreError } from '../errors.js';
import { journalError } from './sqlite-errors.js';
import { openSqlite, type SqlDatabase } from './sqlite-driver.js';

export const JOURNAL_FILE_NAME = 'journal.sqlite';

export function journalPath(dataDir: string): string {
  return join(dataDir, JOURNAL_FILE_NAME);
}

/** Opens (creating if needed) <dataDir>/journal.sqlite and takes the exclusive lock. */
export function openJournalDatabase(dataDir: string): SqlDatabase {
  const path = journalPath(dataDir);
  try {
    mkdirSync(dataDir, { recursive: true });
  } catch (e) {
    const err = new SpreadcoreError('SPREADCORE_ERR_JOURNAL_IO', `journal: cannot create the data directory ${dataDir}: ${e instanceof Error ? e.message : String(e)}`);
    err.cause = e;
    throw err;
  }
  let db: SqlDatabase;
  try {
    // timeout 0: a lock held by another process is reported at once (it is held until that process ends).
    db = openSqlite(path, { timeoutMs: 0 });
  } catch (e) {
    throw journalError(e, path, 'opening');
  }
  try {
    db.pragma('locking_mode = EXCLUSIVE');
    const mode = db.pragma('journal_mode = WAL', { simple: true });
    if (mode !== 'wal') throw new SpreadcoreError('SPREADCORE_ERR_JOURNAL_IO', `journal ${path}: could not switch to WAL mode (got ${String(mode)})`);
    db.pragma('synchronous = FULL');
    // Take the write lock now (kept until close in EXCLUSIVE mode), not at the first fill.
    db.exec('BEGIN EXCLUSIVE; COMMIT');
    return db;
  } catch (e) {
    db.close();
    throw journalError(e, path, 'opening');
  }
}
