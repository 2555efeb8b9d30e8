#!/usr/bin/env bash
# TLS on the proxy port: batcycle with OpenSSL and with the JDK's TLS against nginx with TLS, in one run (about
# 2 minutes). See bench/README.md, "TLS". Options: --jar PATH, --seconds N (per phase), --warm N, --out FILE.
set -euo pipefail
cd "$(dirname "$0")/.."
for tool in nginx wrk curl openssl taskset; do
  command -v "$tool" >/dev/null || { echo "bench/tls.sh: needs $tool (bench/run.sh installs the Debian packages)" >&2; exit 1; }
done
if [ "$(nproc)" -lt 2 ]; then
  echo "bench/tls.sh: needs at least 2 CPUs" >&2
  exit 1
fi
[ -f target/batcycle.jar ] || ./mvnw -q -B package -DskipTests
ulimit -n 65536 2>/dev/null || true
exec /usr/bin/python3 bench/lib/tls.py "$@"
