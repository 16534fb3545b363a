// The trading-state machine. Three levels, the strictest wins for an order:
//   global kill switch   off / on (on = HALTED for everyone)
//   strategy             ACTIVE / REDUCING / HALTED
//   strategy on a symbol ACTIVE / REDUCING (the per-symbol stop loss)
// Every change is a state_change event with its reason and time. Entering HALTED or
// REDUCING also asks the engine to cancel the scope's open orders (an open order
// could still add exposure); a stop loss adds a flatten request.
import type { TradingState } from '../trading/types.js';
import type { GateState } from './gate-state.js';
import type { CancelReason, StateReason } from './risk-events.js';
import type { SlotRisk, StrategyRisk } from './risk-state.js';

function cancelReason(reason: StateReason, to: TradingState): CancelReason {
  if (reason === 'daily_loss') return 'daily_loss';
  if (reason === 'stop_loss') return 'stop_loss';
  if (reason === 'manual_kill') return 'kill_switch';
  return to === 'HALTED' ? 'halted' : 'reducing';
}

/** Turns the kill switch on or off; false when it already was. */
export function setKill(g: GateState, on: boolean, reason: StateReason, detail: string, tsNs: number): boolean {
  if (g.killed === on) return false;
  g.killed = on;
  g.killReason = reason;
  g.emit({
    type: 'state_change', scope: 'global', strategyId: null, symbol: null,
    from: on ? 'ACTIVE' : 'HALTED', to: on ? 'HALTED' : 'ACTIVE', reason, detail, tsNs,
  });
  if (on) g.emit({ type: 'cancel_all', scope: 'global', strategyId: null, symbol: null, reason: 'kill_switch', tsNs });
  return true;
}

/** Moves a strategy to `to`; false when it already was there (the reason is kept). */
export function setStrategyState(g: GateState, s: StrategyRisk, to: TradingState, reason: StateReason, detail: string, tsNs: number): boolean {
  const from = s.state;
  if (from === to) return false;
  s.state = to;
  s.stateReason = reason;
  s.stateSinceNs = tsNs;
  g.emit({ type: 'state_change', scope: 'strategy', strategyId: s.strategyId, symbol: null, from, to, reason, detail, tsNs });
  if (to !== 'ACTIVE') {
    g.emit({ type: 'cancel_all', scope: 'strategy', strategyId: s.strategyId, symbol: null, reason: cancelReason(reason, to), tsNs });
  }
  return true;
}

/** Moves a strategy's symbol to ACTIVE or REDUCING; false when it already was there. */
export function setSlotState(g: GateState, slot: SlotRisk, to: 'ACTIVE' | 'REDUCING', reason: StateReason, detail: string, tsNs: number): boolean {
  const from = slot.state;
  if (from === to) return false;
  slot.state = to;
  slot.stateReason = reason;
  const strategyId = slot.strategy.strategyId;
  const symbol = slot.symbol.symbol;
  g.emit({ type: 'state_change', scope: 'symbol', strategyId, symbol, from, to, reason, detail, tsNs });
  if (to === 'REDUCING') {
    g.emit({ type: 'cancel_all', scope: 'symbol', strategyId, symbol, reason: cancelReason(reason, to), tsNs });
    if (reason === 'stop_loss' && slot.positionLot !== 0) {
      g.emit({ type: 'flatten', strategyId, symbol, positionLot: slot.positionLot, reason: 'stop_loss', tsNs });
    }
  }
  return true;
}
