// Polymarket credentials: the wallet's private key (L1) and the API key, secret and
// passphrase (L2). They come from the environment only, and never show in logs, errors,
// JSON or util.inspect: the secrets live in a closure, the object shows only the
// address and the API key's first characters.
import { inspect } from 'node:util';
import { privateKeyToAccount, type PrivateKeyAccount } from 'viem/accounts';
import { SpreadcoreError } from '../../errors.js';

export interface ApiCreds { readonly key: string; readonly secret: string; readonly passphrase: string }

const HIDDEN = Symbol('polymarket-secrets');

interface Secrets { account: PrivateKeyAccount | null; creds: ApiCreds | null }

export class PolymarketCredentials {
  readonly address: `0x${string}` | null;
  readonly apiKey: string | null;
  private readonly [HIDDEN]: () => Secrets;

  constructor(privateKey: string | null, creds: ApiCreds | null) {
    let account: PrivateKeyAccount | null = null;
    if (privateKey !== null) {
      const pk = privateKey.startsWith('0x') ? privateKey : `0x${privateKey}`;
      if (!/^0x[0-9a-fA-F]{64}$/.test(pk)) throw new SpreadcoreError('SPREADCORE_ERR_BAD_PARAM', 'the Polymarket private key must be 32 bytes of hex');
      account = privateKeyToAccount(pk as `0x${string}`);
    }
    if (creds !== null && (creds.key === '' || creds.secret === '' || creds.passphrase === '')) {
      throw new SpreadcoreError('SPREADCORE_ERR_BAD_PARAM', 'the Polymarket API key, secret and passphrase must all be set');
    }
    this.address = account === null ? null : account.address;
    this.apiKey = creds === null ? null : creds.key;
    const secrets: Secrets = { account, creds };
    this[HIDDEN] = () => secrets;
  }

  /** The wallet account (signs EIP-712); throws when no private key was given. */
  account(): PrivateKeyAccount {
    const a = this[HIDDEN]().account;
    if (a === null) throw new SpreadcoreError('SPREADCORE_ERR_BAD_PARAM', 'no Polymarket private key (POLYMARKET_PRIVATE_KEY)');
    return a;
  }

  /** The L2 API credentials; throws when absent. */
  creds(): ApiCreds {
    const c = this[HIDDEN]().creds;
    if (c === null) throw new SpreadcoreError('SPREADCORE_ERR_BAD_PARAM', 'no Polymarket API credentials (POLYMARKET_API_KEY/SECRET/PASSPHRASE)');
    return c;
  }

  /** The same wallet with API credentials (e.g. derived with L1 headers). */
  static withApiCreds(base: PolymarketCredentials, creds: ApiCreds): PolymarketCredentials {
    const out = new PolymarketCredentials(null, creds);
    const account = base[HIDDEN]().account;
    const secrets: Secrets = { account, creds };
    (out as { address: `0x${string}` | null }).address = account === null ? null : account.address;
    (out as unknown as Record<symbol, () => Secrets>)[HIDDEN] = () => secrets;
    return out;
  }

  hasCreds(): boolean { return this[HIDDEN]().creds !== null; }

  toJSON(): object { return { address: this.address, apiKey: this.apiKey === null ? null : `${this.apiKey.slice(0, 4)}…` }; }
  toString(): string { return `PolymarketCredentials(${this.address ?? 'no wallet'})`; }
  [inspect.custom](): string { return this.toString(); }

  /**
   * From the environment: POLYMARKET_PRIVATE_KEY (hex), POLYMARKET_API_KEY,
   * POLYMARKET_API_SECRET, POLYMARKET_API_PASSPHRASE.
   */
  static fromEnv(env: NodeJS.ProcessEnv = process.env): PolymarketCredentials {
    const pk = env['POLYMARKET_PRIVATE_KEY'];
    const key = env['POLYMARKET_API_KEY'];
    const secret = env['POLYMARKET_API_SECRET'];
    const passphrase = env['POLYMARKET_API_PASSPHRASE'];
    const any = key !== undefined || secret !== undefined || passphrase !== undefined;
    const creds = any ? { key: key ?? '', secret: secret ?? '', passphrase: passphrase ?? '' } : null;
    return new PolymarketCredentials(pk === undefined || pk === '' ? null : pk, creds);
  }
}
