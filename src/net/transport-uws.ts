// The uWebSockets.js transport (src/net/transport.ts): uWS's own objects, unwrapped.
import type { Uws } from './uws.js';
import { listenExclusive } from './listen.js';
import type { Transport, TransportApp, TransportListener } from './transport.js';

type TemplatedApp = import('uWebSockets.js').TemplatedApp;

export function uwsTransport(uws: Uws): Transport {
  return {
    name: 'uws',
    // uWS's app, request, response and WebSocket objects have the transport's shape
    app: () => uws.App() as unknown as TransportApp,
    listen: async (app, host, port, what): Promise<TransportListener> => {
      const b = await listenExclusive(uws, app as unknown as TemplatedApp, host, port, what);
      let open = true;
      return {
        port: b.port,
        close: () => {
          if (!open) return;
          open = false;
          uws.us_listen_socket_close(b.socket);
        },
      };
    },
  };
}
