// The node:http transport (src/net/transport.ts): node:http for requests and the `ws`
// package's WebSocketServer for upgrades, for a Node.js that uWebSockets.js has no
// native binding for. Each request gets a small adapter with the transport's (uWS's)
// shape, so the handlers behave the same on both:
//  - headers are collected by writeStatus/writeHeader and sent with the first write or
//    the end; end(body) sends the body's length (no chunked encoding for a whole answer);
//  - endWithoutBody() keeps a content-length written before (HEAD) and sends no body;
//  - write() returns node's backpressure signal and onWritable runs on 'drain';
//  - onAborted runs when the connection closes before the answer ended (close() too);
//  - an upgrade request is answered on its raw socket, or handed to the WebSocketServer
//    by upgrade(); a message over maxPayloadLength closes the connection with 1009;
//    a connection silent for idleTimeout is pinged, then closed.
// The port is bound with exclusive: true and without SO_REUSEPORT (node's default): a
// port in use fails listen() with SPREADCORE_ERR_LISTEN.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import type { AddressInfo } from 'node:net';
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

  write(chunk: string | Uint8Array): boolean {
    if (this.ended || this.aborted) return true;
    this.sendHead();
    this.written += typeof chunk === 'string' ? Buffer.byteLength(chunk) : chunk.byteLength;
    return this.res.write(chunk);
  }

  cork(f: () => void): this {
    this.res.cork();
    try {
      f();
    } finally {
      this.res.uncork();
    }
    return this;
  }

  onWritable(handler: (offset: number) => boolean): this {
    this.res.on('drain', () => { if (!this.ended && !this.aborted) handler(this.written); });
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
  constructor(readonly socket: WsSocket, private readonly data: T, private readonly remote: ArrayBuffer) {}
  getUserData(): T { return this.data; }
  end(code?: number, reason?: string): void { this.socket.close(code, reason); }
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
    let timer: NodeJS.Timeout | null = null;
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
    ws.on('error', () => { /* the close follows (1009 for a message over maxPayloadLength) */ });
    ws.on('message', (data: ArrayBuffer, isBinary: boolean) => {
      alive = true;
      behavior.message(w, data, isBinary);
    });
    ws.on('close', (code: number, reason: Buffer) => {
      if (timer !== null) clearInterval(timer);
      behavior.close(w, code, reason.buffer.slice(reason.byteOffset, reason.byteOffset + reason.byteLength) as ArrayBuffer);
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
