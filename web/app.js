// The dashboard: state from the control API, live updates from /api/stream, drawn at
// most FRAME_MIN_MS apart (events only mark what changed; one animation frame redraws).
import { api, ApiError, getToken, setToken } from './api.js';
import { EventStream } from './stream.js';
import { Series } from './series.js';
import { createCharts } from './charts.js';
import { renderBook } from './book.js';
import { $, el, fill, fmt, fmtSigned, timeOf } from './dom.js';

const DEFAULT_PARAMS = { spread_bps: 4.0, order_size: 0.001, max_position: 0.01, quote_levels: 3, level_spacing_bps: 2.0, inventory_skew: true, skew_factor: 0.5 };
const FRAME_MIN_MS = 250;
const POLL_MS = 1000;
const HEALTH_MS = 5000;
const MAX_FILL_ROWS = 200;
const MAX_LOG = 60;

const st = {
  symbols: [], symbol: '', priceDp: undefined, strategies: [], selected: '', killSwitch: '',
  depth: null, ours: null, apiState: 'ok',
  last: { t: 0, mid: null, bid: null, ask: null, bidFar: null, askFar: null, position: null, realized: null, unrealized: null, total: null, pnlT: 0 },
  pendingFills: [], fills: [], fillKeys: new Set(), fillCounts: new Map(),
  dirty: new Set(), events: 0, resyncs: 0,
};
const priceSeries = new Series(['mid', 'bid', 'ask', 'bidFar', 'askFar', 'buy', 'sell']);
const invSeries = new Series(['position']);
const pnlSeries = new Series(['realized', 'unrealized', 'total']);
let charts = null;
let stream = null;

// ---- messages ----------------------------------------------------------------------------
function log(kind, text) {
  const list = $('log');
  list.prepend(el('li', { class: kind }, el('span', { class: 'time', text: timeOf(Date.now()) }), el('span', { text })));
  while (list.children.length > MAX_LOG) list.lastElementChild.remove();
}

function notice(kind, code, message) {
  const n = $('notice');
  n.dataset.kind = kind;
  n.dataset.code = code;
  fill(n, [code ? el('b', { class: 'code', text: code }) : null, el('span', { class: 'msg', text: message })].filter(Boolean));
  log(kind, code ? `${code}: ${message}` : message);
}

function showError(e, what) {
  if (e instanceof ApiError) {
    if (e.status === 401) needToken();
    const detail = e.detail && e.detail.reason ? ` (${e.detail.reason})` : '';
    notice('error', e.code, `${what}: ${e.message}${detail}`);
  } else {
    notice('error', 'ERROR', `${what}: ${e instanceof Error ? e.message : String(e)}`);
  }
}

function needToken() {
  $('token-box').classList.add('need');
  setConn('unauthorized', 'the API needs a bearer token');
}

// ---- connection state ----------------------------------------------------------------------
function setConn(state, detail = '') {
  const c = $('conn');
  const label = { connecting: 'connecting', live: 'live', reconnecting: 'reconnecting', unauthorized: 'token needed', stopped: 'stopped' }[state] ?? state;
  c.textContent = label;
  c.dataset.state = state;
  c.title = `event stream: ${label}${detail ? ` — ${detail}` : ''}${stream && stream.lastEventId ? ` · last id ${stream.lastEventId}` : ''} · resyncs ${st.resyncs}`;
  document.body.dataset.stream = state;
}

// ---- state from the API ----------------------------------------------------------------------
async function refreshHealth() {
  try {
    const h = await api('GET', '/api/health');
    st.apiState = 'ok';
    $('token-box').classList.remove('need');
    const syms = Array.isArray(h.symbols) ? h.symbols : [];
    if (syms.join() !== st.symbols.join()) {
      st.symbols = syms;
      for (const id of ['symbol', 'load-symbol']) {
        const s = $(id);
        const keep = s.value;
        fill(s, syms.map((x) => el('option', { value: x, text: x })));
        if (syms.includes(keep)) s.value = keep;
      }
      if (!st.symbol && syms.length > 0) selectSymbol(syms[0]);
    }
    st.killSwitch = h.kill_switch ?? '';
    const k = $('killstate');
    k.textContent = st.killSwitch === 'HALTED' ? 'HALTED' : 'ACTIVE';
    k.dataset.state = st.killSwitch;
    $('market').textContent = h.market ? `${h.market}${h.seed !== undefined ? ` · seed ${h.seed}` : ''}` : '';
    return true;
  } catch (e) {
    if (e instanceof ApiError && e.status === 401) needToken();
    else if (st.apiState === 'ok') { st.apiState = 'down'; log('warn', `API unreachable: ${e.message}`); }
    return false;
  }
}

