import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { renderHtmlReport, renderLineChartSvg, type HtmlReportOptions } from '../src/report/index.js';
import { spreadcoreErrorOf } from './support/thrown.js';

const require = createRequire(import.meta.url);
const UPLOT_JS = readFileSync(require.resolve('uplot/dist/uPlot.iife.min.js'), 'utf8');
const UPLOT_CSS = readFileSync(require.resolve('uplot/dist/uPlot.min.css'), 'utf8');

const NASTY = 'mid </script><script>alert(1)</script> \u2028\u2029 <!-- & "q"';

function baseReport(): HtmlReportOptions {
  return {
    title: 'Backtest <b>BTCUSDT</b>',
    subtitle: 'from 2024-05-01 & "friends"',
    summary: [{ label: 'PnL <USDT>', value: '12.5' }],
    charts: [{ title: 'mid', yLabel: 'price', xIsTime: true, series: [{ name: NASTY, x: [1, 2, 3], y: [4, NaN, 6] }] }],
    tables: [{ title: 'fills', columns: ['id', 'note'], rows: [[1, '<i>x</i>'], [2.5, 'y']] }],
    images: [{ title: 'chart', pngBase64: 'iVBORw0KGgo=' }],
  };
}

function dataBlock(html: string): { charts: { series: { name: string; x: number[]; y: (number | null)[]; color: string; style: string }[] }[] } {
  const m = /<script type="application\/json" id="report-data">([\s\S]*?)<\/script>/.exec(html);
  expect(m).not.toBeNull();
  return JSON.parse(m![1]!);
}


describe('renderHtmlReport', () => {
  it('inlines a chart SVG (the document the PNG is rasterised from) with its text escaped', () => {
    const svg = renderLineChartSvg({ title: NASTY, width: 400, height: 240, series: [{ name: 'mid & <fills>', x: [1, 2], y: [3, 4] }] }, 'fig');
    const html = renderHtmlReport({ ...baseReport(), images: [{ title: 'mid-fills.png', svg }] });
    expect(html).toContain(`<figure class="svg-chart"><figcaption>mid-fills.png</figcaption>${svg}</figure>`);
    expect(svg).toContain('mid &amp; &lt;fills&gt;');
    expect(svg).not.toContain('<script');
    expect(html.match(/<script/g)!.length).toBe(3); // the data block, uPlot, the boot script: none from the SVG
  });

  it('inlines uPlot and references nothing outside the file', () => {
    const html = renderHtmlReport(baseReport());
    expect(html.startsWith('<!doctype html>')).toBe(true);
    expect(html).toContain(UPLOT_JS);
    expect(html).toContain(UPLOT_CSS);
    expect(html).not.toMatch(/<script[^>]*\ssrc=/i);
    expect(html).not.toMatch(/<link\b/i);
    expect(html).not.toMatch(/(src|href)="(https?:)?\/\//i);
  });

  it('keeps a series name containing </script> and U+2028 inside the JSON block, intact after parsing', () => {
    const html = renderHtmlReport(baseReport());
    // Exactly three script elements end: the data, uPlot, and the page script.
    expect(html.match(/<\/script/gi)).toHaveLength(3);
    expect(html).not.toContain('\u2028');
    expect(html).not.toContain('\u2029');
    expect(html.match(/<!--/g)).toBeNull();
    const data = dataBlock(html);
    expect(data.charts[0]!.series[0]!.name).toBe(NASTY);
    expect(data.charts[0]!.series[0]!.x).toEqual([1, 2, 3]);
    expect(data.charts[0]!.series[0]!.y).toEqual([4, null, 6]);
    expect(data.charts[0]!.series[0]!.color).toMatch(/^#[0-9a-f]{6}$/);
  });

  it('HTML-escapes every piece of text', () => {
    const html = renderHtmlReport(baseReport());
    expect(html).toContain('<title>Backtest &#60;b&#62;BTCUSDT&#60;/b&#62;</title>');
    expect(html).not.toContain('<b>BTCUSDT');
    expect(html).toContain('from 2024-05-01 &#38; &#34;friends&#34;');
    expect(html).toContain('PnL &#60;USDT&#62;');
    expect(html).toContain('<td>&#60;i&#62;x&#60;/i&#62;</td>');
    expect(html).toContain('<td class="num">2.5</td>');
    expect(html).toContain('src="data:image/png;base64,iVBORw0KGgo="');
  });

  it('downsamples long series and says so in the chart caption', () => {
    const n = 100_000;
    const x = Array.from({ length: n }, (_, i) => i);
    const y = x.map((i) => (i === 4242 ? 1e6 : Math.cos(i / 500)));
    const html = renderHtmlReport({ title: 't', summary: [], charts: [{ title: 'big', series: [{ name: 'b', x, y, style: 'step' }] }] });
    const s = dataBlock(html).charts[0]!.series[0]!;
    expect(s.x.length).toBeLessThanOrEqual(4000);
    expect(s.y).toContain(1e6);
    expect(s.style).toBe('step');
    expect(html).toMatch(/of 100,000 points shown/);
  });

  it('rejects malformed input with a coded error naming the field', () => {
    const cases: [(o: HtmlReportOptions) => unknown, RegExp][] = [
      [(o) => (o.summary = [{ label: 'a', value: 5 as never }]), /summary\[0\]\.value must be a string, got 5/],
      [(o) => (o.tables![0]!.rows = [[1]]), /tables\[0\]\.rows\[0\] has 1 cells but there are 2 columns/],
      [(o) => (o.tables![0]!.rows = [[1, { a: 1 } as never]]), /tables\[0\]\.rows\[0\]\[1\] must be a string or number/],
      [(o) => (o.images![0]!.pngBase64 = '"><script>'), /images\[0\]\.pngBase64 is not base64/],
      [(o) => (o.charts[0]!.series[0]!.color = 'javascript:1'), /charts\[0\]\.series\[0\]\.color/],
      [(o) => (o.charts = {} as never), /charts must be an array/],
      [(o) => (o.images = [{ title: 'both', pngBase64: 'iVBORw0KGgo=', svg: '<svg></svg>' }]), /images\[0\] must have exactly one of pngBase64 and svg/],
      [(o) => (o.images = [{ title: 's', svg: '<svg><script>alert(1)</script></svg>' }]), /images\[0\]\.svg is not a plain SVG document/],
      [(o) => (o.images = [{ title: 's', svg: '<svg onload="alert(1)"></svg>' }]), /images\[0\]\.svg is not a plain SVG document/],
      [(o) => (o.images = [{ title: 's', svg: '<p>not svg</p>' }]), /images\[0\]\.svg is not a plain SVG document/],
    ];
    for (const [mutate, re] of cases) {
      const o = baseReport();
      mutate(o);
      const e = spreadcoreErrorOf(() => renderHtmlReport(o));
      expect(e.code).toBe('SPREADCORE_ERR_BAD_CHART');
      expect(e.message).toMatch(re);
    }
  });
});
