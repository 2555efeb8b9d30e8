#!/usr/bin/env bash
# JMH microbenchmarks of batcycle's per-request hot path, with the GC profiler. See bench/README.md (Microbenchmarks).
#   bench/jmh.sh            full run (about 9 minutes)  -> bench/results/jmh.md and bench/results/jmh.json
#   bench/jmh.sh --quick    about 2 minutes             -> bench/results/raw/jmh-quick.md and .json (not committed)
# Options: --out DIR, --name STEM, --cpu N (the CPU to pin to, default 0), --no-build.
# Anything else goes to JMH as is, e.g. a benchmark regex (bench/jmh.sh --quick HeaderPolicy) or -p client=browser.
set -euo pipefail
cd "$(dirname "$0")/.."

quick=0
build=1
cpu=0
out=""
name=""
jmh_args=()
while [ $# -gt 0 ]; do
  case "$1" in
    --quick) quick=1 ;;
    --no-build) build=0 ;;
    --cpu) cpu="$2"; shift ;;
    --out) out="$2"; shift ;;
    --name) name="$2"; shift ;;
    -h|--help) sed -n '2,6p' "$0"; exit 0 ;;
    *) jmh_args+=("$1") ;;
  esac
  shift
done

if [ "$quick" -eq 1 ]; then
  # One fork, short iterations: checks the harness and gives the order of magnitude.
  settings=(-f 1 -wi 3 -w 1s -i 2 -r 1s)
  out="${out:-bench/results/raw}"
  name="${name:-jmh-quick}"
else
  # 2 forks x 5 measured seconds after 8 s of warm-up. On one loaded CPU the C2 compiler shares the CPU with the
  # benchmark: the request-header benchmark needed 6-7 s to settle. Forks show JIT/layout differences in the error.
  settings=(-f 2 -wi 8 -w 1s -i 5 -r 1s)
  out="${out:-bench/results}"
  name="${name:-jmh}"
fi
mkdir -p "$out"

if [ "$build" -eq 1 ]; then
  # The jmh profile compiles into target/jmh only: target/classes and target/batcycle.jar are not touched.
  echo "jmh: building the benchmarks (./mvnw -Pjmh process-test-classes)"
  ./mvnw -q -B -Pjmh process-test-classes
fi
classpath="target/jmh/test-classes:target/jmh/classes:$(cat target/jmh/jmh-classpath.txt)"

# One CPU for the runner and its forks (the forks inherit the affinity), as bench/run.sh pins the proxy: the JVM
# then sizes itself for one CPU (Serial GC, one compiler thread pool) like a pod limited to one CPU.
pin=()
if command -v taskset >/dev/null 2>&1 && [ "$(nproc)" -gt "$cpu" ]; then
  pin=(taskset -c "$cpu")
  echo "jmh: pinned to CPU $cpu"
else
  echo "jmh: not pinned (taskset missing or CPU $cpu absent)"
fi

json="$out/$name.json"
started="$(date -u '+%Y-%m-%d %H:%M UTC'), load average $(cut -d' ' -f1-3 /proc/loadavg)"
"${pin[@]}" java -cp "$classpath" org.openjdk.jmh.Main "${settings[@]}" -prof gc \
  -rf json -rff "$json" "${jmh_args[@]}"

/usr/bin/python3 bench/jmh/report.py "$json" "$out/$name.md" \
  --started "$started, at the end $(cut -d' ' -f1-3 /proc/loadavg)" \
  --settings "${settings[*]} -prof gc${pin:+ (pinned: ${pin[*]})}" \
  --commit "$(git rev-parse --short HEAD 2>/dev/null || echo unknown)$(git diff --quiet HEAD -- src pom.xml 2>/dev/null || echo '+changes')"
cat "$out/$name.md"
