// GET /metrics over real HTTP (uWS + fetch) on an engine that trades on the seeded
// simulator, read with a strict parser of the Prometheus text format 0.0.4 written
// here (independent of the writer): every family has HELP and TYPE before its
// samples, names follow the grammar, counters end in _total, histogram buckets are
// cumulative, monotone in le, end with +Inf equal to _count; counters never go
// down between two scrapes while the engine trades; label values round-trip
// through the escaping.
import { request } from 'node:http';
import { PerformanceObserver } from 'node:perf_hooks';
import { afterEach, describe, expect, it } from 'vitest';
import { SimDriver, TradingEngine } from '../src/engine/index.js';
import { MarketSimulator } from '../src/feed/sim/index.js';
import { Gateway, SseHub, attachEngine } from '../src/gateway/index.js';
import { FixedHistogram } from '../src/gateway/prometheus-histogram.js';
import { PrometheusText } from '../src/gateway/prometheus-text.js';
import { EngineMetrics } from '../src/gateway/routes-metrics.js';
import { sleep } from './support/wait.js';

// ---- a strict parser of the text format --------------------------------------------------
const NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
type Type = 'counter' | 'gauge' | 'histogram' | 'summary' | 'untyped';
interface Sample { name: string; labels: Record<string, string>; value: number }
interface Family { name: string; type: Type; help: string; samples: Sample[] }

function parseValue(s: string, line: number): number {
  if (s === '+Inf') return Infinity;
  if (s === '-Inf') return -Infinity;
  if (s === 'NaN') return NaN;
  if (!/^[-+]?(\d+(\.\d*)?|\.\d+)([eE][-+]?\d+)?$/.test(s)) throw new Error(`line ${line}: bad value ${JSON.stringify(s)}`);
  return Number(s);
}

function parseSample(text: string, line: number): Sample {
  let i = 0;
  while (i < text.length && /[a-zA-Z0-9_:]/.test(text[i]!)) i++;
  const name = text.slice(0, i);
  if (!NAME.test(name)) throw new Error(`line ${line}: bad metric name ${JSON.stringify(name)}`);
  const labels: Record<string, string> = {};
  if (text[i] === '{') {
    i++;
    while (text[i] !== '}') {
      const eq = text.indexOf('=', i);
      if (eq < 0) throw new Error(`line ${line}: label without =`);
      const ln = text.slice(i, eq);
      if (!LABEL.test(ln)) throw new Error(`line ${line}: bad label name ${JSON.stringify(ln)}`);
      if (Object.hasOwn(labels, ln)) throw new Error(`line ${line}: label ${ln} twice`);
      if (text[eq + 1] !== '"') throw new Error(`line ${line}: label value not quoted`);
      let j = eq + 2;
      let v = '';
      for (;;) {
        const ch = text[j];
        if (ch === undefined) throw new Error(`line ${line}: unterminated label value`);
        if (ch === '"') break;
        if (ch === '\n') throw new Error(`line ${line}: raw line feed in a label value`);
        if (ch === '\\') {
          const nx = text[j + 1];
          if (nx === '\\') v += '\\'; else if (nx === '"') v += '"'; else if (nx === 'n') v += '\n';
          else throw new Error(`line ${line}: bad escape \\${nx}`);
          j += 2;
          continue;
        }
        v += ch;
        j++;
      }
      labels[ln] = v;
      i = j + 1;
      if (text[i] === ',') i++;
      else if (text[i] !== '}') throw new Error(`line ${line}: expected , or } after a label`);
    }
    i++;
  }
  if (text[i] !== ' ') throw new Error(`line ${line}: expected one space before the value`);
  const rest = text.slice(i + 1).split(' ');
  if (rest.length > 2 || rest.some((x) => x === '')) throw new Error(`line ${line}: bad value/timestamp part ${JSON.stringify(text.slice(i))}`);
  if (rest.length === 2 && !/^-?\d+$/.test(rest[1]!)) throw new Error(`line ${line}: bad timestamp`);
  return { name, labels, value: parseValue(rest[0]!, line) };
}

