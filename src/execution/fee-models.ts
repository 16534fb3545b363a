// How the paper exchange charges a fill, per account (strategy):
//   bps                 maker_fee_bps / taker_fee_bps of the notional (crypto venues)
//   kalshi              Kalshi's quadratic fee: takers 0.07·C·P·(1−P), makers free
//   kalshi_maker_fees   the same on a series that charges makers 0.0175·C·P·(1−P)
//   polymarket          Polymarket's taker fee C·rate·(P(1−P))^exponent, makers free
// The venue formulas and their rounding live with the venues' clients
// (src/venues/kalshi/fees.ts, src/venues/polymarket/fees.ts, with their sources); here
// they are applied to the paper exchange's fills on a binary contract's YES grid.
import type { Instrument } from '../orderbook/instrument.js';
import { MAKER_RATE, TAKER_RATE, kalshiFee } from '../venues/kalshi/fees.js';
import { polymarketFee } from '../venues/polymarket/fees.js';
import { FeeRate } from './fee-text.js';

export type FeeModelName = 'bps' | 'kalshi' | 'kalshi_maker_fees' | 'polymarket';
export const FEE_MODELS: readonly FeeModelName[] = ['bps', 'kalshi', 'kalshi_maker_fees', 'polymarket'];

/** A fill's fee in the quote currency, an exact decimal string (negative for a rebate). */
export interface FeeModel {
  feeText(instrument: Instrument, priceTick: number, qtyLot: number, maker: boolean, buyer: boolean): string;
}

export interface FeeModelSettings {
  readonly model: FeeModelName;
  readonly makerFeeBps: number;
  readonly takerFeeBps: number;
  /** Polymarket: the market's fee rate (e.g. 0.03) and exponent. */
  readonly polymarketRate: number;
  readonly polymarketExponent: number;
}

export function feeModel(s: FeeModelSettings): FeeModel {
  switch (s.model) {
    case 'bps': {
      const maker = new FeeRate(s.makerFeeBps);
      const taker = new FeeRate(s.takerFeeBps);
      return { feeText: (inst, tick, lots, isMaker) => (isMaker ? maker : taker).feeText(inst, tick, lots) };
    }
    case 'kalshi':
    case 'kalshi_maker_fees': {
      const makerRate = s.model === 'kalshi' ? '0' : MAKER_RATE;
      return {
        feeText: (inst, tick, lots, isMaker, buyer) => {
          const fee = kalshiFee({ count: inst.qty.format(lots), price: inst.price.format(tick), rate: isMaker ? makerRate : TAKER_RATE, buyer });
          return trimZeros(fee);
        },
      };
    }
    case 'polymarket': {
      const schedule = { rate: String(s.polymarketRate), exponent: s.polymarketExponent };
      return { feeText: (inst, tick, lots, isMaker) => trimZeros(polymarketFee(inst.qty.format(lots), inst.price.format(tick), schedule, isMaker ? 'MAKER' : 'TAKER')) };
    }
  }
}

function trimZeros(x: string): string {
  if (!x.includes('.')) return x;
  const t = x.replace(/0+$/, '').replace(/\.$/, '');
  return t === '' || t === '-0' ? '0' : t;
}
