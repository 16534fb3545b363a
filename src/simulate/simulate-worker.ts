// The worker thread of the simulation pool (compiled to dist/src/simulate/simulate-worker.js,
// which is what piscina loads). Each thread keeps one quoter on its own WASM instance
// (simulationQuoter) for all its tasks; a task is one chunk of paths, and the per-path
// records go back transferred, not copied.
import { move } from 'piscina';
import type { SimulationOptions } from './experiment.js';
import { simulateStrategies } from './simulate-strategies.js';

export default function simulateChunk(task: SimulationOptions): Float64Array {
  const result = simulateStrategies(task);
  return move(result.records) as Float64Array;
}
