// Writes k8s/base/prometheusrule.yaml (a Prometheus Operator PrometheusRule) from k8s/base/alerts.rules.yaml,
// the plain Prometheus rule file that promtool tests; one source for the rules, two ways to load them.
// `node gen-prometheusrule.mjs --check` only compares, and fails when the committed file is out of date.
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';
import YAML from 'yaml';

const base = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'k8s', 'base');
const source = join(base, 'alerts.rules.yaml');
const target = join(base, 'prometheusrule.yaml');

const rules = YAML.parse(readFileSync(source, 'utf8'));
const resource = {
  apiVersion: 'monitoring.coreos.com/v1',
  kind: 'PrometheusRule',
  metadata: {
    name: 'batcycle',
    labels: { 'app.kubernetes.io/name': 'batcycle' },
  },
  spec: { groups: rules.groups },
};
const header = [
  '# GENERATED from alerts.rules.yaml by .ci/validate/gen-prometheusrule.mjs: edit that file, then regenerate.',
  "# The Prometheus Operator loads it if the Prometheus resource's ruleSelector matches these labels (with",
  '# kube-prometheus-stack, add the release label it selects on).',
  '',
].join('\n');
const text = header + YAML.stringify(resource, { lineWidth: 0, blockQuote: 'literal' });

if (process.argv.includes('--check')) {
  let current = '';
  try { current = readFileSync(target, 'utf8'); } catch { /* missing counts as out of date */ }
  if (current !== text) {
    console.error(`${target} is out of date: run node .ci/validate/gen-prometheusrule.mjs`);
    process.exit(1);
  }
  console.log('prometheusrule.yaml matches alerts.rules.yaml');
} else {
  writeFileSync(target, text);
  console.log(`wrote ${target}`);
}
