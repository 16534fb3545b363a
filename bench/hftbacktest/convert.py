# Converts a spreadcore Binance USD-M recording (`<ts_ns> <json>` lines, gzip: the
# format of hftbacktest's own collector with nanosecond receive times) into
# hftbacktest 1.8's event array (.npz, columns event, exch_timestamp, local_timestamp,
# side, price, qty), with hftbacktest's own converter: depth events and REST snapshots
# (clear + snapshot rows), MARKET trades; bookTicker lines are left out (spreadcore's
# backtest steps over them too). Timestamps stay in ns; the receive times are corrected
# for the recorder's clock offset (correct_local_timestamp, base latency 0, as
# spreadcore's feed_latency "recorded" with feed_base_latency_ms 0), then the event order
# is corrected (rows whose exchange and local order differ appear once for each side).
#
# Run: PYTHONPATH=/tmp/hftbacktest-1.8.4 /usr/bin/python3 bench/hftbacktest/convert.py \
#        test/fixtures/binance/usdm_btcusdt_20240808.gz /tmp/hbt/usdm.npz
import sys

from hftbacktest.data.utils import binancefutures


def main():
    if len(sys.argv) != 3:
        raise SystemExit('usage: convert.py <recording.gz> <out.npz>')
    data = binancefutures.convert(sys.argv[1], output_filename=sys.argv[2], timestamp_unit='ns')
    print(f'{data.shape[0]} rows')


if __name__ == '__main__':
    main()
