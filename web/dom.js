// Small DOM helpers: elements are built with textContent (never innerHTML), so text
// from the server (strategy names, messages) is never parsed as markup.

export const $ = (id) => document.getElementById(id);

export function el(tag, attrs = {}, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === null || v === false) continue;
    if (k === 'class') e.className = v;
    else if (k === 'text') e.textContent = v;
    else if (k.startsWith('data-')) e.dataset[k.slice(5).replace(/-([a-z])/g, (m, c) => c.toUpperCase())] = String(v);
    else if (k === 'title' || k === 'type' || k === 'value' || k === 'disabled') e[k] = v;
    else e.setAttribute(k, String(v));
  }
  for (const c of children) if (c !== null && c !== undefined) e.append(c);
  return e;
}

/** Replaces the children of node (a table body, a list). */
export function fill(node, children) { node.replaceChildren(...children); }

export function decimalsOf(x) {
  if (!Number.isFinite(x)) return 0;
  const s = String(x);
  const e = s.indexOf('e-');
  if (e >= 0) return Math.min(10, Number(s.slice(e + 2)));
  const dot = s.indexOf('.');
  return dot < 0 ? 0 : Math.min(10, s.length - dot - 1);
}

export function fmt(x, dp) {
  if (x === null || x === undefined || !Number.isFinite(x)) return '—';
  return dp === undefined ? String(x) : x.toFixed(dp);
}

export function fmtSigned(x, dp = 4) {
  if (x === null || x === undefined || !Number.isFinite(x)) return '—';
  return (x > 0 ? '+' : '') + x.toFixed(dp);
}

export function timeOf(ms) {
  const d = new Date(ms);
  const p = (n, w = 2) => String(n).padStart(w, '0');
  return `${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}.${p(d.getMilliseconds(), 3)}`;
}
