// The HTTP and WebSocket transport under every listener of the process (the control
// API, its SSE stream, /metrics and the dashboard in src/gateway; the feed handler in
// src/feed/handler). Route handlers, access checks (src/net/access.ts), rate limits,
// HEAD handling, coded errors and the SSE hub's bounded writing are written once
// against the interfaces below; two implementations carry them:
//
//  - uws (transport-uws.ts): uWebSockets.js with its native binding. Its own request,
//    response, app and WebSocket objects already have this shape: nothing is wrapped
//    and nothing is allocated per request on top of uWS.
//  - node (transport-node.ts): node:http, and the `ws` package's WebSocketServer for
//    upgrades, for a Node.js the uWS build has no native binding for.
//
// The shape is uWS's (a subset of it), so the semantics are uWS's too: a request is
// read synchronously inside its callback; a response is answered once (writeStatus,
// writeHeader..., then end / endWithoutBody, or write... for a stream); write()
// returns false under backpressure and onWritable is called when the client drains;
// onAborted is called when the client goes away before the answer ended; a body
// arrives through onData(chunk, isLast).
//
// Selection: SPREADCORE_HTTP=uws|node forces one (uws without its binding is an error);
// otherwise uws when its native binding loads, else node.
import { SpreadcoreError } from '../errors.js';

export interface TransportRequest {
  /** A header by lower-case name ("" when absent). */
  getHeader(lowerCaseName: string): string;
  /** The path, without the query. */
  getUrl(): string;
  /** The raw query after "?" ("" or undefined when none). */
  getQuery(): string | undefined;
  /** The method in lower case. */
  getMethod(): string;
  /** The method as sent. */
  getCaseSensitiveMethod(): string;
}

export interface TransportResponse {
  writeStatus(status: string): TransportResponse;
  writeHeader(key: string, value: string): TransportResponse;
  /** Ends the answer with a body (its length is sent); closeConnection closes the connection after it. */
  end(body?: string | Uint8Array, closeConnection?: boolean): TransportResponse;
  /** Ends the answer without a body (HEAD, 304: a content-length header written before is kept). */
  endWithoutBody(): TransportResponse;
  /** Streams a chunk; false when the client is backed up (the chunk is kept and sent later). */
  write(chunk: string | Uint8Array): boolean;
  /** Groups the writes of `f` into one send. */
  cork(f: () => void): TransportResponse;
  onAborted(handler: () => void): TransportResponse;
  /** The body, chunk by chunk (the chunk's memory is only valid during the call). */
  onData(handler: (chunk: ArrayBuffer, isLast: boolean) => void): void;
  /** Called when a backed-up client drains; return false when writing hit backpressure again. */
  onWritable(handler: (offset: number) => boolean): TransportResponse;
  /** Closes the connection at once (no more answer). */
  close(): TransportResponse;
  /** The client's address as text (latin1 bytes). */
  getRemoteAddressAsText(): ArrayBuffer;
}

export type TransportHandler = (res: TransportResponse, req: TransportRequest) => void;

/** One WebSocket connection; T is the data given at upgrade. */
export interface TransportWebSocket<T> {
  getUserData(): T;
  /** Closes with a close frame. */
  end(code?: number, reason?: string): void;
  getRemoteAddressAsText(): ArrayBuffer;
}

/** An upgrade request's response: refuse it like any answer, or accept it with upgrade(). */
export interface TransportUpgradeResponse extends TransportResponse {
  upgrade<T>(userData: T, secWebSocketKey: string, secWebSocketProtocol: string, secWebSocketExtensions: string, context: unknown): void;
}

export interface TransportWsBehavior<T> {
  /** Largest message, bytes: a larger one closes the connection (uws: 1006 at the client; node: 1009). */
  maxPayloadLength: number;
  /** Close a connection silent for this long, s (0: never; pings are sent before). */
  idleTimeout: number;
  maxBackpressure?: number;
  sendPingsAutomatically?: boolean;
  upgrade: (res: TransportUpgradeResponse, req: TransportRequest, context: unknown) => void;
  open: (ws: TransportWebSocket<T>) => void;
  /** The message's memory is only valid during the call. */
  message: (ws: TransportWebSocket<T>, message: ArrayBuffer, isBinary: boolean) => void;
  close: (ws: TransportWebSocket<T>, code: number, message: ArrayBuffer) => void;
}

/** Routes: an exact path per method, or "/*" for anything else. */
export interface TransportApp {
  get(pattern: string, handler: TransportHandler): TransportApp;
  head(pattern: string, handler: TransportHandler): TransportApp;
  post(pattern: string, handler: TransportHandler): TransportApp;
  any(pattern: string, handler: TransportHandler): TransportApp;
  ws<T>(pattern: string, behavior: TransportWsBehavior<T>): TransportApp;
}

export interface TransportListener {
  readonly port: number;
  /** Stops listening (open connections are left to their owners). */
  close(): void;
}

export type TransportName = 'uws' | 'node';

export interface Transport {
  readonly name: TransportName;
  app(): TransportApp;
  /**
   * Listens on host:port with the port bound exclusively (a port in use fails, whoever
   * holds it); port 0 picks a free one. Rejects with SPREADCORE_ERR_LISTEN naming `what`.
   */
  listen(app: TransportApp, host: string, port: number, what: string): Promise<TransportListener>;
}

/** The SPREADCORE_ERR_LISTEN error of every transport. */
export function listenError(what: string, host: string, port: number): SpreadcoreError {
  const where = `${host.includes(':') ? `[${host}]` : host}:${port}`;
  return new SpreadcoreError('SPREADCORE_ERR_LISTEN',
    `${what} could not listen on ${where}: ${port === 0 ? 'no free port or the address is not on this machine' : 'the port is in use (or the address is not on this machine)'}`);
}
