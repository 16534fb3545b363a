// The node:http transport (src/net/transport.ts): node:http for requests and the `ws`
// package's WebSocketServer for upgrades, for a Node.js that uWebSockets.js has no
// native binding for. Each request gets a small adapter with the transport's (uWS's)
// shape, so the handlers behave the same on both:
//  - headers are collected by writeStatus/writeHeader and sent with the first write or
//    the end; end(body) sends the body's length (no chunked encoding for a whole answer);
//  - endWithoutBody() keeps a content-length written before (HEAD) and sends no body;
//  - a stream's write() returns false when the kernel did not take the whole chunk, and
//    onWritable runs once the socket has sent what it held;
//  - onAborted runs when the connection closes before the answer ended (close() too);
//  - an upgrade request is answered on its raw socket, or handed to the WebSocketServer
//    by upgrade(); a message over maxPayloadLength closes the connection with 1009;
//    a connection silent for idleTimeout is pinged, then closed.
// The port is bound with exclusive: true and without SO_REUSEPORT (node's default): a
// port in use fails listen() with SPREADCORE_ERR_LISTEN.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import type { AddressInfo, Socket } from 'node:net';
import { WebSocketServer, type WebSocket as WsSocket } from 'ws';
import {
  listenError, type Transport, type TransportApp, type TransportHandler, type TransportListener, type TransportRequest,
  type TransportResponse, type TransportUpgradeResponse, type TransportWebSocket, type TransportWsBehavior,
} from './transport.js';

function addressBytes(address: string | undefined): ArrayBuffer {
  const b = Buffer.from((address ?? '').replace(/^::ffff:(?=\d+\.\d+\.\d+\.\d+$)/, ''), 'latin1');
  return b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) as ArrayBuffer;
}

function parseStatus(status: string): { code: number; message: string } {
  const m = /^(\d{3})\s*(.*)$/.exec(status);
  return m === null ? { code: 500, message: 'Internal Server Error' } : { code: Number(m[1]), message: m[2] ?? '' };
}

class NodeRequest implements TransportRequest {
  constructor(private readonly req: IncomingMessage, private readonly path: string, private readonly query: string) {}
  getHeader(name: string): string {
    const v = this.req.headers[name];
    return v === undefined ? '' : Array.isArray(v) ? v.join(', ') : v;
  }
  getUrl(): string { return this.path; }
  getQuery(): string { return this.query; }
  getMethod(): string { return (this.req.method ?? 'GET').toLowerCase(); }
  getCaseSensitiveMethod(): string { return this.req.method ?? 'GET'; }
}

/** What both response adapters share: the status and headers written so far, the abort handler. */
abstract class BaseResponse implements TransportResponse {
  protected status = '200 OK';
  protected headers: [string, string][] = [];
  protected ended = false;
  protected aborted = false;
  protected abortHandler: (() => void) | undefined;

  constructor(protected readonly req: IncomingMessage) {}

  writeStatus(status: string): this { this.status = status; return this; }
  writeHeader(key: string, value: string): this { this.headers.push([key.toLowerCase(), value]); return this; }
  onAborted(handler: () => void): this { this.abortHandler = handler; return this; }
  getRemoteAddressAsText(): ArrayBuffer { return addressBytes(this.req.socket.remoteAddress); }

  protected hasHeader(name: string): boolean { return this.headers.some(([k]) => k === name); }
  protected fireAborted(): void {
    if (this.ended || this.aborted) return;
    this.aborted = true;
    const h = this.abortHandler;
    this.abortHandler = undefined;
    h?.();
  }

  onData(handler: (chunk: ArrayBuffer, isLast: boolean) => void): void {
    this.req.on('data', (b: Buffer) => { handler(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) as ArrayBuffer, false); });
    this.req.on('end', () => { handler(new ArrayBuffer(0), true); });
  }

  abstract end(body?: string | Uint8Array, closeConnection?: boolean): this;
  abstract endWithoutBody(): this;
  abstract write(chunk: string | Uint8Array): boolean;
  abstract cork(f: () => void): this;
  abstract onWritable(handler: (offset: number) => boolean): this;
  abstract close(): this;
}

