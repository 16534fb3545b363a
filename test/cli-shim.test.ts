// bin/spreadcore.js without a build: one clear line telling how to build, exit 1.
import { describe, it, expect } from 'vitest';
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const BIN = fileURLToPath(new URL('../bin/spreadcore.js', import.meta.url));

describe('bin/spreadcore.js', () => {
  it('says to run npm run build when dist/ is missing', () => {
    const dir = mkdtempSync(join(tmpdir(), 'spreadcore-shim-'));
    try {
      mkdirSync(join(dir, 'bin'));
      // an ES module like the project's own bin/
      writeFileSync(join(dir, 'package.json'), '{"type":"module"}\n');
      copyFileSync(BIN, join(dir, 'bin', 'spreadcore.js'));
      const r = spawnSync(process.execPath, [join(dir, 'bin', 'spreadcore.js'), '--help'], { encoding: 'utf8' });
      expect(r.status).toBe(1);
      expect(r.stdout).toBe('');
      expect(r.stderr).toBe('spreadcore: dist/src/cli/main.js is missing: run npm run build\n');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

