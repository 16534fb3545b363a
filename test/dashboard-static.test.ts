// The dashboard's files at GET / from a real gateway: content types, ETag and 304,
// Cache-Control, the Content-Security-Policy and nosniff; uPlot served from
// node_modules; every other path (traversal attempts sent raw over a socket, encoded
// dots, directories, wrong case) the API's JSON 404; the Host check; the page needs
// no token while the API does; web/ found from the compiled location (dist/src/gateway).
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { TradingEngine } from '../src/engine/index.js';
import { Gateway } from '../src/gateway/index.js';
import { DASHBOARD_CSP, dashboardFiles, findWebDir } from '../src/gateway/routes-static.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const TOKEN = 'dashboard-static-test-token-0123';

const cleanup: (() => void)[] = [];
afterEach(() => { for (const f of cleanup.splice(0).reverse()) f(); });

async function gateway(token?: string): Promise<{ base: string; port: number; engine: TradingEngine }> {
  const engine = new TradingEngine();
  cleanup.push(() => engine.close());
  const gw = new Gateway(engine, { port: 0, ...(token !== undefined ? { token } : {}) });
  const port = await gw.listen();
  cleanup.push(() => gw.close());
  return { base: `http://127.0.0.1:${port}`, port, engine };
}

/** One raw HTTP/1.1 request (fetch would normalise "/../" away); the status line, headers and body. */
function raw(port: number, path: string, headers: Record<string, string> = {}): Promise<{ status: number; head: string; body: string }> {
  return new Promise((resolve, reject) => {
    const s = connect(port, '127.0.0.1');
    let data = '';
    const timer = setTimeout(() => { s.destroy(); reject(new Error(`no answer for ${path}: ${data}`)); }, 5000);
    s.on('connect', () => {
      const h = { host: `127.0.0.1:${port}`, connection: 'close', ...headers };
      s.write(`GET ${path} HTTP/1.1\r\n${Object.entries(h).map(([k, v]) => `${k}: ${v}\r\n`).join('')}\r\n`);
    });
    s.on('data', (b) => { data += b.toString('latin1'); });
    s.on('error', (e) => { clearTimeout(timer); reject(e); });
    s.on('close', () => {
      clearTimeout(timer);
      const split = data.indexOf('\r\n\r\n');
      const head = split < 0 ? data : data.slice(0, split);
      resolve({ status: Number(/^HTTP\/1\.1 (\d{3})/.exec(head)?.[1] ?? 0), head: head.toLowerCase(), body: split < 0 ? '' : data.slice(split + 4) });
    });
  });
}

