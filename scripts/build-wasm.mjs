// Builds build/debug.wasm and build/release.wasm from assembly/ with asc.
// Each target is compiled into a private temporary folder and then renamed into
// place, so a test run that loads the module never sees a half-written file.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, renameSync, rmSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const asc = join(root, 'node_modules', 'assemblyscript', 'bin', 'asc.js');
const targets = process.argv.slice(2).length > 0 ? process.argv.slice(2) : ['debug', 'release'];
mkdirSync(join(root, 'build'), { recursive: true });

// The memory map's end decides where AssemblyScript may put its own data
// (--memoryBase) and how much memory the module has (initial = maximum, so it never
// grows). Both are derived from assembly/layout.ts so they cannot drift apart.
function layoutConstants() {
  const src = readFileSync(join(root, 'assembly', 'layout.ts'), 'utf8');
  const values = {};
  for (const m of src.matchAll(/^export const (\w+): i32 = ([^;]+);/gm)) {
    const expr = m[2];
    if (!/^[\w\s+\-*()<>|&x]+$/.test(expr)) throw new Error(`layout constant ${m[1]}: unsupported expression ${expr}`);
    values[m[1]] = Function(...Object.keys(values), `return (${expr});`)(...Object.values(values));
  }
  return values;
}
const layout = layoutConstants();
const PAGE = 65536;
const HEADROOM_PAGES = 64; // AssemblyScript static data and stack above the map
const memoryBase = Math.ceil(layout.LAYOUT_END / 16) * 16;
const pages = Math.ceil(memoryBase / PAGE) + HEADROOM_PAGES;
if (!Number.isSafeInteger(memoryBase) || pages > 65536) throw new Error(`memory map too large: ${memoryBase} bytes`);

for (const target of targets) {
  const tmp = mkdtempSync(join(root, 'build', `.tmp-${target}-`));
  const out = join(tmp, `${target}.wasm`);
  const args = [asc, 'assembly/index.ts', '--config', 'asconfig.json', '--target', target,
    '--outFile', out, '--textFile', join(tmp, `${target}.wat`),
    '--memoryBase', String(memoryBase), '--initialMemory', String(pages), '--maximumMemory', String(pages)];
  const started = Date.now();
  const r = spawnSync(process.execPath, args, { cwd: root, stdio: 'inherit' });
  if (r.status !== 0) {
    rmSync(tmp, { recursive: true, force: true });
    console.error(`wasm build failed for target ${target}`);
    process.exit(r.status ?? 1);
  }
  for (const f of readdirSync(tmp)) renameSync(join(tmp, f), join(root, 'build', f));
  rmSync(tmp, { recursive: true, force: true });
  console.log(`built build/${target}.wasm in ${Date.now() - started} ms (memory map ${(memoryBase / 2 ** 20).toFixed(1)} MiB, ${pages} pages)`);
}
