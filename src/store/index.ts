export { DAY_START_KEY, Journal, KILL_SWITCH_KEY, type JournalOptions } from './journal.js';
export { FillBurstWriter, type FillBurstWriterOptions } from './fill-burst-writer.js';
export type * from './journal-records.js';
export { JOURNAL_FILE_NAME, journalPath } from './open-database.js';
export { JOURNAL_SCHEMA_VERSION, MIGRATIONS, type Migration } from './schema-migrations.js';
export { JOURNAL_APPLICATION_ID } from './apply-migrations.js';
