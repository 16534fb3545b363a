// renderHtmlReport: one self-contained HTML file (works offline, opened from disk) with a
// summary, interactive uPlot charts, tables, and pictures: inline SVG charts (the same
// documents the PNGs are rasterised from) or embedded PNGs.

import { SERIES_PALETTE, parseHexColor, rgbToHex } from './color.js';
import { REPORT_BOOT_JS, REPORT_CSS } from './html-assets.js';
import { PAGE_MAX_BUCKETS, pageSeriesData } from './page-downsample.js';
import type { HtmlReportOptions } from './types.js';
import { uplotAssets } from './uplot-assets.js';
import { badChart, checkSeriesList, optionalString, requireArray, requireObject, requireString } from './validate.js';

/** Text for HTML element content and attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/**
 * JSON that can sit inside <script type="application/json">: '<', '>' and '&' become \\u
 * escapes (so no '</script' or '<!--' can appear), and so do U+2028 / U+2029, which some
 * older JavaScript parsers treat as line ends inside strings.
 */
export function jsonForScript(value: unknown): string {
  return JSON.stringify(value).replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/** Builds the report page and returns the HTML text. */
export function renderHtmlReport(opts: HtmlReportOptions): string {
  const o = requireObject(opts, 'report options');
  const title = requireString(o['title'], 'title');
  const subtitle = optionalString(o['subtitle'], 'subtitle');
  const summary = requireArray(o['summary'], 'summary').map((item, i) => {
    const it = requireObject(item, `summary[${i}]`);
    return { label: requireString(it['label'], `summary[${i}].label`), value: requireString(it['value'], `summary[${i}].value`) };
  });
  const charts = requireArray(o['charts'], 'charts').map((c, i) => {
    const ch = requireObject(c, `charts[${i}]`);
    return {
      title: requireString(ch['title'], `charts[${i}].title`),
      yLabel: optionalString(ch['yLabel'], `charts[${i}].yLabel`),
      xIsTime: ch['xIsTime'] === true,
      series: checkSeriesList(ch['series'], `charts[${i}].series`),
    };
  });
  const tables = (o['tables'] === undefined ? [] : requireArray(o['tables'], 'tables')).map((t, i) => {
    const tb = requireObject(t, `tables[${i}]`);
    const columns = requireArray(tb['columns'], `tables[${i}].columns`).map((c, j) => requireString(c, `tables[${i}].columns[${j}]`));
    const rows = requireArray(tb['rows'], `tables[${i}].rows`).map((r, j) => {
      const row = requireArray(r, `tables[${i}].rows[${j}]`);
      if (row.length !== columns.length) throw badChart(`tables[${i}].rows[${j}] has ${row.length} cells but there are ${columns.length} columns`);
      return row.map((cell, k) => {
        if (typeof cell !== 'string' && typeof cell !== 'number') throw badChart(`tables[${i}].rows[${j}][${k}] must be a string or number, got ${typeof cell}`);
        return cell;
      });
    });
    return { title: requireString(tb['title'], `tables[${i}].title`), columns, rows };
  });
  const images = (o['images'] === undefined ? [] : requireArray(o['images'], 'images')).map((im, i) => {
    const img = requireObject(im, `images[${i}]`);
    const title = requireString(img['title'], `images[${i}].title`);
    if ((img['svg'] === undefined) === (img['pngBase64'] === undefined)) throw badChart(`images[${i}] must have exactly one of pngBase64 and svg`);
    if (img['svg'] !== undefined) {
      const svg = requireString(img['svg'], `images[${i}].svg`);
      // inlined as markup: only an SVG document from the chart renderer (no scripts, no foreign content)
      if (!/^<svg[\s>]/.test(svg) || !/<\/svg>\s*$/.test(svg) || /<(script|foreignObject|iframe)\b|<[^>]*\son[a-z]+\s*=|<[^>]*javascript:/i.test(svg)) {
        throw badChart(`images[${i}].svg is not a plain SVG document`);
      }
      return { title, svg };
    }
    const b64 = requireString(img['pngBase64'], `images[${i}].pngBase64`);
    if (!BASE64.test(b64)) throw badChart(`images[${i}].pngBase64 is not base64 text`);
    return { title, pngBase64: b64 };
  });

  // Chart data for the page, downsampled.
  const chartData = charts.map((c) => ({
    title: c.title,
    yLabel: c.yLabel ?? null,
    xIsTime: c.xIsTime,
    series: c.series.map((s, si) => {
      const d = pageSeriesData(s);
      const color = s.color !== undefined ? rgbToHex(parseHexColor(s.color, `series ${si} color`)) : SERIES_PALETTE[si % SERIES_PALETTE.length]!;
      return { name: s.name, color, style: s.style ?? 'line', x: d.x, y: d.y, pointsIn: d.pointsIn };
    }),
  }));

  const { js, css } = uplotAssets();
  const parts: string[] = [];
  parts.push(
    '<!doctype html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>${escapeHtml(title)}</title>`,
    `<style>${css}</style>`,
    `<style>${REPORT_CSS}</style>`,
    '</head>',
    '<body>',
    '<main>',
    `<h1>${escapeHtml(title)}</h1>`,
  );
  if (subtitle !== undefined) parts.push(`<p class="subtitle">${escapeHtml(subtitle)}</p>`);
  if (summary.length > 0) {
    parts.push('<dl class="summary">');
    for (const s of summary) parts.push(`<div class="stat"><dt>${escapeHtml(s.label)}</dt><dd>${escapeHtml(s.value)}</dd></div>`);
    parts.push('</dl>');
  }
  chartData.forEach((c, i) => {
    const shown = c.series.reduce((n, s) => n + s.x.length, 0);
    const input = c.series.reduce((n, s) => n + s.pointsIn, 0);
    const note = input > shown ? `<span class="note">${shown.toLocaleString('en-US')} of ${input.toLocaleString('en-US')} points shown (min/max per x slice)</span>` : '';
    parts.push(`<figure><figcaption>${escapeHtml(c.title)}${note}</figcaption><div class="plot" id="chart-${i}"></div></figure>`);
  });
  for (const im of images) {
    parts.push(im.svg !== undefined
      ? `<figure class="svg-chart"><figcaption>${escapeHtml(im.title)}</figcaption>${im.svg}</figure>`
      : `<figure><figcaption>${escapeHtml(im.title)}</figcaption><img alt="${escapeHtml(im.title)}" src="data:image/png;base64,${im.pngBase64}"></figure>`);
  }
  for (const t of tables) {
    parts.push(`<h2>${escapeHtml(t.title)}</h2>`, '<div class="table-wrap"><table>', '<thead><tr>');
    for (const c of t.columns) parts.push(`<th>${escapeHtml(c)}</th>`);
    parts.push('</tr></thead>', '<tbody>');
    for (const row of t.rows) {
      parts.push('<tr>');
      for (const cell of row) {
        parts.push(typeof cell === 'number' ? `<td class="num">${escapeHtml(String(cell))}</td>` : `<td>${escapeHtml(cell)}</td>`);
      }
      parts.push('</tr>');
    }
    parts.push('</tbody></table></div>');
  }
  parts.push(
    `<footer>Charts are interactive: drag to zoom, double-click to reset. Series longer than ${(PAGE_MAX_BUCKETS * 4).toLocaleString('en-US')} points are reduced to the first, lowest, highest and last point of each of ${PAGE_MAX_BUCKETS.toLocaleString('en-US')} equal x slices, so spikes stay visible. Times are UTC.</footer>`,
    '</main>',
    `<script type="application/json" id="report-data">${jsonForScript({ charts: chartData })}</script>`,
    `<script>${js}</script>`,
    `<script>${REPORT_BOOT_JS}</script>`,
    '</body>',
    '</html>',
    '',
  );
  return parts.join('\n');
}