async function refreshStrategies() {
  try {
    const r = await api('GET', '/api/strategies');
    st.strategies = r.strategies ?? [];
    const sel = $('strategy');
    fill(sel, [el('option', { value: '', text: '—' }), ...st.strategies.map((s) => el('option', { value: s.strategy_id, text: s.strategy_id }))]);
    if (st.selected && !st.strategies.some((s) => s.strategy_id === st.selected)) selectStrategy('');
    if (!st.selected) {
      const pick = st.strategies.find((s) => s.status === 'running') ?? st.strategies[0];
      if (pick) selectStrategy(pick.strategy_id);
    }
    sel.value = st.selected;
    markDirty('strategies');
  } catch (e) {
    if (e instanceof ApiError && e.status === 401) needToken();
  }
}

async function backfillFills() {
  const all = [];
  for (const s of st.strategies) {
    try {
      const r = await api('GET', `/api/strategy/${encodeURIComponent(s.strategy_id)}/trades?limit=100`);
      for (const t of r.trades ?? []) all.push({ strategy_id: s.strategy_id, symbol: s.symbols?.[0] ?? '', side: t.side, price: t.price, qty: t.qty, inventory: t.inventory_after, fee: t.fee, liquidity: t.liquidity ?? '', round_trip_profit: t.round_trip_profit, timestamp: t.timestamp });
    } catch { /* a strategy deleted meanwhile */ }
  }
  all.sort((a, b) => a.timestamp - b.timestamp);
  for (const f of all) addFill(f, true);
}

/** Everything again (start, token change, resync). */
async function refreshAll() {
  if (!(await refreshHealth())) return;
  await refreshStrategies();
  await backfillFills();
  await poll();
  markDirty('fills');
}

let polling = false;

async function poll() {
  if (!st.symbol || st.apiState !== 'ok' || polling) return; // a slow answer is not overtaken by the next poll
  polling = true;
  try {
    const d = await api('GET', `/api/market/depth?symbol=${encodeURIComponent(st.symbol)}&limit=15`);
    if (d.symbol !== st.symbol) return;
    st.depth = d;
    if (d.mid_price !== null) { st.last.mid = d.mid_price; st.last.t = Math.max(st.last.t, Date.now()); markDirty('price'); }
    st.ours = null;
    const sel = currentStrategy();
    if (sel && (sel.status === 'running' || sel.status === 'paused') && sel.symbols?.includes(st.symbol)) {
      const q = await api('GET', `/api/strategy/${encodeURIComponent(sel.strategy_id)}/quotes?symbol=${encodeURIComponent(st.symbol)}`);
      st.ours = q.quotes;
      const bids = q.quotes?.bids ?? [];
      const asks = q.quotes?.asks ?? [];
      st.last.bidFar = bids.length > 1 ? bids[bids.length - 1].price : null;
      st.last.askFar = asks.length > 1 ? asks[asks.length - 1].price : null;
      if (bids.length > 0) st.last.bid = bids[0].price;
      if (asks.length > 0) st.last.ask = asks[0].price;
    } else {
      st.last.bid = st.last.ask = st.last.bidFar = st.last.askFar = null;
    }
    markDirty('book');
  } catch (e) {
    if (e instanceof ApiError && e.status === 401) needToken();
  } finally {
    polling = false;
  }
}

function currentStrategy() { return st.strategies.find((s) => s.strategy_id === st.selected); }

function resetCharts() {
  priceSeries.clear(); invSeries.clear(); pnlSeries.clear();
  Object.assign(st.last, { bid: null, ask: null, bidFar: null, askFar: null, position: null, realized: null, unrealized: null, total: null });
  st.pendingFills = [];
  markDirty('price', 'inv', 'pnl', 'stats');
}

