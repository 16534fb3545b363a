// Where `spreadcore serve` sends orders: the paper exchange (default) or a live Binance
// venue. Read from --execution / SPREADCORE_EXECUTION_MODE, or the tutorial's
// VELOZ_EXECUTION_MODE (binance_testnet_spot, ...), with keys from
// SPREADCORE_BINANCE_API_KEY / SPREADCORE_BINANCE_API_SECRET (or VELOZ_BINANCE_API_KEY /
// VELOZ_BINANCE_API_SECRET) for an HMAC key, or SPREADCORE_BINANCE_PRIVATE_KEY_FILE (a PKCS#8
// PEM file; SPREADCORE_BINANCE_PRIVATE_KEY_PASSPHRASE if it is encrypted) for an Ed25519 key,
// which Binance recommends and which alone can authenticate a WebSocket API session
// (session.logon). Testnet unless a production mode is named, and a production mode needs
// --mainnet as well. Key values never appear in a message.
import { createPrivateKey } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { binanceEndpoints } from '../venues/binance/endpoints.js';
import type { BinanceMarket } from '../venues/binance/client-order-id.js';
import { usageError } from './flags.js';

export type ExecutionMode = 'paper' | 'binance-spot-testnet' | 'binance-usdm-testnet' | 'binance-spot' | 'binance-usdm';

export const EXECUTION_MODES: readonly ExecutionMode[] = ['paper', 'binance-spot-testnet', 'binance-usdm-testnet', 'binance-spot', 'binance-usdm'];

/** The tutorial's names (seed 000 Step 2) for the same modes. */
const VELOZ_MODES: Readonly<Record<string, ExecutionMode>> = {
  paper: 'paper',
  binance_testnet_spot: 'binance-spot-testnet',
  binance_testnet_futures: 'binance-usdm-testnet',
  binance_testnet_usdm: 'binance-usdm-testnet',
  binance_spot: 'binance-spot',
  binance_futures: 'binance-usdm',
  binance_usdm: 'binance-usdm',
};

export interface LiveExecution {
  readonly mode: Exclude<ExecutionMode, 'paper'>;
  readonly market: BinanceMarket;
  readonly production: boolean;
  readonly restUrl: string;
  readonly wsApiUrl: string;
  readonly userStreamUrl: string;
  /** Market-data WebSocket base for the connector (the same host when a local replica is named). */
  readonly marketWsUrl: string | undefined;
  readonly apiKey: string;
  /** HMAC secret, or undefined with an Ed25519 key. */
  readonly apiSecret: string | undefined;
  /** Ed25519 private key (PKCS#8 PEM) and its passphrase. */
  readonly ed25519: { readonly pem: string; readonly passphrase: string | undefined } | undefined;
  readonly orphanOrders: 'cancel' | 'keep';
}

export interface ExecutionInput {
  /** --execution, else undefined. */
  readonly flag: string | undefined;
  readonly mainnet: boolean;
  readonly restUrl: string | undefined;
  readonly wsUrl: string | undefined;
  readonly wsApiUrl: string | undefined;
  readonly orphanOrders: string | undefined;
  readonly env: Readonly<Record<string, string | undefined>>;
}

function envValue(env: Readonly<Record<string, string | undefined>>, ...names: string[]): { name: string; value: string } | undefined {
  for (const name of names) {
    const v = env[name];
    if (v !== undefined && v !== '') return { name, value: v };
  }
  return undefined;
}