function parseExposition(text: string): Map<string, Family> {
  if (text !== '' && !text.endsWith('\n')) throw new Error('the exposition must end with a line feed');
  const families = new Map<string, Family>();
  let current: Family | null = null;
  let pendingHelp: { name: string; help: string } | null = null;
  const lines = text.split('\n').slice(0, -1);
  lines.forEach((l, idx) => {
    const line = idx + 1;
    if (l === '') throw new Error(`line ${line}: empty line`);
    if (l.startsWith('#')) {
      const m = /^# (HELP|TYPE) (\S+) (.*)$/.exec(l);
      if (m === null) throw new Error(`line ${line}: a comment that is neither HELP nor TYPE: ${l}`);
      const name = m[2]!;
      if (!NAME.test(name)) throw new Error(`line ${line}: bad family name ${name}`);
      if (families.has(name)) throw new Error(`line ${line}: family ${name} appears twice`);
      if (m[1] === 'HELP') {
        if (pendingHelp !== null) throw new Error(`line ${line}: HELP of ${pendingHelp.name} without TYPE`);
        if (/\\[^\\n]/.test(m[3]!.replace(/\\\\/g, ''))) throw new Error(`line ${line}: bad escape in HELP`);
        pendingHelp = { name, help: m[3]! };
        return;
      }
      if (pendingHelp === null || pendingHelp.name !== name) throw new Error(`line ${line}: TYPE of ${name} without its HELP just before`);
      const type = m[3] as Type;
      if (!['counter', 'gauge', 'histogram', 'summary', 'untyped'].includes(type)) throw new Error(`line ${line}: bad type ${type}`);
      current = { name, type, help: pendingHelp.help, samples: [] };
      families.set(name, current);
      pendingHelp = null;
      return;
    }
    if (current === null || pendingHelp !== null) throw new Error(`line ${line}: a sample outside a family: ${l}`);
    const s = parseSample(l, line);
    const f: Family = current;
    const allowed = f.type === 'histogram' ? [`${f.name}_bucket`, `${f.name}_sum`, `${f.name}_count`] : [f.name];
    if (!allowed.includes(s.name)) throw new Error(`line ${line}: sample ${s.name} does not belong to family ${f.name} (${f.type})`);
    f.samples.push(s);
  });
  for (const f of families.values()) checkFamily(f);
  return families;
}

const seriesKey = (s: Sample): string => `${s.name}{${Object.entries(s.labels).sort().map(([k, v]) => `${k}=${JSON.stringify(v)}`).join(',')}}`;

function checkFamily(f: Family): void {
  const keys = new Set<string>();
  for (const s of f.samples) {
    const k = seriesKey(s);
    if (keys.has(k)) throw new Error(`${f.name}: series ${k} twice`);
    keys.add(k);
  }
  if (f.type === 'counter') {
    if (!f.name.endsWith('_total')) throw new Error(`counter ${f.name} does not end in _total`);
    for (const s of f.samples) if (!(s.value >= 0)) throw new Error(`counter ${seriesKey(s)} is ${s.value}`);
  }
  if (f.type !== 'histogram') return;
  // group by the labels other than le
  const groups = new Map<string, { buckets: [number, number][]; sum?: number; count?: number }>();
  for (const s of f.samples) {
    const { le, ...rest } = s.labels;
    const g = JSON.stringify(Object.entries(rest).sort());
    let grp = groups.get(g);
    if (grp === undefined) { grp = { buckets: [] }; groups.set(g, grp); }
    if (s.name.endsWith('_bucket')) {
      if (le === undefined) throw new Error(`${f.name}: a bucket without le`);
      grp.buckets.push([parseValue(le, 0), s.value]);
    } else if (le !== undefined) throw new Error(`${f.name}: le on ${s.name}`);
    else if (s.name.endsWith('_sum')) grp.sum = s.value;
    else grp.count = s.value;
  }
  for (const grp of groups.values()) {
    if (grp.sum === undefined || grp.count === undefined) throw new Error(`${f.name}: _sum or _count missing`);
    if (grp.buckets.length === 0) throw new Error(`${f.name}: no buckets`);
    for (let i = 1; i < grp.buckets.length; i++) {
      if (!(grp.buckets[i]![0] > grp.buckets[i - 1]![0])) throw new Error(`${f.name}: le not increasing`);
      if (grp.buckets[i]![1] < grp.buckets[i - 1]![1]) throw new Error(`${f.name}: bucket counts not cumulative`);
    }
    const last = grp.buckets[grp.buckets.length - 1]!;
    if (last[0] !== Infinity) throw new Error(`${f.name}: the last bucket is not +Inf`);
    if (last[1] !== grp.count) throw new Error(`${f.name}: +Inf bucket ${last[1]} != _count ${grp.count}`);
  }
}

