// The order router with one more check before the risk gate: an event's net exposure
// (event-map.ts). An order that would take its event's exposure past the strategy's
// max_event_exposure — and further from zero than it is — is refused with
// DENY_MAX_EVENT_EXPOSURE, counted with the gate's refusals. Reduce-only orders and
// symbols mapped to no event skip the check (one map lookup).
import type { OrderSide, OrderType, TimeInForce } from '../trading/types.js';
import type { StrategyLeg } from '../strategy/strategy-leg.js';
import { OrderRouter, ROLE_OTHER, type PlaceOutcome } from './order-router.js';

/** Outside the risk gate's codes (risk/reason-codes.ts); OrderRouter.denials has 64 slots. */
export const DENY_MAX_EVENT_EXPOSURE = 63;
export const DENY_MAX_EVENT_EXPOSURE_NAME = 'DENY_MAX_EVENT_EXPOSURE';

/** Returns true when the order may go on. */
export type EventGuard = (strategyId: string, symbol: string, side: OrderSide, qtyLot: number) => boolean;

/** In a cluster (src/cluster): the node does not hold the market's lease now, so it places nothing on it. */
export const DENY_NOT_LEASE_OWNER = 62;
export const DENY_NOT_LEASE_OWNER_NAME = 'DENY_NOT_LEASE_OWNER';

export class EventRouter extends OrderRouter {
  eventGuard: EventGuard | null = null;
  /** In a cluster: the fencing token of the market's lease, 0 when this node must not place on it (every order, reduce-only too). */
  fence: ((symbol: string) => number) | null = null;

  override place(
    strategyId: string, symbol: string, side: OrderSide, type: OrderType, tif: TimeInForce, priceTick: number, qtyLot: number,
    reduceOnly: boolean, level: number, nowNs: number, leg: StrategyLeg | undefined, role = ROLE_OTHER,
  ): PlaceOutcome {
    const f = this.fence;
    if (f !== null && f(symbol) === 0) {
      this.lastDeny = DENY_NOT_LEASE_OWNER;
      this.denials[DENY_NOT_LEASE_OWNER]!++;
      return FENCED;
    }
    const g = this.eventGuard;
    if (g !== null && !reduceOnly && !g(strategyId, symbol, side, qtyLot)) {
      this.lastDeny = DENY_MAX_EVENT_EXPOSURE;
      this.denials[DENY_MAX_EVENT_EXPOSURE]!++;
      return DENIED;
    }
    return super.place(strategyId, symbol, side, type, tif, priceTick, qtyLot, reduceOnly, level, nowNs, leg, role);
  }
}

const FENCED: PlaceOutcome = Object.freeze({ code: DENY_NOT_LEASE_OWNER, submit: null, clientOrderId: null });
const DENIED: PlaceOutcome = Object.freeze({ code: DENY_MAX_EVENT_EXPOSURE, submit: null, clientOrderId: null });
