// The market channel's messages (wss://…/ws/market, subscribe {"assets_ids":[…],"type":"market"};
// docs.polymarket.com market-data/websocket/market-channel, VENUES.md). Prices and sizes are
// decimal strings, timestamps Unix ms strings. A frame holds one message or an array of them.

export interface WsLevel { readonly price: string; readonly size: string }

export interface BookMessage {
  readonly event_type: 'book'; readonly asset_id: string; readonly market: string;
  readonly bids: WsLevel[]; readonly asks: WsLevel[]; readonly timestamp: string; readonly hash: string;
}
export interface PriceChange {
  readonly asset_id: string; readonly price: string; readonly size: string; readonly side: 'BUY' | 'SELL';
  readonly hash?: string; readonly best_bid?: string; readonly best_ask?: string;
}
export interface PriceChangeMessage { readonly event_type: 'price_change'; readonly market: string; readonly price_changes: PriceChange[]; readonly timestamp: string }
export interface TickSizeChangeMessage {
  readonly event_type: 'tick_size_change'; readonly asset_id: string; readonly market: string;
  readonly old_tick_size: string; readonly new_tick_size: string; readonly timestamp: string;
}
export interface LastTradePriceMessage {
  readonly event_type: 'last_trade_price'; readonly asset_id: string; readonly market: string;
  readonly price: string; readonly size: string; readonly side: 'BUY' | 'SELL'; readonly fee_rate_bps?: string; readonly timestamp: string;
}
/** Sent when a market resolves (with the subscription's custom features on). */
export interface MarketResolvedMessage {
  readonly event_type: 'market_resolved'; readonly market: string; readonly assets_ids: string[]; readonly winning_asset_id: string; readonly timestamp: string;
}

export type MarketMessage = BookMessage | PriceChangeMessage | TickSizeChangeMessage | LastTradePriceMessage | MarketResolvedMessage;

const DEC = /^\d+(\.\d+)?$/;
const isStr = (v: unknown): v is string => typeof v === 'string';
const isLevels = (v: unknown): v is WsLevel[] => Array.isArray(v) && v.every((l) => l !== null && typeof l === 'object' && DEC.test(String((l as WsLevel).price)) && DEC.test(String((l as WsLevel).size)));

/** Validates one message; null for anything malformed or of another type. */
export function parseMarketMessage(v: unknown): MarketMessage | null {
  if (v === null || typeof v !== 'object') return null;
  const m = v as Record<string, unknown>;
  switch (m['event_type']) {
    case 'book':
      return isStr(m['asset_id']) && isLevels(m['bids']) && isLevels(m['asks']) ? (m as unknown as BookMessage) : null;
    case 'price_change': {
      const pc = m['price_changes'];
      if (!Array.isArray(pc)) return null;
      const ok = pc.every((c) => c !== null && typeof c === 'object' && isStr(c.asset_id) && DEC.test(String(c.price)) && DEC.test(String(c.size)) && (c.side === 'BUY' || c.side === 'SELL'));
      return ok ? (m as unknown as PriceChangeMessage) : null;
    }
    case 'tick_size_change':
      return isStr(m['asset_id']) && isStr(m['new_tick_size']) && DEC.test(m['new_tick_size']) ? (m as unknown as TickSizeChangeMessage) : null;
    case 'last_trade_price':
      return isStr(m['asset_id']) && DEC.test(String(m['price'])) && DEC.test(String(m['size'])) && (m['side'] === 'BUY' || m['side'] === 'SELL') ? (m as unknown as LastTradePriceMessage) : null;
    case 'market_resolved':
      return isStr(m['winning_asset_id']) && Array.isArray(m['assets_ids']) ? (m as unknown as MarketResolvedMessage) : null;
    default:
      return null;
  }
}

/** Unix ms string → epoch ns (0 when absent or malformed). */
export function msToNs(ts: unknown): number {
  const n = Number(ts);
  return Number.isFinite(n) && n > 0 ? n * 1e6 : 0;
}
