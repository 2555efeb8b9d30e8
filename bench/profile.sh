#!/usr/bin/env bash
# JFR profile of batcycle under load: bench/results/profile.md (summary), raw recording in bench/results/raw/.
#   bench/profile.sh [--warm 25] [--seconds 30] [--jar PATH] [--jvm-opts "..."] [--name profile]
set -euo pipefail
cd "$(dirname "$0")/.."
for p in nginx wrk python3-matplotlib; do
  dpkg -s "$p" >/dev/null 2>&1 || { echo "bench: run bench/run.sh once first (installs $p)" >&2; exit 1; }
done
[ -f target/batcycle.jar ] || ./mvnw -q -B package -DskipTests
ulimit -n 65536 2>/dev/null || true
exec /usr/bin/python3 bench/lib/profile.py "$@"
