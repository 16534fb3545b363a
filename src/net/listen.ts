// Binding a uWS app to its port, exclusively.
//
// uWS binds with SO_REUSEPORT unless told otherwise: a second process on a port
// that is in use would then start anyway and the kernel would share connections
// between the two. Every listener of the process binds with
// LIBUS_LISTEN_EXCLUSIVE_PORT, so a taken port fails the bind (and the command
// exits 1) whichever process came first.
import { listenError } from './transport.js';
import type { Uws } from './uws.js';

type TemplatedApp = import('uWebSockets.js').TemplatedApp;
type ListenSocket = import('uWebSockets.js').us_listen_socket;

/** uWS listen option: no SO_REUSEPORT. */
export const LIBUS_LISTEN_EXCLUSIVE_PORT = 1;

/** The native listen(host, port, options, cb), which this build's typings leave out. */
type ListenWithOptions = (host: string, port: number, options: number, cb: (ls: ListenSocket | false) => void) => TemplatedApp;

export interface Bound { socket: ListenSocket; port: number }

/**
 * Listens on host:port with an exclusive port; resolves with the socket and the
 * bound port (port 0 picks a free one). Rejects with SPREADCORE_ERR_LISTEN naming
 * `what`, the address and the likely cause when the port cannot be bound.
 */
export function listenExclusive(uws: Uws, app: TemplatedApp, host: string, port: number, what: string): Promise<Bound> {
  return new Promise((resolve, reject) => {
    (app.listen as unknown as ListenWithOptions).call(app, host, port, LIBUS_LISTEN_EXCLUSIVE_PORT, (ls) => {
      if (ls === false) {
        reject(listenError(what, host, port));
        return;
      }
      resolve({ socket: ls, port: uws.us_socket_local_port(ls as unknown as import('uWebSockets.js').us_socket) });
    });
  });
}