function value(fams: Map<string, Family>, name: string, labels: Record<string, string> = {}, sampleName = name): number {
  const f = fams.get(name);
  if (f === undefined) throw new Error(`no family ${name}`);
  const s = f.samples.find((x) => x.name === sampleName && Object.entries(labels).every(([k, v]) => x.labels[k] === v));
  if (s === undefined) throw new Error(`no sample ${sampleName} ${JSON.stringify(labels)}`);
  return s.value;
}

// ---- setup -----------------------------------------------------------------------------
const ID = 'btc_mm_1';
const STRATEGY = {
  name: ID, type: 'MarketMaking', symbols: ['BTCUSDT'],
  parameters: { spread_bps: 2.0, order_size: 0.001, max_position: 0.01, quote_levels: 3, level_spacing_bps: 1.0 },
};
const TOKEN = 'metrics-test-token-0123456789';

const cleanup: (() => void)[] = [];
afterEach(() => { for (const f of cleanup.splice(0).reverse()) f(); });

async function setup(token?: string): Promise<{ engine: TradingEngine; driver: SimDriver; base: string; metrics: EngineMetrics }> {
  const engine = new TradingEngine();
  cleanup.push(() => engine.close());
  const hub = new SseHub({ heartbeatMs: 0 });
  cleanup.push(attachEngine(hub, engine.events));
  const withHub = new EngineMetrics(engine, { stream: hub, market: () => ({ source: 'sim', state: 'running' }) });
  const driver = new SimDriver(engine, new MarketSimulator({ instruments: [{ symbol: 'BTCUSDT', regimes: { initial: 'high_volatility' } }] }, 7));
  driver.run(1);
  const gw = new Gateway(engine, { port: 0, stream: hub, metrics: (g) => withHub.render(g), ...(token !== undefined ? { token } : {}) });
  const port = await gw.listen();
  cleanup.push(() => gw.close());
  cleanup.push(() => hub.close());
  return { engine, driver, base: `http://127.0.0.1:${port}`, metrics: withHub };
}

async function scrape(base: string, headers: Record<string, string> = {}): Promise<{ text: string; fams: Map<string, Family> }> {
  const r = await fetch(`${base}/metrics`, { headers, signal: AbortSignal.timeout(5000) });
  expect(r.status).toBe(200);
  expect(r.headers.get('content-type')).toBe('text/plain; version=0.0.4; charset=utf-8');
  const text = await r.text();
  return { text, fams: parseExposition(text) };
}

async function post(base: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(base + path, {
    method: 'POST', signal: AbortSignal.timeout(5000),
    ...(body !== undefined ? { body: JSON.stringify(body), headers: { 'content-type': 'application/json', ...headers } } : { headers }),
  });
}

