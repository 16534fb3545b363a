// Signed orders for the CTF Exchange V2 (CLOB V2).
//
// EIP-712 domain {name "Polymarket CTF Exchange", version "2", chainId, verifyingContract}
// where verifyingContract is the CTF Exchange V2, or the NegRisk CTF Exchange V2 for a
// negRisk market; struct
//   Order(uint256 salt, address maker, address signer, uint256 tokenId, uint256 makerAmount,
//         uint256 takerAmount, uint8 side, uint8 signatureType, uint256 timestamp,
//         bytes32 metadata, bytes32 builder)
// side 0 = BUY, 1 = SELL; signatureType 0 EOA, 1 POLY_PROXY, 2 POLY_GNOSIS_SAFE, 3 POLY_1271
// (Polymarket/clob-client-v2 src/order-utils/model/ctfExchangeV2TypedData.ts,
// exchangeOrderBuilderV2.ts, signatureTypeV2.ts, order-builder/helpers/createOrder.ts).
// V1's taker, expiration, nonce and feeRateBps are no longer signed; the POST body still
// carries `taker` (zero address) and `expiration` ("0" = none) beside the signed fields
// (clob-client-v2 src/types/ordersV2.ts orderToJsonV2). POLY_1271 (deposit wallets) wraps
// the signature ERC-7739 style; this module signs EOA / proxy / safe orders only.
import { recoverTypedDataAddress, zeroAddress, type Hex } from 'viem';
import type { PrivateKeyAccount } from 'viem/accounts';
import { randomInt } from 'node:crypto';

export const ORDER_DOMAIN_NAME = 'Polymarket CTF Exchange';
export const ORDER_DOMAIN_VERSION = '2';
export const BYTES32_ZERO = '0x0000000000000000000000000000000000000000000000000000000000000000' as const;

export const ORDER_V2_TYPES = {
  Order: [
    { name: 'salt', type: 'uint256' },
    { name: 'maker', type: 'address' },
    { name: 'signer', type: 'address' },
    { name: 'tokenId', type: 'uint256' },
    { name: 'makerAmount', type: 'uint256' },
    { name: 'takerAmount', type: 'uint256' },
    { name: 'side', type: 'uint8' },
    { name: 'signatureType', type: 'uint8' },
    { name: 'timestamp', type: 'uint256' },
    { name: 'metadata', type: 'bytes32' },
    { name: 'builder', type: 'bytes32' },
  ],
} as const;

export const SignatureType = { EOA: 0, POLY_PROXY: 1, POLY_GNOSIS_SAFE: 2, POLY_1271: 3 } as const;

/** The order as posted: every signed field as a string, plus taker, expiration and the signature. */
export interface SignedOrderV2 {
  readonly salt: number;
  readonly maker: string;
  readonly signer: string;
  readonly taker: string;
  readonly tokenId: string;
  readonly makerAmount: string;
  readonly takerAmount: string;
  readonly side: 'BUY' | 'SELL';
  readonly signatureType: number;
  readonly timestamp: string;
  readonly expiration: string;
  readonly metadata: string;
  readonly builder: string;
  readonly signature: string;
}

export interface OrderFields {
  readonly tokenId: string;
  readonly side: 'BUY' | 'SELL';
  readonly makerAmount: bigint;
  readonly takerAmount: bigint;
  /** The funder (proxy or safe) address; the signer's own address for EOA orders. */
  readonly maker?: string;
  readonly signatureType?: number;
  readonly timestampMs?: number;
  /** Salt below 2^53: the POST body carries it as a JSON number (clob-client-v2 orderToJsonV2). */
  readonly salt?: number;
  readonly metadata?: string;
  readonly builder?: string;
}

export function orderDomain(chainId: number, verifyingContract: string): { name: string; version: string; chainId: number; verifyingContract: `0x${string}` } {
  return { name: ORDER_DOMAIN_NAME, version: ORDER_DOMAIN_VERSION, chainId, verifyingContract: verifyingContract as `0x${string}` };
}

function message(o: Omit<SignedOrderV2, 'signature' | 'taker' | 'expiration'>): {
  salt: bigint; maker: `0x${string}`; signer: `0x${string}`; tokenId: bigint; makerAmount: bigint; takerAmount: bigint;
  side: number; signatureType: number; timestamp: bigint; metadata: `0x${string}`; builder: `0x${string}`;
} {
  return {
    salt: BigInt(o.salt), maker: o.maker as `0x${string}`, signer: o.signer as `0x${string}`, tokenId: BigInt(o.tokenId),
    makerAmount: BigInt(o.makerAmount), takerAmount: BigInt(o.takerAmount), side: o.side === 'BUY' ? 0 : 1,
    signatureType: o.signatureType, timestamp: BigInt(o.timestamp), metadata: o.metadata as `0x${string}`, builder: o.builder as `0x${string}`,
  };
}

export async function signOrderV2(account: PrivateKeyAccount, chainId: number, verifyingContract: string, f: OrderFields): Promise<SignedOrderV2> {
  const unsigned = {
    salt: f.salt ?? randomInt(1, 2 ** 47),
    maker: f.maker ?? account.address,
    signer: account.address,
    tokenId: f.tokenId,
    makerAmount: f.makerAmount.toString(),
    takerAmount: f.takerAmount.toString(),
    side: f.side,
    signatureType: f.signatureType ?? SignatureType.EOA,
    timestamp: String(f.timestampMs ?? Date.now()),
    metadata: f.metadata ?? BYTES32_ZERO,
    builder: f.builder ?? BYTES32_ZERO,
  };
  const signature = await account.signTypedData({ domain: orderDomain(chainId, verifyingContract), types: ORDER_V2_TYPES, primaryType: 'Order', message: message(unsigned) });
  return { ...unsigned, taker: zeroAddress, expiration: '0', signature };
}

/** The address that signed an order against a verifying contract, or null when the signature is malformed. */
export async function recoverOrderSigner(order: SignedOrderV2, chainId: number, verifyingContract: string): Promise<string | null> {
  try {
    if (!/^0x[0-9a-fA-F]{130}$/.test(order.signature)) return null;
    return await recoverTypedDataAddress({
      domain: orderDomain(chainId, verifyingContract), types: ORDER_V2_TYPES, primaryType: 'Order',
      message: message(order), signature: order.signature as Hex,
    });
  } catch {
    return null;
  }
}
