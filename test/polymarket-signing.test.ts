// Polymarket signing without a network: the L1 ClobAuth and L2 HMAC vectors published in
// Polymarket/clob-client-v2's tests, CTF Exchange V2 order signatures that recover to the
// signer (viem's verifyTypedData) against the right verifying contract (negRisk or not),
// exact amounts from ticks and lots, the taker fee, and credentials that never print.
import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { verifyTypedData } from 'viem';
import { privateKeyToAccount } from 'viem/accounts';
import { orderAmounts, priceAndSize, decimalToMicro } from '../src/venues/polymarket/amounts.js';
import { PolymarketCredentials } from '../src/venues/polymarket/credentials.js';
import { contractsFor, exchangeFor } from '../src/venues/polymarket/endpoints.js';
import { polymarketFee } from '../src/venues/polymarket/fees.js';
import { l1Headers, signClobAuth, verifyL1 } from '../src/venues/polymarket/l1-auth.js';
import { l2Headers, polyHmacSignature } from '../src/venues/polymarket/l2-auth.js';
import { orderDomain, ORDER_V2_TYPES, recoverOrderSigner, signOrderV2 } from '../src/venues/polymarket/order-signing.js';

// The well-known Hardhat test key clob-client-v2's tests sign with (never funded).
const PK = '0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80';
const account = privateKeyToAccount(PK);

describe('L1 and L2 authentication', () => {
  it('signs ClobAuth exactly as clob-client-v2 tests/signing/eip712.test.ts publishes', async () => {
    expect(await signClobAuth(account, 80002, 10000000, 23)).toBe(
      '0xf62319a987514da40e57e2f4d7529f7bac38f0355bd88bb5adbb3768d80de6c1682518e0af677d5260366425f4361e7b70c25ae232aff0ab2331e2b164a1aedc1b');
  });

  it('computes the HMAC of clob-client-v2 tests/signing/hmac.test.ts', () => {
    expect(polyHmacSignature('AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=', 1000000, 'test-sign', '/orders', '{"hash": "0x123"}'))
      .toBe('ZwAdJKvoYRlEKDkNMwd5BuwNNtg93kNaR_oU2HrfVvc=');
  });

  it('L1 headers verify; another address, chain or timestamp does not', async () => {
    const h = await l1Headers(account, 137, 1_700_000_000, 0);
    expect(h.POLY_ADDRESS).toBe(account.address);
    expect(await verifyL1(h, 137)).toEqual({ ok: true, address: account.address });
    expect((await verifyL1(h, 80002)).ok).toBe(false);
    expect((await verifyL1({ ...h, POLY_TIMESTAMP: '1700000001' }, 137)).ok).toBe(false);
    expect((await verifyL1({ ...h, POLY_ADDRESS: '0x70997970C51812dc3A010C7d01b50e0d17dc79C8' }, 137)).ok).toBe(false);
    expect((await verifyL1({ ...h, POLY_SIGNATURE: 'nonsense' }, 137)).ok).toBe(false);
  });

  it('L2 headers carry key, passphrase, address, timestamp and the HMAC over timestamp+method+path+body', () => {
    const creds = { key: 'k-1', secret: Buffer.from('0123456789abcdef0123456789abcdef').toString('base64url'), passphrase: 'p' };
    const h = l2Headers(account.address, creds, 1_700_000_000, 'POST', '/order', '{"a":1}');
    expect(h).toMatchObject({ POLY_ADDRESS: account.address, POLY_API_KEY: 'k-1', POLY_PASSPHRASE: 'p', POLY_TIMESTAMP: '1700000000' });
    expect(h.POLY_SIGNATURE).toBe(polyHmacSignature(creds.secret, 1_700_000_000, 'POST', '/order', '{"a":1}'));
    expect(h.POLY_SIGNATURE).not.toBe(polyHmacSignature(creds.secret, 1_700_000_000, 'POST', '/order', '{"a":2}'));
    expect(h.POLY_SIGNATURE).toMatch(/^[A-Za-z0-9_-]+=*$/);
  });

  it('credentials come from the environment and never print their secrets', () => {
    const env = { POLYMARKET_PRIVATE_KEY: PK, POLYMARKET_API_KEY: 'key-abcdef', POLYMARKET_API_SECRET: 'c2VjcmV0LXZhbHVl', POLYMARKET_API_PASSPHRASE: 'pass-xyz' };
    const c = PolymarketCredentials.fromEnv(env);
    expect(c.address).toBe(account.address);
    for (const shown of [inspect(c, { depth: 10, showHidden: true }), JSON.stringify(c), String(c), `${c}`]) {
      for (const secret of [PK.slice(2), PK.slice(10, 40), 'c2VjcmV0LXZhbHVl', 'pass-xyz', 'key-abcdef']) expect(shown).not.toContain(secret);
    }
    expect(() => new PolymarketCredentials('0x1234', null)).toThrow(/32 bytes/);
    try { new PolymarketCredentials('0x1234', null); } catch (e) { expect(String(e)).not.toContain('0x1234'); }
    expect(PolymarketCredentials.fromEnv({}).hasCreds()).toBe(false);
  });
});

