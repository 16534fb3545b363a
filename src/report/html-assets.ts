// The report page's own stylesheet and the script that turns the embedded JSON into uPlot
// charts. Plain strings: they are inlined into the page next to uPlot.

export const REPORT_CSS = `
:root { color-scheme: light; }
* { box-sizing: border-box; }
body { margin: 0; padding: 24px; font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: #222; background: #f6f7f9; }
main { max-width: 1200px; margin: 0 auto; }
h1 { font-size: 24px; margin: 0 0 4px; }
h2 { font-size: 17px; margin: 28px 0 10px; }
.subtitle { color: #666; margin: 0 0 16px; }
.summary { display: grid; grid-template-columns: repeat(auto-fill, minmax(180px, 1fr)); gap: 10px; margin: 16px 0 8px; }
.stat { background: #fff; border: 1px solid #e3e5e8; border-radius: 6px; padding: 10px 12px; }
.stat dt { color: #666; font-size: 12px; text-transform: none; }
.stat dd { margin: 2px 0 0; font-size: 18px; font-variant-numeric: tabular-nums; overflow-wrap: anywhere; }
figure { margin: 16px 0; background: #fff; border: 1px solid #e3e5e8; border-radius: 6px; padding: 12px; }
figcaption { font-weight: 600; margin-bottom: 6px; }
figcaption .note { font-weight: 400; color: #777; font-size: 12px; margin-left: 8px; }
.plot { width: 100%; min-height: 60px; }
.empty { color: #777; padding: 20px 0; }
figure img { max-width: 100%; height: auto; display: block; }
figure.svg-chart svg { max-width: 100%; height: auto; display: block; }
table { border-collapse: collapse; background: #fff; font-variant-numeric: tabular-nums; width: 100%; }
th, td { border: 1px solid #e3e5e8; padding: 4px 8px; text-align: left; }
th { background: #f0f1f3; }
td.num { text-align: right; }
.table-wrap { overflow-x: auto; }
footer { color: #888; font-size: 12px; margin-top: 32px; }
`;

/**
 * Reads the JSON block, joins each chart's series on a common x (uPlot.join: missing values
 * are skipped, nulls break the line), and creates one uPlot per chart, resized with the window.
 */
export const REPORT_BOOT_JS = `
(function () {
  'use strict';
  var data = JSON.parse(document.getElementById('report-data').textContent);
  var plots = [];
  function utc(ts) { return uPlot.tzDate(new Date(ts), 'Etc/UTC'); }
  // 24-hour UTC labels: HH:MM:SS (with .mmm below one second), dates for day steps.
  function timeLabel(ts, incr) {
    var iso = new Date(ts).toISOString();
    if (incr >= 86400000) return iso.slice(0, 10);
    return iso.slice(11, incr < 1000 ? 23 : 19);
  }
  function timeAxisValues(u, splits, axisIdx, space, incr) {
    return splits.map(function (v) { return v == null ? '' : timeLabel(v, incr); });
  }
  // y axis wide enough for its longest tick label (uPlot's default fits about five characters).
  function ySize(u, values) {
    var n = 0;
    (values || []).forEach(function (v) { n = Math.max(n, String(v).length); });
    return Math.max(50, n * 7 + 18);
  }
  function timeLegend(u, v) { return v == null ? '--' : new Date(v).toISOString().replace('T', ' ').replace('Z', ' UTC'); }
  function widthOf(el) { return Math.max(300, Math.floor(el.clientWidth || 800)); }
  data.charts.forEach(function (c, ci) {
    var el = document.getElementById('chart-' + ci);
    if (!el) return;
    var withPoints = c.series.filter(function (s) { return s.x.length > 0; });
    if (withPoints.length === 0) {
      el.className += ' empty';
      el.textContent = c.series.length === 0 ? 'no series' : 'no data';
      return;
    }
    var aligned = uPlot.join(withPoints.map(function (s) { return [s.x, s.y]; }));
    var series = [c.xIsTime ? { label: 'time', value: timeLegend } : { label: 'x' }];
    withPoints.forEach(function (s) {
      // Points are drawn by uPlot only where they are far apart (sparse data, isolated points).
      var o = { label: s.name, stroke: s.color, width: 1.5, points: { size: 5, fill: s.color } };
      if (s.style === 'step') o.paths = uPlot.paths.stepped({ align: 1 });
      if (s.style === 'points') {
        o.paths = function () { return null; };
        o.points = { show: true, space: 0, size: 5, fill: s.color, stroke: s.color };
      }
      series.push(o);
    });
    var opts = {
      width: widthOf(el),
      height: 320,
      series: series,
      scales: { x: { time: !!c.xIsTime } },
      axes: [c.xIsTime ? { values: timeAxisValues, space: 80 } : {}, c.yLabel ? { label: c.yLabel, size: ySize } : { size: ySize }],
      cursor: { drag: { x: true, y: false } }
    };
    if (c.xIsTime) { opts.ms = 1; opts.tzDate = utc; }
    plots.push({ el: el, u: new uPlot(opts, aligned, el) });
  });
  var pending = 0;
  window.addEventListener('resize', function () {
    cancelAnimationFrame(pending);
    pending = requestAnimationFrame(function () {
      plots.forEach(function (p) { p.u.setSize({ width: widthOf(p.el), height: 320 }); });
    });
  });
  window.__reportPlots = plots.length;
})();
`;
