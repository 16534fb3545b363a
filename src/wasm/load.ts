// Loads the WebAssembly module once per build target and owns every view into
// its memory. Nothing else in the project touches memory.buffer.
import { readFileSync, existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as L from './layout.js';
import type { CoreExports } from './exports.js';
import { SpreadcoreError } from '../errors.js';

export type WasmTarget = 'debug' | 'release';

/** The instantiated module and its memory views. Memory never grows, so views never detach. */
export interface WasmCore {
  readonly target: WasmTarget;
  readonly exports: CoreExports;
  readonly memory: WebAssembly.Memory;
  readonly buffer: ArrayBuffer;
  readonly f64: Float64Array;
  readonly i32: Int32Array;
  readonly u8: Uint8Array;
}

const cache = new Map<WasmTarget, WasmCore>();

function findWasm(target: WasmTarget): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i++) {
    const p = join(dir, 'build', `${target}.wasm`);
    if (existsSync(p)) return p;
    dir = dirname(dir);
  }
  throw new SpreadcoreError('SPREADCORE_ERR_WASM_MISSING',
    `build/${target}.wasm not found: run "npm run build:wasm"`);
}

export function defaultTarget(): WasmTarget {
  return process.env['SPREADCORE_WASM'] === 'debug' ? 'debug' : 'release';
}

/**
 * A fresh, independent instance (own memory). Use for isolated state, e.g. one
 * per test or per worker; loadCore() returns the shared process-wide instance.
 */
export function instantiateCore(target: WasmTarget = defaultTarget()): WasmCore {
  const bytes = readFileSync(findWasm(target));
  const module = new WebAssembly.Module(bytes);
  const instance = new WebAssembly.Instance(module, {
    env: {
      abort(msg: number, file: number, line: number, col: number): never {
        throw new SpreadcoreError('SPREADCORE_ERR_WASM_ABORT', `wasm abort at ${line}:${col} (msg@${msg} file@${file})`);
      },
    },
  });
  const exports = instance.exports as unknown as CoreExports;
  const memory = exports.memory;
  const heapBase = exports.heapBase();
  if (heapBase < L.LAYOUT_END) {
    throw new SpreadcoreError('SPREADCORE_ERR_WASM_LAYOUT',
      `wasm static data at ${heapBase} overlaps the memory map ending at ${L.LAYOUT_END}`);
  }
  const buffer = memory.buffer;
  return {
    target, exports, memory, buffer,
    f64: new Float64Array(buffer),
    i32: new Int32Array(buffer),
    u8: new Uint8Array(buffer),
  };
}

/** The process-wide instance for a target, created on first use. */
export function loadCore(target: WasmTarget = defaultTarget()): WasmCore {
  let core = cache.get(target);
  if (core === undefined) {
    core = instantiateCore(target);
    cache.set(target, core);
  }
  return core;
}
