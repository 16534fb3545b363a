// The browser tests' launcher: SPREADCORE_CHROMIUM picks Debian's Chromium or the one
// npm installed (@sparticuz/chromium), which it unpacks with the libraries it needs.
import { describe, it, expect } from 'vitest';
import { accessSync, constants, existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { chromiumExecutable, SYSTEM_CHROMIUM_PATH, unpackBundledChromium } from './support/chromium.js';

describe('Chromium launcher', () => {
  it('bundled: an executable Chromium with NSS, NSPR and expat beside it, a fontconfig file and an en_US locale', () => {
    const exe = chromiumExecutable('bundled');
    expect(exe.kind).toBe('bundled');
    accessSync(exe.executablePath, constants.X_OK);
    const dir = unpackBundledChromium();
    expect(exe.executablePath).toBe(join(dir, 'chromium'));
    for (const lib of ['libnss3.so', 'libnspr4.so', 'libexpat.so.1']) expect(existsSync(join(dir, 'lib', lib)), lib).toBe(true);
    expect(exe.env['LD_LIBRARY_PATH']!.split(':')[0]).toBe(join(dir, 'lib'));
    expect(readFileSync(exe.env['FONTCONFIG_FILE']!, 'utf8')).toContain(`<dir>${join(dir, 'fonts')}</dir>`);
    expect(exe.env['LANG']).toBe('en_US.UTF-8');
    // a second call finds the unpacked copy
    expect(unpackBundledChromium()).toBe(dir);
  });

  it('auto takes Debian\'s Chromium when it is installed, else the bundled one', () => {
    expect(chromiumExecutable('auto').kind).toBe(existsSync(SYSTEM_CHROMIUM_PATH) ? 'system' : 'bundled');
  });

  it('system without /usr/bin/chromium, a missing path and an unknown choice are errors that say so', () => {
    if (!existsSync(SYSTEM_CHROMIUM_PATH)) expect(() => chromiumExecutable('system')).toThrow(/apt-get install chromium/);
    expect(() => chromiumExecutable('/nonexistent/chrome')).toThrow(/no such file/);
    expect(() => chromiumExecutable('firefox')).toThrow(/expected auto, system, bundled or an absolute path/);
  });
});
