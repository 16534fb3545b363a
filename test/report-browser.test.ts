// The report output in a real browser (headless Chromium via playwright-core):
// Chromium's PNG decoder accepts the PNGs (ECharts' SVG rasterised by resvg) and decodes
// them to the same pixels as the independent reader in report-png-reader.ts; the HTML
// report, opened from a file, runs uPlot with no page errors and no network requests,
// draws one canvas per chart, shows the inline chart SVG at its size, and shows a series
// name containing </script> as text. Images are kept in test-artifacts/.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { Browser } from 'playwright-core';
import { launchChromium } from './support/chromium.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderHeatmapPng, renderHtmlReport, renderLineChartPng, renderLineChartSvg } from '../src/report/index.js';
import { decodePng } from './report-png-reader.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const ARTIFACTS = join(ROOT, 'test-artifacts');
const NASTY = 'mid </script><script>alert(1)</script>';

let browser: Browser | undefined;
let tmp = '';

beforeAll(async () => {
  browser = await launchChromium();
  tmp = mkdtempSync(join(tmpdir(), 'spreadcore-report-'));
  mkdirSync(ARTIFACTS, { recursive: true });
});

afterAll(async () => {
  await browser?.close();
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

/**
 * Chromium decodes the PNG (as an <img>), draws it on a canvas, and counts the bytes that
 * differ from `expected` (RGBA from our own reader) in the page.
 */
async function decodeInChromium(png: Buffer, expected: Uint8Array): Promise<{ w: number; h: number; mismatches: number }> {
  const page = await browser!.newPage();
  try {
    await page.setContent(`<img id="i" src="data:image/png;base64,${png.toString('base64')}">`);
    await page.waitForFunction('document.getElementById("i").complete');
    await page.evaluate(`window.__expected = ${JSON.stringify(Buffer.from(expected).toString('base64'))}`);
    return (await page.evaluate(`(() => {
      const img = document.getElementById('i');
      const w = img.naturalWidth, h = img.naturalHeight;
      if (w === 0) return { w, h, mismatches: -1 };
      const c = document.createElement('canvas');
      c.width = w; c.height = h;
      const ctx = c.getContext('2d');
      ctx.drawImage(img, 0, 0);
      const d = ctx.getImageData(0, 0, w, h).data;
      const e = atob(window.__expected);
      let mismatches = Math.abs(e.length - d.length);
      for (let i = 0; i < Math.min(e.length, d.length); i++) if (e.charCodeAt(i) !== d[i]) mismatches++;
      return { w, h, mismatches };
    })()`)) as { w: number; h: number; mismatches: number };
  } finally {
    await page.close();
  }
}

describe('report output in Chromium', () => {
  it('decodes the line chart and heat map PNGs to exactly the pixels of the independent reader', async () => {
    const t0 = Date.UTC(2024, 4, 1, 12);
    const line = renderLineChartPng({
      title: 'Mid price (Chromium check)',
      width: 480,
      height: 260,
      xIsTime: true,
      yLabel: 'USDT',
      series: [
        { name: 'mid', x: Array.from({ length: 500 }, (_, i) => t0 + i * 1000), y: Array.from({ length: 500 }, (_, i) => 60_000 + 50 * Math.sin(i / 40)) },
        { name: 'fills', x: [t0 + 100_000, t0 + 300_000], y: [60_010, 59_990], style: 'points' },
      ],
    });
    const heat = renderHeatmapPng({
      title: 'Sweep',
      xName: 'spreadBps',
      yName: 'gamma',
      zName: 'pnl',
      xValues: [1, 2, 3],
      yValues: [0.1, 0.2],
      z: [
        [1, -2, null],
        [3, 0.5, 2],
      ],
      width: 420,
      height: 280,
    });
    writeFileSync(join(ARTIFACTS, 'report-line-chart.png'), line);
    writeFileSync(join(ARTIFACTS, 'report-heatmap.png'), heat);
    for (const [png, w, h] of [[line, 480, 260], [heat, 420, 280]] as const) {
      const ours = decodePng(png);
      const theirs = await decodeInChromium(png, ours.rgba);
      expect([theirs.w, theirs.h]).toEqual([w, h]);
      expect(theirs.mismatches).toBe(0);
    }
  });

  it('opens the HTML report from disk: uPlot draws every chart, no errors, no network', async () => {
    const n = 50_000;
    const t0 = Date.UTC(2024, 4, 1, 12);
    const x = Array.from({ length: n }, (_, i) => t0 + i * 100);
    const html = renderHtmlReport({
      title: 'Backtest report <test>',
      subtitle: 'headless check',
      summary: [{ label: 'PnL', value: '12.34 USDT' }, { label: 'fills', value: '17' }],
      charts: [
        { title: 'mid', yLabel: 'USDT', xIsTime: true, series: [{ name: NASTY, color: '#ff0000', x, y: x.map((_, i) => 60_000 + Math.sin(i / 900) * 30) }] },
        { title: 'inventory', series: [{ name: 'inv', x: [1, 2, 3, 4], y: [0, 1, NaN, 0], style: 'step' }, { name: 'marks', x: [1, 3], y: [0.5, -0.5], style: 'points' }] },
        { title: 'nothing', series: [] },
      ],
      tables: [{ title: 'fills', columns: ['id', 'px'], rows: [[1, 60_000.5]] }],
      images: [
        { title: 'heat', pngBase64: renderHeatmapPng({ title: 'h', xName: 'a', yName: 'b', zName: 'c', xValues: [1], yValues: [1], z: [[1]], width: 300, height: 200 }).toString('base64') },
        { title: 'mid-fills.png', svg: renderLineChartSvg({ title: NASTY, width: 640, height: 320, series: [{ name: NASTY, color: '#0000ff', x: [1, 2, 3], y: [1, 3, 2] }] }, 'fig') },
      ],
    });
    const file = join(tmp, 'report.html');
    writeFileSync(file, html);

    const page = await browser!.newPage({ viewport: { width: 1100, height: 900 } });
    const errors: string[] = [];
    const requests: string[] = [];
    const dialogs: string[] = [];
    page.on('pageerror', (e) => errors.push(String(e)));
    page.on('console', (m) => {
      if (m.type() === 'error') errors.push(m.text());
    });
    page.on('request', (r) => requests.push(r.url()));
    page.on('dialog', (d) => {
      dialogs.push(d.message());
      void d.dismiss();
    });
    try {
      await page.goto(pathToFileURL(file).href);
      await page.waitForFunction('window.__reportPlots === 2', undefined, { timeout: 20_000 });
      const info = (await page.evaluate(`(() => {
        const plots = Array.from(document.querySelectorAll('.plot')).map((el) => {
          const cs = Array.from(el.querySelectorAll('canvas'));
          return { canvases: cs.length, sizes: cs.map((c) => [c.width, c.height]), text: el.textContent };
        });
        const labels = Array.from(document.querySelectorAll('.u-legend .u-label')).map((e) => e.textContent);
        const c = document.querySelector('#chart-0 canvas');
        const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
        let red = 0;
        for (let i = 0; i < d.length; i += 4) if (d[i] > 200 && d[i + 1] < 60 && d[i + 2] < 60 && d[i + 3] > 200) red++;
        const img = document.querySelector('figure img');
        const svg = document.querySelector('figure.svg-chart svg');
        const box = svg.getBoundingClientRect();
        const svgText = Array.from(svg.querySelectorAll('text')).map((t) => t.textContent);
        return { plots, labels, red, img: [img.naturalWidth, img.naturalHeight], svg: [Math.round(box.width), Math.round(box.height)], svgText, title: document.title };
      })()`)) as {
        plots: { canvases: number; sizes: number[][]; text: string }[];
        labels: string[];
        red: number;
        img: number[];
        svg: number[];
        svgText: string[];
        title: string;
      };
      await page.screenshot({ path: join(ARTIFACTS, 'report-html.png'), fullPage: true });

      expect(errors).toEqual([]);
      expect(dialogs).toEqual([]);
      expect(requests.every((u) => u.startsWith('file:') || u.startsWith('data:'))).toBe(true);
      expect(info.title).toBe('Backtest report <test>');
      expect(info.plots).toHaveLength(3);
      for (const p of info.plots.slice(0, 2)) {
        expect(p.canvases).toBeGreaterThanOrEqual(1);
        for (const [w, h] of p.sizes) expect(w! * h!).toBeGreaterThan(0);
      }
      expect(info.plots[2]!.canvases).toBe(0);
      expect(info.plots[2]!.text).toContain('no series');
      expect(info.labels).toContain(NASTY);
      expect(info.labels).toEqual(expect.arrayContaining(['inv', 'marks']));
      // The series line was actually drawn in its colour.
      expect(info.red).toBeGreaterThan(200);
      expect(info.img).toEqual([300, 200]);
      // the inline SVG chart: laid out at its own size, its text shown as text (no script ran: no dialog)
      expect(info.svg).toEqual([640, 320]);
      expect(info.svgText).toContain(NASTY);
    } finally {
      await page.close();
    }
  });
});
