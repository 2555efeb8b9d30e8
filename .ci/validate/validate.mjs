// Offline validation of k8s/ and grafana/ (run by .ci/k8s-check.sh, which also runs promtool):
//  1. `kubectl kustomize` renders the base (the app's manifests plus the batcycle component) and every overlay, and
//     `java -jar batcycle.jar inject` rewrites the seed's manifest, a multi-document file with Services, and files
//     that already have batcycle; inject's output must equal what k8s/ ships, and a second run must change nothing;
//  2. every rendered object validates against its schema with kubernetes-models (value types, required fields,
//     enums) or, for PodMonitor and PrometheusRule, @kubernetes-models/prometheus-operator (the CRDs' schemas);
//  3. TypeScript checks every object against kubernetes-types (and the operator's interfaces) as an object
//     literal, which rejects unknown or misspelt field names that schema validation lets through;
//  4. for every workload with batcycle, in every variant, the manifests agree with each other and with batcycle
//     itself: ports, probe paths, the ConfigMap's keys and values (batcycle is started with that very file and the
//     container's environment), the image's UID, the termination grace period handed to batcycle, the Services,
//     and for k8s/ the app's own probes and resources, the scrape port and job the alerts rely on;
//  5. the Grafana dashboard type-checks against Grafana's published schema types (@grafana/schema), and its
//     queries use only the dashboard's own variables.
// Prints one line per check and "validate: N passed, N failed"; exits 1 on any failure.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync, existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, posix } from 'node:path';
import { fileURLToPath } from 'node:url';
import YAML from 'yaml';

const here = dirname(fileURLToPath(import.meta.url));
const repo = join(here, '..', '..');
const jar = process.env.BATCYCLE_JAR ?? join(repo, 'target', 'batcycle.jar');

// Paths and variables the manifests use that batcycle does not serve or read yet, with the issue that brings
// them. While listed, their absence is a warning; once batcycle has them the warning turns into a pass. Remove
// an entry when it lands, so that a later regression fails.
const PENDING = {
  paths: {}, // e.g. '/readyz': 'observability (issue #3)'
  env: {}, // e.g. BATCYCLE_TERMINATION_GRACE_PERIOD: 'lifecycle (issue #5)'
};

let passed = 0;
let failed = 0;
let warned = 0;
function check(name, fn) {
  try {
    const note = fn();
    passed++;
    console.log(`  ok    ${name}${note ? ` (${note})` : ''}`);
  } catch (e) {
    failed++;
    console.log(`  FAIL  ${name}\n        ${String(e.message ?? e).split('\n').join('\n        ')}`);
  }
}
function warn(message) {
  warned++;
  console.log(`  warn  ${message}`);
}
function assert(condition, message) {
  if (!condition) throw new Error(message);
}
function eq(actual, expected, what) {
  assert(actual === expected, `${what}: ${JSON.stringify(actual)}, expected ${JSON.stringify(expected)}`);
}

// --- 1. render --------------------------------------------------------------------------------------------------
const variants = [{ name: 'base', dir: 'k8s/base', native: true, example: true }];
for (const d of readdirSync(join(repo, 'k8s', 'overlays'), { withFileTypes: true })) {
  // Every overlay but classic-sidecar keeps the base's native sidecar.
  if (d.isDirectory()) {
    variants.push({ name: `overlays/${d.name}`, dir: `k8s/overlays/${d.name}`, native: d.name !== 'classic-sidecar',
      example: true });
  }
}
const parseAll = (text) => YAML.parseAllDocuments(text).map((d) => d.toJS()).filter((o) => o);
console.log('kustomize');
for (const v of variants) {
  check(`kubectl kustomize ${v.dir}`, () => {
    v.text = execFileSync('kubectl', ['kustomize', join(repo, v.dir)], { encoding: 'utf8' });
    v.objects = parseAll(v.text);
    return `${v.objects.length} objects: ${v.objects.map((o) => o.kind).join(', ')}`;
  });
}

// batcycle inject: the seed's manifest, the same as a classic sidecar, a multi-document file with a Service whose
// targetPort is a name, and k8s/base's own app manifests (which the component turns into k8s/base).
const injectInputs = join(repo, 'src', 'test', 'resources', 'batcycle', 'inject');
function inject(args, input) {
  const res = spawnSync('java', ['-jar', jar, 'inject', ...args], { encoding: 'utf8', input, timeout: 60000 });
  if (res.status !== 0) throw new Error(`inject ${args.join(' ')} exited ${res.status}:\n${res.stderr}`);
  return { text: res.stdout, stderr: res.stderr };
}
const injected = [
  { name: 'inject: seed', args: [join(injectInputs, 'seed.yaml')], native: true },
  { name: 'inject --classic: seed', args: ['--classic', join(injectInputs, 'seed.yaml')], native: false },
  { name: 'inject: multi-document file', args: [join(injectInputs, 'multi.yaml')], native: true },
  { name: 'inject: k8s/base app', args: [join(repo, 'k8s/base/deployment.yaml'), join(repo, 'k8s/base/service.yaml')], native: true },
];
console.log('batcycle inject');
for (const v of injected) {
  check(`${v.name}`, () => {
    assert(existsSync(jar), `${jar} is missing: build it first (./mvnw -q -B package -DskipTests)`);
    Object.assign(v, inject(v.args));
    v.objects = parseAll(v.text);
    return `${v.objects.length} objects: ${v.objects.map((o) => o.kind).join(', ')}`;
  });
}
variants.push(...injected);
const rendered = variants.filter((v) => v.objects);
const byName = (name) => rendered.find((v) => v.name === name);
const findObject = (objects, kind, name) => objects?.find((o) => o.kind === kind && o.metadata?.name === name);
// Compared as data: keys sorted (kustomize writes them sorted), and the generated ConfigMap's content hash, which
// kustomize appends to its name, removed.
function canonical(value) {
  if (Array.isArray(value)) return value.map(canonical);
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.keys(value).sort().map((k) => [k, canonical(value[k])]));
  }
  return typeof value === 'string' ? value.replace(/^batcycle-config-[a-z0-9]{10}$/, 'batcycle-config') : value ?? null;
}
function sameAs(actual, expected, what) {
  const a = JSON.stringify(canonical(actual), null, 1);
  const e = JSON.stringify(canonical(expected), null, 1);
  if (a === e) return;
  const al = a.split('\n');
  const el = e.split('\n');
  const i = al.findIndex((line, n) => line !== el[n]);
  throw new Error(`${what} differ at line ${i + 1}:\n  got      ${al[i]}\n  expected ${el[i]}`);
}
function podOf(obj) {
  if (obj.kind === 'Pod') return obj;
  if (obj.kind === 'CronJob') return obj.spec?.jobTemplate?.spec?.template;
  return ['Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet', 'Job'].includes(obj.kind) ? obj.spec?.template : undefined;
}
const containersOf = (spec) => [...(spec.initContainers ?? []), ...(spec.containers ?? [])];
const sidecarOf = (obj) => containersOf(podOf(obj).spec).find((c) => c.name === 'batcycle');

