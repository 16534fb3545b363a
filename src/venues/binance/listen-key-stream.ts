// USD-M user data through a listenKey (still the USD-M way; spot retired listenKeys on
// 2026-02-20, CHANGELOG.md): POST /fapi/v1/listenKey → key, stream at
// `<streamBase>/ws/<listenKey>` (production `wss://fstream.binance.com`, testnet
// `wss://stream.binancefuture.com`), PUT every 30 min keeps it alive for 60 min; a
// keepalive answered -1125 ("This listenKey does not exist.") or a `listenKeyExpired`
// event means a new key and a new connection. Every (re)connection is announced so the
// venue reconciles whatever it may have missed.
import WebSocket from 'ws';
import { BinanceApiError } from './errors.js';
import type { BinanceRestClient } from './rest-client.js';

export interface ListenKeyStreamOptions {
  rest: BinanceRestClient;
  /** e.g. wss://fstream.binance.com (no trailing slash). */
  streamBaseUrl: string;
  keepAliveMs?: number;
  reconnectMinMs?: number;
  reconnectMaxMs?: number;
}

export class ListenKeyStream {
  private readonly rest: BinanceRestClient;
  private readonly base: string;
  private readonly keepAliveMs: number;
  private readonly minMs: number;
  private readonly maxMs: number;
  private key: string | null = null;
  private ws: WebSocket | null = null;
  private keepAliveTimer: NodeJS.Timeout | null = null;
  private reconnectTimer: NodeJS.Timeout | null = null;
  private stopped = true;
  private attempts = 0;
  private frameListeners: Array<(frame: unknown) => void> = [];
  private connectedListeners: Array<(first: boolean) => void> = [];
  private downListeners: Array<() => void> = [];
  private everConnected = false;
  private renewing: Promise<void> | null = null;
  readonly counters = { keysCreated: 0, keepAlives: 0, reconnects: 0, badFrames: 0 };

  constructor(opts: ListenKeyStreamOptions) {
    this.rest = opts.rest;
    this.base = opts.streamBaseUrl.replace(/\/+$/, '');
    this.keepAliveMs = opts.keepAliveMs ?? 30 * 60_000;
    this.minMs = opts.reconnectMinMs ?? 250;
    this.maxMs = opts.reconnectMaxMs ?? 30_000;
  }

  onFrame(cb: (frame: unknown) => void): void { this.frameListeners.push(cb); }
  /** After every (re)connection; `first` is false on reconnects (reconcile then). */
  onConnected(cb: (first: boolean) => void): void { this.connectedListeners.push(cb); }
  onDisconnected(cb: () => void): void { this.downListeners.push(cb); }
  get connected(): boolean { return this.ws !== null && this.ws.readyState === WebSocket.OPEN; }
  get listenKey(): string | null { return this.key; }

  async start(): Promise<void> {
    this.stopped = false;
    await this.newKey();
    await this.open();
    this.keepAliveTimer = setInterval(() => { void this.keepAlive(); }, this.keepAliveMs);
    this.keepAliveTimer.unref();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.keepAliveTimer !== null) { clearInterval(this.keepAliveTimer); this.keepAliveTimer = null; }
    if (this.reconnectTimer !== null) { clearTimeout(this.reconnectTimer); this.reconnectTimer = null; }
    const ws = this.ws;
    this.ws = null;
    ws?.close();
    if (this.key !== null) { this.key = null; await this.rest.closeListenKey().catch(() => undefined); }
  }

  /** PUT /fapi/v1/listenKey; -1125 → a new key and a new connection. */
  async keepAlive(): Promise<void> {
    try {
      await this.rest.keepAliveListenKey();
      this.counters.keepAlives++;
    } catch (e) {
      // a new key and connection; when that fails too (Binance unreachable for a moment) the
      // reconnect loop keeps trying: this runs from a timer, where a rejection would end the process
      if (e instanceof BinanceApiError && e.cls === 'listen_key_expired') await this.renew().catch(() => this.scheduleReconnect());
    }
  }

  private async newKey(): Promise<void> {
    const r = await this.rest.createListenKey();
    if (typeof r?.listenKey !== 'string' || r.listenKey === '') throw new BinanceApiError(200, 0, 'listenKey answer without listenKey', 'rejected');
    this.key = r.listenKey;
    this.counters.keysCreated++;
  }

  /** A new key and a new connection (the old socket is dropped); concurrent callers share one renewal. */
  renew(): Promise<void> {
    if (this.stopped) return Promise.resolve();
    if (this.renewing === null) this.renewing = this.doRenew().finally(() => { this.renewing = null; });
    return this.renewing;
  }

  private async doRenew(): Promise<void> {
    const old = this.ws;
    this.ws = null;
    old?.removeAllListeners('close');
    old?.close();
    // no user data until the new connection is up: say so (the dead-man heartbeat stops meanwhile)
    if (old !== null) for (const cb of this.downListeners) cb();
    await this.newKey();
    await this.open();
  }

  private open(): Promise<void> {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(`${this.base}/ws/${this.key ?? ''}`);
      let opened = false;
      ws.on('open', () => {
        opened = true;
        this.ws = ws;
        this.attempts = 0;
        const first = !this.everConnected;
        this.everConnected = true;
        if (!first) this.counters.reconnects++;
        for (const cb of this.connectedListeners) cb(first);
        resolve();
      });
      ws.on('message', (data) => {
        let frame: unknown;
        try { frame = JSON.parse(data.toString()); } catch { this.counters.badFrames++; return; }
        if ((frame as { e?: unknown } | null)?.e === 'listenKeyExpired') { void this.renew().catch(() => this.scheduleReconnect()); }
        for (const cb of this.frameListeners) cb(frame);
      });
      ws.on('error', (err) => { if (!opened) reject(err); });
      ws.on('close', () => {
        if (!opened) return;
        if (this.ws === ws) this.ws = null;
        for (const cb of this.downListeners) cb();
        if (!this.stopped) this.scheduleReconnect();
      });
    });
  }

  private scheduleReconnect(): void {
    if (this.stopped || this.reconnectTimer !== null) return;
    const delay = Math.min(this.maxMs, this.minMs * 2 ** this.attempts) * (0.75 + Math.random() * 0.5);
    this.attempts++;
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = null;
      // the key may have lapsed while we were away: a new POST returns the active key or a new one
      this.newKey().then(() => this.open()).catch(() => this.scheduleReconnect());
    }, delay);
  }
}
