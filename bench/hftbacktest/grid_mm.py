# hftbacktest 1.8 (pure Python + numba) side of the backtest comparison: the grid
# market maker of spreadcore's seed-000 benchmark parameters (bench/support/backtest-ab.ts),
# on the same Binance USD-M recording converted by convert.py, with the same timing:
#   - the strategy decides on every market-data message it receives (wait_next_feed),
#     at the recording's receive time corrected for the recorder's clock offset
#     (spreadcore's feed_latency "recorded"; the converter applies hftbacktest's
#     correct_local_timestamp, which is what spreadcore's correction copies);
#   - orders and cancels reach the exchange 2 ms after they are sent, responses
#     come back at once (order_latency_ms 2, cancel_latency_ms 2, response 0);
#   - maker fee 0, taker fee 10 bps; queue position moves with trades and with
#     depth decreases in proportion (IdentityProbQueueModel ~ spreadcore "proportional").
# Strategy: 3 levels a side, the first 1 bps (half of spread_bps 2) from the mid, then
# 1 bps apart (level_spacing_bps 1), 0.001 BTC each, at most 0.01 BTC long or short,
# centre skewed by -(position / max) * 0.5 * half-spread (skew_factor 0.5); quotes are
# recomputed when the mid moved more than 0.1 (requote_threshold_price) since the last
# quote, or 100 ms after it (quote_refresh_ms); an order whose price is no longer on the
# ladder is cancelled, a ladder price without an order gets one (post-only).
#
# Run (Debian's python with python3-numba 0.56.4, hftbacktest 1.8.4 source on PYTHONPATH):
#   PYTHONPATH=/tmp/hftbacktest-1.8.4 /usr/bin/python3 bench/hftbacktest/grid_mm.py /tmp/hbt/usdm.npz 10
# Prints one JSON line: CPU ms of each run (time.process_time), the first including numba's
# compilation, and the run's counters.
import json
import sys
import time

import numpy as np
from numba import njit

from hftbacktest import (
    HftBacktest, ConstantLatency, IdentityProbQueueModel, Linear, GTX, BUY, SELL, reset,
)

TICK = 0.1
LOT = 0.001


@njit
def grid_mm(hbt, out):
    spread_bps = 2.0
    spacing_bps = 1.0
    levels = 3
    size = 0.001
    max_pos = 0.01
    skew_factor = 0.5
    requote_thr = 0.1
    refresh_ns = 100_000_000
    tick = hbt.tick_size
    last_mid = np.nan
    last_quote_ns = 0
    bid_ticks = np.zeros(levels, np.int64)
    ask_ticks = np.zeros(levels, np.int64)
    decisions = 0
    requotes = 0
    placed = 0
    cancelled = 0
    steps = 0
    while hbt.wait_next_feed(False, -1):
        steps += 1
        bb = hbt.best_bid_tick
        ba = hbt.best_ask_tick
        if bb <= -2147483648 or ba >= 2147483647 or bb >= ba:
            continue
        decisions += 1
        mid = (bb + ba) * tick / 2.0
        now = hbt.current_timestamp
        if not (np.isnan(last_mid) or abs(mid - last_mid) > requote_thr or now - last_quote_ns >= refresh_ns):
            continue
        requotes += 1
        last_mid = mid
        last_quote_ns = now
        pos = hbt.position
        half = mid * spread_bps / 2e4
        spacing = mid * spacing_bps / 1e4
        centre = mid - (pos / max_pos) * skew_factor * half
        for i in range(levels):
            bid_ticks[i] = int(np.floor((centre - half - i * spacing) / tick + 1e-9))
            ask_ticks[i] = int(np.ceil((centre + half + i * spacing) / tick - 1e-9))
        hbt.clear_inactive_orders()
        for order in hbt.orders.values():
            if not order.cancellable:
                continue
            keep = False
            for i in range(levels):
                if order.side == BUY and order.price_tick == bid_ticks[i] and pos < max_pos - 1e-12:
                    keep = True
                if order.side == SELL and order.price_tick == ask_ticks[i] and pos > -max_pos + 1e-12:
                    keep = True
            if not keep:
                hbt.cancel(order.order_id)
                cancelled += 1
        for i in range(levels):
            if pos + (i + 1) * size <= max_pos + 1e-12:
                oid = bid_ticks[i] * 2
                if oid not in hbt.orders:
                    hbt.submit_buy_order(oid, bid_ticks[i] * tick, size, GTX)
                    placed += 1
            if pos - (i + 1) * size >= -max_pos - 1e-12:
                oid = ask_ticks[i] * 2 + 1
                if oid not in hbt.orders:
                    hbt.submit_sell_order(oid, ask_ticks[i] * tick, size, GTX)
                    placed += 1
    out[0] = steps
    out[1] = decisions
    out[2] = requotes
    out[3] = placed
    out[4] = cancelled
    out[5] = hbt.trade_num
    out[6] = hbt.position
    out[7] = hbt.balance
    out[8] = hbt.fee
    out[9] = hbt.mid
    return out


def new_backtest(data):
    return HftBacktest(
        data, tick_size=TICK, lot_size=LOT, maker_fee=0.0, taker_fee=0.001,
        order_latency=ConstantLatency(entry_latency=2_000_000, response_latency=0),
        queue_model=IdentityProbQueueModel(), asset_type=Linear,
    )


def one_run(hbt, data):
    # every HftBacktest() builds new jitclass types, which numba compiles the strategy for
    # again; reset() is hftbacktest's way to run again on the compiled types
    if hbt is None:
        hbt = new_backtest(data)
    else:
        reset(hbt, data, tick_size=TICK, lot_size=LOT, maker_fee=0.0, taker_fee=0.001)
    out = np.zeros(10, np.float64)
    grid_mm(hbt, out)
    return hbt, out


def main():
    path = sys.argv[1]
    runs = int(sys.argv[2]) if len(sys.argv) > 2 else 10
    data = np.load(path)['data']
    cpu_ms = []
    hbt = None
    sigs = []
    for _ in range(runs):
        c0 = time.process_time()
        hbt, out = one_run(hbt, data)
        cpu_ms.append((time.process_time() - c0) * 1e3)
        steps, decisions, requotes, placed, cancelled, fills, pos, balance, fee, mid = out
        sig = (f'steps {int(steps)}, decisions {int(decisions)}, requotes {int(requotes)}, placed {int(placed)}, '
               f'cancelled {int(cancelled)}, fills {int(fills)}, position {pos:.3f}, net {balance + pos * mid - fee:.5f}')
        if sigs and sig != sigs[0]:
            raise SystemExit(f'run {len(sigs) + 1} differs from run 1: {sig} / {sigs[0]}')
        sigs.append(sig)
    print(json.dumps({'rows': int(data.shape[0]), 'cpuMs': cpu_ms, 'sig': sigs[0]}))


if __name__ == '__main__':
    main()
