#!/usr/bin/env bash
# Time-bounded fuzzing of every Jazzer @FuzzTest (src/test/java/batcycle/fuzz): each target in its own JVM in
# fuzzing mode for SECONDS (default 10; each target also costs ~20 s of Maven, JVM and Jazzer start-up). Fails
# if any target finds a crash or breaks an invariant; Jazzer then saves the input as a new regression seed under src/test/resources/batcycle/fuzz/<Class>Inputs/<method>/.
# Usage: .ci/fuzz.sh [seconds-per-target]    (needs the dependencies ./mvnw has downloaded; runs offline)
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-10}"

./mvnw -B -q -o test-compile
# Targets: every @FuzzTest method, as Class#method.
mapfile -t targets < <(for f in src/test/java/batcycle/fuzz/*FuzzTest.java; do
  class=$(basename "$f" .java)
  grep -A3 '@FuzzTest' "$f" | grep -oE 'void [A-Za-z0-9_]+\(' | sed -E "s/void ([A-Za-z0-9_]+)\(/${class}#\1/"
done)

failed=()
for target in "${targets[@]}"; do
  echo "== fuzzing ${target} for ${seconds}s"
  log="target/fuzz-${target/\#/-}.log"
  # One fuzz test per JVM (a Jazzer rule). No JUnit timeout here: in fuzzing mode it would bound the whole run.
  if JAZZER_FUZZ=1 JAZZER_MAX_DURATION="${seconds}s" ./mvnw -B -o surefire:test@fuzz -Dtest="${target}" \
      >"$log" 2>&1; then
    # libFuzzer's summary: executions, coverage, corpus size, speed.
    grep -aoE '(#[0-9]+ +DONE .*|Done [0-9]+ runs in [0-9]+ second.*)' "$log" | tr '\n' ' ' || true
    echo
  else
    echo "!! ${target}: finding or failure, see ${log}"
    grep -E 'FuzzTestFinding|Caused by|Exception|AssertionError|crash-' "$log" | head -10 || true
    failed+=("$target")
  fi
done
if [ ${#failed[@]} -gt 0 ]; then
  echo "fuzzing found problems in: ${failed[*]}"
  git status --short src/test/resources/batcycle/fuzz || true
  exit 1
fi
echo "fuzzing: ${#targets[@]} targets, ${seconds}s each, no findings"
