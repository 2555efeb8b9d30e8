#!/usr/bin/env bash
# Slow clients against batcycle (RELIABILITY.md, "Slow clients"): 500 slow-body connections (4 KiB bodies), 300
# declaring 1 MiB bodies and 200 slow readers, made by slowhttptest, while a normal client sends 10 requests a second
# on fresh connections. Prints what the normal client saw, batcycle's RSS and how the slow connections ended; exits 1
# unless every normal request got a 200 with p99 under 100 ms.
#   bench/slow-clients.sh            about 80 s (the app is an nginx serving static files, see bench/slow_clients.py)
#   bench/slow-clients.sh --quick    a tenth of the connections, about 35 s
# Other options: --seconds N, --rate N, --jar PATH, --jvm-opts "...", --batcycle-args "..." (bench/slow_clients.py).
set -euo pipefail
cd "$(dirname "$0")/.."

for tool in slowhttptest python3 java; do
  if ! command -v "$tool" >/dev/null; then
    echo "slow-clients: $tool is missing (Debian: apt-get install slowhttptest python3 default-jre-headless)" >&2
    exit 1
  fi
done
# Over a thousand client connections, their connections to the app, and slowhttptest's own.
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
if [ ! -f target/batcycle.jar ]; then
  ./mvnw -q -B package -DskipTests
fi
exec python3 bench/slow_clients.py "$@"