check('inject: the seed\'s Deployment gets what k8s/base ships (container, volumes, hooks, grace period, Service)', () => {
  const base = byName('base')?.objects;
  const seed = byName('inject: seed')?.objects;
  assert(base && seed, 'a variant did not render');
  const [b, s] = [findObject(base, 'Deployment', 'myapp'), findObject(seed, 'Deployment', 'myapp')];
  sameAs(sidecarOf(s), sidecarOf(b), 'batcycle containers');
  sameAs(podOf(s).spec.volumes, podOf(b).spec.volumes, 'volumes');
  sameAs(podOf(s).spec.terminationGracePeriodSeconds, podOf(b).spec.terminationGracePeriodSeconds, 'grace periods');
  sameAs(podOf(s).spec.containers[0].lifecycle, podOf(b).spec.containers[0].lifecycle, 'app lifecycles');
  sameAs(podOf(s).metadata.annotations, podOf(b).metadata.annotations, 'pod annotations');
  sameAs(findObject(seed, 'Service', 'myapp').spec.ports, findObject(base, 'Service', 'myapp').spec.ports, 'Service ports');
  sameAs(findObject(seed, 'ConfigMap', 'batcycle-config').data, base.find((o) => o.kind === 'ConfigMap').data, 'ConfigMap data');
});
check('inject: k8s/base\'s app manifests give exactly the Deployment and Service the component gives', () => {
  const base = byName('base')?.objects;
  const app = byName('inject: k8s/base app')?.objects;
  assert(base && app, 'a variant did not render');
  // kustomize adds the namespace and the part-of label; the specs must be the same.
  sameAs(findObject(app, 'Deployment', 'myapp').spec, findObject(base, 'Deployment', 'myapp').spec, 'Deployment specs');
  sameAs(findObject(app, 'Service', 'myapp').spec, findObject(base, 'Service', 'myapp').spec, 'Service specs');
});
check('inject --classic: the seed gets what the classic-sidecar overlay ships', () => {
  const overlay = byName('overlays/classic-sidecar')?.objects;
  const classic = byName('inject --classic: seed')?.objects;
  assert(overlay && classic, 'a variant did not render');
  const [o, c] = [findObject(overlay, 'Deployment', 'myapp'), findObject(classic, 'Deployment', 'myapp')];
  sameAs(podOf(c).spec.containers.map((x) => x.name), podOf(o).spec.containers.map((x) => x.name), 'container names');
  sameAs(sidecarOf(c), sidecarOf(o), 'batcycle containers');
  sameAs(podOf(c).spec.containers[0].lifecycle, podOf(o).spec.containers[0].lifecycle, 'app lifecycles');
});
check('inject: the multi-document file keeps its other objects, sidecars and the Service\'s metrics port', () => {
  const before = parseAll(readFileSync(join(injectInputs, 'multi.yaml'), 'utf8'));
  const after = byName('inject: multi-document file')?.objects;
  assert(after, 'inject did not run');
  for (const kind of ['Ingress', 'ConfigMap']) {
    for (const obj of before.filter((x) => x.kind === kind)) sameAs(findObject(after, kind, obj.metadata.name), obj, `${kind}/${obj.metadata.name}`);
  }
  const web = findObject(after, 'Deployment', 'web');
  sameAs(podOf(web).spec.containers[1], podOf(findObject(before, 'Deployment', 'web')).spec.containers[1], 'the pod\'s own sidecar');
  const ports = findObject(after, 'Service', 'web').spec.ports;
  eq(ports[0].targetPort, 8000, 'Service web port http targetPort');
  eq(ports[1].targetPort, 'metrics', 'Service web port metrics targetPort');
  return `${after.length} objects`;
});
for (const [what, text] of [['the seed after inject', () => byName('inject: seed')?.text],
  ['the multi-document file after inject', () => byName('inject: multi-document file')?.text],
  ['k8s/base as rendered', () => byName('base')?.text]]) {
  check(`inject: ${what} already has batcycle, and a run changes no byte`, () => {
    const input = text();
    assert(input, 'nothing to run on');
    const again = inject(['-'], input);
    eq(again.text, input, 'output of the second run');
    assert(/already has batcycle/.test(again.stderr), `no note on stderr: ${again.stderr}`);
    return again.stderr.trim().split('\n').length + ' notes';
  });
}

