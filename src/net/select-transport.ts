// Which transport (src/net/transport.ts) the listeners of this process use.
//
//   SPREADCORE_HTTP=uws    uWebSockets.js; its native binding must load (else SPREADCORE_ERR_UWS_NATIVE)
//   SPREADCORE_HTTP=node   node:http (+ ws for WebSockets), whatever is installed
//   unset (or auto)        uws when uWebSockets.js ships a native binding for this
//                          Node.js (platform, arch, ABI), node:http otherwise
import { SpreadcoreError } from '../errors.js';
import type { Transport, TransportName } from './transport.js';
import { nodeHttpTransport } from './transport-node.js';
import { uwsTransport } from './transport-uws.js';
import { loadUws, uwsNativeBindingPath } from './uws.js';

const cache = new Map<TransportName, Transport>();

/** The transport SPREADCORE_HTTP asks for, else the automatic choice. */
export function transportName(env: NodeJS.ProcessEnv = process.env): TransportName {
  const v = (env.SPREADCORE_HTTP ?? '').trim().toLowerCase();
  if (v === 'uws' || v === 'node') return v;
  if (v !== '' && v !== 'auto') throw new SpreadcoreError('SPREADCORE_ERR_BAD_PARAM', `SPREADCORE_HTTP must be uws, node or auto, got ${JSON.stringify(env.SPREADCORE_HTTP)}`);
  return uwsNativeBindingPath() !== undefined ? 'uws' : 'node';
}

/** The transport by name (default: transportName()); one instance per name. */
export function selectTransport(name: TransportName = transportName()): Transport {
  let t = cache.get(name);
  if (t === undefined) {
    t = name === 'uws' ? uwsTransport(loadUws()) : nodeHttpTransport();
    cache.set(name, t);
  }
  return t;
}

/**
 * The start-up line about the transport when it is not uWS's native binding
 * (null when it is): why, and what serves instead.
 */
export function transportNotice(name: TransportName = transportName(), env: NodeJS.ProcessEnv = process.env): string | null {
  if (name === 'uws') return null;
  if (uwsNativeBindingPath() === undefined) return `uWebSockets.js has no native binding for Node ${process.version} (${process.platform}-${process.arch}, ABI ${process.versions.modules}): serving with node:http`;
  return `serving with node:http (SPREADCORE_HTTP=${env.SPREADCORE_HTTP ?? ''})`;
}
