import { it, expect } from 'vitest';
import { createRequire } from 'node:module';
import { loadUws, isNativeUws, uwsNativeBindingPath } from '../src/net/uws.js';

// uWebSockets.js ships bindings for some Node.js ABIs only; elsewhere the node:http transport serves (test/net-transport.test.ts)
it.skipIf(uwsNativeBindingPath() === undefined)('uWebSockets.js loads its native binding, and the JS fallback is recognised', () => {
  const uws = loadUws();
  expect(isNativeUws(uws)).toBe(true);
  const fallback = createRequire(import.meta.url)('uWebSockets.js/dist/index.js') as Parameters<typeof isNativeUws>[0];
  expect(isNativeUws(fallback)).toBe(false);
});