// --- 2. schemas ------------------------------------------------------------------------------------------------
function modelModule(apiVersion, kind) {
  if (apiVersion.startsWith('monitoring.coreos.com/')) {
    return `@kubernetes-models/prometheus-operator/${apiVersion}/${kind}`;
  }
  return `kubernetes-models/${apiVersion}/${kind}`;
}
console.log('schemas (kubernetes-models, prometheus-operator CRDs)');
// cert-manager publishes no model to npm: its Certificate is checked here against the fields of cert-manager.io/v1
// that the manifests use (an unknown or misspelt one fails), and for what issuance needs.
const CERTIFICATE_SPEC = new Set(['secretName', 'dnsNames', 'ipAddresses', 'uris', 'commonName', 'duration',
  'renewBefore', 'privateKey', 'usages', 'issuerRef', 'secretTemplate', 'subject', 'isCA', 'keystores',
  'revisionHistoryLimit', 'encodeUsagesInRequest']);
function checkCertificate(obj) {
  const spec = obj.spec ?? {};
  const unknown = Object.keys(spec).filter((k) => !CERTIFICATE_SPEC.has(k));
  assert(unknown.length === 0, `unknown spec fields: ${unknown.join(', ')}`);
  assert(typeof spec.secretName === 'string' && spec.secretName, 'spec.secretName is required');
  assert(spec.issuerRef?.name, 'spec.issuerRef.name is required');
  assert(['Issuer', 'ClusterIssuer', undefined].includes(spec.issuerRef.kind), `issuerRef.kind ${spec.issuerRef.kind}`);
  assert((spec.dnsNames ?? []).length || (spec.ipAddresses ?? []).length || spec.commonName,
    'the certificate names no host (dnsNames, ipAddresses or commonName)');
  for (const d of ['duration', 'renewBefore']) {
    if (spec[d] !== undefined) assert(/^(\d+h)?(\d+m)?(\d+s)?$/.test(spec[d]), `spec.${d} '${spec[d]}' is not a Go duration`);
  }
}
for (const v of rendered) {
  for (const obj of v.objects) {
    const id = `${v.name}: ${obj.kind}/${obj.metadata?.name}`;
    if (obj.apiVersion === 'cert-manager.io/v1' && obj.kind === 'Certificate') {
      check(`${id} has the fields cert-manager needs, and no unknown ones`, () => checkCertificate(obj));
      continue;
    }
    let Model;
    try {
      Model = (await import(modelModule(obj.apiVersion, obj.kind)))[obj.kind];
    } catch (e) {
      check(id, () => { throw new Error(`no schema for ${obj.apiVersion} ${obj.kind}: ${e.message}`); });
      continue;
    }
    check(`${id} matches its schema`, () => {
      new Model(obj).validate();
    });
  }
}

// --- 3 and 5. TypeScript: unknown fields in manifests, Grafana's dashboard schema -------------------------------
const TYPES = {
  v1: 'kubernetes-types/core/v1',
  'apps/v1': 'kubernetes-types/apps/v1',
  'batch/v1': 'kubernetes-types/batch/v1',
  'networking.k8s.io/v1': 'kubernetes-types/networking/v1',
  'policy/v1': 'kubernetes-types/policy/v1',
};
function typeFor(obj) {
  if (TYPES[obj.apiVersion]) return { module: TYPES[obj.apiVersion], name: obj.kind };
  if (obj.apiVersion.startsWith('monitoring.coreos.com/')) {
    return { module: modelModule(obj.apiVersion, obj.kind), name: `I${obj.kind}` };
  }
  return null;
}
const generated = join(here, 'generated');
rmSync(generated, { recursive: true, force: true });
mkdirSync(generated);
{
  const imports = new Map();
  const decls = [];
  for (const v of rendered) {
    v.objects.forEach((obj, i) => {
      const t = typeFor(obj);
      if (!t) {
        decls.push(`// no TypeScript type for ${obj.apiVersion} ${obj.kind}`);
        return;
      }
      const alias = `${t.name}_${imports.size}`;
      const key = `${t.module}#${t.name}`;
      if (!imports.has(key)) imports.set(key, { ...t, alias });
      const { alias: a } = imports.get(key);
      decls.push(`// ${v.name}: ${obj.kind}/${obj.metadata?.name}\nexport const o_${decls.length}: ${a} = ${JSON.stringify(obj, null, 2)};`);
    });
  }
  const head = [...imports.values()].map((t) => `import type { ${t.name} as ${t.alias} } from '${t.module}';`);
  writeFileSync(join(generated, 'manifests.check.ts'), `${head.join('\n')}\n\n${decls.join('\n\n')}\n`);
}

