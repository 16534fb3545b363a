// Memory is sized at start: after a million updates the buffer is the same object.
import { it, expect } from 'vitest';
import { instantiateCore } from '../src/wasm/load.js';
import { WasmBooks } from '../src/wasm/book-api.js';

it('the WASM memory buffer is the same object after 10^6 updates, including window moves', () => {
  const core = instantiateCore('release');
  const books = new WasmBooks(core);
  const buffer = core.memory.buffer;
  const bytes = buffer.byteLength;
  books.reset(0);
  let mid = 1_000_000;
  let x = 12345;
  for (let i = 0; i < 1_000_000; i++) {
    x = (x * 1103515245 + 12345) >>> 0;
    if (i % 100_000 === 0) mid += 1_000_000; // a far move every 100k updates
    const off = 1 + (x % 200);
    books.stageSet(0, i & 1, (i & 1) === 0 ? mid - off : mid + off, x % 5);
    if ((i & 63) === 63) books.flush();
  }
  books.flush();
  expect(books.updates(0)).toBeGreaterThanOrEqual(900_000);
  expect(books.recenters(0)).toBeGreaterThan(0);
  expect(core.memory.buffer).toBe(buffer);
  expect(core.memory.buffer.byteLength).toBe(bytes);
  expect(core.f64.buffer).toBe(buffer);
});