describe('GET /metrics', () => {
  it('parses strictly; counters only grow while the engine trades; the batch histogram counts every batch', async () => {
    const { engine, driver, base } = await setup();
    expect((await post(base, '/api/strategy/load', STRATEGY)).status).toBe(200);
    expect((await post(base, `/api/strategy/${ID}/start`)).status).toBe(200);
    driver.run(20);
    const a = await scrape(base);
    driver.run(40);
    const b = await scrape(base);

    for (const f of [...a.fams.values(), ...b.fams.values()]) expect(f.name).toMatch(NAME);
    expect([...a.fams.keys()]).toEqual([...b.fams.keys()]);
    const types = Object.fromEntries([...b.fams.values()].map((f) => [f.name, f.type]));
    expect(types).toMatchObject({
      spreadcore_process_start_time_seconds: 'gauge', spreadcore_fills_total: 'counter', spreadcore_orders_placed_total: 'counter',
      spreadcore_orders_cancelled_total: 'counter', spreadcore_quote_updates_total: 'counter', spreadcore_batch_decision_seconds: 'histogram',
      spreadcore_risk_denials_total: 'counter', spreadcore_feed_gaps_total: 'counter', spreadcore_strategies: 'gauge',
      spreadcore_strategy_net_profit: 'gauge', spreadcore_sse_clients: 'gauge', spreadcore_http_requests_total: 'counter',
      spreadcore_market_source_info: 'gauge',
    });
    // counters never decrease; something moved
    let grew = 0;
    for (const fb of b.fams.values()) {
      if (fb.type !== 'counter' && fb.type !== 'histogram') continue;
      const fa = a.fams.get(fb.name)!;
      for (const sb of fb.samples) {
        if (sb.name.endsWith('_sum')) continue;
        const sa = fa.samples.find((x) => seriesKey(x) === seriesKey(sb));
        expect(sa, `${seriesKey(sb)} in the first scrape`).toBeDefined();
        expect(sb.value, seriesKey(sb)).toBeGreaterThanOrEqual(sa!.value);
        if (sb.value > sa!.value) grew++;
      }
    }
    expect(grew).toBeGreaterThan(5);
    // the numbers are the engine's
    expect(value(b.fams, 'spreadcore_fills_total')).toBe(engine.counters.fills);
    expect(engine.counters.fills).toBeGreaterThan(0);
    expect(value(b.fams, 'spreadcore_orders_placed_total')).toBe(engine.counters.ordersPlaced);
    expect(value(b.fams, 'spreadcore_engine_batches_total')).toBe(engine.counters.batches);
    // attached before any batch: the histogram saw every one of them
    expect(value(b.fams, 'spreadcore_batch_decision_seconds', {}, 'spreadcore_batch_decision_seconds_count')).toBe(engine.counters.batches);
    expect(value(b.fams, 'spreadcore_batch_decision_seconds', {}, 'spreadcore_batch_decision_seconds_sum')).toBeGreaterThan(0);
    expect(value(b.fams, 'spreadcore_strategies', { status: 'running' })).toBe(1);
    expect(value(b.fams, 'spreadcore_strategies', { status: 'stopped' })).toBe(0);
    const m = engine.metrics(ID);
    expect(value(b.fams, 'spreadcore_strategy_net_profit', { strategy_id: ID, symbol: 'BTCUSDT' })).toBe(m.performance.net_profit);
    expect(value(b.fams, 'spreadcore_strategy_position', { strategy_id: ID, symbol: 'BTCUSDT' })).toBe(m.inventory.current_position);
    expect(value(b.fams, 'spreadcore_feed_gaps_total', { symbol: 'BTCUSDT' })).toBe(0);
    expect(value(b.fams, 'spreadcore_market_source_info', { source: 'sim', state: 'running' })).toBe(1);
    const start = value(b.fams, 'spreadcore_process_start_time_seconds');
    expect(start).toBeLessThanOrEqual(Date.now() / 1000);
    expect(start).toBeGreaterThan(Date.now() / 1000 - process.uptime() - 5);
    // every risk reason is a series (zero or not)
    expect(b.fams.get('spreadcore_risk_denials_total')!.samples.length).toBeGreaterThanOrEqual(22);
  }, 30_000);

  it('risk denials by reason: an order under the kill switch counts DENY_KILL_SWITCH; SSE clients are counted', async () => {
    const { base } = await setup();
    const ac = new AbortController();
    cleanup.push(() => ac.abort());
    const sse = await fetch(`${base}/api/stream`, { signal: ac.signal });
    expect(sse.status).toBe(200);
    const before = (await scrape(base)).fams;
    expect(value(before, 'spreadcore_sse_clients')).toBe(1);
    expect((await post(base, '/api/kill')).status).toBe(200);
    const order = await post(base, '/api/order', { side: 'BUY', symbol: 'BTCUSDT', qty: 0.001, type: 'MARKET' });
    expect(order.status).toBeGreaterThanOrEqual(400);
    const after = (await scrape(base)).fams;
    expect(value(after, 'spreadcore_risk_denials_total', { reason: 'DENY_KILL_SWITCH' })).toBe(value(before, 'spreadcore_risk_denials_total', { reason: 'DENY_KILL_SWITCH' }) + 1);
    expect(value(after, 'spreadcore_kill_switch_engaged')).toBe(1);
    expect(value(after, 'spreadcore_http_client_errors_total')).toBeGreaterThan(value(before, 'spreadcore_http_client_errors_total'));
  }, 20_000);

  it('the token guards /metrics like the API; other methods are 405; the Host check applies', async () => {
    const { base } = await setup(TOKEN);
    const no = await fetch(`${base}/metrics`, { signal: AbortSignal.timeout(5000) });
    expect(no.status).toBe(401);
    expect(await no.json()).toMatchObject({ ok: false, error: { code: 'SPREADCORE_ERR_UNAUTHORIZED' } });
    await scrape(base, { authorization: `Bearer ${TOKEN}` });
    const p = await post(base, '/metrics', undefined, { authorization: `Bearer ${TOKEN}` });
    expect(p.status).toBe(405);
    expect(p.headers.get('allow')).toBe('GET, HEAD');
    // fetch() cannot set Host: node:http can
    const status = await new Promise<number>((resolve, reject) => {
      const req = request(`${base}/metrics`, { headers: { host: 'evil.example:80', authorization: `Bearer ${TOKEN}` } }, (res) => { res.resume(); resolve(res.statusCode ?? 0); });
      req.on('error', reject);
      req.end();
    });
    expect(status).toBe(403);
  });

  it('without a metrics source /metrics is 404', async () => {
    const engine = new TradingEngine();
    cleanup.push(() => engine.close());
    const gw = new Gateway(engine, { port: 0 });
    const port = await gw.listen();
    cleanup.push(() => gw.close());
    const r = await fetch(`http://127.0.0.1:${port}/metrics`, { signal: AbortSignal.timeout(5000) });
    expect(r.status).toBe(404);
  });
});

