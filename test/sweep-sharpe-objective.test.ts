// `spreadcore sweep --objective sharpe` on a real 6-minute recording: no backtest of it
// has the 30 one-minute equity buckets a Sharpe ratio needs, so the sweep stops with a
// clear, coded error instead of ranking noise (docs/accounting.md); the same sweep
// ranked by net P&L runs.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ROOT, spreadcore } from './support/run-cli.js';

const DATA = join(ROOT, 'test/fixtures/binance/spot_btcusdt_20240808.gz');
const dir = mkdtempSync(join(tmpdir(), 'sweep-sharpe-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const file = (name: string, v: unknown): string => { const p = join(dir, name); writeFileSync(p, JSON.stringify(v)); return p; };
const PARAMS = file('params.json', {
  symbols: ['BTCUSDT'], parameters: { spread_bps: 2, order_size: 0.001, max_position: 0.01, quote_levels: 1 }, maker_fee_bps: 0, duration_s: 90,
});
const SPACE = file('space.json', { spread_bps: [1, 3] });

describe('sweep ranked by Sharpe on a short recording', () => {
  it('is refused with the reason and exit 1', async () => {
    const r = await spreadcore(['sweep', '--data', DATA, '--params', PARAMS, '--space', SPACE, '--workers', '1', '--out', join(dir, 'a'), '--objective', 'sharpe'], '');
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/--objective sharpe cannot be computed: no run has a Sharpe ratio .* at least 30 one-minute equity buckets.*rank by net_pnl or dd_adjusted_pnl instead \(SPREADCORE_ERR_BAD_PARAM\)/);
  });

  it('ranked by net P&L the same sweep runs, and its Sharpe column is empty', async () => {
    const r = await spreadcore(['sweep', '--data', DATA, '--params', PARAMS, '--space', SPACE, '--workers', '1', '--out', join(dir, 'b'), '--heatmap', 'none'], '');
    expect(r.stderr).not.toMatch(/error/i);
    expect(r.status).toBe(0);
    const doc = JSON.parse(readFileSync(join(dir, 'b', 'results.json'), 'utf8')) as { runs: { objectives: { sharpe: number | null; net_pnl: number } }[] };
    expect(doc.runs).toHaveLength(2);
    for (const run of doc.runs) expect(run.objectives.sharpe).toBe(null);
  });
});
