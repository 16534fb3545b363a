// One market-making strategy: its definition, validated parameters, lifecycle and
// parameter hot updates. The per-symbol quoting state lives in StrategyLeg (one per
// symbol, each with its own quoter slot); the engine drives both.
import type { Instrument } from '../orderbook/instrument.js';
import type { Journal } from '../store/journal.js';
import {
  patchParams, regimeAdjustment, toQuoteParams, validateParams, type ParamChange, type ParamValue, type StrategyParams,
} from './params/index.js';
import { REGIME_CODES } from './regime-detector.js';
import type { StrategyDefinition } from './strategy-definition.js';
import { StrategyError } from './strategy-errors.js';
import { isActive, type PauseReason, type StrategyStatus } from './strategy-status.js';

export interface PatchOutcome {
  /** Every field that changed (old → new), in table order: the audit trail. */
  readonly changes: readonly ParamChange[];
  /** Seed 000's `updated_parameters`: the request's keys and their new values. */
  readonly updatedParameters: Readonly<Record<string, ParamValue>>;
}

export interface StatusChange {
  readonly from: StrategyStatus;
  readonly to: StrategyStatus;
  readonly reason: PauseReason | null;
}

export class MarketMakingStrategy {
  readonly id: string;
  readonly name: string;
  readonly type = 'MarketMaking' as const;
  readonly symbols: readonly string[];
  /** Instruments of the symbols, in `symbols` order (replaceInstrument() when the feed redefines one). */
  get instruments(): readonly Instrument[] { return this.insts; }
  private readonly insts: Instrument[];
  readonly journal: Journal | undefined;
  /** Symbols quoting now (counted against max_markets by the legs). */
  quotingLegs = 0;
  private p: StrategyParams;
  private st: StrategyStatus = 'loaded';
  private readonly reasons = new Set<PauseReason>();
  /** Bumped by every parameter change: legs requote when it moves. */
  private version = 0;
  private startedAtNs = 0;
  private activeNs = 0;

  /**
   * Validates the parameters against every symbol's instrument (whole lots, at least
   * one tick of spread). Throws ParameterError.
   */
  constructor(def: StrategyDefinition, instruments: readonly Instrument[], journal?: Journal) {
    if (instruments.length !== def.symbols.length) {
      throw new StrategyError('SPREADCORE_ERR_UNKNOWN_SYMBOL', `strategy ${def.id}: ${def.symbols.length} symbols but ${instruments.length} instruments`);
    }
    this.id = def.id;
    this.name = def.name;
    this.symbols = def.symbols;
    this.insts = [...instruments];
    this.journal = journal;
    let params: StrategyParams | undefined;
    for (const instrument of instruments) params = validateParams(def.parameters, { instrument });
    this.p = params ?? validateParams(def.parameters);
    checkQuotable(this.p, instruments);
  }

  get params(): StrategyParams { return this.p; }

  /**
   * A symbol's instrument was redefined: later checks (PATCH, start) run against the new
   * one. Returns the reason the current parameters fail on it, or null when they pass.
   */
  replaceInstrument(symbol: string, inst: Instrument): string | null {
    const i = this.symbols.indexOf(symbol);
    if (i < 0) return null;
    this.insts[i] = inst;
    try {
      validateParams(paramsJson(this.p), { instrument: inst });
      checkQuotable(this.p, [inst]);
      return null;
    } catch (e) {
      return e instanceof Error ? e.message : String(e);
    }
  }
  get status(): StrategyStatus { return this.st; }
  get paramsVersion(): number { return this.version; }
  get pauseReasons(): readonly PauseReason[] { return [...this.reasons]; }
  hasPauseReason(r: PauseReason): boolean { return this.reasons.has(r); }

  /** Seconds spent running or paused, up to nowNs (simulated or wall time, Unix epoch ns). */
  uptimeSeconds(nowNs: number): number {
    const live = isActive(this.st) ? Math.max(0, nowNs - this.startedAtNs) : 0;
    return Math.floor((this.activeNs + live) / 1e9);
  }

