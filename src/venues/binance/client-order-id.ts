// Client order ids for Binance: `<runPrefix>-<sequence in base 36>`.
// Spot newClientOrderId must match ^[a-zA-Z0-9-_]{1,36}$ (fix-api.md / VENUES.md), USD-M
// ^[\.A-Z\:/a-z0-9_-]{1,36}$ (USDⓈ-M "New Order" newClientOrderId). The prefix uses only
// the characters both allow, so one id is valid on both.
//
// Uniqueness across restarts: the engine persists the run prefix and the last sequence
// handed out (the journal) and passes them back in; `next()` always moves forward, and a
// fresh prefix is drawn per run anyway, so an id is never reused.
import { randomBytes } from 'node:crypto';
import { BinanceError } from './errors.js';

export type BinanceMarket = 'spot' | 'usdm';

const SPOT_ID = /^[a-zA-Z0-9\-_]{1,36}$/;
const USDM_ID = /^[.A-Z:/a-z0-9_-]{1,36}$/;
const PREFIX = /^[a-zA-Z0-9_]{1,20}$/;

export function isValidClientOrderId(id: string, market: BinanceMarket): boolean {
  return (market === 'spot' ? SPOT_ID : USDM_ID).test(id);
}

/** A new random run prefix (12 base-36 characters). */
export function newRunPrefix(): string {
  const b = randomBytes(8);
  return ('sc' + b.readBigUInt64BE(0).toString(36)).slice(0, 14);
}

export class ClientOrderIdGenerator {
  readonly prefix: string;
  private seq: number;

  /** `lastSequence`: the last sequence used under this prefix (persisted by the engine); 0 for a new prefix. */
  constructor(prefix: string, lastSequence = 0) {
    if (!PREFIX.test(prefix)) throw new BinanceError('BINANCE_ERR_CLIENT_ID', `run prefix must match ${PREFIX.source}`);
    if (!Number.isSafeInteger(lastSequence) || lastSequence < 0) throw new BinanceError('BINANCE_ERR_CLIENT_ID', 'lastSequence must be a non-negative integer');
    this.prefix = prefix;
    this.seq = lastSequence;
  }

  /** The last sequence handed out (persist it before sending the order that carries it). */
  get sequence(): number { return this.seq; }

  next(): string {
    this.seq++;
    const id = `${this.prefix}-${this.seq.toString(36)}`;
    if (id.length > 36) throw new BinanceError('BINANCE_ERR_CLIENT_ID', 'client order id sequence exhausted for this prefix');
    return id;
  }

  /** The sequence carried by an id of this prefix, or -1 (used to resume after a crash from ids found at the venue). */
  sequenceOf(id: string): number {
    if (!id.startsWith(this.prefix + '-')) return -1;
    const tail = id.slice(this.prefix.length + 1);
    if (!/^[0-9a-z]{1,13}$/.test(tail)) return -1;
    const n = parseInt(tail, 36);
    return Number.isSafeInteger(n) ? n : -1;
  }

  /** Moves past every id seen at the venue (open orders / trades after a restart). */
  advancePast(ids: Iterable<string>): void {
    for (const id of ids) { const n = this.sequenceOf(id); if (n > this.seq) this.seq = n; }
  }
}
