#!/usr/bin/env python3
"""The Avellaneda-Stoikov Monte-Carlo experiment of `spreadcore simulate`, as a plain
vectorised numpy loop: one numpy operation over all paths per step, the same model,
constants and order of operations as src/simulate/simulate-strategies.ts:

  each step, for the inventory strategy (model avellaneda_stoikov with horizon T - t,
  or glft) and the symmetric strategy (half-spread = the inventory strategy's average
  half-spread over the grid, centred on the mid): quote from (mid, q); bids rounded
  down and asks up to the 0.0001 tick; the mid moves +-sigma*sqrt(dt) with probability
  1/2 each; the bid fills with probability A*exp(-k*(new mid - bid))*dt, the ask with
  A*exp(-k*(ask - new mid))*dt, from the same uniforms for both strategies.

Random numbers come from numpy's PCG64 (not spreadcore's per-path mulberry32), so the
statistics agree, not the paths.

Usage: as_numpy.py PATHS [--model avellaneda_stoikov|glft] [--gamma 0.1] [--seed 1] [--repeat 3]
Prints one JSON object: the best wall time and the best CPU time (this process) of the
repeats, each also per path-step, and the same summary statistics as
`spreadcore simulate --json`.
"""
import argparse
import json
import math
import time

import numpy as np

SIGMA, K, A, DT, T, S0 = 2.0, 1.5, 140.0, 0.005, 1.0, 100.0
TICK = 0.0001
EPS_ABS, EPS_REL = 1e-9, 2.0 ** -40  # the WASM ladder's grid tolerance (assembly/quote/round.ts)


def floor_grid(x):
    return np.floor(x + (EPS_ABS + np.abs(x) * EPS_REL))


def ceil_grid(x):
    return np.ceil(x - (EPS_ABS + np.abs(x) * EPS_REL))


def model_terms(model, gamma, tau):
    """(half-spread in ticks, skew in ticks per unit of inventory, negated)."""
    if model == 'avellaneda_stoikov':
        risk = gamma * SIGMA * SIGMA * tau
        return (risk + (2.0 / gamma) * math.log1p(gamma / K)) * 0.5 / TICK, risk / TICK
    ratio = gamma / K
    c1 = math.log1p(ratio) / gamma
    sc2 = SIGMA * math.sqrt(gamma / (2.0 * A * K) * (1.0 + ratio) ** (1.0 / ratio + 1.0))
    return (c1 + 0.5 * sc2) / TICK, sc2 / TICK


def run(paths, model, gamma, seed):
    steps = round(T / DT)
    sym_half = sum(model_terms(model, gamma, T - i * DT)[0] for i in range(steps)) / steps
    rng = np.random.default_rng(seed)
    mid = np.full(paths, S0 / TICK)
    move = SIGMA * math.sqrt(DT) / TICK
    kt = K * TICK
    q = np.zeros((2, paths))
    cash = np.zeros((2, paths))
    spread_sum = np.zeros((2, paths))
    for i in range(steps):
        u = rng.random((3, paths))
        half, skew_per_q = model_terms(model, gamma, T - i * DT)
        moved = mid + np.where(u[2] < 0.5, move, -move)
        for s in (0, 1):
            if s == 0:
                centre = mid - q[0] * skew_per_q
                h = half
            else:
                centre = mid
                h = sym_half
            bid = floor_grid(centre - h)
            ask = ceil_grid(centre + h)
            buy = u[0] < A * np.exp(-kt * (moved - bid)) * DT
            sell = u[1] < A * np.exp(-kt * (ask - moved)) * DT
            q[s] += buy.astype(np.float64) - sell
            cash[s] += np.where(sell, ask, 0.0) - np.where(buy, bid, 0.0)
            spread_sum[s] += ask - bid
        mid = moved
    profit = (cash + q * mid) * TICK
    out = {}
    for s, name in ((0, 'inventory'), (1, 'symmetric')):
        out[name] = {
            'spread': float(np.mean(spread_sum[s] / steps) * TICK),
            'profit_mean': float(np.mean(profit[s])),
            'profit_std': float(np.std(profit[s], ddof=1)) if paths > 1 else 0.0,
            'final_q_mean': float(np.mean(q[s])),
            'final_q_std': float(np.std(q[s], ddof=1)) if paths > 1 else 0.0,
        }
    return steps, out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('paths', type=int)
    ap.add_argument('--model', default='avellaneda_stoikov', choices=['avellaneda_stoikov', 'glft'])
    ap.add_argument('--gamma', type=float, default=0.1)
    ap.add_argument('--seed', type=int, default=1)
    ap.add_argument('--repeat', type=int, default=3)
    a = ap.parse_args()
    best = math.inf
    best_cpu = math.inf
    summary = None
    steps = 0
    for r in range(a.repeat):
        t0 = time.perf_counter()
        c0 = time.process_time()
        steps, summary = run(a.paths, a.model, a.gamma, a.seed + r)
        best_cpu = min(best_cpu, time.process_time() - c0)
        best = min(best, time.perf_counter() - t0)
    print(json.dumps({
        'numpy': np.__version__, 'paths': a.paths, 'steps': steps, 'model': a.model, 'gamma': a.gamma,
        'best_ms': best * 1e3, 'ns_per_path_step': best * 1e9 / (a.paths * steps),
        'best_cpu_ms': best_cpu * 1e3, 'cpu_ns_per_path_step': best_cpu * 1e9 / (a.paths * steps), 'summary': summary,
    }))


if __name__ == '__main__':
    main()