function selectSymbol(sym) {
  if (sym === st.symbol) return;
  st.symbol = sym;
  $('symbol').value = sym;
  $('book-symbol').textContent = sym;
  st.depth = null; st.ours = null; st.last.mid = null;
  resetCharts();
}

/** The selected strategy's current parameters (GET …/parameters) into the edit panel. */
async function refreshParams() {
  const id = st.selected;
  const out = $('current-params');
  if (!id) { out.textContent = ''; return; }
  try {
    const r = await api('GET', `/api/strategy/${encodeURIComponent(id)}/parameters`);
    if (st.selected === id) out.textContent = JSON.stringify(r.parameters, null, 1);
  } catch (e) {
    if (st.selected === id) out.textContent = e instanceof ApiError ? `${e.code}: ${e.message}` : String(e);
  }
}

function selectStrategy(id) {
  st.selected = id;
  void refreshParams();
  $('strategy').value = id;
  $('edit-target').textContent = id;
  $('pos-strategy').textContent = id;
  const s = currentStrategy();
  resetCharts();
  if (s && s.symbols?.[0] && s.symbols[0] !== st.symbol) selectSymbol(s.symbols[0]);
  // the selected strategy's recent fills on the charts
  for (const f of st.fills.slice().reverse()) if (f.strategy_id === id && f.symbol === st.symbol) st.pendingFills.push(f);
  markDirty('strategies', 'stats', 'book');
}

// ---- events ------------------------------------------------------------------------------------
function fillKey(f) { return `${f.strategy_id}|${f.timestamp}|${f.side}|${f.price}|${f.qty}|${f.inventory}`; }

function addFill(f, backfill = false) {
  const key = fillKey(f);
  if (st.fillKeys.has(key)) return;
  st.fillKeys.add(key);
  st.fills.unshift(f);
  st.fills.sort((a, b) => b.timestamp - a.timestamp);
  while (st.fills.length > MAX_FILL_ROWS) st.fillKeys.delete(fillKey(st.fills.pop()));
  st.fillCounts.set(f.strategy_id, (st.fillCounts.get(f.strategy_id) ?? 0) + 1);
  if (f.strategy_id === st.selected && (f.symbol === st.symbol || backfill)) {
    st.pendingFills.push(f);
    if (st.pendingFills.length > MAX_FILL_ROWS * 10) st.pendingFills.splice(0, st.pendingFills.length - MAX_FILL_ROWS * 10);
    st.last.position = f.inventory;
  }
  markDirty('fills', 'stats');
}

function onEvent(name, e) {
  st.events++;
  switch (name) {
    case 'quote_update':
      if (e.symbol === st.symbol && e.mid_price !== null) { st.last.mid = e.mid_price; st.last.t = Math.max(st.last.t, e.timestamp); markDirty('price'); }
      if (e.strategy_id === st.selected && e.symbol === st.symbol) { st.last.bid = e.bid; st.last.ask = e.ask; markDirty('price'); }
      break;
    case 'fill':
      addFill(e);
      break;
    case 'pnl':
      if (e.strategy_id === st.selected && e.symbol === st.symbol) {
        Object.assign(st.last, { position: e.position, realized: e.realized_pnl, unrealized: e.unrealized_pnl, total: e.total_pnl, pnlT: e.timestamp });
        markDirty('pnl', 'inv', 'stats');
      }
      break;
    case 'strategy_state': {
      const s = st.strategies.find((x) => x.strategy_id === e.strategy_id);
      if (s) { s.status = e.status; markDirty('strategies'); } else refreshStrategies();
      log(e.status === 'error' ? 'error' : 'info', `${e.strategy_id}: ${e.previous} → ${e.status}${e.reason ? ` (${e.reason})` : ''}`);
      break;
    }
    case 'volatility_pause':
      log('warn', `${e.strategy_id} ${e.symbol}: volatility ${e.state} (${fmt(e.volatility_bps, 1)} bps, threshold ${e.threshold_bps})`);
      break;
    case 'risk':
      if (e.type !== 'requote') log(e.type === 'order_denied' ? 'warn' : 'info', `risk ${e.type}${e.strategy_id ? ` ${e.strategy_id}` : ''}${e.reason ? `: ${e.reason}` : ''}${e.state ? ` → ${e.state}` : ''}`);
      if (e.type === 'state_change') refreshHealth();
      break;
    case 'resync':
      st.resyncs++;
      document.body.dataset.resyncs = String(st.resyncs);
      log('warn', `stream resync (${e.reason}): reloading state`);
      refreshAll();
      break;
    default:
      break;
  }
  document.body.dataset.events = String(st.events);
}

