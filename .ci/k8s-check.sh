#!/usr/bin/env bash
# Offline checks of the Kubernetes manifests (k8s/), the alert rules and the Grafana dashboard (grafana/):
# - prometheusrule.yaml is up to date with alerts.rules.yaml (it is generated from it);
# - promtool check rules and promtool test rules (alerts.test.yaml: each alert fires when it should and not
#   otherwise);
# - .ci/validate/validate.mjs: kustomize renders base (the app plus the batcycle component) and overlays, and
#   `batcycle inject` rewrites the seed's manifest and a multi-document file (its output must equal what k8s/ ships,
#   and a second run, or a run on a file that already has batcycle, must change no byte); every object validates
#   against the Kubernetes and Prometheus Operator schemas (kubernetes-models) and, with TypeScript, has no unknown
#   field (kubernetes-types); the dashboard type-checks against @grafana/schema; ports, probe paths, the ConfigMap
#   and the environment agree with batcycle, which is started with them.
# Needs: kubectl (kustomize), node + npm (the registry, for `npm ci` on the first run), prometheus (promtool),
# java, curl, util-linux (unshare), iproute2; target/batcycle.jar (built here if missing).
set -euo pipefail
cd "$(dirname "$0")/.."

for tool in kubectl node npm promtool java curl unshare ip timeout; do
  command -v "$tool" >/dev/null || { echo "k8s-check: '$tool' is missing (apt-get install prometheus curl iproute2; kubectl and node come with the machine)" >&2; exit 1; }
done

t0=$SECONDS
validate=.ci/validate
# npm ci only when node_modules is missing or older than the lock file.
if [ ! -f "$validate/node_modules/.package-lock.json" ] || [ "$validate/package-lock.json" -nt "$validate/node_modules/.package-lock.json" ]; then
  echo "k8s-check: npm ci"
  timeout 300 npm ci --prefix "$validate" --no-audit --no-fund --loglevel=error
fi
if [ ! -f target/batcycle.jar ]; then
  echo "k8s-check: building target/batcycle.jar"
  timeout 300 ./mvnw -q -B package -DskipTests
fi

echo "k8s-check: prometheusrule.yaml"
timeout 30 node "$validate/gen-prometheusrule.mjs" --check
echo "k8s-check: promtool"
timeout 30 promtool check rules k8s/base/alerts.rules.yaml
timeout 60 promtool test rules k8s/base/alerts.test.yaml
echo "k8s-check: manifests and dashboard"
timeout 180 node "$validate/validate.mjs"
echo "k8s-check: OK in $((SECONDS - t0)) s"
