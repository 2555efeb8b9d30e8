#!/usr/bin/env bash
# batcycle against nginx, in one run on this machine. See bench/README.md.
#   bench/run.sh            full run (about 12 minutes)
#   bench/run.sh --quick    about 2 minutes
# Other options (passed on to bench/lib/bench.py): --jar PATH, --out DIR, --name STEM, --rate N,
# --batcycle-args "...", --jvm-opts "...", --ref-access-log, --skip-startup, --keep-tmp, --rebuild.
set -euo pipefail
cd "$(dirname "$0")/.."

rebuild=0
args=()
for a in "$@"; do
  case "$a" in
    --rebuild) rebuild=1 ;;
    -h|--help) sed -n '2,7p' "$0"; exit 0 ;;
    *) args+=("$a") ;;
  esac
done

if [ "$(nproc)" -lt 2 ]; then
  echo "bench: needs at least 2 CPUs (proxies pinned to CPU 0, origin and load generator to CPU 1)" >&2
  exit 1
fi

# Debian packages: nginx (origin and reference proxy), wrk, h2load, matplotlib for the chart (Debian's python).
packages=(nginx wrk nghttp2-client python3-matplotlib curl iproute2 util-linux)
missing=()
for p in "${packages[@]}"; do
  dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "bench: missing Debian packages: ${missing[*]} (run as root or install them)" >&2
    exit 1
  fi
  echo "bench: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -q
  # policy-rc.d or no init: the package's own nginx service is not what we run (we start our own, in a temp dir).
  apt-get install -y -q --no-install-recommends "${missing[@]}"
fi

jar=target/batcycle.jar
for ((i = 0; i < ${#args[@]}; i++)); do
  if [ "${args[$i]}" = "--jar" ]; then jar="${args[$((i + 1))]}"; fi
done
if [ "$jar" = target/batcycle.jar ] && { [ $rebuild -eq 1 ] || [ ! -f "$jar" ]; }; then
  echo "bench: building $jar"
  ./mvnw -q -B package -DskipTests
fi

ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)"
# Debian's python3 (where python3-matplotlib lives), not whatever python3 comes first on PATH.
exec /usr/bin/python3 bench/lib/bench.py "${args[@]}"
