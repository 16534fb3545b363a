// Builds build/debug.wasm and build/release.wasm from assembly/ with asc.
// Each target is compiled into a private temporary folder and then renamed into
// place, so a test run that loads the module never sees a half-written file.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, renameSync, rmSync, mkdirSync, readdirSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const asc = join(root, 'node_modules', 'assemblyscript', 'bin', 'asc.js');
const targets = process.argv.slice(2).length > 0 ? process.argv.slice(2) : ['debug', 'release'];
mkdirSync(join(root, 'build'), { recursive: true });

for (const target of targets) {
  const tmp = mkdtempSync(join(root, 'build', `.tmp-${target}-`));
  const out = join(tmp, `${target}.wasm`);
  const args = [asc, 'assembly/index.ts', '--config', 'asconfig.json', '--target', target,
    '--outFile', out, '--textFile', join(tmp, `${target}.wat`)];
  const started = Date.now();
  const r = spawnSync(process.execPath, args, { cwd: root, stdio: 'inherit' });
  if (r.status !== 0) {
    rmSync(tmp, { recursive: true, force: true });
    console.error(`wasm build failed for target ${target}`);
    process.exit(r.status ?? 1);
  }
  for (const f of readdirSync(tmp)) renameSync(join(tmp, f), join(root, 'build', f));
  rmSync(tmp, { recursive: true, force: true });
  console.log(`built build/${target}.wasm in ${Date.now() - started} ms`);
}
