// The journal's schema as an ordered list of migrations. A journal records every
// migration applied to it in `schema_version`; opening applies the missing ones,
// each in its own transaction. Never edit a released migration: add the next one.
//
// All tables are STRICT. Times are Unix epoch ns (INTEGER, signed 64-bit: good
// until 2262). Prices, quantities and fees are the exact decimal strings of the
// records (TEXT), never floats. Every table has an INTEGER PRIMARY KEY `seq`: the
// order in which rows were written, which is the order restore replays them in.
import type { SqlDatabase } from './sqlite-driver.js';

export interface Migration {
  readonly version: number;
  readonly description: string;
  readonly up: (db: SqlDatabase) => void;
}

const ORDER_STATUSES = "('PENDING_NEW','ACTIVE','PARTIALLY_FILLED','FILLED','PENDING_CANCEL','CANCELLED','REJECTED')";
const SIDES = "('BUY','SELL')";

const V1_SQL = `
CREATE TABLE strategies (
  seq INTEGER PRIMARY KEY,
  id TEXT NOT NULL UNIQUE,
  name TEXT NOT NULL,
  type TEXT NOT NULL,
  symbols_json TEXT NOT NULL,
  parameters_json TEXT NOT NULL,
  status TEXT NOT NULL,
  created_at_ns INTEGER NOT NULL,
  updated_at_ns INTEGER NOT NULL
) STRICT;

CREATE TABLE parameter_changes (
  seq INTEGER PRIMARY KEY,
  strategy_id TEXT NOT NULL REFERENCES strategies(id),
  field TEXT NOT NULL,
  old_value_json TEXT,
  new_value_json TEXT,
  ts_ns INTEGER NOT NULL,
  source TEXT NOT NULL
) STRICT;
CREATE INDEX parameter_changes_by_strategy ON parameter_changes(strategy_id, seq);

CREATE TABLE orders (
  seq INTEGER PRIMARY KEY,
  order_id TEXT NOT NULL UNIQUE,
  client_order_id TEXT NOT NULL UNIQUE,
  strategy_id TEXT,
  symbol TEXT NOT NULL,
  side TEXT NOT NULL CHECK (side IN ${SIDES}),
  type TEXT NOT NULL CHECK (type IN ('LIMIT','MARKET')),
  time_in_force TEXT NOT NULL CHECK (time_in_force IN ('GTC','IOC','POST_ONLY')),
  price TEXT,
  qty TEXT NOT NULL,
  ts_init_ns INTEGER NOT NULL,
  status TEXT NOT NULL CHECK (status IN ${ORDER_STATUSES}),
  status_ts_event_ns INTEGER NOT NULL
) STRICT;
CREATE INDEX orders_by_strategy ON orders(strategy_id, seq);
CREATE INDEX orders_open ON orders(seq) WHERE status NOT IN ('FILLED','CANCELLED','REJECTED');

CREATE TABLE order_status_changes (
  seq INTEGER PRIMARY KEY,
  order_id TEXT NOT NULL REFERENCES orders(order_id),
  status TEXT NOT NULL CHECK (status IN ${ORDER_STATUSES}),
  ts_event_ns INTEGER NOT NULL,
  ts_init_ns INTEGER NOT NULL,
  reason TEXT
) STRICT;
CREATE INDEX order_status_changes_by_order ON order_status_changes(order_id, seq);

CREATE TABLE fills (
  seq INTEGER PRIMARY KEY,
  venue TEXT NOT NULL,
  trade_id TEXT NOT NULL,
  order_id TEXT NOT NULL,
  client_order_id TEXT NOT NULL,
  strategy_id TEXT,
  symbol TEXT NOT NULL,
  side TEXT NOT NULL CHECK (side IN ${SIDES}),
  price TEXT NOT NULL,
  qty TEXT NOT NULL,
  fee TEXT NOT NULL,
  liquidity TEXT NOT NULL CHECK (liquidity IN ('MAKER','TAKER')),
  ts_event_ns INTEGER NOT NULL,
  ts_init_ns INTEGER NOT NULL,
  UNIQUE (venue, trade_id)
) STRICT;
CREATE INDEX fills_by_strategy ON fills(strategy_id, seq);

CREATE TABLE engine_state (
  key TEXT PRIMARY KEY,
  value_json TEXT NOT NULL,
  updated_at_ns INTEGER NOT NULL
) STRICT;
`;

// One row per account's share of a venue funding payment (perpetuals); a payment no account
// of the engine held is one row without a strategy (kept so it is not read as new again).
// `income` is the venue's whole payment, `share` this account's part of it.
const V2_SQL = `
CREATE TABLE funding (
  seq INTEGER PRIMARY KEY,
  venue TEXT NOT NULL,
  tran_id TEXT NOT NULL,
  strategy_id TEXT,
  symbol TEXT NOT NULL,
  asset TEXT NOT NULL,
  income TEXT NOT NULL,
  share TEXT NOT NULL,
  ts_event_ns INTEGER NOT NULL,
  ts_init_ns INTEGER NOT NULL
) STRICT;
CREATE UNIQUE INDEX funding_share ON funding(venue, tran_id, ifnull(strategy_id, ''));
`;

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    description: 'strategies, parameter_changes, orders, order_status_changes, fills, engine_state',
    up: (db) => { db.exec(V1_SQL); },
  },
  {
    version: 2,
    description: 'funding',
    up: (db) => { db.exec(V2_SQL); },
  },
];

/** The schema version this build writes. */
export const JOURNAL_SCHEMA_VERSION = MIGRATIONS[MIGRATIONS.length - 1]?.version ?? 0;
