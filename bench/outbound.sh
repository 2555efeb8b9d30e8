#!/usr/bin/env bash
# Outbound (ambassador) mode against nginx as the app's forward proxy, plain and with TLS origination: a short,
# focused run (about 3 minutes). See bench/README.md, "Outbound".
#   bench/outbound.sh [--reps N] [--rep-s S] [--warm-s S] [--jar PATH] [--out DIR]
set -euo pipefail
cd "$(dirname "$0")/.."
for tool in nginx wrk openssl taskset; do
  command -v "$tool" >/dev/null || { echo "bench: '$tool' is missing (see bench/run.sh for the packages)" >&2; exit 1; }
done
[ "$(nproc)" -ge 2 ] || { echo "bench: needs at least 2 CPUs" >&2; exit 1; }
[ -f target/batcycle.jar ] || ./mvnw -q -B package -DskipTests
ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)"
exec /usr/bin/python3 bench/lib/outbound.py "$@"
