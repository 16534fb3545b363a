// SQLite failures as the project's coded errors. better-sqlite3 throws SqliteError
// with the extended result code name in `code` (SQLITE_BUSY, SQLITE_IOERR_FSYNC, ...);
// anything else (a programming error, a RangeError from a binding) passes through.
import { SpreadcoreError, type ErrorCode } from '../errors.js';

function codeFor(sqliteCode: string): ErrorCode {
  if (sqliteCode.startsWith('SQLITE_BUSY') || sqliteCode.startsWith('SQLITE_LOCKED')) return 'SPREADCORE_ERR_JOURNAL_LOCKED';
  if (sqliteCode.startsWith('SQLITE_CORRUPT') || sqliteCode === 'SQLITE_NOTADB') return 'SPREADCORE_ERR_JOURNAL_CORRUPT';
  if (sqliteCode === 'SQLITE_CONSTRAINT_UNIQUE' || sqliteCode === 'SQLITE_CONSTRAINT_PRIMARYKEY') return 'SPREADCORE_ERR_JOURNAL_CONFLICT';
  if (sqliteCode.startsWith('SQLITE_CONSTRAINT')) return 'SPREADCORE_ERR_BAD_INPUT';
  return 'SPREADCORE_ERR_JOURNAL_IO';
}

const HINTS: Partial<Record<ErrorCode, string>> = {
  SPREADCORE_ERR_JOURNAL_LOCKED: ' (is another spreadcore process using the same --data-dir?)',
  SPREADCORE_ERR_JOURNAL_CORRUPT: ' (restore it from a backup or move it aside; spreadcore never repairs a journal itself)',
};

/** The coded error for a failure of `action` on the journal at `path`; non-SQLite errors are returned as they are. */
export function journalError(e: unknown, path: string, action: string): unknown {
  if (e instanceof SpreadcoreError) return e;
  if (!(e instanceof Error) || e.name !== 'SqliteError') return e;
  const sqliteCode = String((e as Error & { code?: unknown }).code ?? 'SQLITE_ERROR');
  const code = codeFor(sqliteCode);
  const err = new SpreadcoreError(code, `journal ${path}: ${action}: ${e.message} [${sqliteCode}]${HINTS[code] ?? ''}`);
  err.cause = e;
  return err;
}
