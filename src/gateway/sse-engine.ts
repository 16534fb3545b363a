// Forwards the engine's events to an SseHub, payloads unchanged (seed 000 field
// names), each tagged with its strategy and symbol for the stream filters.
import { ENGINE_EVENT_NAMES, type EngineEventMap, type EngineEventName, type EngineEvents } from '../engine/engine-events.js';
import type { SseHub } from './sse-hub.js';

/** Subscribes to every engine event; returns a function that unsubscribes. */
export function attachEngine(hub: SseHub, events: EngineEvents, names: readonly EngineEventName[] = ENGINE_EVENT_NAMES): () => void {
  const offs: (() => void)[] = [];
  for (const name of names) {
    offs.push(events.on(name, (e: EngineEventMap[typeof name]) => {
      const m = e as { strategy_id?: unknown; symbol?: unknown };
      hub.publish(name, e, {
        strategyId: typeof m.strategy_id === 'string' ? m.strategy_id : null,
        symbol: typeof m.symbol === 'string' ? m.symbol : null,
      });
    }));
  }
  return () => { for (const off of offs) off(); };
}