describe('the batch histogram', () => {
  /** Garbage collections while f runs n times (after a warm-up that lets the JIT optimize it). */
  async function gcsDuring(f: (i: number) => void, n: number): Promise<number> {
    for (let i = 0; i < 200_000; i++) f(i);
    let gcs = 0;
    const obs = new PerformanceObserver((list) => { gcs += list.getEntries().length; });
    obs.observe({ entryTypes: ['gc'] });
    await sleep(50);
    gcs = 0;
    for (let i = 0; i < n; i++) f(i);
    await sleep(100); // gc entries are delivered asynchronously
    obs.disconnect();
    return gcs;
  }

  it('is updated in place: the engine hook observing millions of batch times triggers no garbage collection', async () => {
    const engine = new TradingEngine();
    cleanup.push(() => engine.close());
    const metrics = new EngineMetrics(engine);
    const hook = engine.batchTimer!;
    expect(await gcsDuring((i) => hook(1000 + (i & 1023) * 977), 3_000_000)).toBe(0);
    expect(metrics.batchSeconds.count).toBe(3_200_000);
    // the measurement can see allocation: a hook that allocates does trigger collections
    const kept: { ns: number }[] = [];
    expect(await gcsDuring((i) => { kept[i & 7] = { ns: i }; hook(i); }, 3_000_000)).toBeGreaterThan(0);
  }, 30_000);
});

