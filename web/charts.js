// The three uPlot charts (price with our quotes and fills, inventory, P&L), sized to
// their containers, cursors synced. setData is called from the page's frame loop only.
/* global uPlot */

export const COLORS = {
  mid: '#c9d1d9', bid: '#3fb68b', ask: '#ef5350', bidFar: 'rgba(63,182,139,0.45)', askFar: 'rgba(239,83,80,0.45)',
  buy: '#3fb68b', sell: '#ef5350', inv: '#58a6ff', realized: '#d29922', unrealized: '#a371f7', total: '#e6edf3',
  grid: 'rgba(240,246,252,0.07)', axis: '#8b949e',
};

const SYNC_KEY = 'spreadcore';

function axes(fmt) {
  const base = { stroke: COLORS.axis, grid: { stroke: COLORS.grid, width: 1 }, ticks: { stroke: COLORS.grid, width: 1, size: 4 }, font: '11px system-ui, sans-serif' };
  return [
    { ...base, space: 80, size: 26, values: (u, splits) => splits.map(clockLabel) },
    { ...base, size: 64, values: (u, splits) => splits.map(fmt) },
  ];
}

function fmtNum(v) {
  if (v === null || v === undefined) return '';
  const a = Math.abs(v);
  return a >= 1000 ? v.toFixed(2) : a >= 1 ? v.toFixed(3) : v.toPrecision(3);
}

function clockLabel(sec) {
  const d = new Date(sec * 1000);
  const p = (n) => String(n).padStart(2, '0');
  return `${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}`;
}

function timeLabel(sec) {
  if (sec === null || sec === undefined) return '';
  return new Date(sec * 1000).toLocaleTimeString(undefined, { hour12: false });
}

function make(el, series, opts = {}) {
  const rect = el.getBoundingClientRect();
  const u = new uPlot({
    width: Math.max(100, Math.floor(rect.width)),
    height: Math.max(60, Math.floor(rect.height)),
    pxAlign: false,
    legend: { show: opts.legend ?? false },
    cursor: { sync: { key: SYNC_KEY }, drag: { x: true, y: false } },
    scales: { x: { time: true }, y: { auto: true } },
    axes: axes(opts.fmt ?? fmtNum),
    series: [{ value: (u, v) => timeLabel(v) }, ...series],
  }, [[], ...series.map(() => [])], el);
  return u;
}

const stepped = () => uPlot.paths.stepped({ align: 1 });
const line = (label, stroke, extra = {}) => ({ label, stroke, width: 1.25, spanGaps: true, points: { show: false }, value: (u, v) => fmtNum(v), ...extra });
const dots = (label, color) => ({ label, stroke: color, fill: color, width: 0, paths: () => null, points: { show: true, size: 7, width: 1, stroke: '#0e1116', fill: color }, value: (u, v) => fmtNum(v) });

export function createCharts({ price, inventory, pnl }) {
  const charts = {
    price: make(price, [
      line('mid', COLORS.mid, { width: 1.5 }),
      line('bid L1', COLORS.bid, { paths: stepped() }),
      line('ask L1', COLORS.ask, { paths: stepped() }),
      line('bid far', COLORS.bidFar, { paths: stepped(), dash: [4, 3] }),
      line('ask far', COLORS.askFar, { paths: stepped(), dash: [4, 3] }),
      dots('buy fill', COLORS.buy),
      dots('sell fill', COLORS.sell),
    ]),
    inventory: make(inventory, [line('position', COLORS.inv, { paths: stepped(), fill: 'rgba(88,166,255,0.12)', width: 1.5 })]),
    pnl: make(pnl, [
      line('realized', COLORS.realized),
      line('unrealized', COLORS.unrealized),
      line('total', COLORS.total, { width: 1.5 }),
    ]),
  };
  const els = { price, inventory, pnl };
  const resize = () => {
    for (const k of Object.keys(charts)) {
      const r = els[k].getBoundingClientRect();
      charts[k].setSize({ width: Math.max(100, Math.floor(r.width)), height: Math.max(60, Math.floor(r.height)) });
    }
  };
  new ResizeObserver(() => resize()).observe(document.body);
  resize();
  return charts;
}
