#!/usr/bin/env bash
# Seed 000 Step 2: start the gateway.
#
#   ./scripts/run_gateway.sh dev [spreadcore serve flags...]
#
# Runs `spreadcore serve`: the control API, the event stream and the dashboard on
# http://127.0.0.1:8080 (SPREADCORE_HOST / SPREADCORE_PORT or --host / --port to change),
# paper execution on the built-in simulated market. The execution variables choose live
# trading instead, as `spreadcore serve` reads them: VELOZ_EXECUTION_MODE (or
# SPREADCORE_EXECUTION_MODE) = binance_testnet_spot, ... with VELOZ_BINANCE_API_KEY /
# VELOZ_BINANCE_API_SECRET (docs/execution.md). Builds first when dist/ or the WASM is
# missing. The script becomes the server process (exec), so Ctrl-C or a signal to its
# pid stops the server gracefully.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

mode="${1:-dev}"
if [ $# -gt 0 ]; then shift; fi
case "$mode" in
  dev) ;;
  -h|--help|help)
    sed -n '2,13p' "$0" | sed 's/^# \{0,1\}//'
    exit 0 ;;
  *)
    echo "run_gateway.sh: unknown mode \"$mode\" (only: dev)" >&2
    exit 2 ;;
esac

echo "Starting spreadcore gateway (${mode})..."
if [ ! -f dist/src/cli/main.js ] || [ ! -f build/release.wasm ]; then
  echo "Building (npm run build)..."
  npm run build >&2
fi
exec_mode="${SPREADCORE_EXECUTION_MODE:-${VELOZ_EXECUTION_MODE:-}}"
if [ -n "$exec_mode" ]; then
  echo "Execution: ${exec_mode} (from the environment)"
else
  echo "Execution: paper, on the built-in simulated market"
fi

# serve's own lines pass through; its "control API listening on URL/api ..." line is
# followed by the tutorial's "Gateway listening on URL".
exec node bin/spreadcore.js serve "$@" > >(
  while IFS= read -r line; do
    printf '%s\n' "$line"
    case "$line" in
      *"control API listening on "*)
        url="${line#*control API listening on }"
        url="${url%%/api on port*}"
        printf 'Gateway listening on %s\n' "$url" ;;
    esac
  done
)
