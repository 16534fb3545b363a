#!/usr/bin/env node
// The `spreadcore` command. The code lives in the compiled output under dist/.
import { existsSync } from 'node:fs';

const entry = new URL('../dist/src/cli/main.js', import.meta.url);

if (!existsSync(entry)) {
  process.stderr.write('spreadcore: dist/src/cli/main.js is missing: run npm run build\n');
  process.exitCode = 1;
} else {
  try {
    const { runFromProcess } = await import(entry.href);
    await runFromProcess();
  } catch (e) {
    const msg = e instanceof Error ? e.message : String(e);
    process.stderr.write(`spreadcore: internal error: ${msg.split('\n')[0]} (set SPREADCORE_DEBUG=1 for details)\n`);
    if (process.env.SPREADCORE_DEBUG === '1' && e instanceof Error && e.stack) process.stderr.write(`${e.stack}\n`);
    process.exitCode = 1;
  }
}
