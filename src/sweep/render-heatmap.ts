// The sweep's heat map image: two swept parameters, the best objective per cell
// (heatmap-grid.ts), drawn by the report renderer.
import { renderHeatmapPng } from '../report/index.js';
import { heatmapGrid, type HeatmapChoice } from './heatmap-grid.js';
import type { ObjectiveName, RunRecord } from './objectives.js';
import type { SweepSpace } from './space.js';

export function renderSweepHeatmap(space: SweepSpace, choice: HeatmapChoice & { kind: 'axes' }, runs: readonly RunRecord[], objective: ObjectiveName): Uint8Array {
  const g = heatmapGrid(space.axes, choice.x, choice.y, runs, objective);
  return renderHeatmapPng({
    title: `sweep: best ${objective} by ${g.xName} and ${g.yName} (${runs.length} runs)`,
    xName: g.xName, yName: g.yName, xValues: g.xValues, yValues: g.yValues, z: g.z, zName: objective,
  });
}