class NodeResponse extends BaseResponse {
  private started = false;
  private written = 0;
  /** A stream (write() before end()): its chunks go straight to the socket, chunked, so the kernel's answer is known at once. */
  private raw: Socket | null = null;
  private backpressured = false;
  private writableHandler: ((offset: number) => boolean) | undefined;
  private readonly onFlushed = (): void => {
    const s = this.raw;
    if (!this.backpressured || s === null || s.writableLength > 0 || this.ended || this.aborted) return;
    this.backpressured = false;
    this.writableHandler?.(this.written);
  };

  constructor(req: IncomingMessage, private readonly res: ServerResponse) {
    super(req);
    res.on('close', () => { if (!res.writableFinished) this.fireAborted(); });
  }

  private sendHead(): void {
    if (this.started) return;
    this.started = true;
    const { code, message } = parseStatus(this.status);
    this.res.writeHead(code, message, this.headers.flat());
  }

  end(body: string | Uint8Array = '', closeConnection = false): this {
    if (this.ended || this.aborted) return this;
    if (this.raw !== null) {
      if (body.length > 0) this.write(body);
      this.ended = true;
      this.res.end(); // the last chunk
      return this;
    }
    if (!this.started) {
      if (!this.hasHeader('content-length')) this.headers.push(['content-length', String(Buffer.byteLength(body))]);
      if (closeConnection) this.headers.push(['connection', 'close']);
      this.sendHead();
    }
    this.ended = true;
    this.res.end(body);
    return this;
  }

  endWithoutBody(): this {
    if (this.ended || this.aborted) return this;
    this.sendHead();
    this.ended = true;
    this.res.end();
    return this;
  }

  /**
   * Like uWS: true when the kernel took the whole chunk, false when some of it waits
   * in the socket (sent later; onWritable runs once it is all out). node's own
   * ServerResponse.write() cannot tell (it reports its high-water mark and holds the
   * socket corked until the next tick), so a stream's chunks are framed here and
   * written to the socket itself, after the headers.
   */
  write(chunk: string | Uint8Array): boolean {
    if (this.ended || this.aborted) return true;
    if (this.raw === null) {
      if (!this.hasHeader('content-length') && !this.hasHeader('transfer-encoding')) this.headers.push(['transfer-encoding', 'chunked']);
      this.sendHead();
      this.res.flushHeaders();
      const s = this.res.socket;
      if (s === null) return true;
      while (s.writableCorked > 0) s.uncork();
      this.raw = s;
    }
    const s = this.raw;
    if (s.destroyed) return true;
    const len = typeof chunk === 'string' ? Buffer.byteLength(chunk) : chunk.byteLength;
    if (len === 0) return !this.backpressured;
    this.written += len;
    const size = `${len.toString(16)}\r\n`;
    if (typeof chunk === 'string') s.write(`${size}${chunk}\r\n`, 'utf8', this.onFlushed);
    else s.write(Buffer.concat([Buffer.from(size, 'latin1'), chunk, Buffer.from('\r\n', 'latin1')]), this.onFlushed);
    if (s.writableLength === 0) return true;
    this.backpressured = true;
    return false;
  }

  /** Runs f: the writes are not held back (a stream's write() reports what the kernel took). */
  cork(f: () => void): this {
    f();
    return this;
  }

  onWritable(handler: (offset: number) => boolean): this {
    this.writableHandler = handler;
    return this;
  }

  close(): this {
    this.req.socket.destroy();
    return this;
  }
}

/** The answer to an upgrade request, on its raw socket (a refusal), or the upgrade itself. */
class NodeUpgradeResponse extends BaseResponse implements TransportUpgradeResponse {
  constructor(req: IncomingMessage, private readonly socket: Duplex, private readonly accept: (userData: unknown) => void) {
    super(req);
    socket.on('close', () => this.fireAborted());
    socket.on('error', () => { /* the close follows */ });
  }

