// The user channel's messages (wss://…/ws/user, subscribe
// {"auth":{apiKey,secret,passphrase},"markets":[condition ids],"type":"user"};
// docs.polymarket.com market-data/websocket/user-channel):
// - `trade`: emitted at MATCHED (our order matched, as taker or maker) and at each later
//   status: MINED, CONFIRMED, RETRYING, FAILED. One trade id, several messages.
// - `order`: type PLACEMENT, UPDATE (a match changed size_matched) or CANCELLATION.

export type TradeStatus = 'MATCHED' | 'MINED' | 'CONFIRMED' | 'RETRYING' | 'FAILED';
export const TRADE_STATUSES: readonly TradeStatus[] = ['MATCHED', 'MINED', 'CONFIRMED', 'RETRYING', 'FAILED'];

export interface WsMakerOrder { readonly order_id: string; readonly asset_id: string; readonly matched_amount: string; readonly price: string; readonly owner: string; readonly outcome?: string; readonly side?: string }

export interface TradeMessage {
  readonly event_type: 'trade'; readonly id: string; readonly asset_id: string; readonly market: string;
  readonly status: TradeStatus; readonly side: 'BUY' | 'SELL'; readonly price: string; readonly size: string;
  readonly taker_order_id: string; readonly maker_orders: WsMakerOrder[]; readonly owner: string; readonly trade_owner?: string;
  readonly timestamp: string; readonly matchtime?: string; readonly last_update?: string; readonly outcome?: string; readonly type?: string;
}

export interface OrderMessage {
  readonly event_type: 'order'; readonly id: string; readonly asset_id: string; readonly market: string;
  readonly type: 'PLACEMENT' | 'UPDATE' | 'CANCELLATION'; readonly side: 'BUY' | 'SELL'; readonly price: string;
  readonly original_size: string; readonly size_matched: string; readonly owner: string; readonly timestamp: string; readonly associate_trades?: string[] | null;
}

export type UserMessage = TradeMessage | OrderMessage;

export function parseUserMessage(v: unknown): UserMessage | null {
  if (v === null || typeof v !== 'object') return null;
  const m = v as Record<string, unknown>;
  if (m['event_type'] === 'trade') {
    if (typeof m['id'] !== 'string' || !TRADE_STATUSES.includes(m['status'] as TradeStatus) || !Array.isArray(m['maker_orders']) || typeof m['taker_order_id'] !== 'string') return null;
    return m as unknown as TradeMessage;
  }
  if (m['event_type'] === 'order') {
    if (typeof m['id'] !== 'string' || !['PLACEMENT', 'UPDATE', 'CANCELLATION'].includes(String(m['type']))) return null;
    return m as unknown as OrderMessage;
  }
  return null;
}
