#!/usr/bin/env bash
# Proves that every query of the Grafana dashboard returns data from a real Prometheus that scraped batcycle
# under traffic.
# 1. batcycle starts with its demo app as the upstream, on free loopback ports, with a 64 MiB heap (so that the
#    GC panels have pauses to show), and the demo's outbound entry "remote" with the demo remote behind it;
# 2. Debian's prometheus starts on a free loopback port, scraping batcycle's /metrics every second with the
#    labels Kubernetes would give it (namespace, pod, job="batcycle"), and loads the recording rules;
# 3. bounded traffic for TRAFFIC_SECONDS (default 20): successes, 404s, 5xx from /flaky, slow requests over the
#    0.5 s latency objective, request and response bodies, malformed requests batcycle rejects itself, bursts
#    beyond a small concurrency limit that batcycle sheds, and calls through the outbound listener (successes, 5xx
#    and retries);
# 4. .ci/validate/dashboard-queries.mjs runs each panel query (variables substituted), each variable's
#    label_values and each recording rule, and lists those that return nothing.
# Exits 1 if any query returns no data. Everything it starts is stopped on exit.
# Needs: java, prometheus (Debian package), curl, node with .ci/validate's node_modules (npm ci).
set -euo pipefail
cd "$(dirname "$0")/.."

TRAFFIC_SECONDS=${TRAFFIC_SECONDS:-20}
for tool in java prometheus curl node timeout; do
  command -v "$tool" >/dev/null || { echo "dashboard-queries-check: '$tool' is missing (apt-get install prometheus curl)" >&2; exit 1; }
done
validate=.ci/validate
if [ ! -f "$validate/node_modules/.package-lock.json" ] || [ "$validate/package-lock.json" -nt "$validate/node_modules/.package-lock.json" ]; then
  timeout 300 npm ci --prefix "$validate" --no-audit --no-fund --loglevel=error
fi
[ -f target/batcycle.jar ] || timeout 300 ./mvnw -q -B package -DskipTests

