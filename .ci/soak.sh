#!/usr/bin/env bash
# Runs only the soak (SoakIT): batcycle in a child JVM at a fixed 500 req/s for the given seconds (default 600,
# the documented full length; CI's ./mvnw verify runs it for 60 s), then prints target/soak-report.md.
# Usage: .ci/soak.sh [seconds]
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-600}"
case "$seconds" in (*[!0-9]*|'') echo "usage: $0 [seconds]" >&2; exit 2;; esac
status=0
# Only the default surefire execution: with -Dtest, the small-heap execution would run the soak a second time.
./mvnw -B -q test-compile surefire:test@default-test -Dtest=SoakIT -Dbatcycle.soak.seconds="$seconds" || status=$?
cat target/soak-report.md 2>/dev/null || echo "no target/soak-report.md written" >&2
exit "$status"
