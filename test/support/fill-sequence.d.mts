import type { FillRecord } from '../../src/trading/types.js';

export declare const STRATEGY_IDS: readonly string[];
export declare const SYMBOLS: readonly string[];
export declare const PARAM_EVERY: number;
export declare function createRng(seed: number): () => number;
export declare function scaledDecimal(n: number, scale: number): string;
export declare function fillEvents(seed: number): Generator<{ fill: FillRecord; redelivery: boolean }, never, unknown>;
export declare function distinctFills(seed: number, n: number): FillRecord[];
export declare function parameterStep(k: number): { strategyId: string; spreadBps: number };
export declare function positions(fills: readonly Pick<FillRecord, 'qty' | 'side' | 'strategyId' | 'symbol'>[]): Map<string, bigint>;