const dashboardFile = join(repo, 'grafana', 'dashboards', 'batcycle.json');
const dashboard = JSON.parse(readFileSync(dashboardFile, 'utf8'));
{
  // Grafana's types declare option values as TypeScript enums (TooltipDisplayMode.Multi = "multi"); JSON holds
  // their values. Json<T> turns every string enum into the union of its values, and leaves everything else,
  // including excess-property checks, as the schema has it.
  const panelTypes = {
    timeseries: ['TimeSeries', 'timeseries/panelcfg/x/TimeSeriesPanelCfg_types.gen'],
    stat: ['Stat', 'stat/panelcfg/x/StatPanelCfg_types.gen'],
  };
  // The stat panel has no custom field options of its own.
  const fieldConfigOf = (ns) => (ns === 'Stat' ? 'Record<string, never>' : `${ns}.FieldConfig`);
  const lines = [
    "import type { Dashboard, Panel, RowPanel, DataQuery, FieldConfigSource } from '@grafana/schema';",
    ...Object.values(panelTypes).map(([ns, path]) =>
      `import type * as ${ns} from '@grafana/schema/dist/esm/raw/composable/${path}';`),
    '',
    'type Json<T> = T extends string ? `${T}` : T extends number | boolean | null | undefined ? T',
    '  : T extends Array<infer U> ? Array<Json<U>> : T extends object ? { [K in keyof T]: Json<T[K]> } : T;',
    '// A Prometheus query as Grafana stores it (fields of the Prometheus data source plugin, which publishes no',
    '// types to npm).',
    "interface PromQuery extends DataQuery { expr: string; legendFormat?: string; range?: boolean; instant?: boolean;",
    "  format?: 'time_series' | 'table' | 'heatmap'; interval?: string; editorMode?: 'code' | 'builder';",
    '  exemplar?: boolean; }',
    "// Grafana's generic Panel types options as Record<string, unknown> and custom field options as",
    "// F & Record<string, unknown>, which accept any key; here both must be exactly the panel plugin's own types.",
    "type TypedFieldConfig<F> = Omit<FieldConfigSource, 'defaults'>",
    "  & { defaults: Omit<FieldConfigSource['defaults'], 'custom'> & { custom?: F } };",
    "type TypedPanel<O, F> = Omit<Panel, 'targets' | 'fieldConfig' | 'options'>",
    "  & { targets?: PromQuery[]; fieldConfig?: TypedFieldConfig<F>; options?: O };",
    '',
    `export const dashboard: Json<Dashboard> = ${JSON.stringify(dashboard, null, 2)};`,
    '',
  ];
  const flat = [];
  for (const p of dashboard.panels ?? []) {
    flat.push(p);
    for (const inner of p.panels ?? []) flat.push(inner);
  }
  flat.forEach((p, i) => {
    if (p.type === 'row') {
      lines.push(`export const panel_${i}: Json<RowPanel> = ${JSON.stringify(p)};`);
    } else if (panelTypes[p.type]) {
      const ns = panelTypes[p.type][0];
      lines.push(`export const panel_${i}: Json<TypedPanel<${ns}.Options, ${fieldConfigOf(ns)}>> = ${JSON.stringify(p)};`);
    } else {
      lines.push(`// panel ${i} "${p.title}": type ${p.type} has no option types here`);
      lines.push(`export const panel_${i}: Json<Panel> = ${JSON.stringify(p)};`);
    }
  });
  writeFileSync(join(generated, 'dashboard.check.ts'), `${lines.join('\n')}\n`);
}