// ---- drawing (coalesced) ---------------------------------------------------------------------------
let frameQueued = false;
let lastFrameMs = 0;

function markDirty(...what) {
  for (const w of what) st.dirty.add(w);
  if (frameQueued) return;
  frameQueued = true;
  const wait = Math.max(0, FRAME_MIN_MS - (performance.now() - lastFrameMs));
  // a hidden tab gets no animation frames: draw from the timer then, so nothing piles up
  setTimeout(() => { if (document.hidden) frame(); else requestAnimationFrame(frame); }, wait);
}

function frame() {
  frameQueued = false;
  lastFrameMs = performance.now();
  const d = st.dirty;
  st.dirty = new Set();
  const L = st.last;
  const fills = st.pendingFills.sort((a, b) => a.timestamp - b.timestamp);
  st.pendingFills = [];
  for (const f of fills) {
    const t = f.timestamp / 1000;
    priceSeries.push(t, [null, null, null, null, null, f.side === 'BUY' ? f.price : null, f.side === 'SELL' ? f.price : null]);
    invSeries.push(t, [f.inventory]);
  }
  const nowSec = (L.t || Date.now()) / 1000;
  if (d.has('price') && L.mid !== null) priceSeries.push(nowSec, [L.mid, L.bid, L.ask, L.bidFar, L.askFar, null, null]);
  if (d.has('inv') && L.position !== null) invSeries.push((L.pnlT || L.t || Date.now()) / 1000, [L.position]);
  if (d.has('pnl') && L.total !== null) pnlSeries.push(L.pnlT / 1000, [L.realized, L.unrealized, L.total]);
  if (charts) {
    if (d.has('price') || fills.length > 0) charts.price.setData(priceSeries.data());
    if (d.has('inv') || fills.length > 0) charts.inventory.setData(invSeries.data());
    if (d.has('pnl')) charts.pnl.setData(pnlSeries.data());
  }
  if (d.has('strategies')) renderStrategies();
  if (d.has('book')) {
    const dp = renderBook($('book').tBodies[0], st.depth, st.ours);
    if (dp !== undefined && dp !== st.priceDp) { st.priceDp = dp; d.add('fills'); }
    $('book-spread').textContent = st.depth && st.depth.spread !== null ? `spread ${st.depth.spread}` : '';
  }
  if (d.has('fills')) renderFills();
  if (d.has('stats') || d.has('pnl') || d.has('inv')) renderStats();
}

function renderFills() {
  const rows = st.fills.slice(0, 100).map((f) => el('tr', { class: f.side === 'BUY' ? 'buy' : 'sell', 'data-strategy': f.strategy_id },
    el('td', { text: timeOf(f.timestamp) }),
    el('td', { text: f.strategy_id }),
    el('td', { class: 'side', text: f.side }),
    el('td', { class: 'r', text: fmt(f.price, st.priceDp) }),
    el('td', { class: 'r', text: fmt(f.qty) }),
    el('td', { class: 'r', text: fmt(f.inventory) }),
    el('td', { class: 'r', text: fmt(f.fee, 6) }),
    el('td', { text: f.liquidity ? f.liquidity[0] : '' }),
    el('td', { class: `r ${f.round_trip_profit > 0 ? 'pos' : f.round_trip_profit < 0 ? 'neg' : ''}`, text: f.round_trip_profit === undefined ? '' : fmtSigned(f.round_trip_profit, 5) })));
  fill($('fills').tBodies[0], rows);
  $('fill-count').textContent = String(st.fills.length);
}

