// Balances of the replica's one account. Spot: free and locked per asset, moved by
// order locks, fills and commissions (a buyer pays commission in the base asset it
// receives, a seller in the quote asset, as on Binance without BNB discounts).
// USD-M: one USDT wallet balance and a one-way position per symbol with an exact
// cost basis; closing part of a position realizes
// (exit − cost share) where the cost share is cost × closed / size rounded to 1e-8
// and taken out of the cost, so the sum of realized PnL stays exact.
import { divRound, E8 } from './fixed.js';

export interface Balance { free: bigint; locked: bigint }

export class SpotWallet {
  readonly balances = new Map<string, Balance>();
  updateTime = 0;

  constructor(initial: Readonly<Record<string, bigint>>) {
    for (const [asset, v] of Object.entries(initial)) this.balances.set(asset, { free: v, locked: 0n });
  }

  get(asset: string): Balance {
    let b = this.balances.get(asset);
    if (b === undefined) { b = { free: 0n, locked: 0n }; this.balances.set(asset, b); }
    return b;
  }

  lock(asset: string, v: bigint): boolean {
    const b = this.get(asset);
    if (b.free < v) return false;
    b.free -= v;
    b.locked += v;
    return true;
  }

  unlock(asset: string, v: bigint): void {
    const b = this.get(asset);
    b.locked -= v;
    b.free += v;
  }
}

export interface Position {
  /** Signed size in lots. */
  amtLot: number;
  /** Cost of the open size at entry prices, 1e-8 USDT (always ≥ 0). */
  costE8: bigint;
  updateTime: number;
}

export interface PositionChange { realizedE8: bigint }

export class FuturesWallet {
  walletE8: bigint;
  readonly asset: string;
  readonly positions = new Map<string, Position>();
  updateTime = 0;

  constructor(asset: string, initial: bigint) {
    this.asset = asset;
    this.walletE8 = initial;
  }

  position(symbol: string): Position {
    let p = this.positions.get(symbol);
    if (p === undefined) { p = { amtLot: 0, costE8: 0n, updateTime: 0 }; this.positions.set(symbol, p); }
    return p;
  }

  /** Applies a fill of `lots` (signed: + buy) at priceE8 × lotE8 units; returns the realized PnL. */
  fill(symbol: string, signedLot: number, priceE8: bigint, lotE8: bigint, now: number): PositionChange {
    const p = this.position(symbol);
    p.updateTime = now;
    const value = (lots: number): bigint => (priceE8 * BigInt(lots) * lotE8) / E8;
    if (p.amtLot === 0 || Math.sign(p.amtLot) === Math.sign(signedLot)) {
      p.amtLot += signedLot;
      p.costE8 += value(Math.abs(signedLot));
      return { realizedE8: 0n };
    }
    const size = Math.abs(p.amtLot);
    const closing = Math.min(size, Math.abs(signedLot));
    const share = closing === size ? p.costE8 : divRound(p.costE8 * BigInt(closing), BigInt(size));
    const exit = value(closing);
    const realized = p.amtLot > 0 ? exit - share : share - exit;
    p.costE8 -= share;
    p.amtLot += signedLot;
    const opening = Math.abs(signedLot) - closing;
    if (opening > 0) p.costE8 = value(opening);
    if (p.amtLot === 0) p.costE8 = 0n;
    this.walletE8 += realized;
    return { realizedE8: realized };
  }
}
