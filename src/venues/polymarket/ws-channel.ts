// A Polymarket WebSocket channel (market or user) over the `ws` client: connects, sends
// the subscription, keeps the link alive with a text "PING" every 10 s (the server answers
// "PONG"), hands every other text frame to the owner, and reconnects with capped backoff
// (sending the subscription again) until closed. A link silent for 3 ping periods is
// considered dead and reopened.
import WebSocket from 'ws';

export interface ChannelOptions {
  url: string;
  /** The subscription message, built at each (re)connect (the user channel's carries the credentials). */
  subscription: () => object;
  onFrame: (text: string) => void;
  onOpen?: () => void;
  onClose?: (reason: string) => void;
  pingMs?: number;
  maxBackoffMs?: number;
}

export class PolymarketChannel {
  connected = false;
  reconnects = 0;
  private ws: WebSocket | null = null;
  private closed = false;
  private ping: NodeJS.Timeout | null = null;
  private retry: NodeJS.Timeout | null = null;
  private backoffMs = 250;
  private lastRxMs = 0;

  constructor(private readonly opts: ChannelOptions) {}

  open(): void {
    if (this.closed) return;
    const ws = new WebSocket(this.opts.url);
    this.ws = ws;
    ws.on('open', () => {
      this.connected = true;
      this.backoffMs = 250;
      this.lastRxMs = Date.now();
      ws.send(JSON.stringify(this.opts.subscription()));
      const every = this.opts.pingMs ?? 10_000;
      this.ping = setInterval(() => {
        if (Date.now() - this.lastRxMs > 3 * every) { ws.terminate(); return; }
        if (ws.readyState === WebSocket.OPEN) ws.send('PING');
      }, every);
      this.opts.onOpen?.();
    });
    ws.on('message', (data, isBinary) => {
      this.lastRxMs = Date.now();
      if (isBinary) return;
      const text = data.toString();
      if (text === 'PONG' || text === 'PING') return;
      this.opts.onFrame(text);
    });
    ws.on('error', () => { /* 'close' follows */ });
    ws.on('close', (code, reason) => {
      if (this.ping !== null) clearInterval(this.ping);
      this.ping = null;
      const was = this.connected;
      this.connected = false;
      this.ws = null;
      if (was) this.opts.onClose?.(`${code} ${reason.toString()}`.trim());
      if (this.closed) return;
      this.reconnects++;
      this.retry = setTimeout(() => { this.retry = null; this.open(); }, this.backoffMs);
      this.backoffMs = Math.min(this.backoffMs * 2, this.opts.maxBackoffMs ?? 10_000);
    });
  }

  /** Drops the link now; it reconnects (and subscribes again) as after any drop. */
  restart(): void { this.ws?.terminate(); }

  send(msg: object): void { if (this.ws !== null && this.ws.readyState === WebSocket.OPEN) this.ws.send(JSON.stringify(msg)); }

  close(): void {
    this.closed = true;
    if (this.retry !== null) clearTimeout(this.retry);
    if (this.ping !== null) clearInterval(this.ping);
    this.ws?.close();
    this.ws = null;
    this.connected = false;
  }
}
