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
const OVERVIEW_MS = 2000;
// the charts open with the server's history (GET /api/history): 3 hours, one point every 3 s
const HISTORY_SECONDS = 3 * 3600;
const HISTORY_STEP = 3;
const enc = encodeURIComponent;

const st = {
  symbols: [], symbol: '', priceDp: undefined, strategies: [], selected: '', killSwitch: '',
  depth: null, ours: null, apiState: 'ok',
  last: { t: 0, mid: null, bid: null, ask: null, bidFar: null, askFar: null, position: null, realized: null, unrealized: null, total: null, pnlT: 0 },
  pendingFills: [], fills: [], fillKeys: new Set(), fillCounts: new Map(),
  dirty: new Set(), events: 0, resyncs: 0,
  schema: null, params: null, paramsOf: '', overview: null, overviewAt: 0,
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
    // the one name of the kill switch: kill_switch ACTIVE / HALTED, as in /api/health and the server's log
    const k = $('killstate');
    k.textContent = `kill_switch ${st.killSwitch === 'HALTED' ? 'HALTED' : 'ACTIVE'}`;
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
  if (st.schema === null) await loadSchema();
  await loadHistory();
  await poll();
  refreshOverview();
  markDirty('fills');
}

// ---- history from the server ----------------------------------------------------------------
let historySeq = 0;