t0=$SECONDS
step() { printf 'dashboard-queries-check: [%3ds] %s\n' $((SECONDS - t0)) "$*"; }
work=$(mktemp -d)
pids=()
cleanup() {
  local p
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT

# Free loopback ports, from the kernel (bind to port 0), released just before use.
read -r proxy admin app prom outbound remote < <(node -e '
  const net = require("net"); const servers = [];
  const one = () => new Promise((ok) => { const s = net.createServer(); servers.push(s); s.listen(0, "127.0.0.1", () => ok(s.address().port)); });
  Promise.all([one(), one(), one(), one(), one(), one()]).then((ports) => { servers.forEach((s) => s.close()); console.log(ports.join(" ")); });')

step "batcycle --demo: proxy :$proxy, admin :$admin, demo app :$app, outbound :$outbound, demo remote :$remote"
# A small concurrency limit and queue, so that the bursts below are shed (503 overloaded) and the limit, queue and
# rejection panels show movement, not only zeros.
java -Xmx64m -XX:+UseSerialGC -jar target/batcycle.jar --demo \
  --listen "127.0.0.1:$proxy" --admin "127.0.0.1:$admin" --upstream "http://127.0.0.1:$app" \
  --limits-max-concurrent 8 --limits-queue-size 2 \
  --outbound "remote=127.0.0.1:$outbound=http://127.0.0.1:$remote" >"$work/batcycle.log" 2>&1 &
pids+=($!)
for _ in $(seq 150); do
  curl -fs -o /dev/null -m 1 "http://127.0.0.1:$admin/healthz" && break
  kill -0 "${pids[0]}" 2>/dev/null || { cat "$work/batcycle.log" >&2; exit 1; }
  sleep 0.2
done
curl -fs -o /dev/null -m 1 "http://127.0.0.1:$admin/healthz" || { echo "batcycle did not start" >&2; cat "$work/batcycle.log" >&2; exit 1; }
metrics_status=$(curl -s -o "$work/metrics.txt" -w '%{http_code}' -m 5 "http://127.0.0.1:$admin/metrics")
step "batcycle /metrics answers $metrics_status ($(grep -c '^batcycle_' "$work/metrics.txt" || true) batcycle_* samples)"

cat >"$work/prometheus.yml" <<EOF
global:
  scrape_interval: 1s
  scrape_timeout: 1s
  evaluation_interval: 1s
rule_files:
  - $PWD/k8s/base/alerts.rules.yaml
scrape_configs:
  - job_name: batcycle
    metrics_path: /metrics
    static_configs:
      - targets: ["127.0.0.1:$admin"]
        labels: {namespace: fusion, pod: batcycle-ci-0}
EOF
step "prometheus on :$prom"
prometheus --config.file="$work/prometheus.yml" --storage.tsdb.path="$work/tsdb" \
  --web.listen-address="127.0.0.1:$prom" --log.level=warn >"$work/prometheus.log" 2>&1 &
pids+=($!)
for _ in $(seq 150); do
  curl -fs -o /dev/null -m 1 "http://127.0.0.1:$prom/-/ready" && break
  kill -0 "${pids[1]}" 2>/dev/null || { cat "$work/prometheus.log" >&2; exit 1; }
  sleep 0.2
done
start=$(date +%s)

step "traffic for $TRAFFIC_SECONDS s"
base="http://127.0.0.1:$proxy"
traffic() { # one worker: a fixed mix of requests until the deadline, at most 5000 rounds
  local deadline=$1 i=0
  while [ "$(date +%s)" -lt "$deadline" ] && [ $i -lt 5000 ]; do
    curl -s -o /dev/null -m 5 "$base/hello" || true
    curl -s -o /dev/null -m 5 "$base/status/404" || true
    curl -s -o /dev/null -m 5 "$base/flaky?rate=0.5" || true
    curl -s -o /dev/null -m 5 "$base/status/503" || true
    curl -s -o /dev/null -m 5 --data-binary "@$work/prometheus.yml" "$base/echo" || true
    curl -s -o /dev/null -m 5 "$base/bytes?n=65536" || true
    curl -s -o /dev/null -m 5 "$base/call?path=/hello" || true # client -> app -> outbound -> demo remote
    curl -s -o /dev/null -m 5 "http://127.0.0.1:$outbound/flaky?rate=0.5" || true
    curl -s -o /dev/null -m 5 "http://127.0.0.1:$outbound/status/503" || true
    [ $((i % 10)) = 0 ] && { curl -s -o /dev/null -m 5 "$base/slow?ms=600" || true; }
    # A burst of 12 slow requests at once, beyond the limit and queue of 8 + 2 (with the other worker's, 24).
    if [ $((i % 10)) = 5 ]; then
      for _ in $(seq 12); do curl -s -o /dev/null -m 5 "$base/slow?ms=300" & done
      wait
    fi
    # Malformed: two Host lines (batcycle answers 400 itself and counts a rejection). curl would merge them.
    [ $((i % 5)) = 0 ] && { printf 'GET /hello HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n' \
      | timeout 5 curl -s -o /dev/null telnet://127.0.0.1:"$proxy" || true; }
    i=$((i + 1))
  done
}
deadline=$(( $(date +%s) + TRAFFIC_SECONDS ))
traffic "$deadline" & pids+=($!)
traffic "$deadline" & pids+=($!)
wait "${pids[2]}" "${pids[3]}" || true
sleep 3 # two more scrapes and rule evaluations after the last request

step "scrape status: $(curl -s "http://127.0.0.1:$prom/api/v1/targets" | node -e '
  let s = ""; process.stdin.on("data", (d) => (s += d)).on("end", () => {
    const t = JSON.parse(s).data.activeTargets[0] ?? {};
    console.log(`${t.health} ${t.lastError ?? ""}`.trim()); });')"
set +e
timeout 120 node "$validate/dashboard-queries.mjs" "http://127.0.0.1:$prom" "$start"
rc=$?
set -e
step "done"
exit $rc
