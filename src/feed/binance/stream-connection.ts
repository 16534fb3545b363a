// One WebSocket connection to Binance's combined-streams endpoint (ws client).
// Server pings are answered by ws itself (autoPong, the pong carries the ping's
// payload as Binance requires). On top of that the client pings every
// pingIntervalMs and watches every inbound frame (message, ping, pong): nothing
// for deadAfterMs means a dead link (half-open TCP, frozen server), and the
// connection is torn down. onEnd is called exactly once, with the cause.
import { WebSocket, type RawData } from 'ws';

export type ConnectionEndCause =
  /** the server closed it (close frame or TCP close) */
  | 'closed'
  /** the handshake or the socket failed */
  | 'error'
  /** nothing received for deadAfterMs */
  | 'dead'
  /** closed by us: stop() */
  | 'stopped'
  /** closed by us: replaced by a newer connection */
  | 'retired';

export interface ConnectionEnd {
  readonly cause: ConnectionEndCause;
  readonly code: number;
  readonly reason: string;
  readonly error: Error | null;
  /** How long the connection had been open (0 if it never opened), ms. */
  readonly openMs: number;
  /** Time since the last inbound frame, ms. */
  readonly silentMs: number;
}

export interface StreamConnectionHandlers {
  onOpen(c: StreamConnection): void;
  onMessage(c: StreamConnection, text: string): void;
  /** A binary frame (Binance sends text only). */
  onBinary?(c: StreamConnection): void;
  onEnd(c: StreamConnection, end: ConnectionEnd): void;
}

export interface StreamConnectionOptions {
  connectTimeoutMs: number;
  pingIntervalMs: number;
  deadAfterMs: number;
}

let nextConnectionId = 1;

export class StreamConnection {
  readonly id = nextConnectionId++;
  readonly url: string;
  openedAtMs = NaN;
  lastInboundMs = NaN;
  messages = 0;
  pingsReceived = 0;
  pongsReceived = 0;
  pingsSent = 0;
  private ws: WebSocket | null = null;
  private opened = false;
  private ended = false;
  private endingCause: ConnectionEndCause | null = null;
  private watchdog: NodeJS.Timeout | null = null;
  private killTimer: NodeJS.Timeout | null = null;
  private lastPingSentMs = 0;
  private readonly opts: StreamConnectionOptions;
  private readonly handlers: StreamConnectionHandlers;

  constructor(url: string, opts: StreamConnectionOptions, handlers: StreamConnectionHandlers) {
    this.url = url;
    this.opts = opts;
    this.handlers = handlers;
  }

  get isOpen(): boolean { return this.opened && !this.ended; }
  get isEnded(): boolean { return this.ended; }
  get ageMs(): number { return this.opened ? performance.now() - this.openedAtMs : 0; }

  open(): void {
    if (this.ws !== null) return;
    const ws = new WebSocket(this.url, { handshakeTimeout: this.opts.connectTimeoutMs, perMessageDeflate: false, autoPong: true });
    this.ws = ws;
    ws.on('open', () => {
      if (this.ended) return;
      this.opened = true;
      this.openedAtMs = performance.now();
      this.lastInboundMs = this.openedAtMs;
      this.lastPingSentMs = this.openedAtMs;
      const tick = Math.max(5, Math.min(this.opts.pingIntervalMs, this.opts.deadAfterMs / 4));
      this.watchdog = setInterval(() => this.watch(), tick);
      this.handlers.onOpen(this);
    });
    ws.on('message', (data: RawData, isBinary: boolean) => {
      if (this.ended) return;
      this.lastInboundMs = performance.now();
      this.messages++;
      if (isBinary) { this.handlers.onBinary?.(this); return; }
      this.handlers.onMessage(this, typeof data === 'string' ? data : (data as Buffer).toString('utf8'));
    });
    ws.on('ping', () => { this.lastInboundMs = performance.now(); this.pingsReceived++; });
    ws.on('pong', () => { this.lastInboundMs = performance.now(); this.pongsReceived++; });
    ws.on('error', (err: Error) => this.end(this.endingCause ?? 'error', 1006, err.message, err));
    ws.on('close', (code: number, reason: Buffer) => this.end(this.endingCause ?? 'closed', code, reason.toString('utf8'), null));
  }

  private watch(): void {
    const ws = this.ws;
    if (ws === null || this.ended) return;
    const now = performance.now();
    if (now - this.lastInboundMs > this.opts.deadAfterMs) {
      this.endingCause = 'dead';
      ws.terminate();
      this.end('dead', 1006, `nothing received for ${Math.round(now - this.lastInboundMs)} ms`, null);
      return;
    }
    if (now - this.lastPingSentMs >= this.opts.pingIntervalMs && ws.readyState === WebSocket.OPEN) {
      this.lastPingSentMs = now;
      this.pingsSent++;
      ws.ping();
    }
  }

  /** Closes with a close handshake (terminated if the server does not answer within 1 s). */
  close(cause: 'stopped' | 'retired', code = 1000, reason: string = cause): void {
    const ws = this.ws;
    if (this.ended) return;
    this.endingCause = cause;
    if (ws === null) { this.end(cause, code, reason, null); return; }
    if (ws.readyState === WebSocket.CONNECTING) {
      ws.terminate();
      this.end(cause, code, reason, null);
      return;
    }
    ws.close(code, reason);
    this.killTimer = setTimeout(() => { ws.terminate(); this.end(cause, code, reason, null); }, 1000);
  }

  /** Resolves when the socket is fully closed (or immediately if it never opened). */
  whenClosed(): Promise<void> {
    const ws = this.ws;
    if (ws === null || ws.readyState === WebSocket.CLOSED) return Promise.resolve();
    return new Promise((resolve) => ws.once('close', () => resolve()));
  }

  private end(cause: ConnectionEndCause, code: number, reason: string, error: Error | null): void {
    if (this.watchdog !== null) { clearInterval(this.watchdog); this.watchdog = null; }
    if (this.ended) {
      if (this.killTimer !== null && this.ws?.readyState === WebSocket.CLOSED) { clearTimeout(this.killTimer); this.killTimer = null; }
      return;
    }
    this.ended = true;
    if (this.killTimer !== null && this.ws?.readyState === WebSocket.CLOSED) { clearTimeout(this.killTimer); this.killTimer = null; }
    const now = performance.now();
    this.handlers.onEnd(this, {
      cause, code, reason, error,
      openMs: this.opened ? now - this.openedAtMs : 0,
      silentMs: this.opened ? now - this.lastInboundMs : 0,
    });
  }
}