/** The last hours of mid, our quotes, position and P&L (GET /api/history), merged with the fills we know, into the charts. */
async function loadHistory() {
  const sym = st.symbol;
  if (!sym) return;
  const s = currentStrategy();
  const sid = s && s.symbols?.includes(sym) ? s.strategy_id : '';
  const seq = ++historySeq;
  let h;
  try {
    h = await api('GET', `/api/history?symbol=${enc(sym)}&seconds=${HISTORY_SECONDS}&step=${HISTORY_STEP}${sid ? `&strategy_id=${enc(sid)}` : ''}`);
  } catch (e) {
    if (e instanceof ApiError && e.status === 401) needToken();
    else if (seq === historySeq) log('warn', `history: ${e.code ? `${e.code}: ` : ''}${e.message}`);
    return;
  }
  if (seq !== historySeq || sym !== st.symbol || (s ? s.strategy_id : '') !== st.selected) return;
  priceSeries.clear(); invSeries.clear(); pnlSeries.clear();
  const fills = sid ? st.fills.filter((f) => f.strategy_id === sid && f.symbol === sym).sort((a, b) => a.timestamp - b.timestamp) : [];
  st.pendingFills = [];
  let k = 0;
  const pushFill = (f) => {
    const t = f.timestamp / 1000;
    priceSeries.push(t, [null, null, null, null, null, f.side === 'BUY' ? f.price : null, f.side === 'SELL' ? f.price : null]);
    invSeries.push(t, [f.inventory]);
  };
  for (let i = 0; i < h.t.length; i++) {
    const tMs = h.t[i];
    while (k < fills.length && fills[k].timestamp <= tMs) pushFill(fills[k++]);
    const t = tMs / 1000;
    priceSeries.push(t, [h.mid[i], h.bid ? h.bid[i] : null, h.ask ? h.ask[i] : null, null, null, null, null]);
    if (h.position && h.position[i] !== null) invSeries.push(t, [h.position[i]]);
    if (h.total_pnl && h.total_pnl[i] !== null) pnlSeries.push(t, [h.realized_pnl[i], h.unrealized_pnl[i], h.total_pnl[i]]);
  }
  while (k < fills.length) pushFill(fills[k++]);
  document.body.dataset.historyLoads = String(Number(document.body.dataset.historyLoads ?? 0) + 1);
  document.body.dataset.historyPoints = String(h.t.length);
  document.body.dataset.historyOldest = h.t.length > 0 ? String(h.t[0]) : '';
  markDirty('price', 'inv', 'pnl');
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
  if (!id) { out.textContent = ''; st.params = null; st.paramsOf = ''; renderParamForm(); return; }
  try {
    const r = await api('GET', `/api/strategy/${encodeURIComponent(id)}/parameters`);
    if (st.selected === id) {
      out.textContent = JSON.stringify(r.parameters, null, 1);
      st.params = r.parameters;
      st.paramsOf = id;
      renderParamForm();
    }
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
  // the selected strategy's recent fills on the charts until its history arrives
  for (const f of st.fills.slice().reverse()) if (f.strategy_id === id && f.symbol === st.symbol) st.pendingFills.push(f);
  st.overview = null;
  $('ov-strategy').textContent = id;
  void loadHistory();
  refreshOverview();
  markDirty('strategies', 'stats', 'book', 'fills', 'overview');
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
  if (d.has('price') && L.mid !== null) priceSeries.pushMerged(nowSec, [L.mid, L.bid, L.ask, L.bidFar, L.askFar, null, null]);
  if (d.has('inv') && L.position !== null) invSeries.pushMerged((L.pnlT || L.t || Date.now()) / 1000, [L.position]);
  if (d.has('pnl') && L.total !== null) pnlSeries.pushMerged(L.pnlT / 1000, [L.realized, L.unrealized, L.total]);
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
  if (d.has('overview')) renderOverview();
}

function renderFills() {
  const mine = $('fills-mine').checked && st.selected !== '';
  const shown = mine ? st.fills.filter((f) => f.strategy_id === st.selected) : st.fills;
  const rows = shown.slice(0, 100).map((f) => el('tr', { class: f.side === 'BUY' ? 'buy' : 'sell', 'data-strategy': f.strategy_id },
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
  $('fill-count').textContent = String(shown.length);
  $('fills').dataset.filter = mine ? st.selected : '';
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

// ---- the selected strategy's panel (GET /api/strategy/:id/overview) --------------------------------
let overviewBusy = false;

async function refreshOverview() {
  const id = st.selected;
  if (!id || overviewBusy || st.apiState !== 'ok') return;
  const s = currentStrategy();
  const sym = s && s.symbols?.includes(st.symbol) ? st.symbol : '';
  overviewBusy = true;
  try {
    const o = await api('GET', `/api/strategy/${enc(id)}/overview${sym ? `?symbol=${enc(sym)}` : ''}`);
    if (st.selected !== id) return;
    st.overview = o;
    st.overviewAt = Date.now();
    // a strategy that is not quoting sends no pnl events: its position comes from here
    if (st.last.position === null && typeof o.position === 'number' && o.symbol === st.symbol) { st.last.position = o.position; markDirty('stats'); }
    markDirty('overview');
  } catch (e) {
    if (e instanceof ApiError && e.status === 401) needToken();
  } finally {
    overviewBusy = false;
  }
}

function duration(hours) {
  if (hours === null || hours === undefined || !Number.isFinite(hours)) return '—';
  if (hours <= 0) return 'due';
  const m = Math.floor(hours * 60);
  const d = Math.floor(m / 1440);
  return d > 0 ? `${d}d ${Math.floor((m % 1440) / 60)}h` : `${Math.floor(m / 60)}h ${String(m % 60).padStart(2, '0')}m`;
}

function renderOverview() {
  const o = st.overview;
  const item = (key, label, value, shown, cls = '') => [el('dt', { text: label }), el('dd', { class: cls, 'data-key': key, 'data-value': value === null || value === undefined ? '' : (typeof value === 'object' ? JSON.stringify(value) : String(value)), text: shown })];
  const sign = (x) => (x > 0 ? 'pos' : x < 0 ? 'neg' : '');
  if (!o) { fill($('overview'), []); fill($('markouts').tBodies[0], []); $('binary').hidden = true; return; }
  const lat = o.decision_latency;
  const riskCls = o.risk_state === 'HALTED' ? 'neg' : o.risk_state === 'REDUCING' ? 'warn' : 'pos';
  fill($('overview'), [
    ...item('symbol', 'symbol', o.symbol, o.symbol ?? '—'),
    ...item('status', 'status', o.status, o.status),
    ...item('risk_state', 'risk', o.risk_state, o.risk_state, riskCls),
    ...item('risk_reason', 'risk reason', o.risk_reason, o.risk_reason || '—'),
    ...item('pause_reasons', 'paused for', (o.pause_reasons ?? []).join(','), (o.pause_reasons ?? []).length > 0 ? o.pause_reasons.join(', ') : '—'),
    ...item('fill_rate_pct', 'fill rate', o.fill_rate_pct, o.fill_rate_pct === undefined || o.fill_rate_pct === null ? '—' : `${fmt(o.fill_rate_pct, 2)} %`),
    ...item('total_trades', 'fills', o.total_trades, fmt(o.total_trades)),
    ...item('max_drawdown', 'max drawdown', o.max_drawdown, fmt(o.max_drawdown, 4), o.max_drawdown > 0 ? 'neg' : ''),
    ...item('net_profit', 'net P&L', o.net_profit, fmtSigned(o.net_profit), sign(o.net_profit)),
    ...item('adverse_markout_fills', 'adverse fills', o.adverse_markout_fills, fmt(o.adverse_markout_fills)),
    ...item('decision_p50_ms', 'decision p50', lat ? lat.p50_ms : null, lat && lat.p50_ms !== null ? `${fmt(lat.p50_ms, 3)} ms` : '—'),
    ...item('decision_p99_ms', 'decision p99', lat ? lat.p99_ms : null, lat && lat.p99_ms !== null ? `${fmt(lat.p99_ms, 3)} ms` : '—'),
    ...item('decision_count', 'batches', lat ? lat.count : null, lat ? String(lat.count) : '—'),
  ]);
  $('overview').title = 'decision p50/p99: the engine\'s time per market-data batch (all strategies), from the spreadcore_batch_decision_seconds histogram of /metrics';
  fill($('markouts').tBodies[0], (o.markouts ?? []).map((k) => el('tr', { 'data-horizon': k.horizon_ms },
    el('td', { text: `${k.horizon_ms / 1000} s` }),
    el('td', { class: 'r', text: fmt(k.buy.fills) }),
    el('td', { class: `r ${sign(k.buy.avg_pnl_per_unit)}`, text: k.buy.avg_pnl_per_unit === null ? '—' : fmtSigned(k.buy.avg_pnl_per_unit, 5) }),
    el('td', { class: 'r', text: fmt(k.sell.fills) }),
    el('td', { class: `r ${sign(k.sell.avg_pnl_per_unit)}`, text: k.sell.avg_pnl_per_unit === null ? '—' : fmtSigned(k.sell.avg_pnl_per_unit, 5) }))));
  const b = o.binary;
  const bin = $('binary');
  bin.hidden = !b;
  if (b) {
    const noBid = b.no_side && b.no_side.bids && b.no_side.bids[0] ? b.no_side.bids[0].price : null;
    const noAsk = b.no_side && b.no_side.asks && b.no_side.asks[0] ? b.no_side.asks[0].price : null;
    // hours to resolution as the server said, less the time since
    const hours = b.hours_to_resolution === null ? null : b.hours_to_resolution - (Date.now() - st.overviewAt) / 3600e3;
    fill(bin, [
      ...item('yes_mid', 'YES mid (p)', b.yes_mid, fmt(b.yes_mid)),
      ...item('no_mid', 'NO mid (1 − p)', b.no_mid, fmt(b.no_mid)),
      ...item('no_bid', 'our NO bid', noBid, fmt(noBid)),
      ...item('no_ask', 'our NO ask', noAsk, fmt(noAsk)),
      ...item('resolution_time', 'resolves', b.resolution_time, b.resolution_time ? new Date(b.resolution_time).toLocaleString(undefined, { hour12: false }) : '—'),
      ...item('hours_to_resolution', 'time left', b.hours_to_resolution, `${duration(hours)}${b.status && b.status !== 'open' ? ` (${b.status})` : ''}`),
    ]);
  }
}

// ---- the parameter form, generated from the parameter schema (GET /api/parameters/schema) ----------------
async function loadSchema() {
  try {
    const r = await api('GET', '/api/parameters/schema');
    st.schema = r;
    renderParamForm();
  } catch (e) {
    if (e instanceof ApiError && e.status === 401) needToken();
  }
}

/** A parameter's own schema: the first non-null alternative (the canonical name's, before aliases), nullable or not. */
function fieldSchema(name) {
  const p = st.schema && st.schema.schema && st.schema.schema.properties ? st.schema.schema.properties[name] : undefined;
  if (!p) return null;
  let def = p;
  let nullable = false;
  while (def && Array.isArray(def.anyOf)) {
    if (def.anyOf.some((x) => x.type === 'null')) nullable = true;
    def = def.anyOf.find((x) => x.type !== 'null');
  }
  if (!def) return null;
  return { ...def, nullable, description: p.description ?? def.description ?? '' };
}

function renderParamForm() {
  const box = $('param-form');
  const values = st.params;
  if (!values || !st.schema || st.paramsOf !== st.selected) {
    fill(box, [el('p', { class: 'dim', text: st.selected ? 'loading…' : 'select a strategy' })]);
    box.dataset.strategy = '';
    return;
  }
  const order = st.schema.canonical ?? Object.keys(values);
  const names = order.filter((n) => Object.prototype.hasOwnProperty.call(values, n));
  for (const n of Object.keys(values)) if (!names.includes(n)) names.push(n);
  const rows = [];
  for (const name of names) {
    const f = fieldSchema(name);
    const v = values[name];
    const id = `pf-${name}`;
    let input;
    if (f && f.type === 'boolean') {
      input = el('input', { type: 'checkbox', id, name, 'data-kind': 'boolean' });
      input.checked = v === true;
    } else if (f && f.type === 'string' && Array.isArray(f.enum)) {
      input = el('select', { id, name, 'data-kind': 'enum' }, ...f.enum.map((x) => el('option', { value: x, text: x })));
      input.value = String(v);
    } else if (f && (f.type === 'number' || f.type === 'integer')) {
      input = el('input', { type: 'number', id, name, 'data-kind': f.type, step: f.type === 'integer' ? '1' : 'any', inputmode: 'decimal' });
      if (f.minimum !== undefined) input.min = String(f.minimum);
      if (f.maximum !== undefined) input.max = String(f.maximum);
      input.value = v === null || v === undefined ? '' : String(v);
      if (f.nullable) input.placeholder = 'none';
    } else {
      input = el('input', { type: 'text', id, name, 'data-kind': 'json', spellcheck: 'false' });
      input.value = JSON.stringify(v);
    }
    input.dataset.nullable = f && f.nullable ? '1' : '';
    input.dataset.initial = JSON.stringify(v);
    const bounds = f ? [f.minimum !== undefined ? `min ${f.minimum}` : f.exclusiveMinimum !== undefined ? `> ${f.exclusiveMinimum}` : '', f.maximum !== undefined ? `max ${f.maximum}` : f.exclusiveMaximum !== undefined ? `< ${f.exclusiveMaximum}` : ''].filter(Boolean).join(', ') : '';
    const label = el('label', { for: id, text: name, title: `${f ? f.description : ''}${bounds ? ` (${bounds})` : ''}` });
    rows.push(el('div', { class: 'pf-row', 'data-param': name }, label, input));
  }
  fill(box, rows);
  box.dataset.strategy = st.selected;
}

/** The form's changed fields as a PATCH body; undefined (with a notice) when one cannot be read. */
function formChanges() {
  const out = {};
  for (const input of $('param-form').querySelectorAll('[data-kind]')) {
    const name = input.name;
    const kind = input.dataset.kind;
    let v;
    if (kind === 'boolean') v = input.checked;
    else if (kind === 'enum') v = input.value;
    else if (kind === 'number' || kind === 'integer') {
      const text = input.value.trim();
      if (text === '') {
        if (!input.dataset.nullable) { notice('error', 'INVALID_VALUE', `${name} needs a number`); return undefined; }
        v = null;
      } else {
        v = Number(text);
        if (!Number.isFinite(v)) { notice('error', 'INVALID_VALUE', `${name}: ${JSON.stringify(text)} is not a number`); return undefined; }
      }
    } else {
      try { v = JSON.parse(input.value); } catch (e) { notice('error', 'INVALID_JSON', `${name} is not valid JSON: ${e.message}`); return undefined; }
    }
    if (JSON.stringify(v) !== input.dataset.initial) out[name] = v;
  }
  return out;
}

async function patchParameters(changes) {
  const id = st.selected;
  const r = await api('PATCH', `/api/strategy/${enc(id)}/parameters`, changes);
  notice('ok', '', `${id}: updated ${JSON.stringify(r.updated_parameters)}`);
  await refreshParams();
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
    await patchParameters(changes);
  }));
  $('form-apply-btn').addEventListener('click', (ev) => guarded(ev.currentTarget, 'parameters', async () => {
    if (!st.selected) { notice('error', 'NO_STRATEGY', 'select a strategy first'); return; }
    const changes = formChanges();
    if (changes === undefined) return;
    if (Object.keys(changes).length === 0) { notice('info', '', 'no parameter changed'); return; }
    await patchParameters(changes);
  }));
  $('form-reset-btn').addEventListener('click', () => renderParamForm());
  $('fills-mine').addEventListener('change', () => markDirty('fills'));
  $('strategies').addEventListener('click', (ev) => {
    const b = ev.target.closest('button[data-action]');
    if (b) { rowAction(b.dataset.action, b.dataset.id, b); return; }
    const tr = ev.target.closest('tr[data-id]');
    if (tr) selectStrategy(tr.dataset.id);
  });
  $('strategy').addEventListener('change', (ev) => selectStrategy(ev.target.value));
  $('symbol').addEventListener('change', (ev) => { selectSymbol(ev.target.value); void loadHistory(); poll(); });
  $('refresh-btn').addEventListener('click', () => refreshAll());
  $('kill-btn').addEventListener('click', (ev) => guarded(ev.currentTarget, 'kill', async () => {
    if (!window.confirm('kill_switch HALTED: cancel every open order of every strategy and refuse new ones until Resume?')) return;
    const r = await api('POST', '/api/kill', { note: 'dashboard' });
    notice('warn', '', `kill_switch ${r.state}: ${r.orders_cancelled} orders cancelled`);
    await refreshHealth();
  }));
  $('resume-btn').addEventListener('click', (ev) => guarded(ev.currentTarget, 'resume', async () => {
    const r = await api('POST', '/api/resume');
    notice('ok', '', `kill_switch ${r.state}: trading resumed`);
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
      // the server replays the events missed (or sends resync); the sampled history covers the gap in the charts
      if (resumed) { void loadHistory(); return; }
      log('warn', 'stream reopened without a resume point: reloading state');
      refreshAll();
    },
  });
  refreshAll().finally(() => stream.start());
  setInterval(() => { poll(); }, POLL_MS);
  setInterval(() => { refreshHealth(); }, HEALTH_MS);
  setInterval(() => { refreshOverview(); }, OVERVIEW_MS);
  // the time to resolution counts down between answers
  setInterval(() => { if (st.overview && st.overview.binary) markDirty('overview'); }, 30_000);
}

main();
