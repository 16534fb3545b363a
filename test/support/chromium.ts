// The one Chromium launcher of the browser tests, driven by playwright-core (which
// downloads no browser). Which browser it starts is chosen by SPREADCORE_CHROMIUM:
//
//   auto     (the default) Debian's Chromium at /usr/bin/chromium when it is there,
//            else the bundled one
//   system   Debian's Chromium at /usr/bin/chromium only (`apt-get install chromium`)
//   bundled  the headless Chromium shipped inside the @sparticuz/chromium package, which
//            `npm install` brings from the npm registry (nothing else is downloaded)
//   /a/path  that executable
//
// The bundled browser is brotli-compressed in the package; the first launch unpacks it,
// with the shared libraries it needs beyond glibc (NSS, NSPR, expat) and a font, into
// node_modules/.cache/spreadcore-chromium/<version>/ (atomically: test files running in
// parallel workers unpack into their own temporary folders and the first rename wins).
// It is then started with those libraries first on LD_LIBRARY_PATH, a fontconfig file of
// its own and an en_US locale, so it runs on a Debian machine with nothing installed but
// Node and npm.
//
// Flags for this machine: no sandbox (tests run as root), no GPU, no background
// connections to Google's hosts (a closed network refuses them).
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { brotliDecompressSync } from 'node:zlib';
import { chromium, type Browser } from 'playwright-core';

export const SYSTEM_CHROMIUM_PATH = '/usr/bin/chromium';
export const CHROMIUM_ARGS: readonly string[] = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'];

export type ChromiumChoice = 'auto' | 'system' | 'bundled';

export interface ChromiumExecutable {
  /** Which browser was chosen: Debian's or the one from the npm package (or a given path). */
  kind: 'system' | 'bundled' | 'path';
  executablePath: string;
  /** Extra environment for the browser process (the bundled one's libraries and fonts). */
  env: Record<string, string>;
}

const PACKAGE = '@sparticuz/chromium';
const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

function packageDir(): string {
  const require = createRequire(join(repoRoot, 'package.json'));
  let entry: string;
  try {
    entry = require.resolve(PACKAGE);
  } catch {
    throw new Error(`the bundled Chromium needs the devDependency ${PACKAGE}: run npm install`);
  }
  // .../@sparticuz/chromium/build/cjs/index.cjs → the package folder
  let dir = dirname(entry);
  while (!existsSync(join(dir, 'package.json'))) {
    const up = dirname(dir);
    if (up === dir) throw new Error(`cannot find the folder of ${PACKAGE} from ${entry}`);
    dir = up;
  }
  return dir;
}

function untarBrotli(file: string, into: string): void {
  mkdirSync(into, { recursive: true });
  execFileSync('tar', ['-x', '--no-same-owner', '-f', '-', '-C', into], { input: brotliDecompressSync(readFileSync(file)), stdio: ['pipe', 'ignore', 'pipe'] });
}

/** Unpacks the bundled Chromium once per package version; returns its folder. */
export function unpackBundledChromium(): string {
  const pkg = packageDir();
  const version = (JSON.parse(readFileSync(join(pkg, 'package.json'), 'utf8')) as { version: string }).version;
  const cacheRoot = join(repoRoot, 'node_modules', '.cache', 'spreadcore-chromium');
  const target = join(cacheRoot, version);
  if (existsSync(join(target, 'chromium'))) return target;
  const bin = join(pkg, 'bin');
  const tmp = join(cacheRoot, `${version}.tmp-${process.pid}-${Math.random().toString(36).slice(2)}`);
  try {
    mkdirSync(tmp, { recursive: true });
    writeFileSync(join(tmp, 'chromium'), brotliDecompressSync(readFileSync(join(bin, 'chromium.br'))), { mode: 0o755 });
    untarBrotli(join(bin, 'al2023.tar.br'), tmp); // lib/libnss3.so, libnspr4.so, libexpat.so.1, …
    untarBrotli(join(bin, 'fonts.tar.br'), tmp); // fonts/Open_Sans/*.ttf (its fonts.conf is replaced below)
    writeFileSync(
      join(tmp, 'fonts.conf'),
      [
        '<?xml version="1.0"?>',
        '<!DOCTYPE fontconfig SYSTEM "fonts.dtd">',
        '<fontconfig>',
        `  <dir>${join(target, 'fonts')}</dir>`,
        '  <dir>/usr/share/fonts</dir>',
        '  <dir>/usr/local/share/fonts</dir>',
        `  <cachedir>${join(target, 'fonts-cache')}</cachedir>`,
        '</fontconfig>',
        '',
      ].join('\n'),
    );
    try {
      renameSync(tmp, target);
    } catch (error) {
      // another worker renamed its copy first: use that one
      if (!existsSync(join(target, 'chromium'))) throw error;
    }
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
  return target;
}

function bundled(): ChromiumExecutable {
  const dir = unpackBundledChromium();
  const lib = join(dir, 'lib');
  const inherited = process.env.LD_LIBRARY_PATH;
  return {
    kind: 'bundled',
    executablePath: join(dir, 'chromium'),
    env: {
      LD_LIBRARY_PATH: inherited ? `${lib}:${inherited}` : lib,
      FONTCONFIG_FILE: join(dir, 'fonts.conf'),
      // This build takes its language from the locale variables alone (--lang is ignored):
      // under LANG=C it reports navigator.language 'en-US@posix', which Intl refuses.
      LANG: 'en_US.UTF-8',
      LC_ALL: 'en_US.UTF-8',
    },
  };
}

function system(): ChromiumExecutable {
  if (!existsSync(SYSTEM_CHROMIUM_PATH)) {
    throw new Error(`SPREADCORE_CHROMIUM=system but ${SYSTEM_CHROMIUM_PATH} is missing (apt-get install chromium)`);
  }
  return { kind: 'system', executablePath: SYSTEM_CHROMIUM_PATH, env: {} };
}

/** The browser SPREADCORE_CHROMIUM (or `choice`) names; see the top of this file. */
export function chromiumExecutable(choice: string = process.env.SPREADCORE_CHROMIUM || 'auto'): ChromiumExecutable {
  if (choice === 'bundled') return bundled();
  if (choice === 'system') return system();
  if (choice === 'auto') return existsSync(SYSTEM_CHROMIUM_PATH) ? system() : bundled();
  if (choice.startsWith('/')) {
    if (!existsSync(choice)) throw new Error(`SPREADCORE_CHROMIUM=${choice}: no such file`);
    return { kind: 'path', executablePath: choice, env: {} };
  }
  throw new Error(`SPREADCORE_CHROMIUM=${choice}: expected auto, system, bundled or an absolute path`);
}

export function launchChromium(timeoutMs = 30_000): Promise<Browser> {
  const exe = chromiumExecutable();
  const env: Record<string, string> = {};
  for (const [name, value] of Object.entries(process.env)) if (value !== undefined) env[name] = value;
  Object.assign(env, exe.env);
  return chromium.launch({ executablePath: exe.executablePath, args: [...CHROMIUM_ARGS], env, timeout: timeoutMs });
}