console.log('TypeScript (kubernetes-types, prometheus-operator interfaces, @grafana/schema)');
check('tsc --noEmit: no unknown fields or wrong types in manifests and dashboard', () => {
  const tsc = spawnSync(process.execPath, [join(here, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', here],
    { encoding: 'utf8' });
  if (tsc.status !== 0) {
    throw new Error((tsc.stdout + tsc.stderr).split('\n').filter(Boolean).slice(0, 40).join('\n'));
  }
});

// --- 4. agreement between the manifests and batcycle --------------------------------------------------------------
function hostPort(text, what) {
  const m = /^(.*):(\d+)$/.exec(String(text));
  assert(m, `${what}: '${text}' is not HOST:PORT`);
  return { host: m[1].replace(/^\[|\]$/g, ''), port: Number(m[2]) };
}
function durationSeconds(text) {
  const m = /^(\d+)(ms|s|m|h)$/.exec(String(text));
  assert(m, `'${text}' is not a duration such as 30s`);
  return Number(m[1]) * { ms: 0.001, s: 1, m: 60, h: 3600 }[m[2]];
}
function selects(selector, labels) {
  return Object.entries(selector?.matchLabels ?? selector ?? {}).every(([k, val]) => labels?.[k] === val);
}
function resolvePort(container, port, ...others) {
  if (typeof port === 'number') return port;
  const p = [container, ...others].flatMap((c) => c?.ports ?? []).find((x) => x.name === port);
  assert(p, `no port named '${port}' on container ${container.name}`);
  return p.containerPort;
}
function sleepSeconds(container) {
  const pre = container.lifecycle?.preStop;
  if (pre?.sleep) return pre.sleep.seconds;
  const cmd = pre?.exec?.command ?? [];
  const i = cmd.indexOf('sleep');
  return i >= 0 ? Number(cmd[i + 1]) : 0;
}
const dockerUid = Number(/^ARG APP_UID=(\d+)/m.exec(readFileSync(join(repo, 'Dockerfile'), 'utf8'))?.[1]);

let batcycleHelp = '';
if (existsSync(jar)) {
  batcycleHelp = execFileSync('java', ['-jar', jar, '--help'], { encoding: 'utf8' });
}
const knownEnv = new Set(batcycleHelp.match(/BATCYCLE_[A-Z0-9_]+/g) ?? []);

const runs = [];
for (const v of rendered) {
  const workloads = v.objects.filter((o) => podOf(o) && sidecarOf(o));
  if (v.example && !workloads.some((o) => o.kind === 'Deployment' && o.metadata.name === 'myapp')) {
    check(`${v.name}: Deployment myapp with batcycle exists`, () => { throw new Error('missing'); });
  }
  for (const workload of workloads) agreement(v, workload);
}

function agreement(v, workload) {
  const id = `${workload.kind.toLowerCase()}/${workload.metadata.name}`;
  console.log(`agreement: ${v.name}: ${id}`);
  const find = (kind, pred = () => true) => v.objects.filter((o) => o.kind === kind && pred(o));
  const pod = podOf(workload);
  const spec = pod.spec;
  const init = spec.initContainers ?? [];
  const sidecar = sidecarOf(workload);
  const env = Object.fromEntries((sidecar.env ?? []).map((e) => [e.name, e.value]));
  let config = {};
  let configText = '';

  check('BATCYCLE_CONFIG names batcycle.yaml in the mounted ConfigMap', () => {
    const file = env.BATCYCLE_CONFIG;
    assert(file, 'BATCYCLE_CONFIG is not set');
    const mount = (sidecar.volumeMounts ?? []).find((m) => m.mountPath === posix.dirname(file));
    assert(mount, `nothing is mounted at ${posix.dirname(file)}`);
    const volume = spec.volumes.find((vol) => vol.name === mount.name);
    assert(volume?.configMap, `volume ${mount.name} is not a ConfigMap`);
    const [cm] = find('ConfigMap', (o) => o.metadata.name === volume.configMap.name
      && o.metadata.namespace === workload.metadata.namespace);
    assert(cm, `ConfigMap ${volume.configMap.name} is not among the objects`);
    configText = cm.data?.[posix.basename(file)];
    assert(configText !== undefined, `ConfigMap ${cm.metadata.name} has no key ${posix.basename(file)}`);
    config = YAML.parse(configText) ?? {};
    return `${cm.metadata.name}/${posix.basename(file)}`;
  });
  // What batcycle will use: its environment over the file over the defaults.
  const listen = hostPort(env.BATCYCLE_LISTEN ?? config.listen ?? '0.0.0.0:8000', 'listen');
  const admin = hostPort(env.BATCYCLE_ADMIN ?? config.admin ?? '0.0.0.0:9901', 'admin');
  const upstream = new URL(env.BATCYCLE_UPSTREAM ?? config.upstream ?? 'http://127.0.0.1:8080');
  const portNamed = (name) => (sidecar.ports ?? []).find((p) => p.name === name)?.containerPort;
  const app = spec.containers.find((c) => c !== sidecar && (c.ports ?? []).some((p) => p.containerPort === Number(upstream.port)));

  check('batcycle as a native sidecar or a classic one, in front of the app container', () => {
    assert(app, `no container of the pod declares the upstream port ${upstream.port}`);
    if (v.native) {
      assert(init.includes(sidecar), 'batcycle is not an init container');
      eq(sidecar.restartPolicy, 'Always', 'batcycle restartPolicy (native sidecar)');
      assert(sidecar.startupProbe, 'a native sidecar needs a startupProbe, or the app starts before batcycle listens');
      eq(app.lifecycle?.preStop?.httpGet?.path, '/prestop', 'the app\'s preStop (starts batcycle\'s drain)');
      eq(app.lifecycle.preStop.httpGet.port, admin.port, 'the app\'s preStop port');
      return `app container ${app.name}`;
    }
    assert(spec.containers.includes(sidecar), 'batcycle is not a regular container');
    assert(!sidecar.restartPolicy, 'restartPolicy is only allowed on init containers');
    assert(sleepSeconds(sidecar) > sleepSeconds(app),
      `batcycle's preStop (${sleepSeconds(sidecar)} s) must outlast the app's (${sleepSeconds(app)} s)`);
    return `app container ${app.name}; preStop ${sleepSeconds(sidecar)} s > app's ${sleepSeconds(app)} s`;
  });
  check('listen/admin = container ports proxy/admin, on all interfaces', () => {
    eq(portNamed('proxy') ?? portNamed('batcycle-proxy'), listen.port, 'container port "proxy" vs listen');
    eq(portNamed('admin') ?? portNamed('batcycle-admin'), admin.port, 'container port "admin" vs admin');
    for (const [what, a] of [['listen', listen], ['admin', admin]]) {
      assert(!/^(127\.|localhost$|::1$)/.test(a.host), `${what} on ${a.host}: kubelet probes and the Service cannot reach loopback`);
    }
    return `${listen.port}, ${admin.port}`;
  });
  if (config.outbound) {
    check('outbound entries listen on loopback only, on ports of their own', () => {
      const taken = new Set([listen.port, admin.port, ...spec.containers.flatMap((c) => (c.ports ?? []).map((p) => p.containerPort))]);
      for (const entry of config.outbound) {
        const at = hostPort(String(entry.listen), `outbound ${entry.name} listen`);
        assert(/^(127\.|localhost$|::1$)/.test(at.host), `outbound ${entry.name} listens on ${at.host}: the pod's network would reach it`);
        assert(!taken.has(at.port), `outbound ${entry.name} listens on port ${at.port}, already in use in the pod`);
        taken.add(at.port);
      }
      return config.outbound.map((e) => `${e.name} ${e.listen}`).join(', ');
    });
  }
  check('upstream is the app container on loopback', () => {
    assert(['127.0.0.1', 'localhost', '[::1]'].includes(upstream.hostname), `upstream host ${upstream.hostname} is not loopback`);
    return upstream.href;
  });
  check('probes: /healthz (liveness, startup) and /readyz (readiness) on the admin port', () => {
    const probes = { livenessProbe: '/healthz', readinessProbe: '/readyz', startupProbe: '/healthz' };
    for (const [probe, path] of Object.entries(probes)) {
      const p = sidecar[probe];
      if (!p && probe === 'startupProbe') continue;
      assert(p?.httpGet, `${probe} is missing or not httpGet`);
      eq(p.httpGet.path, path, `${probe} path`);
      eq(resolvePort(sidecar, p.httpGet.port), admin.port, `${probe} port`);
    }
    // /readyz waits up to readiness.timeout for the app; the kubelet must wait longer, or a slow app reads as a
    // failed probe instead of a 503 with a reason.
    const readinessTimeout = durationSeconds(config.readiness?.timeout ?? '1s');
    assert((sidecar.readinessProbe.timeoutSeconds ?? 1) > readinessTimeout,
      `readinessProbe.timeoutSeconds (${sidecar.readinessProbe.timeoutSeconds ?? 1}) must exceed readiness.timeout (${readinessTimeout} s)`);
  });
  const services = find('Service', (s) => s.metadata.namespace === workload.metadata.namespace
    && s.spec.selector && selects(s.spec.selector, pod.metadata?.labels));
  if (v.example || services.length) {
    check('Services send the app\'s traffic to batcycle\'s proxy port, never around it', () => {
      assert(services.length > 0, 'no Service selects the pods');
      for (const s of services) {
        const ports = s.spec.ports.map((p) => p.targetPort ?? p.port);
        assert(ports.some((p) => resolvePort(sidecar, p, app) === listen.port), `Service ${s.metadata.name} has no port to batcycle`);
        assert(!ports.some((p) => resolvePort(sidecar, p, app) === Number(upstream.port)),
          `Service ${s.metadata.name} targets the app's port ${upstream.port} directly`);
        // A named targetPort on a native sidecar gets no endpoints before Kubernetes 1.32.
        if (v.native) assert(ports.every((p) => typeof p === 'number' || resolvePort(sidecar, p, app) !== listen.port),
          `Service ${s.metadata.name} names batcycle's port instead of giving its number`);
      }
      return services.map((s) => s.metadata.name).join(', ');
    });
  }
  if (v.example) {
    check('PodDisruptionBudget selects the pods and leaves one up', () => {
      const [pdb] = find('PodDisruptionBudget');
      assert(pdb, 'no PodDisruptionBudget');
      assert(selects(pdb.spec.selector, pod.metadata.labels), 'its selector does not match the pods');
      assert(workload.spec.replicas >= 2, `replicas ${workload.spec.replicas}: a PDB cannot protect a single pod`);
    });
    check('the app container has its own probes and resources (a newcomer copies what they see)', () => {
      for (const probe of ['livenessProbe', 'readinessProbe']) {
        assert(app[probe]?.httpGet ?? app[probe]?.tcpSocket ?? app[probe]?.grpc ?? app[probe]?.exec, `${probe} missing`);
        const port = app[probe].httpGet?.port ?? app[probe].tcpSocket?.port;
        if (port !== undefined) eq(resolvePort(app, port), Number(upstream.port), `${probe} port (the app's own, not batcycle's)`);
      }
      for (const r of ['cpu', 'memory']) assert(app.resources?.requests?.[r], `resources.requests.${r} missing`);
      assert(app.resources?.limits?.memory, 'resources.limits.memory missing');
    });
  }
  check('scraping: prometheus.io annotations use the admin port and /metrics', () => {
    const a = pod.metadata.annotations ?? {};
    eq(a['prometheus.io/scrape'], 'true', 'prometheus.io/scrape');
    eq(Number(a['prometheus.io/port']), admin.port, 'prometheus.io/port');
    eq(a['prometheus.io/path'], '/metrics', 'prometheus.io/path');
    if (!v.example) return 'annotations';
    const [pm] = find('PodMonitor');
    assert(pm, 'no PodMonitor');
    assert(selects(pm.spec.selector, pod.metadata.labels), 'PodMonitor does not select the pods');
    const ep = pm.spec.podMetricsEndpoints[0];
    eq(resolvePort(sidecar, ep.port), admin.port, 'PodMonitor port');
    eq(ep.path, '/metrics', 'PodMonitor path');
    const job = (ep.relabelings ?? []).find((r) => r.targetLabel === 'job')?.replacement;
    const rules = readFileSync(join(repo, 'k8s', 'base', 'alerts.rules.yaml'), 'utf8');
    const alertJobs = new Set([...rules.matchAll(/job="([^"]+)"/g)].map((m) => m[1]));
    eq([...alertJobs].join(), job, 'the job label the alerts select vs the one the PodMonitor sets');
    const [rule] = find('PrometheusRule');
    assert(rule, 'no PrometheusRule');
    return 'annotations and PodMonitor';
  });
  check('termination grace period handed to batcycle, and its drain fits in it', () => {
    const value = env.BATCYCLE_TERMINATION_GRACE_PERIOD;
    assert(value, 'BATCYCLE_TERMINATION_GRACE_PERIOD is not set');
    eq(durationSeconds(value), spec.terminationGracePeriodSeconds, 'BATCYCLE_TERMINATION_GRACE_PERIOD vs terminationGracePeriodSeconds');
    assert(spec.terminationGracePeriodSeconds > sleepSeconds(app) + sleepSeconds(sidecar),
      'the grace period does not even cover the preStop sleeps');
    const drain = durationSeconds(env.BATCYCLE_DRAIN_DELAY ?? config.drain?.delay ?? '5s')
      + durationSeconds(env.BATCYCLE_DRAIN_TIMEOUT ?? config.drain?.timeout ?? '20s');
    assert(drain <= spec.terminationGracePeriodSeconds, `drain.delay + drain.timeout (${drain} s) exceed the grace period`);
    return `${value}, drain ${drain} s`;
  });
  check('hardened securityContext, same UID as the image', () => {
    const sc = sidecar.securityContext ?? {};
    eq(sc.runAsNonRoot, true, 'runAsNonRoot');
    eq(sc.runAsUser, dockerUid, 'runAsUser vs the Dockerfile\'s UID');
    eq(sc.readOnlyRootFilesystem, true, 'readOnlyRootFilesystem');
    eq(sc.allowPrivilegeEscalation, false, 'allowPrivilegeEscalation');
    assert((sc.capabilities?.drop ?? []).includes('ALL'), 'capabilities.drop lacks ALL');
    eq((sc.seccompProfile ?? spec.securityContext?.seccompProfile)?.type, 'RuntimeDefault', 'seccompProfile');
    assert((sidecar.volumeMounts ?? []).some((m) => m.mountPath === '/tmp'),
      'a read-only root needs a writable /tmp for the JVM');
    return `uid ${dockerUid}`;
  });
  check('resources: requests and limits for CPU and memory', () => {
    for (const kind of ['requests', 'limits']) {
      for (const r of ['cpu', 'memory']) assert(sidecar.resources?.[kind]?.[r], `resources.${kind}.${r} missing`);
    }
  });
  check('every BATCYCLE_* variable is one batcycle reads', () => {
    assert(batcycleHelp, `${jar} is missing: build it first (./mvnw -q -B package -DskipTests)`);
    const unknown = Object.keys(env).filter((n) => n.startsWith('BATCYCLE_') && !knownEnv.has(n));
    const pending = unknown.filter((n) => PENDING.env[n]);
    pending.forEach((n) => warn(`${v.name}: batcycle does not read ${n} yet (${PENDING.env[n]})`));
    const wrong = unknown.filter((n) => !PENDING.env[n]);
    assert(wrong.length === 0, `unknown to batcycle (it ignores them silently): ${wrong.join(', ')}`);
    return `${Object.keys(env).length} variables`;
  });
  const tls = Boolean(env.BATCYCLE_TLS_CERT_FILE ?? config.tls?.certFile);
  if (tls) {
    check('TLS: the certificate files come from the Secret the Certificate fills, and the Service says https', () => {
      const certFile = env.BATCYCLE_TLS_CERT_FILE ?? config.tls.certFile;
      const keyFile = env.BATCYCLE_TLS_KEY_FILE ?? config.tls?.keyFile;
      assert(keyFile && posix.dirname(keyFile) === posix.dirname(certFile), 'tls.keyFile is not beside tls.certFile');
      const mount = (sidecar.volumeMounts ?? []).find((m) => m.mountPath === posix.dirname(certFile));
      assert(mount, `nothing is mounted at ${posix.dirname(certFile)}`);
      // A subPath mount is never updated by the kubelet: rotation would silently stop.
      assert(!mount.subPath, 'the TLS volume is mounted with subPath, which Kubernetes never updates');
      const volume = spec.volumes.find((vol) => vol.name === mount.name);
      assert(volume?.secret?.secretName, `volume ${mount.name} is not a Secret`);
      const certs = find('Certificate');
      if (certs.length) {
        assert(certs.some((c) => c.spec.secretName === volume.secret.secretName),
          `no Certificate fills the Secret ${volume.secret.secretName}`);
      }
      for (const s of find('Service')) {
        for (const p of s.spec.ports) {
          assert(p.name === 'https' || p.appProtocol === 'https', `Service ${s.metadata.name} port ${p.port} is not named https`);
        }
      }
      return `${volume.secret.secretName} at ${mount.mountPath}`;
    });
  }
  runs.push({ variant: `${v.name}: ${id}`, configText, env: Object.fromEntries(Object.entries(env).filter(([, val]) => val !== undefined)),
    admin, listen, tls, upstream: upstream.href,
    outbound: (config.outbound ?? []).map((e) => hostPort(String(e.listen), 'outbound listen')) });
}

// batcycle itself: start it with each variant's configuration file and environment, exactly as in the pod, in a
// private network namespace so that its ports (8000, 9901) cannot clash with anything on this machine.
console.log('batcycle with the manifests\' configuration');
const seen = new Set();
for (const r of runs) {
  const key = JSON.stringify([r.configText, r.env]);
  if (seen.has(key)) {
    check(`${r.variant}: same configuration as an earlier variant`, () => {});
    continue;
  }
  seen.add(key);
  check(`${r.variant}: batcycle starts with batcycle.yaml and the container's environment`, () => {
    assert(existsSync(jar), `${jar} is missing: build it first (./mvnw -q -B package -DskipTests)`);
    const dir = mkdtempSync(join(tmpdir(), 'batcycle-k8s-'));
    try {
      const file = join(dir, 'batcycle.yaml');
      writeFileSync(file, r.configText);
      const env = { PATH: process.env.PATH, ...r.env, BATCYCLE_CONFIG: file };
      if (r.tls) {
        // A certificate made now stands in for the Secret's.
        env.BATCYCLE_TLS_CERT_FILE = join(dir, 'tls.crt');
        env.BATCYCLE_TLS_KEY_FILE = join(dir, 'tls.key');
        execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes',
          '-keyout', env.BATCYCLE_TLS_KEY_FILE, '-out', env.BATCYCLE_TLS_CERT_FILE, '-days', '1', '-subj', '/CN=myapp'],
        { stdio: 'ignore' });
      }
      const proxyUrl = `${r.tls ? 'https' : 'http'}://127.0.0.1:${r.listen.port}/`;
      const paths = ['/healthz', '/readyz', '/metrics'];
      // A stand-in for the app on the upstream port, so that the whole path is exercised: proxy port -> batcycle
      // -> app, and /readyz sees a reachable app.
      const upstream = new URL(r.upstream);
      const script = `
        set -u
        ip link set lo up
        # A pod has an eth0; without any interface but lo, Netty warns that it found no hardware address.
        ip link add eth0 type veth peer name eth1 && ip link set eth1 up && ip link set eth0 up \
          && ip addr add 169.254.10.1/32 dev eth0
        node -e 'require("http").createServer((q, s) => s.end("app")).listen(${upstream.port}, "127.0.0.1")' & app=$!
        java -jar "$JAR" >"$DIR/log" 2>&1 & pid=$!
        for _ in $(seq 150); do
          curl -s -o /dev/null -m 1 http://127.0.0.1:${r.admin.port}/healthz && break
          kill -0 $pid 2>/dev/null || { echo "EXITED"; cat "$DIR/log"; exit 0; }
          sleep 0.2
        done
        # Ready only after the start-up warm-up (startup.warmup, at most 10 s by default), as the kubelet would wait.
        for _ in $(seq 150); do
          curl -fs -o /dev/null -m 1 http://127.0.0.1:${r.admin.port}/readyz && break
          sleep 0.2
        done
        for p in ${paths.join(' ')}; do echo "PATH $p $(curl -s -o /dev/null -m 2 -w '%{http_code}' http://127.0.0.1:${r.admin.port}$p)"; done
        echo "PROXY $(curl -sk -m 5 -w ' %{http_code}' ${proxyUrl})"
        for p in ${r.outbound.map((o) => o.port).join(' ')}; do echo "OUTBOUND $p $(curl -s -o /dev/null -m 10 -w '%{http_code}' http://127.0.0.1:$p/)"; done
        echo "CONFIG $(curl -s -m 2 http://127.0.0.1:${r.admin.port}/config | tr -d '\n')"
        kill -KILL $pid $app; wait $pid $app 2>/dev/null # no drain wanted here
        echo "LOG"; cat "$DIR/log"; true`;
      const asRoot = process.getuid?.() === 0;
      const cmd = asRoot ? ['unshare', '--net', '--fork', 'bash', '-c', script]
        : ['unshare', '--user', '--map-root-user', '--net', '--fork', 'bash', '-c', script];
      const res = spawnSync(cmd[0], cmd.slice(1), { encoding: 'utf8', env: { ...env, JAR: jar, DIR: dir }, timeout: 60000 });
      const out = `${res.stdout ?? ''}${res.stderr ?? ''}`;
      assert(res.status === 0 && !out.includes('EXITED'), `batcycle did not start:\n${out.trim()}`);
      const codes = Object.fromEntries([...out.matchAll(/^PATH (\S+) (\d+)$/gm)].map((m) => [m[1], m[2]]));
      eq(codes['/healthz'], '200', '/healthz');
      for (const p of ['/readyz', '/metrics']) {
        if (codes[p] === '404' && PENDING.paths[p]) warn(`${r.variant}: batcycle does not serve ${p} yet (${PENDING.paths[p]})`);
        else if (p === '/metrics') eq(codes[p], '200', p);
        else eq(codes[p], '200', `${p} with the app up`);
      }
      // batcycle's start-up checks warn about settings that fight each other (a drain longer than the grace
      // period, an idle timeout not below the app's keep-alive, ...): the manifests must not trigger any.
      const log = out.slice(out.indexOf('\nLOG\n') + 5);
      // Outbound remotes' names cannot be resolved here: the network namespace has no DNS, unlike a pod.
      const warnings = log.split('\n').filter((l) => /\bWARN/.test(l) && !/EndpointSet - \S+: cannot resolve /.test(l));
      assert(warnings.length === 0, `batcycle warned at start-up:\n${warnings.join('\n')}`);
      // The latency objective of the alerts is a histogram bucket: batcycle must have that bucket.
      const effective = JSON.parse(/^CONFIG (.*)$/m.exec(out)?.[1] || '{}').keys ?? {};
      const buckets = String(effective['metrics.latencyBuckets']?.value ?? '').split(',').map((b) => durationSeconds(b.trim()));
      const rules = readFileSync(join(repo, 'k8s', 'base', 'alerts.rules.yaml'), 'utf8');
      for (const le of new Set([...rules.matchAll(/le="([^"]+)"/g)].map((m) => Number(m[1])))) {
        assert(buckets.includes(le), `the alerts use le="${le}", not among batcycle's latency buckets ${buckets}`);
      }
      const proxy = /^PROXY (.*)$/m.exec(out)?.[1];
      eq(proxy, 'app 200', 'a request to the proxy port (the app answers "app")');
      // Each outbound listener answers: 502, since no remote is reachable from the namespace.
      for (const o of r.outbound) {
        eq(new RegExp(`^OUTBOUND ${o.port} (\\d+)$`, 'm').exec(out)?.[1], '502', `outbound listener ${o.port}`);
      }
      return `healthz 200, readyz ${codes['/readyz']}, metrics ${codes['/metrics']}, proxy -> app ${proxy}`;
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
}

// Dashboard variables: every $variable a query uses is defined (or one of Grafana's built-ins).
console.log('grafana');
check('dashboard queries use only defined variables', () => {
  const defined = new Set((dashboard.templating?.list ?? []).map((x) => x.name));
  const builtins = new Set(['__rate_interval', '__interval', '__range', '__interval_ms', '__range_s']);
  const bad = [];
  const walk = (panels) => panels.forEach((p) => {
    for (const t of p.targets ?? []) {
      for (const [, name] of t.expr.matchAll(/\$\{?([A-Za-z_]\w*)/g)) {
        if (!defined.has(name) && !builtins.has(name)) bad.push(`${p.title}: $${name}`);
      }
    }
    walk(p.panels ?? []);
  });
  walk(dashboard.panels ?? []);
  assert(bad.length === 0, bad.join('\n'));
  for (const needed of ['datasource', 'namespace', 'pod', 'instance']) assert(defined.has(needed), `no $${needed} variable`);
});
check('provisioning file points Grafana at a dashboards folder', () => {
  const prov = YAML.parse(readFileSync(join(repo, 'grafana', 'provisioning', 'dashboards', 'batcycle.yaml'), 'utf8'));
  eq(prov.apiVersion, 1, 'apiVersion');
  const p = prov.providers?.[0];
  eq(p?.type, 'file', 'providers[0].type');
  assert(p?.options?.path, 'providers[0].options.path missing');
});

if (warned) console.log(`validate: ${warned} warnings (pending features, see PENDING in validate.mjs)`);
console.log(`validate: ${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
