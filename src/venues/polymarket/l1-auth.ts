// L1 authentication: an EIP-712 `ClobAuth` message signed by the wallet, sent as the
// headers POLY_ADDRESS, POLY_SIGNATURE, POLY_TIMESTAMP, POLY_NONCE to create or derive
// API credentials (POST /auth/api-key, GET /auth/derive-api-key).
//
// Domain {name "ClobAuthDomain", version "1", chainId}; type
// ClobAuth(address address, string timestamp, uint256 nonce, string message) with the
// fixed message below (Polymarket/clob-client-v2 src/signing/eip712.ts and constants.ts;
// its test signs ts 10000000, nonce 23 on Amoy with the well-known Hardhat key — our test
// checks that published signature).
import { recoverTypedDataAddress, type Hex } from 'viem';
import type { PrivateKeyAccount } from 'viem/accounts';

export const CLOB_AUTH_MESSAGE = 'This message attests that I control the given wallet';

export const CLOB_AUTH_TYPES = {
  ClobAuth: [
    { name: 'address', type: 'address' },
    { name: 'timestamp', type: 'string' },
    { name: 'nonce', type: 'uint256' },
    { name: 'message', type: 'string' },
  ],
} as const;

export function clobAuthDomain(chainId: number): { name: string; version: string; chainId: number } {
  return { name: 'ClobAuthDomain', version: '1', chainId };
}

export interface L1Headers {
  POLY_ADDRESS: string;
  POLY_SIGNATURE: string;
  POLY_TIMESTAMP: string;
  POLY_NONCE: string;
}

export async function signClobAuth(account: PrivateKeyAccount, chainId: number, timestampS: number, nonce: number): Promise<Hex> {
  return account.signTypedData({
    domain: clobAuthDomain(chainId),
    types: CLOB_AUTH_TYPES,
    primaryType: 'ClobAuth',
    message: { address: account.address, timestamp: String(timestampS), nonce: BigInt(nonce), message: CLOB_AUTH_MESSAGE },
  });
}

export async function l1Headers(account: PrivateKeyAccount, chainId: number, timestampS: number, nonce = 0): Promise<L1Headers> {
  const sig = await signClobAuth(account, chainId, timestampS, nonce);
  return { POLY_ADDRESS: account.address, POLY_SIGNATURE: sig, POLY_TIMESTAMP: String(timestampS), POLY_NONCE: String(nonce) };
}

/** Verifies L1 headers (the replica): the signature must recover to POLY_ADDRESS. Returns the address, or a reason. */
export async function verifyL1(headers: Partial<L1Headers>, chainId: number): Promise<{ ok: true; address: string } | { ok: false; reason: string }> {
  const { POLY_ADDRESS: address, POLY_SIGNATURE: sig, POLY_TIMESTAMP: ts, POLY_NONCE: nonce } = headers;
  if (address === undefined || sig === undefined || ts === undefined) return { ok: false, reason: 'missing L1 headers' };
  if (!/^0x[0-9a-fA-F]{40}$/.test(address) || !/^0x[0-9a-fA-F]{130}$/.test(sig) || !/^\d{1,12}$/.test(ts)) return { ok: false, reason: 'malformed L1 headers' };
  const n = nonce === undefined ? '0' : nonce;
  if (!/^\d{1,20}$/.test(n)) return { ok: false, reason: 'malformed L1 headers' };
  try {
    const signer = await recoverTypedDataAddress({
      domain: clobAuthDomain(chainId),
      types: CLOB_AUTH_TYPES,
      primaryType: 'ClobAuth',
      message: { address: address as `0x${string}`, timestamp: ts, nonce: BigInt(n), message: CLOB_AUTH_MESSAGE },
      signature: sig as Hex,
    });
    return signer.toLowerCase() === address.toLowerCase() ? { ok: true, address: signer } : { ok: false, reason: 'signature does not match address' };
  } catch {
    return { ok: false, reason: 'invalid signature' };
  }
}