describe('amounts from ticks and lots', () => {
  it('BUY gives collateral and takes shares; SELL the reverse; 6 decimals, exact', () => {
    // 0.52 × 100 shares on the 0.01 grid: 52 ticks, 10000 lots of 0.01
    expect(orderAmounts('BUY', 52, 10_000, '0.01')).toEqual({ makerAmount: 52_000_000n, takerAmount: 100_000_000n });
    expect(orderAmounts('SELL', 52, 10_000, '0.01')).toEqual({ makerAmount: 100_000_000n, takerAmount: 52_000_000n });
    // 0.0001 grid: 0.0123 × 12.34 = 0.151782
    expect(orderAmounts('BUY', 123, 1234, '0.0001')).toEqual({ makerAmount: 151_782n, takerAmount: 12_340_000n });
    // 0.005 and 0.0025 grids
    expect(orderAmounts('BUY', 145, 300, '0.005')).toEqual({ makerAmount: 2_175_000n, takerAmount: 3_000_000n }); // 0.725 × 3
    expect(orderAmounts('SELL', 1, 1, '0.0025')).toEqual({ makerAmount: 10_000n, takerAmount: 25n }); // 0.0025 × 0.01
    expect(orderAmounts('BUY', 9, 5000, '0.1')).toEqual({ makerAmount: 45_000_000n, takerAmount: 50_000_000n });
  });

  it('refuses prices outside [tick, 1 − tick] and non-positive sizes', () => {
    expect(() => orderAmounts('BUY', 0, 1, '0.01')).toThrow();
    expect(() => orderAmounts('BUY', 100, 1, '0.01')).toThrow();
    expect(() => orderAmounts('BUY', 10, 1, '0.1')).toThrow();
    expect(() => orderAmounts('BUY', 50, 0, '0.01')).toThrow();
    expect(() => orderAmounts('BUY', 50.5, 1, '0.01')).toThrow();
  });

  it('the inverse recovers price and size, and refuses amounts off the grid', () => {
    for (const [side, tick, lot, ts] of [['BUY', 52, 10_000, '0.01'], ['SELL', 123, 1234, '0.0001'], ['BUY', 145, 300, '0.005'], ['SELL', 399, 7, '0.0025']] as const) {
      const a = orderAmounts(side, tick, lot, ts);
      expect(priceAndSize(side, a.makerAmount, a.takerAmount, ts)).toEqual({ priceTick: tick, qtyLot: lot });
    }
    expect(priceAndSize('BUY', 52_000_001n, 100_000_000n, '0.01')).toBeNull();
    expect(priceAndSize('BUY', 52_000_000n, 100_000_000n, '0.1')).toBeNull();
    expect(decimalToMicro('12.5')).toBe(12_500_000n);
  });
});

