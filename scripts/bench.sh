#!/usr/bin/env bash
# The benchmark comparison: cyjwt against PyJWT and the peers installed,
# and the end-to-end gateway run, as tables on stdout and
# bench-out/results.json + bench-out/chart.png + bench-out/gateway.png.
# Extra arguments go to the runner (e.g. --quick, --out DIR).
source "$(dirname "$0")/_venv.sh"
python -m benchmarks "$@"
