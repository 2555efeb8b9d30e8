// Runs every query of the Grafana dashboard (and its variables' label_values, and the recording rules) against a
// real Prometheus and reports which return data; then checks that every meter batcycle exported is on a panel or
// named in README.md as left out. Used by .ci/dashboard-queries-check.sh, which starts batcycle
// and Prometheus and drives the traffic first.
//   node dashboard-queries.mjs PROMETHEUS_URL START_UNIX_SECONDS
// A query "returns data" when a range query over [START, now] has at least one series with a number that is not
// NaN. Exits 1 if any query returns none.
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import YAML from 'yaml';

const here = dirname(fileURLToPath(import.meta.url));
const repo = join(here, '..', '..');
const [prometheus, startArg] = process.argv.slice(2);
const start = Number(startArg);
const dashboard = JSON.parse(readFileSync(join(repo, 'grafana', 'dashboards', 'batcycle.json'), 'utf8'));

// What Grafana would substitute with namespace "fusion" and All pods and instances selected (allValue ".*").
// $__rate_interval is at least four scrape intervals: 4 s here, where Prometheus scrapes every second.
const VARIABLES = { namespace: 'fusion', pod: '.*', instance: '.*', remote: '.*', __rate_interval: '4s', __interval: '1s' };
const substitute = (expr) => expr.replace(/\$\{?([A-Za-z_]\w*)\}?/g, (m, name) => VARIABLES[name] ?? m);

async function api(path, params) {
  const res = await fetch(`${prometheus}${path}?${new URLSearchParams(params)}`);
  const body = await res.json();
  if (body.status !== 'success') throw new Error(`${body.errorType}: ${body.error}`);
  return body.data;
}
async function rangeQuery(expr) {
  const data = await api('/api/v1/query_range', { query: expr, start, end: Date.now() / 1000, step: 1 });
  const series = data.result.filter((s) => s.values.some(([, v]) => !Number.isNaN(Number(v))));
  if (series.length > 0) return { ok: true, note: `${series.length} series` };
  return { ok: false, note: data.result.length ? 'only NaN' : 'no data' };
}

const results = [];
async function run(section, name, fn) {
  let r;
  try {
    r = await fn();
  } catch (e) {
    r = { ok: false, note: `error: ${e.message}` };
  }
  results.push({ section, name, ...r });
  console.log(`  ${r.ok ? 'data ' : 'EMPTY'}  ${name}${r.note ? `  [${r.note}]` : ''}`);
}

console.log('dashboard variables');
for (const v of dashboard.templating.list.filter((x) => x.type === 'query')) {
  const q = typeof v.query === 'string' ? v.query : v.query.query;
  const m = /^label_values\((?:(.*),\s*)?(\w+)\)$/.exec(q);
  await run('variables', `$${v.name}: ${q}`, async () => {
    if (!m) throw new Error('not a label_values() query');
    const params = m[1] ? { 'match[]': substitute(m[1]), start, end: Date.now() / 1000 } : {};
    const values = await api(`/api/v1/label/${m[2]}/values`, params);
    return { ok: values.length > 0, note: values.join(', ') || 'no values' };
  });
}

console.log('dashboard panels');
const panels = [];
const walk = (list) => list.forEach((p) => { panels.push(p); walk(p.panels ?? []); });
walk(dashboard.panels);
for (const p of panels) {
  for (const t of p.targets ?? []) {
    await run('panels', `${p.title} / ${t.legendFormat || t.refId}: ${substitute(t.expr)}`, () => rangeQuery(substitute(t.expr)));
  }
}

console.log('recording rules (k8s/base/alerts.rules.yaml)');
const rules = YAML.parse(readFileSync(join(repo, 'k8s', 'base', 'alerts.rules.yaml'), 'utf8'));
for (const g of rules.groups) {
  for (const r of g.rules.filter((x) => x.record)) {
    await run('rules', r.record, () => rangeQuery(r.record));
  }
}

// Every meter batcycle exports is on the dashboard, or named in README.md as left out on purpose: the paragraph
// that starts "**Not on the dashboard" lists them in backquotes (a * matches any characters).
console.log('meters: on a panel, or named in README.md as left out');
const readme = readFileSync(join(repo, 'README.md'), 'utf8');
const leftOutText = /\*\*Not on the dashboard[^]*?(?:\n\n|$)/.exec(readme)?.[0] ?? '';
const leftOut = [...leftOutText.matchAll(/`([a-z0-9_*]+)`/g)].map((m) => new RegExp(`^${m[1].replaceAll('*', '[a-z0-9_]*')}$`));
const queries = panels.flatMap((p) => (p.targets ?? []).map((t) => t.expr)).join('\n')
  + rules.groups.flatMap((g) => g.rules.map((r) => r.expr)).join('\n');
const exported = (await api('/api/v1/label/__name__/values', { 'match[]': '{job="batcycle"}', start, end: Date.now() / 1000 }))
  .filter((n) => /^(batcycle|jvm|process|system)_/.test(n));
for (const name of exported) {
  // A histogram is one meter: its _bucket, _count and _sum go together.
  const family = name.replace(/_(bucket|count|sum)$/, '');
  await run('meters', name, async () => {
    if (new RegExp(`\\b${family}(_bucket|_count|_sum)?\\b`).test(queries)) return { ok: true, note: 'on the dashboard' };
    if (leftOut.some((re) => re.test(name))) return { ok: true, note: 'README: left out' };
    return { ok: false, note: 'neither on a panel nor named in README.md as left out' };
  });
}

const empty = results.filter((r) => !r.ok);
for (const section of ['variables', 'panels', 'rules', 'meters']) {
  const all = results.filter((r) => r.section === section);
  const verb = section === 'meters' ? 'are on a panel or named as left out' : 'return data';
  console.log(`dashboard-queries: ${section}: ${all.length - all.filter((r) => !r.ok).length} of ${all.length} ${verb}`);
}
console.log(`dashboard-queries: ${results.length - empty.length} passed, ${empty.length} failed`);
process.exit(empty.length ? 1 : 0);
