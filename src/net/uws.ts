// Loads uWebSockets.js and insists on its native binding: the package silently
// falls back to a slow pure-JS implementation when the binary does not match the
// Node.js ABI, which would make every latency figure meaningless.
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { SpreadcoreError } from '../errors.js';

const require = createRequire(import.meta.url);

export type Uws = typeof import('uWebSockets.js');

let cached: Uws | undefined;

export function isNativeUws(mod: Pick<Uws, 'App'>): boolean {
  return Function.prototype.toString.call(mod.App).includes('[native code]');
}

/**
 * The path of the native binding uWebSockets.js would load in this process (platform,
 * arch and the Node.js ABI), or undefined when the package ships none for it (or
 * UWS_USE_FALLBACK asks for its JS implementation). Looks, does not load.
 */
export function uwsNativeBindingPath(): string | undefined {
  if (/^(true|1)$/i.test(process.env.UWS_USE_FALLBACK ?? '')) return undefined;
  let root: string;
  try {
    root = dirname(require.resolve('uWebSockets.js/package.json'));
  } catch {
    return undefined;
  }
  const path = join(root, 'binaries', `uws_${process.platform}_${process.arch}_${process.versions.modules}.node`);
  return existsSync(path) ? path : undefined;
}

/** uWebSockets.js with its native binding; throws SPREADCORE_ERR_UWS_NATIVE otherwise. */
export function loadUws(): Uws {
  if (cached !== undefined) return cached;
  const mod = require('uWebSockets.js') as Uws;
  if (!isNativeUws(mod)) {
    throw new SpreadcoreError('SPREADCORE_ERR_UWS_NATIVE',
      `uWebSockets.js loaded its JS fallback, not the native binding for ${process.platform}-${process.arch} ABI ${process.versions.modules}; ` +
      'use Node.js 20 on Linux x64 (unset UWS_USE_FALLBACK), or the node:http transport (SPREADCORE_HTTP=node)');
  }
  cached = mod;
  return mod;
}