function renderStrategies() {
  const rows = st.strategies.map((s) => {
    const canStart = s.status === 'loaded' || s.status === 'stopped';
    const canStop = s.status === 'running' || s.status === 'paused';
    const btn = (action, label, enabled, cls = '') => el('button', { type: 'button', class: `small ${cls}`, 'data-action': action, 'data-id': s.strategy_id, text: label, disabled: !enabled });
    return el('tr', { class: s.strategy_id === st.selected ? 'selected' : '', 'data-id': s.strategy_id },
      el('td', { class: 'id', text: s.strategy_id }),
      el('td', { text: (s.symbols ?? []).join(',') }),
      el('td', {}, el('span', { class: `status ${s.status}`, text: s.status })),
      el('td', { class: 'actions' }, btn('start', 'Start', canStart, 'go'), btn('stop', 'Stop', canStop), btn('delete', 'Del', canStart, 'danger')));
  });
  fill($('strategies').tBodies[0], rows);
  const sel = $('strategy');
  if (sel.value !== st.selected) sel.value = st.selected;
}

function renderStats() {
  const L = st.last;
  const s = currentStrategy();
  const item = (k, v, cls = '') => [el('dt', { text: k }), el('dd', { class: cls, text: v })];
  const sign = (x) => (x > 0 ? 'pos' : x < 0 ? 'neg' : '');
  fill($('stats'), [
    ...item('status', s ? s.status : '—'),
    ...item('position', fmt(L.position), sign(L.position)),
    ...item('realized', fmtSigned(L.realized), sign(L.realized)),
    ...item('unrealized', fmtSigned(L.unrealized), sign(L.unrealized)),
    ...item('total P&L', fmtSigned(L.total), sign(L.total)),
    ...item('fills', String(st.fills.filter((f) => f.strategy_id === st.selected).length)),
    ...item('our bid', fmt(L.bid, st.priceDp)),
    ...item('our ask', fmt(L.ask, st.priceDp)),
  ]);
  $('inv-now').textContent = L.position === null ? '' : fmt(L.position);
  $('pnl-now').textContent = L.total === null ? '' : fmtSigned(L.total);
  $('pnl-now').className = `num ${sign(L.total)}`;
}

// ---- controls ----------------------------------------------------------------------------------
function parseJsonInput(id, what) {
  const text = $(id).value.trim();
  let v;
  try { v = JSON.parse(text === '' ? '{}' : text); } catch (e) {
    notice('error', 'INVALID_JSON', `${what} is not valid JSON: ${e.message}`);
    return undefined;
  }
  if (v === null || typeof v !== 'object' || Array.isArray(v)) { notice('error', 'INVALID_JSON', `${what} must be a JSON object`); return undefined; }
  return v;
}

async function guarded(button, what, f) {
  if (button) button.disabled = true;
  try { await f(); } catch (e) { showError(e, what); } finally { if (button) button.disabled = false; }
}

async function loadStrategy(andStart) {
  const parameters = parseJsonInput('load-params', 'parameters');
  if (parameters === undefined) return;
  const name = $('load-name').value.trim();
  const body = { name, type: $('load-type').value, symbols: [$('load-symbol').value], parameters };
  const r = await api('POST', '/api/strategy/load', body);
  const warn = (r.warnings ?? []).map((w) => w.message ?? w.code).join('; ');
  notice(warn ? 'warn' : 'ok', '', `loaded ${r.strategy_id}${warn ? ` — ${warn}` : ''}`);
  await refreshStrategies();
  selectStrategy(r.strategy_id);
  if (andStart) await startStrategy(r.strategy_id);
}

async function startStrategy(id) {
  const r = await api('POST', `/api/strategy/${encodeURIComponent(id)}/start`);
  notice('ok', '', `${id} ${r.status}`);
  await refreshStrategies();
}

async function rowAction(action, id, button) {
  await guarded(button, `${action} ${id}`, async () => {
    if (action === 'start') await startStrategy(id);
    else if (action === 'stop') {
      const r = await api('POST', `/api/strategy/${encodeURIComponent(id)}/stop`);
      notice('ok', '', `${id} stopped; ${r.final_state?.quotes_cancelled ?? 0} quotes cancelled, position ${r.final_state?.position ?? '—'}`);
      await refreshStrategies();
    } else if (action === 'delete') {
      await api('DELETE', `/api/strategy/${encodeURIComponent(id)}`);
      notice('ok', '', `${id} deleted`);
      await refreshStrategies();
    }
  });
}