  upgrade<T>(userData: T): void {
    if (this.ended || this.aborted) return;
    this.ended = true;
    this.accept(userData);
  }

  end(body: string | Uint8Array = '', _closeConnection = false): this {
    if (this.ended || this.aborted) return this;
    this.ended = true;
    const bytes = typeof body === 'string' ? Buffer.from(body) : Buffer.from(body.buffer, body.byteOffset, body.byteLength);
    const head = this.req.method === 'HEAD';
    const lines = [`HTTP/1.1 ${this.status}`, ...this.headers.filter(([k]) => k !== 'content-length' && k !== 'connection').map(([k, v]) => `${k}: ${v}`),
      `content-length: ${bytes.length}`, 'connection: close', '', ''];
    this.socket.end(head ? lines.join('\r\n') : Buffer.concat([Buffer.from(lines.join('\r\n'), 'latin1'), bytes]));
    return this;
  }

  endWithoutBody(): this { return this.end(''); }
  write(): boolean { return true; }
  cork(f: () => void): this { f(); return this; }
  onWritable(): this { return this; }
  close(): this { this.socket.destroy(); return this; }
}

class NodeWebSocket<T> implements TransportWebSocket<T> {
  /** Set by the app: runs the close handler once. */
  onEnd: (code: number, reason: string) => void = () => {};
  constructor(readonly socket: WsSocket, private readonly data: T, private readonly remote: ArrayBuffer) {}
  getUserData(): T { return this.data; }
  /** Sends the close frame; the close handler runs now, as with uWS. */
  end(code?: number, reason?: string): void {
    this.socket.close(code, reason);
    this.onEnd(code ?? 1000, reason ?? '');
  }
  getRemoteAddressAsText(): ArrayBuffer { return this.remote; }
}

const NOT_FOUND: TransportHandler = (res) => { res.writeStatus('404 Not Found').end(''); };

class NodeApp implements TransportApp {
  private readonly routes = new Map<string, TransportHandler>();
  private readonly wsRoutes = new Map<string, { behavior: TransportWsBehavior<unknown>; wss: WebSocketServer }>();

  get(pattern: string, handler: TransportHandler): this { this.routes.set(`get ${pattern}`, handler); return this; }
  head(pattern: string, handler: TransportHandler): this { this.routes.set(`head ${pattern}`, handler); return this; }
  post(pattern: string, handler: TransportHandler): this { this.routes.set(`post ${pattern}`, handler); return this; }
  any(pattern: string, handler: TransportHandler): this { this.routes.set(`any ${pattern}`, handler); return this; }
  ws<T>(pattern: string, behavior: TransportWsBehavior<T>): this {
    const wss = new WebSocketServer({ noServer: true, maxPayload: behavior.maxPayloadLength, perMessageDeflate: false });
    this.wsRoutes.set(pattern, { behavior: behavior as TransportWsBehavior<unknown>, wss });
    return this;
  }

  /** Exact path for the method, exact path for any method, then "/*" likewise (uWS's precedence). */
  private find(method: string, path: string): TransportHandler {
    return this.routes.get(`${method} ${path}`) ?? this.routes.get(`any ${path}`)
      ?? this.routes.get(`${method} /*`) ?? this.routes.get('any /*') ?? NOT_FOUND;
  }

  private static split(url: string | undefined): { path: string; query: string } {
    const raw = url ?? '/';
    const q = raw.indexOf('?');
    return q < 0 ? { path: raw, query: '' } : { path: raw.slice(0, q), query: raw.slice(q + 1) };
  }

  onRequest(req: IncomingMessage, res: ServerResponse): void {
    const { path, query } = NodeApp.split(req.url);
    const r = new NodeResponse(req, res);
    try {
      this.find((req.method ?? 'GET').toLowerCase(), path)(r, new NodeRequest(req, path, query));
    } catch {
      r.writeStatus('500 Internal Server Error').end('', true);
    }
  }

  onUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    const { path, query } = NodeApp.split(req.url);
    const request = new NodeRequest(req, path, query);
    const route = this.wsRoutes.get(path);
    if (route === undefined) {
      // not a WebSocket route: answered by the HTTP routes, then closed
      const r = new NodeUpgradeResponse(req, socket, () => { socket.destroy(); });
      try { this.find(request.getMethod(), path)(r, request); } catch { r.writeStatus('500 Internal Server Error').end(''); }
      return;
    }
    const { behavior, wss } = route;
    const remote = addressBytes(req.socket.remoteAddress);
    const accept = (userData: unknown): void => {
      wss.handleUpgrade(req, socket, head, (ws) => { this.open(ws, behavior, userData, remote); });
    };
    const r = new NodeUpgradeResponse(req, socket, accept);
    try {
      behavior.upgrade(r, request, null);
    } catch {
      r.writeStatus('500 Internal Server Error').end('');
    }
  }

  private open(ws: WsSocket, behavior: TransportWsBehavior<unknown>, userData: unknown, remote: ArrayBuffer): void {
    ws.binaryType = 'arraybuffer';
    const w = new NodeWebSocket(ws, userData, remote);
    let alive = true;
    let closed = false;
    let tooBig = false;
    let timer: NodeJS.Timeout | null = null;
    const fireClose = (code: number, reason: string): void => {
      if (closed) return;
      closed = true;
      if (timer !== null) clearInterval(timer);
      const b = Buffer.from(reason);
      behavior.close(w, code, b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) as ArrayBuffer);
    };
    w.onEnd = fireClose;
    if (behavior.idleTimeout > 0) {
      // silent for idleTimeout: pinged half-way, closed if still silent
      timer = setInterval(() => {
        if (!alive) { ws.terminate(); return; }
        alive = false;
        if (behavior.sendPingsAutomatically !== false) ws.ping();
      }, (behavior.idleTimeout * 1000) / 2);
      timer.unref();
    }
    ws.on('pong', () => { alive = true; });
    // a message over maxPayload: ws sends 1009 and stops reading; the close follows
    ws.on('error', (e: Error & { code?: string }) => { if (e.code === 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH') tooBig = true; });
    ws.on('message', (data: ArrayBuffer, isBinary: boolean) => {
      if (closed) return;
      alive = true;
      behavior.message(w, data, isBinary);
    });
    ws.on('close', (code: number, reason: Buffer) => {
      if (tooBig) fireClose(1009, 'message too big');
      else fireClose(code, reason.toString('utf8'));
    });
    behavior.open(w);
  }

  get hasWebSockets(): boolean { return this.wsRoutes.size > 0; }
}

export function nodeHttpTransport(): Transport {
  return {
    name: 'node',
    app: () => new NodeApp(),
    listen: (app, host, port, what): Promise<TransportListener> => {
      if (!(app instanceof NodeApp)) return Promise.reject(new TypeError('the node:http transport listens with its own app'));
      const server: Server = createServer((req, res) => app.onRequest(req, res));
      // an idle kept-alive connection is closed after 65 s, not Node's default 5 s, which is shorter
      // than the idle time many clients and proxies keep a connection for reuse: a request sent on
      // it just as the server closes it is reset
      server.keepAliveTimeout = 65_000;
      server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => app.onUpgrade(req, socket, head));
      server.on('clientError', (_e, socket: Duplex) => { socket.destroy(); });
      return new Promise((resolve, reject) => {
        server.once('error', () => reject(listenError(what, host, port)));
        // exclusive: never share the port through the cluster module; node never sets SO_REUSEPORT unless asked
        server.listen({ host, port, exclusive: true }, () => {
          const bound = (server.address() as AddressInfo).port;
          let open = true;
          resolve({
            port: bound,
            close: () => {
              if (!open) return;
              open = false;
              server.close();
              server.closeIdleConnections();
            },
          });
        });
      });
    },
  };
}
