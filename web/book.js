// The order book ladder: asks above, bids below, best prices in the middle, a depth
// bar per level, and our resting quotes merged in (marked, with our size).
import { el, fill, decimalsOf } from './dom.js';

export function renderBook(tbody, depth, ours, rows = 15) {
  if (!depth) { fill(tbody, []); return undefined; }
  const quotes = ours ?? { bids: [], asks: [] };
  let dp = 0;
  for (const l of [...depth.bids, ...depth.asks, ...quotes.bids, ...quotes.asks]) dp = Math.max(dp, decimalsOf(l.price));
  const key = (p) => p.toFixed(dp);
  const side = (levels, mine, desc) => {
    const m = new Map();
    for (const l of levels) m.set(key(l.price), { price: l.price, qty: l.qty, ours: 0 });
    for (const q of mine) {
      const k = key(q.price);
      const e = m.get(k) ?? { price: q.price, qty: 0, ours: 0 };
      e.ours += q.qty;
      m.set(k, e);
    }
    return [...m.values()].sort((a, b) => (desc ? b.price - a.price : a.price - b.price)).slice(0, rows);
  };
  const bids = side(depth.bids, quotes.bids, true);
  const asks = side(depth.asks, quotes.asks, false);
  const maxQty = Math.max(1e-12, ...bids.map((l) => l.qty), ...asks.map((l) => l.qty));
  const qdp = Math.max(0, ...[...depth.bids, ...depth.asks].map((l) => decimalsOf(l.qty)));
  // depth bar: a gradient sized by the level's share of the largest level (square-root scale) (CSSOM, allowed by the CSP)
  const qtyCell = (qty, cls, right) => {
    const td = el('td', { class: `${right ? 'r ' : ''}qty ${cls}`, text: qty > 0 ? qty.toFixed(qdp) : '' });
    const pct = Math.min(100, Math.sqrt(qty / maxQty) * 100).toFixed(1); // sqrt: small levels stay visible
    const color = cls === 'bid' ? 'rgba(63,182,139,0.20)' : 'rgba(239,83,80,0.20)';
    td.style.backgroundImage = `linear-gradient(to ${right ? 'left' : 'right'}, ${color} ${pct}%, transparent ${pct}%)`;
    return td;
  };
  const out = [];
  for (const l of asks.slice().reverse()) {
    out.push(el('tr', { class: `ask${l.ours > 0 ? ' ours' : ''}` },
      el('td', { class: 'r' }), el('td', { class: 'r' }),
      el('td', { class: 'r price', text: l.price.toFixed(dp) }),
      qtyCell(l.qty, 'ask', false),
      el('td', { class: 'mine', text: l.ours > 0 ? String(l.ours) : '' })));
  }
  out.push(el('tr', { class: 'mid' }, el('td', { colspan: 5, text: depth.mid_price === null ? 'one side empty' : `mid ${depth.mid_price.toFixed(dp + 1)} · spread ${depth.spread.toFixed(dp)}` })));
  for (const l of bids) {
    out.push(el('tr', { class: `bid${l.ours > 0 ? ' ours' : ''}` },
      el('td', { class: 'r mine', text: l.ours > 0 ? String(l.ours) : '' }),
      qtyCell(l.qty, 'bid', true),
      el('td', { class: 'r price', text: l.price.toFixed(dp) }),
      el('td'), el('td')));
  }
  fill(tbody, out);
  return dp;
}
