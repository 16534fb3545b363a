import { availableParallelism } from 'node:os';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Tests run the debug build of the WASM module (assertions on).
    env: { SPREADCORE_WASM: 'debug' },
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // Most files wait on child processes, sockets and timers more than they compute: two at a
    // time on a 2-core machine take ~40% less time than one (the default there: cores − 1).
    maxWorkers: Math.max(2, availableParallelism() - 1),
  },
});