function wireControls() {
  $('load-params').value = JSON.stringify(DEFAULT_PARAMS, null, 1);
  $('load-btn').addEventListener('click', (ev) => guarded(ev.currentTarget, 'load', () => loadStrategy(false)));
  $('load-start-btn').addEventListener('click', (ev) => guarded(ev.currentTarget, 'load', () => loadStrategy(true)));
  $('patch-btn').addEventListener('click', (ev) => guarded(ev.currentTarget, 'parameters', async () => {
    if (!st.selected) { notice('error', 'NO_STRATEGY', 'select a strategy first'); return; }
    const changes = parseJsonInput('patch-params', 'changes');
    if (changes === undefined) return;
    const r = await api('PATCH', `/api/strategy/${encodeURIComponent(st.selected)}/parameters`, changes);
    notice('ok', '', `${st.selected}: updated ${JSON.stringify(r.updated_parameters)}`);
    await refreshParams();
  }));
  $('strategies').addEventListener('click', (ev) => {
    const b = ev.target.closest('button[data-action]');
    if (b) { rowAction(b.dataset.action, b.dataset.id, b); return; }
    const tr = ev.target.closest('tr[data-id]');
    if (tr) selectStrategy(tr.dataset.id);
  });
  $('strategy').addEventListener('change', (ev) => selectStrategy(ev.target.value));
  $('symbol').addEventListener('change', (ev) => { selectSymbol(ev.target.value); poll(); });
  $('refresh-btn').addEventListener('click', () => refreshAll());
  $('kill-btn').addEventListener('click', (ev) => guarded(ev.currentTarget, 'kill', async () => {
    if (!window.confirm('Kill switch: cancel every open order of every strategy and refuse new ones until Resume?')) return;
    const r = await api('POST', '/api/kill', { note: 'dashboard' });
    notice('warn', '', `kill switch ${r.state}: ${r.orders_cancelled} orders cancelled`);
    await refreshHealth();
  }));
  $('resume-btn').addEventListener('click', (ev) => guarded(ev.currentTarget, 'resume', async () => {
    const r = await api('POST', '/api/resume');
    notice('ok', '', `kill switch released: ${r.state}`);
    await refreshHealth();
  }));
  const useToken = () => {
    const v = $('token-input').value.trim();
    $('token-input').value = '';
    setToken(v);
    notice('info', '', v ? 'token set for this tab' : 'token cleared');
    stream.restart();
    refreshAll();
  };
  $('token-btn').addEventListener('click', useToken);
  $('token-input').addEventListener('keydown', (ev) => { if (ev.key === 'Enter') useToken(); });
  $('token-forget').addEventListener('click', () => { setToken(''); notice('info', '', 'token forgotten'); stream.restart(); });
}

// ---- start ------------------------------------------------------------------------------------------
function main() {
  charts = createCharts({ price: $('chart-price'), inventory: $('chart-inv'), pnl: $('chart-pnl') });
  fill($('price-legend'), [['mid', 'mid'], ['bid', 'our bid'], ['ask', 'our ask'], ['far', 'ladder ends'], ['bid dot', 'buy'], ['ask dot', 'sell']]
    .map(([cls, text]) => el('span', { class: `key ${cls}`, text })));
  fill($('pnl-legend'), [['realized', 'realized'], ['unrealized', 'unrealized'], ['total', 'total']]
    .map(([cls, text]) => el('span', { class: `key ${cls}`, text })));
  wireControls();
  stream = new EventStream({
    token: getToken,
    onEvent,
    onState: (state, detail) => {
      setConn(state, detail);
      if (state === 'unauthorized') needToken();
      if (detail) log(state === 'live' ? 'ok' : 'warn', `stream ${state}: ${detail}`);
      if (state === 'live') refreshHealth();
    },
    onReopen: (resumed) => {
      if (resumed) return; // the server replays what was missed, or sends resync
      log('warn', 'stream reopened without a resume point: reloading state');
      refreshAll();
    },
  });
  refreshAll().finally(() => stream.start());
  setInterval(() => { poll(); }, POLL_MS);
  setInterval(() => { refreshHealth(); }, HEALTH_MS);
}

main();