describe('the text writer', () => {
  it('escapes label values and HELP so that the parser reads back the same strings', () => {
    const nasty = 'a "quoted" \\ back\\slash\nnew line {},=';
    const h = new FixedHistogram([0.1, 1]);
    h.observe(0.05); h.observe(0.5); h.observe(5); h.observe(NaN);
    const text = new PrometheusText()
      .counter('x_total', 'help with \\ and\nline', [[{ v: nasty }, 3]])
      .gauge('g', 'a gauge', [[{ v: nasty, w: '' }, -1.5], [undefined, Infinity]])
      .histogram('lat_seconds', 'latency', [[{ v: nasty }, h]])
      .toString();
    const fams = parseExposition(text);
    expect(fams.get('x_total')!.samples[0]!.labels.v).toBe(nasty);
    expect(fams.get('g')!.samples.map((s) => s.value)).toEqual([-1.5, Infinity]);
    expect(value(fams, 'lat_seconds', { v: nasty, le: '1' }, 'lat_seconds_bucket')).toBe(2);
    expect(value(fams, 'lat_seconds', { v: nasty, le: '+Inf' }, 'lat_seconds_bucket')).toBe(3);
    expect(value(fams, 'lat_seconds', { v: nasty }, 'lat_seconds_sum')).toBeCloseTo(5.55, 10);
    expect(text.split('\n').filter((l) => l.startsWith('# HELP x_total'))).toEqual(['# HELP x_total help with \\\\ and\\nline']);
  });

  it('refuses bad names, counters without _total, a family twice, bad label names and bad buckets', () => {
    expect(() => new PrometheusText().gauge('1bad', 'h', 1)).toThrow(/bad metric name/);
    expect(() => new PrometheusText().counter('requests', 'h', 1)).toThrow(/_total/);
    expect(() => new PrometheusText().gauge('a', 'h', 1).gauge('a', 'h', 2)).toThrow(/twice/);
    expect(() => new PrometheusText().gauge('a', 'h', [[{ 'bad-label': 'x' }, 1]])).toThrow(/label name/);
    expect(() => new PrometheusText().gauge('a', 'h', [[{ __reserved: 'x' }, 1]])).toThrow(/label name/);
    expect(() => new FixedHistogram([1, 1])).toThrow(/strictly increasing/);
    expect(() => new FixedHistogram([])).toThrow(/at least one/);
  });

  it('the strict parser itself rejects broken expositions', () => {
    expect(() => parseExposition('# TYPE a gauge\na 1\n')).toThrow(/without its HELP/);
    expect(() => parseExposition('# HELP a h\n# TYPE a counter\na 1\n')).toThrow(/_total/);
    expect(() => parseExposition('# HELP a h\n# TYPE a gauge\nb 1\n')).toThrow(/does not belong/);
    expect(() => parseExposition('# HELP a h\n# TYPE a gauge\na{x="\\q"} 1\n')).toThrow(/bad escape/);
    expect(() => parseExposition('# HELP h h\n# TYPE h histogram\nh_bucket{le="1"} 2\nh_bucket{le="+Inf"} 1\nh_sum 1\nh_count 1\n')).toThrow(/cumulative/);
    expect(() => parseExposition('# HELP h h\n# TYPE h histogram\nh_bucket{le="1"} 1\nh_bucket{le="+Inf"} 2\nh_sum 1\nh_count 3\n')).toThrow(/_count/);
    expect(() => parseExposition('# HELP a h\n# TYPE a gauge\na 1')).toThrow(/line feed/);
  });
});
