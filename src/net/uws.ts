// Loads uWebSockets.js and insists on its native binding: the package silently
// falls back to a slow pure-JS implementation when the binary does not match the
// Node.js ABI, which would make every latency figure meaningless.
import { createRequire } from 'node:module';
import { SpreadcoreError } from '../errors.js';

const require = createRequire(import.meta.url);

export type Uws = typeof import('uWebSockets.js');

let cached: Uws | undefined;

export function isNativeUws(mod: Pick<Uws, 'App'>): boolean {
  return Function.prototype.toString.call(mod.App).includes('[native code]');
}

/** uWebSockets.js with its native binding; throws SPREADCORE_ERR_UWS_NATIVE otherwise. */
export function loadUws(): Uws {
  if (cached !== undefined) return cached;
  const mod = require('uWebSockets.js') as Uws;
  if (!isNativeUws(mod)) {
    throw new SpreadcoreError('SPREADCORE_ERR_UWS_NATIVE',
      `uWebSockets.js loaded its JS fallback, not the native binding for ${process.platform}-${process.arch} ABI ${process.versions.modules}; ` +
      'use Node.js 20 on Linux x64 (unset UWS_USE_FALLBACK)');
  }
  cached = mod;
  return mod;
}
