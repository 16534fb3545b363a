// Brings a journal's schema up to date, or refuses one this build cannot read.
//
// `schema_version` holds one row per applied migration. A journal whose highest
// version is above the newest migration known here was written by a newer build:
// it is refused rather than written with an older idea of the schema. The file is
// marked with an application id so an unrelated SQLite database is refused too.
import type { SqlDatabase } from './sqlite-driver.js';
import { SpreadcoreError } from '../errors.js';
import type { Migration } from './schema-migrations.js';
import { journalError } from './sqlite-errors.js';

/** PRAGMA application_id of a spreadcore journal: "SCJL". */
export const JOURNAL_APPLICATION_ID = 0x53434a4c;

const SCHEMA_VERSION_SQL = `CREATE TABLE schema_version (
  version INTEGER PRIMARY KEY,
  description TEXT NOT NULL,
  applied_at_ns INTEGER NOT NULL
) STRICT`;

function tableNames(db: SqlDatabase): string[] {
  return db.prepare("SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%'").pluck().all() as string[];
}

function checkMigrationList(migrations: readonly Migration[]): void {
  migrations.forEach((m, i) => {
    if (m.version !== i + 1) throw new Error(`migration ${i} has version ${m.version}, expected ${i + 1}`);
  });
}

/**
 * Applies every migration above the journal's version, each in its own
 * transaction together with its schema_version row. Returns the version the
 * journal is at afterwards. `path` only names the file in errors.
 */
export function applyMigrations(db: SqlDatabase, migrations: readonly Migration[], nowNs: bigint, path: string): number {
  checkMigrationList(migrations);
  const latest = migrations.length;
  const appId = db.pragma('application_id', { simple: true }) as number;
  const tables = tableNames(db);
  if (appId !== JOURNAL_APPLICATION_ID) {
    if (appId !== 0 || tables.length > 0) {
      throw new SpreadcoreError('SPREADCORE_ERR_JOURNAL_CORRUPT', `journal ${path}: not a spreadcore journal (application id ${appId}, tables: ${tables.join(', ') || 'none'})`);
    }
    db.transaction(() => {
      db.pragma(`application_id = ${JOURNAL_APPLICATION_ID}`);
      db.exec(SCHEMA_VERSION_SQL);
    }).immediate();
  } else if (!tables.includes('schema_version')) {
    throw new SpreadcoreError('SPREADCORE_ERR_JOURNAL_CORRUPT', `journal ${path}: the schema_version table is missing`);
  }
  const current = (db.prepare('SELECT COALESCE(MAX(version), 0) FROM schema_version').pluck().get() as number);
  if (current > latest) {
    throw new SpreadcoreError(
      'SPREADCORE_ERR_JOURNAL_SCHEMA',
      `journal ${path}: schema version ${current} was written by a newer spreadcore; this build reads up to version ${latest}. Upgrade spreadcore or use another --data-dir.`,
    );
  }
  const record = db.prepare('INSERT INTO schema_version (version, description, applied_at_ns) VALUES (?, ?, ?)');
  for (const m of migrations.slice(current)) {
    try {
      db.transaction(() => {
        m.up(db);
        record.run(m.version, m.description, nowNs);
      }).immediate();
    } catch (e) {
      if (e instanceof SpreadcoreError) throw e;
      // Disk, lock and corruption failures keep their own codes; a failing statement is the migration's fault.
      if (e instanceof Error && e.name === 'SqliteError' && (e as Error & { code?: unknown }).code !== 'SQLITE_ERROR') {
        throw journalError(e, path, `migrating to schema version ${m.version}`);
      }
      const err = new SpreadcoreError('SPREADCORE_ERR_JOURNAL_SCHEMA', `journal ${path}: migration to schema version ${m.version} (${m.description}) failed and was rolled back: ${e instanceof Error ? e.message : String(e)}`);
      err.cause = e;
      throw err;
    }
  }
  return Math.max(current, latest);
}
