// The control API's GET routes served by node:http instead of uWS, for the gateway
// benchmark only: the same route table (API_ROUTES, matchRoute), the same handler
// functions over the same TradingEngine, the same Host check, the same JSON
// serialisation and the same response headers as Gateway. What differs is the HTTP
// layer alone (parsing, routing into the callback, writing the response).
//
// Requests with a body are refused (501): the benchmark times GETs only, and the
// gateway's body handling (limits, content type, JSON checks) is not reproduced here.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { TradingEngine } from '../../src/engine/trading-engine.js';
import { isLoopbackHost } from '../../src/feed/handler/bearer-auth.js';
import { HttpError, toHttpError } from '../../src/gateway/http-errors.js';
import { API_ROUTES, matchRoute } from '../../src/gateway/routes-api.js';
import { hostName } from '../../src/gateway/gateway.js';

export interface NodeHttpGateway {
  readonly server: Server;
  readonly port: number;
  close(): Promise<void>;
}


function send(res: ServerResponse, status: number, body: string, extra: readonly [string, string][] = []): void {
  const headers: Record<string, string | number> = {
    'content-type': 'application/json', 'cache-control': 'no-store', 'x-content-type-options': 'nosniff',
    'content-length': Buffer.byteLength(body),
  };
  for (const [k, v] of extra) headers[k] = v;
  res.writeHead(status, headers);
  res.end(body);
}

/** Listens on 127.0.0.1:port (0 = any free port). */
export async function startNodeHttpGateway(engine: TradingEngine, port = 0, health: () => Record<string, unknown> = () => ({ ok: true })): Promise<NodeHttpGateway> {
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    try {
      const method = (req.method ?? 'GET').toUpperCase();
      const raw = req.url ?? '/';
      const q = raw.indexOf('?');
      const path = q < 0 ? raw : raw.slice(0, q);
      const rawQuery = q < 0 ? '' : raw.slice(q + 1);
      const name = hostName(req.headers.host ?? '');
      if (name !== '' && !isLoopbackHost(name)) throw new HttpError(403, 'SPREADCORE_ERR_FORBIDDEN', 'the Host header must name this machine');
      if (method !== 'GET' && method !== 'HEAD') {
        send(res, 501, JSON.stringify({ ok: false, error: { code: 'NOT_IMPLEMENTED', message: 'this benchmark server answers GET only' } }));
        return;
      }
      const match = matchRoute(API_ROUTES, method, path.length > 1 && path.endsWith('/') ? path.slice(0, -1) : path);
      const query = new URLSearchParams(rawQuery);
      const a = match.route.handle({ engine, params: match.params, query, body: undefined, health });
      send(res, a.status, JSON.stringify(a.body));
    } catch (e) {
      const h = toHttpError(e);
      send(res, h.status, JSON.stringify(h.body), h.headers);
    }
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  const bound = (server.address() as AddressInfo).port;
  return {
    server, port: bound,
    close: () => new Promise((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }),
  };
}
