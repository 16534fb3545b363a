// The dashboard's static files at GET / (docs/dashboard.md): the files directly in
// the package's web/ directory plus uPlot's script and stylesheet from node_modules,
// read once when the gateway starts listening.
//
//  - A fixed table of exact URL paths ("/", "/app.js", "/vendor/uPlot.iife.min.js", …)
//    is registered on the app (src/net/transport.ts); any other path falls through to the API's JSON 404.
//    Nothing in a request is ever joined to a file system path (no traversal).
//  - Each answer carries its content type, a strong ETag (304 on If-None-Match),
//    Cache-Control: no-cache, a strict Content-Security-Policy (scripts, styles and
//    connections to this origin only; no inline script or style elements),
//    X-Content-Type-Options: nosniff, X-Frame-Options: DENY and Referrer-Policy: no-referrer.
//  - The Host check of the API applies (DNS rebinding); the bearer token does not: the
//    page holds no data and asks the user for the token when the API answers 401.
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { statusLine } from './http-errors.js';

import type { TransportApp as TemplatedApp, TransportRequest as HttpRequest, TransportResponse as HttpResponse } from '../net/transport.js';

export const DASHBOARD_CSP = [
  "default-src 'none'", "script-src 'self'", "style-src 'self'", "img-src 'self' data:", "font-src 'self'",
  "connect-src 'self'", "base-uri 'none'", "form-action 'none'", "frame-ancestors 'none'",
].join('; ');

const CONTENT_TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
};

export interface StaticFile { readonly body: Buffer; readonly contentType: string; readonly etag: string }

/** The package root: the nearest directory above this module holding web/index.html and package.json. */
export function findWebDir(from = dirname(fileURLToPath(import.meta.url))): string | undefined {
  let dir = from;
  for (let i = 0; i < 6; i++) {
    if (existsSync(join(dir, 'package.json')) && existsSync(join(dir, 'web', 'index.html'))) return join(dir, 'web');
    const up = dirname(dir);
    if (up === dir) break;
    dir = up;
  }
  return undefined;
}

function staticFile(path: string): StaticFile {
  const body = readFileSync(path);
  const contentType = CONTENT_TYPES[extname(path)] ?? 'application/octet-stream';
  return { body, contentType, etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 27)}"` };
}

/** URL path → file: "/" and "/<name>" for each html/js/css/svg file directly in web/, and "/vendor/<uPlot file>". */
export function dashboardFiles(webDir = findWebDir()): Map<string, StaticFile> {
  const files = new Map<string, StaticFile>();
  if (webDir === undefined) return files;
  for (const name of readdirSync(webDir)) {
    if (!/^[a-z0-9][a-z0-9._-]*$/i.test(name) || CONTENT_TYPES[extname(name)] === undefined) continue;
    const full = join(webDir, name);
    if (!statSync(full).isFile()) continue;
    files.set(`/${name}`, staticFile(full));
  }
  const index = files.get('/index.html');
  if (index !== undefined) files.set('/', index);
  const require = createRequire(import.meta.url);
  for (const name of ['uPlot.iife.min.js', 'uPlot.min.css']) {
    files.set(`/vendor/${name}`, staticFile(require.resolve(`uplot/dist/${name}`)));
  }
  return files;
}

export interface StaticMountOptions {
  /** The Host header check of the API; false answers 403. */
  hostAllowed: (host: string) => boolean;
  /** The files to serve (default: dashboardFiles()). */
  files?: Map<string, StaticFile>;
}

/** Registers GET and HEAD for every dashboard path on the app; returns how many paths. */
export function mountDashboard(app: TemplatedApp, options: StaticMountOptions): number {
  const files = options.files ?? dashboardFiles();
  for (const [path, file] of files) {
    const answer = (head: boolean) => (res: HttpResponse, req: HttpRequest): void => {
      const host = req.getHeader('host');
      const ifNoneMatch = req.getHeader('if-none-match');
      try {
        if (!options.hostAllowed(host)) {
          res.cork(() => {
            res.writeStatus(statusLine(403)).writeHeader('content-type', 'application/json').writeHeader('x-content-type-options', 'nosniff')
              .end(JSON.stringify({ ok: false, error: { code: 'SPREADCORE_ERR_FORBIDDEN', message: 'the Host header must name this machine' } }));
          });
          return;
        }
        const fresh = ifNoneMatch !== '' && ifNoneMatch.split(',').some((t) => t.trim().replace(/^W\//, '') === file.etag);
        res.cork(() => {
          writeHeaders(res, fresh ? '304 Not Modified' : statusLine(200), file);
          if (fresh) res.endWithoutBody();
          // HEAD: the GET's headers and length, no body (this uWS build aborts on endWithoutBody(length)
          // and sends the body on end() even for HEAD, so the length is a header of ours)
          else if (head) res.writeHeader('content-length', String(file.body.length)).endWithoutBody();
          else res.end(file.body);
        });
      } catch {
        // the client went away mid-answer; nothing to do
      }
    };
    app.get(path, answer(false));
    app.head(path, answer(true));
  }
  return files.size;
}

function writeHeaders(res: HttpResponse, status: string, file: StaticFile): void {
  res.writeStatus(status)
    .writeHeader('content-type', file.contentType)
    .writeHeader('etag', file.etag)
    .writeHeader('cache-control', 'no-cache')
    .writeHeader('content-security-policy', DASHBOARD_CSP)
    .writeHeader('x-content-type-options', 'nosniff')
    .writeHeader('x-frame-options', 'DENY')
    .writeHeader('referrer-policy', 'no-referrer');
}