describe('CTF Exchange V2 orders', () => {
  const c = contractsFor(137);
  const fields = { tokenId: '71321045679252212594626385532706912750332728571942532289631379312455583992563', side: 'BUY' as const, makerAmount: 52_000_000n, takerAmount: 100_000_000n, timestampMs: 1_780_449_126_930, salt: 479249096354 };

  it('the signature recovers to the signer against the exchange it was signed for', async () => {
    const o = await signOrderV2(account, 137, exchangeFor(c, false), fields);
    expect(o).toMatchObject({ maker: account.address, signer: account.address, taker: '0x0000000000000000000000000000000000000000', expiration: '0', side: 'BUY', signatureType: 0, makerAmount: '52000000', takerAmount: '100000000', timestamp: '1780449126930' });
    const message = {
      salt: BigInt(o.salt), maker: account.address, signer: account.address, tokenId: BigInt(o.tokenId), makerAmount: 52_000_000n, takerAmount: 100_000_000n,
      side: 0, signatureType: 0, timestamp: BigInt(o.timestamp), metadata: o.metadata as `0x${string}`, builder: o.builder as `0x${string}`,
    };
    expect(await verifyTypedData({ address: account.address, domain: orderDomain(137, c.exchangeV2), types: ORDER_V2_TYPES, primaryType: 'Order', message, signature: o.signature as `0x${string}` })).toBe(true);
    // the same order is not valid for the negRisk exchange or another chain
    expect(await verifyTypedData({ address: account.address, domain: orderDomain(137, c.negRiskExchangeV2), types: ORDER_V2_TYPES, primaryType: 'Order', message, signature: o.signature as `0x${string}` })).toBe(false);
    expect(await recoverOrderSigner(o, 80002, c.exchangeV2)).not.toBe(account.address);
  });

  it('negRisk markets are signed against the NegRisk CTF Exchange V2', async () => {
    const o = await signOrderV2(account, 137, exchangeFor(c, true), fields);
    expect(exchangeFor(c, true)).toBe('0xe2222d279d744050d28e00520010520000310F59');
    expect(await recoverOrderSigner(o, 137, c.negRiskExchangeV2)).toBe(account.address);
    expect(await recoverOrderSigner(o, 137, c.exchangeV2)).not.toBe(account.address);
  });

  it('a tampered order no longer recovers to the signer', async () => {
    const o = await signOrderV2(account, 137, c.exchangeV2, fields);
    expect(await recoverOrderSigner({ ...o, makerAmount: '51000000' }, 137, c.exchangeV2)).not.toBe(account.address);
    expect(await recoverOrderSigner({ ...o, side: 'SELL' }, 137, c.exchangeV2)).not.toBe(account.address);
    expect(await recoverOrderSigner({ ...o, signature: '0x1234' }, 137, c.exchangeV2)).toBeNull();
  });
});

describe('fees', () => {
  it('takers pay C × rate × (p(1 − p))^exponent, floored to 5 decimals; makers pay nothing', () => {
    expect(polymarketFee('100', '0.5', { rate: '0.03', exponent: 1 }, 'TAKER')).toBe('0.75'); // 100 × 0.03 × 0.25
    expect(polymarketFee('100', '0.5', { rate: '0.03', exponent: 1 }, 'MAKER')).toBe('0');
    expect(polymarketFee('10', '0.9', { rate: '0.07', exponent: 1 }, 'TAKER')).toBe('0.063'); // 10 × 0.07 × 0.09
    expect(polymarketFee('1000', '0.5', { rate: '0.25', exponent: 2 }, 'TAKER')).toBe('15.625'); // 1000 × 0.25 × 0.0625
    expect(polymarketFee('1', '0.33', { rate: '0.03', exponent: 1 }, 'TAKER')).toBe('0.00663'); // 0.0066330 floored
    expect(polymarketFee('3', '0.01', { rate: '0.07', exponent: 1 }, 'TAKER')).toBe('0.00207'); // 0.002079 floored
    expect(polymarketFee('100', '0.5', { rate: '0', exponent: 1 }, 'TAKER')).toBe('0');
    expect(() => polymarketFee('1', '0.5', { rate: '0.03', exponent: 1.5 }, 'TAKER')).toThrow();
  });
  it('the fee is symmetric in p and 1 − p and largest at 0.5', () => {
    const f = (p: string) => Number(polymarketFee('100', p, { rate: '0.04', exponent: 1 }, 'TAKER'));
    expect(f('0.2')).toBe(f('0.8'));
    expect(f('0.5')).toBeGreaterThan(f('0.49'));
  });
});