describe('dashboard static files', () => {
  it('GET / is the page with its security headers; the ETag gives 304; scripts and styles have their types', async () => {
    const { base } = await gateway();
    const r = await fetch(`${base}/`);
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(r.headers.get('cache-control')).toBe('no-cache');
    expect(r.headers.get('x-content-type-options')).toBe('nosniff');
    expect(r.headers.get('x-frame-options')).toBe('DENY');
    const csp = r.headers.get('content-security-policy')!;
    expect(csp).toBe(DASHBOARD_CSP);
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("style-src 'self'");
    expect(csp).toContain("default-src 'none'");
    expect(csp).not.toContain('unsafe-inline');
    const html = await r.text();
    expect(html).toBe(readFileSync(join(ROOT, 'web/index.html'), 'utf8'));
    // no inline script or style in the page (the CSP would refuse them)
    expect(html).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);
    expect(html).not.toMatch(/<style|\sstyle=|\son[a-z]+=/i);

    const etag = r.headers.get('etag')!;
    expect(etag).toMatch(/^"[A-Za-z0-9_-]{27}"$/);
    const again = await fetch(`${base}/`, { headers: { 'if-none-match': etag } });
    expect(again.status).toBe(304);
    expect(await again.text()).toBe('');
    expect(again.headers.get('etag')).toBe(etag);
    expect((await fetch(`${base}/`, { headers: { 'if-none-match': '"other"' } })).status).toBe(200);

    // HEAD: the GET's status and headers (its length too), no body
    const head = await fetch(`${base}/`, { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(head.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(head.headers.get('etag')).toBe(etag);
    expect(head.headers.get('content-length')).toBe(String(Buffer.byteLength(html)));
    expect(await head.text()).toBe('');

    for (const [path, type, file] of [
      ['/index.html', 'text/html; charset=utf-8', 'web/index.html'],
      ['/app.js', 'text/javascript; charset=utf-8', 'web/app.js'],
      ['/stream.js', 'text/javascript; charset=utf-8', 'web/stream.js'],
      ['/style.css', 'text/css; charset=utf-8', 'web/style.css'],
      ['/favicon.svg', 'image/svg+xml', 'web/favicon.svg'],
      ['/vendor/uPlot.iife.min.js', 'text/javascript; charset=utf-8', 'node_modules/uplot/dist/uPlot.iife.min.js'],
      ['/vendor/uPlot.min.css', 'text/css; charset=utf-8', 'node_modules/uplot/dist/uPlot.min.css'],
    ] as const) {
      const a = await fetch(base + path);
      expect(a.status, path).toBe(200);
      expect(a.headers.get('content-type'), path).toBe(type);
      expect(a.headers.get('x-content-type-options'), path).toBe('nosniff');
      const body = Buffer.from(await a.arrayBuffer());
      expect(body.equals(readFileSync(join(ROOT, file))), path).toBe(true);
      expect(a.headers.get('etag'), path).toBe(`"${createHash('sha256').update(body).digest('base64url').slice(0, 27)}"`);
    }
    // a query string is ignored
    expect((await fetch(`${base}/app.js?v=2`)).status).toBe(200);
  });

  it('every other path is the JSON 404, traversal attempts included, and nothing outside the table is read', async () => {
    const { port } = await gateway();
    const paths = [
      '/../package.json', '/..%2fpackage.json', '/%2e%2e/package.json', '/%2E%2E%2Fpackage.json', '/web/index.html',
      '/vendor/../package.json', '/vendor/%2e%2e/%2e%2e/package.json', '/vendor/uPlot.js', '/vendor/', '/vendor',
      '/./index.html', '//index.html', '/index.html/', '/INDEX.HTML', '/app.js%00.html', '/app.js/..', '/..',
      '/node_modules/uplot/dist/uPlot.min.css', '/src/gateway/routes-static.ts', '/dist/src/cli/main.js', '/README.md',
      '/.gitignore', '/etc/passwd', '/%5c..%5cpackage.json', '/..\\package.json',
    ];
    for (const p of paths) {
      const r = await raw(port, p);
      expect(r.status, p).toBe(404);
      expect(r.head, p).toContain('content-type: application/json');
      expect(JSON.parse(r.body), p).toMatchObject({ ok: false, error: { code: 'SPREADCORE_ERR_NOT_FOUND' } });
      expect(r.body, p).not.toContain('"name": "spreadcore"');
    }
    // the raw path really reaches the server: a good path answers 200 the same way
    expect((await raw(port, '/app.js')).status).toBe(200);
    // other methods on the page are not served
    const post = await fetch(`http://127.0.0.1:${port}/`, { method: 'POST' });
    expect(post.status).toBe(404);
  });

  it('the Host check applies (403 for another host name); a token server serves the page without it but not the API', async () => {
    const { port } = await gateway();
    const evil = await raw(port, '/', { host: 'evil.example:80' });
    expect(evil.status).toBe(403);
    expect(JSON.parse(evil.body)).toMatchObject({ ok: false, error: { code: 'SPREADCORE_ERR_FORBIDDEN' } });
    expect((await raw(port, '/', { host: `localhost:${port}` })).status).toBe(200);

    const t = await gateway(TOKEN);
    expect((await fetch(`${t.base}/`)).status).toBe(200);
    expect((await fetch(`${t.base}/app.js`)).status).toBe(200);
    expect((await fetch(`${t.base}/api/health`)).status).toBe(401);
    expect((await fetch(`${t.base}/api/health`, { headers: { authorization: `Bearer ${TOKEN}` } })).status).toBe(200);
  });

  it('web/ is found from the source and from the compiled location; the table holds only web/ files and uPlot', () => {
    expect(findWebDir(join(ROOT, 'src/gateway'))).toBe(join(ROOT, 'web'));
    expect(findWebDir(join(ROOT, 'dist/src/gateway'))).toBe(join(ROOT, 'web'));
    expect(findWebDir('/')).toBeUndefined();
    const files = dashboardFiles(join(ROOT, 'web'));
    for (const p of files.keys()) expect(p).toMatch(/^\/([a-z0-9][a-z0-9._-]*|vendor\/uPlot\.(iife\.min\.js|min\.css))?$/i);
    expect([...files.keys()]).toEqual(expect.arrayContaining(['/', '/index.html', '/app.js', '/style.css', '/vendor/uPlot.iife.min.js', '/vendor/uPlot.min.css']));
  });
});
