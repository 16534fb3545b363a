// Per-market inventory of a binary contract ledger in seed 004's terms:
// YES and NO contracts held at their average prices, the net position
// (YES − NO) and the skew ratio net / max_inventory.
import { SpreadcoreError } from '../errors.js';
import { ZERO, toDecimal } from './decimal.js';
import { type JsonPrecision, DEFAULT_JSON_PRECISION, jsonNumber } from './json-number.js';
import type { BinaryContractLedger, BinaryOutcome } from './binary-contract-ledger.js';

export interface BinaryInventoryJson {
  market_id: string;
  yes_contracts: number;
  /** 0 when none are held. */
  avg_yes_price: number;
  no_contracts: number;
  avg_no_price: number;
  net_position: number;
  skew_ratio: number;
  /** YES + NO pairs held and what they will pay beyond their cost (before fees). */
  locked_pairs: number;
  locked_pair_profit: number;
  resolved: BinaryOutcome | null;
}

export function binaryInventoryView(ledger: BinaryContractLedger, maxInventory: string | number, p: JsonPrecision = DEFAULT_JSON_PRECISION): BinaryInventoryJson {
  const max = toDecimal(maxInventory, 'max_inventory');
  if (!max.gt(0)) throw new SpreadcoreError('SPREADCORE_ERR_BAD_PARAM', `max_inventory must be > 0, got ${String(maxInventory)}`);
  const net = ledger.net.position;
  return {
    market_id: ledger.net.config.symbol,
    yes_contracts: jsonNumber(ledger.yes.qty),
    avg_yes_price: jsonNumber(ledger.averagePrice('YES') ?? ZERO, p.moneyDp),
    no_contracts: jsonNumber(ledger.no.qty),
    avg_no_price: jsonNumber(ledger.averagePrice('NO') ?? ZERO, p.moneyDp),
    net_position: jsonNumber(net),
    skew_ratio: jsonNumber(net.div(max), p.ratioDp),
    locked_pairs: jsonNumber(ledger.lockedPairs),
    locked_pair_profit: jsonNumber(ledger.lockedPairProfit, p.moneyDp),
    resolved: ledger.resolved,
  };
}