/** The execution mode and, for a live one, its endpoints and keys; a usage error (exit 2) when anything is off. */
export function parseExecution(input: ExecutionInput): LiveExecution | null {
  let mode: ExecutionMode;
  // where the mode came from, for the messages below: the flag, or the variable that named it
  let source: string;
  if (input.flag !== undefined) {
    if (!(EXECUTION_MODES as readonly string[]).includes(input.flag)) throw usageError(`--execution must be one of ${EXECUTION_MODES.join(', ')}, got ${JSON.stringify(input.flag)}`);
    mode = input.flag as ExecutionMode;
    source = `--execution ${mode}`;
  } else {
    const e = envValue(input.env, 'SPREADCORE_EXECUTION_MODE', 'VELOZ_EXECUTION_MODE');
    if (e === undefined) mode = 'paper';
    else if ((EXECUTION_MODES as readonly string[]).includes(e.value)) mode = e.value as ExecutionMode;
    else if (VELOZ_MODES[e.value] !== undefined) mode = VELOZ_MODES[e.value]!;
    else throw usageError(`environment variable ${e.name} must be one of ${[...new Set([...EXECUTION_MODES, ...Object.keys(VELOZ_MODES)])].join(', ')}, got ${JSON.stringify(e.value)}`);
    source = e === undefined ? `execution mode ${mode}` : e.value === mode ? `${e.name}=${mode}` : `execution mode ${mode} (${e.name}=${e.value})`;
  }
  if (mode === 'paper') {
    if (input.mainnet) throw usageError('--mainnet applies to a production execution mode (binance-spot or binance-usdm) only');
    if (input.wsApiUrl !== undefined) throw usageError('--binance-ws-api-url applies to a Binance execution mode only');
    if (input.orphanOrders !== undefined) throw usageError('--orphan-orders applies to a Binance execution mode only');
    return null;
  }
  const production = mode === 'binance-spot' || mode === 'binance-usdm';
  if (production && !input.mainnet) {
    throw usageError(`${source} trades real money on Binance's production exchange: add --mainnet to confirm, or use ${mode}-testnet`);
  }
  if (!production && input.mainnet) throw usageError(`--mainnet with the testnet mode ${mode}: name the production mode (${mode.replace('-testnet', '')}) to trade on mainnet`);
  const key = envValue(input.env, 'SPREADCORE_BINANCE_API_KEY', 'VELOZ_BINANCE_API_KEY');
  const secret = envValue(input.env, 'SPREADCORE_BINANCE_API_SECRET', 'VELOZ_BINANCE_API_SECRET');
  const keyFile = envValue(input.env, 'SPREADCORE_BINANCE_PRIVATE_KEY_FILE');
  if (key === undefined || (secret === undefined && keyFile === undefined)) {
    throw usageError(`${source} needs API keys in the environment: SPREADCORE_BINANCE_API_KEY with SPREADCORE_BINANCE_API_SECRET (HMAC) `
      + 'or SPREADCORE_BINANCE_PRIVATE_KEY_FILE (Ed25519) (or VELOZ_BINANCE_API_KEY and VELOZ_BINANCE_API_SECRET); for a first run without keys, start `spreadcore replica binance` and use its printed demo pair');
  }
  if (secret !== undefined && keyFile !== undefined) {
    throw usageError(`${secret.name} and SPREADCORE_BINANCE_PRIVATE_KEY_FILE are both set: give the API key's HMAC secret or its Ed25519 private key, not both`);
  }
  const ed25519 = keyFile === undefined ? undefined : readEd25519(keyFile.value, envValue(input.env, 'SPREADCORE_BINANCE_PRIVATE_KEY_PASSPHRASE')?.value);
  const orphan = input.orphanOrders ?? 'cancel';
  if (orphan !== 'cancel' && orphan !== 'keep') throw usageError(`--orphan-orders must be cancel or keep, got ${JSON.stringify(orphan)}`);
  const market: BinanceMarket = mode.startsWith('binance-spot') ? 'spot' : 'usdm';
  const ep = binanceEndpoints(market, { mode: production ? 'production' : 'testnet' });
  const restUrl = input.restUrl ?? ep.rest;
  // a REST base that is not Binance's own (a local replica): its WebSocket API and streams live on the same host
  const local = input.restUrl !== undefined ? wsBaseOf(input.restUrl) : undefined;
  const wsApiPath = market === 'spot' ? '/ws-api/v3' : '/ws-fapi/v1';
  const wsApiUrl = input.wsApiUrl ?? (local !== undefined ? `${local}${wsApiPath}` : ep.wsApi);
  const userStreamUrl = input.wsUrl ?? local ?? ep.userStream;
  const marketWsUrl = input.wsUrl ?? local;
  for (const [name, u, schemes] of [['--binance-rest-url', restUrl, ['http:', 'https:']], ['--binance-ws-api-url', wsApiUrl, ['ws:', 'wss:']]] as const) {
    if (u === '' && name === '--binance-ws-api-url' && market === 'usdm') continue;
    let url: URL;
    try { url = new URL(u); } catch { throw usageError(`${name} must be a URL, got ${JSON.stringify(u)}`); }
    if (!(schemes as readonly string[]).includes(url.protocol)) throw usageError(`${name} must be a ${schemes.join(' or ')} URL, got ${JSON.stringify(u)}`);
  }
  return {
    mode, market, production, restUrl, wsApiUrl, userStreamUrl, marketWsUrl, apiKey: key.value, apiSecret: secret?.value, ed25519,
    orphanOrders: orphan,
  };
}

/** The Ed25519 private key file, checked now (a usage error names the file, never its content). */
function readEd25519(path: string, passphrase: string | undefined): { pem: string; passphrase: string | undefined } {
  let pem: string;
  try { pem = readFileSync(path, 'utf8'); } catch (e) {
    throw usageError(`SPREADCORE_BINANCE_PRIVATE_KEY_FILE: cannot read ${JSON.stringify(path)} (${(e as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  let type: string | undefined;
  try { type = createPrivateKey(passphrase === undefined ? pem : { key: pem, passphrase }).asymmetricKeyType; } catch {
    throw usageError(`SPREADCORE_BINANCE_PRIVATE_KEY_FILE: ${JSON.stringify(path)} is not a PKCS#8 PEM private key${passphrase === undefined ? ' (or it is encrypted: set SPREADCORE_BINANCE_PRIVATE_KEY_PASSPHRASE)' : ' that the passphrase opens'}`);
  }
  if (type !== 'ed25519') throw usageError(`SPREADCORE_BINANCE_PRIVATE_KEY_FILE: ${JSON.stringify(path)} holds a ${type ?? 'non-Ed25519'} key; Binance's asymmetric keys here must be Ed25519`);
  return { pem, passphrase };
}

/** ws(s)://host:port of an http(s) base URL. */
function wsBaseOf(restUrl: string): string | undefined {
  try {
    const u = new URL(restUrl);
    return `${u.protocol === 'https:' ? 'wss:' : 'ws:'}//${u.host}`;
  } catch {
    return undefined;
  }
}