  /**
   * Applies a PATCH body to the parameters, checked against every instrument, through
   * the quote ladder's own checks (checkQuotable) and the caller's `check` (the risk
   * limits). A bad patch throws (ParameterError or the check's error) and changes nothing. With a journal the new
   * parameters and one audit row per changed field are written before this returns.
   */
  patch(body: unknown, source = 'api', tsNs?: bigint, check?: (next: StrategyParams) => void): PatchOutcome {
    let result: ReturnType<typeof patchParams> | undefined;
    for (const instrument of this.instruments) result = patchParams(this.p, body, { instrument });
    const r = result ?? patchParams(this.p, body);
    if (r.changes.length > 0) {
      // every check quoting and starting apply runs before the change is journaled or applied
      checkQuotable(r.next, this.instruments);
      check?.(r.next);
      this.journal?.recordParameterChanges(this.id, paramsJson(r.next), tsNs === undefined ? { source } : { source, tsNs });
      this.p = r.next;
      this.version++;
    }
    return { changes: r.changes, updatedParameters: r.updatedParameters };
  }

  // ---- lifecycle (the engine pulls and places quotes around these) ----

  start(nowNs: number): StatusChange {
    if (isActive(this.st)) throw new StrategyError('SPREADCORE_ERR_STRATEGY_STATE', `strategy ${this.id} is already ${this.st}`);
    const from = this.st;
    this.reasons.clear();
    this.startedAtNs = nowNs;
    return this.set(from, 'running', null);
  }

  stop(nowNs: number): StatusChange {
    if (!isActive(this.st)) throw new StrategyError('SPREADCORE_ERR_STRATEGY_STATE', `strategy ${this.id} is ${this.st}, not running`);
    const from = this.st;
    this.activeNs += Math.max(0, nowNs - this.startedAtNs);
    this.reasons.clear();
    return this.set(from, 'stopped', null);
  }

  /**
   * A strategy rebuilt from the journal after a restart comes back stopped: it
   * never quotes until someone starts it again.
   */
  markRestored(): StatusChange {
    if (this.st !== 'loaded') throw new StrategyError('SPREADCORE_ERR_STRATEGY_STATE', `strategy ${this.id} is ${this.st}, not freshly restored`);
    return this.set('loaded', 'stopped', null);
  }

  /** Adds a pause reason; null when the status did not change (already paused for another reason, or not active). */
  pause(reason: PauseReason): StatusChange | null {
    if (!isActive(this.st)) {
      if (reason === 'manual') throw new StrategyError('SPREADCORE_ERR_STRATEGY_STATE', `strategy ${this.id} is ${this.st}, not running`);
      return null;
    }
    this.reasons.add(reason);
    return this.st === 'paused' ? null : this.set('running', 'paused', reason);
  }

  /** Clears a pause reason; running again once none is left (returns the change, else null). */
  resume(reason: PauseReason): StatusChange | null {
    if (!this.reasons.delete(reason)) return null;
    if (this.st !== 'paused' || this.reasons.size > 0) return null;
    return this.set('paused', 'running', reason);
  }

  private set(from: StrategyStatus, to: StrategyStatus, reason: PauseReason | null): StatusChange {
    this.st = to;
    this.journal?.updateStrategyStatus(this.id, to);
    return { from, to, reason };
  }
}

/**
 * The checks quoting applies to parameters, run where a change is accepted (load,
 * PATCH, a new instrument definition): the WASM ladder's parameters for every
 * instrument and the regime table. Throws ParameterError; changes nothing.
 */
export function checkQuotable(p: StrategyParams, instruments: readonly Instrument[]): void {
  for (const inst of instruments) toQuoteParams(p, inst);
  for (const code of REGIME_CODES) regimeAdjustment(p, code);
}

/** The parameters as the JSON object the journal stores. */
export function paramsJson(p: StrategyParams): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(p)) out[k] = Array.isArray(v) ? [...(v as number[])] : v;
  return out;
}
