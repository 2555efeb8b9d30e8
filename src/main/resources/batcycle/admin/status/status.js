// batcycle status page: polls stats.json every second and renders it. Everything that came from a request (paths,
// ids, methods, flags) is set with textContent or as an attribute value, never parsed as HTML.
'use strict';
(function () {
  const REFRESH_MS = 1000;
  const SVG = 'http://www.w3.org/2000/svg';
  const FLAGS = {
    UF: 'upstream connection failure', UT: 'upstream timeout', UR: 'upstream reset',
    UPE: 'upstream protocol error', DC: 'client disconnected', LR: 'local reply (batcycle answered itself)',
    UTV: 'remote certificate failed verification',
    DPE: 'malformed request', OL: 'overloaded, shed', UO: 'circuit open', URX: 'retry budget exhausted',
    DR: 'draining'
  };
  const $ = (id) => document.getElementById(id);
  let lastFailuresKey = null;
  let lastOk = 0;
  let configShown = null;

  function text(id, value, cls) {
    const el = $(id);
    el.textContent = value;
    if (cls !== undefined) {
      el.className = el.className.replace(/\b(ok|bad|warn|na)\b/g, '').trim() + (cls ? ' ' + cls : '');
    }
  }

  function num(n) {
    if (n === null || n === undefined) return 'n/a';
    return Number.isInteger(n) ? n.toLocaleString('en-US') : n.toLocaleString('en-US', {maximumFractionDigits: 1});
  }

  function rate(r) {
    if (r === null || r === undefined) return 'n/a';
    if (r === 0) return '0';
    return r < 10 ? r.toFixed(2) : r < 100 ? r.toFixed(1) : Math.round(r).toLocaleString('en-US');
  }

  function pct(ratio) {
    if (ratio === null || ratio === undefined) return '–';
    const p = ratio * 100;
    return (p === 0 || p >= 10 ? p.toFixed(0) : p.toFixed(1)) + ' %';
  }

  function ms(value, cap) {
    if (value === null || value === undefined) return '–';
    if (cap && value >= cap) return '≥ ' + ms(cap);
    if (value < 1) return value.toFixed(2) + ' ms';
    if (value < 10) return value.toFixed(1) + ' ms';
    if (value < 1000) return Math.round(value) + ' ms';
    return (value / 1000).toFixed(value < 10000 ? 2 : 1) + ' s';
  }

  function duration(seconds) {
    const d = Math.floor(seconds / 86400), h = Math.floor(seconds % 86400 / 3600);
    const m = Math.floor(seconds % 3600 / 60), s = Math.floor(seconds % 60);
    if (d) return d + 'd ' + h + 'h';
    if (h) return h + 'h ' + m + 'm';
    if (m) return m + 'm ' + s + 's';
    return s + 's';
  }

  function clock(millis) {
    const t = new Date(millis);
    return t.toLocaleTimeString('en-GB', {hour12: false}) + '.' + String(t.getMilliseconds()).padStart(3, '0');
  }

  // Draws one series into an SVG: x by time over the whole span (so a young process fills from the right),
  // y from 0 to the largest value; a missing value (no requests in that step) breaks the line.
  function spark(id, points, key, now, span) {
    const svg = $(id);
    while (svg.firstChild) svg.removeChild(svg.firstChild);
    const base = document.createElementNS(SVG, 'line');
    base.setAttribute('class', 'base');
    base.setAttribute('x1', '0'); base.setAttribute('x2', '100');
    base.setAttribute('y1', '29.5'); base.setAttribute('y2', '29.5');
    svg.appendChild(base);
    let max = 0;
    for (const p of points) if (p[key] !== null && p[key] > max) max = p[key];
    max = max === 0 ? 1 : max * 1.15; // headroom: a steady value should not hug the top edge
    let d = '';
    let pen = false;
    for (const p of points) {
      const v = p[key];
      if (v === null || v === undefined) { pen = false; continue; }
      const x = Math.max(0, 100 - (now - p.to) / 1000 / span * 100);
      const y = 29 - v / max * 27;
      // A point with no neighbour before it starts with a short stub, so even a single point shows.
      d += (pen ? '' : 'M' + Math.max(0, x - 1).toFixed(2) + ' ' + y.toFixed(2)) + 'L' + x.toFixed(2) + ' ' + y.toFixed(2);
      pen = true;
    }
    if (d) {
      const path = document.createElementNS(SVG, 'path');
      path.setAttribute('class', 'line');
      path.setAttribute('d', d);
      svg.appendChild(path);
    }
  }

  function list(id, entries, empty) {
    const ul = $(id);
    while (ul.firstChild) ul.removeChild(ul.firstChild);
    if (entries.length === 0) {
      const li = document.createElement('li');
      li.className = 'muted';
      li.textContent = empty;
      ul.appendChild(li);
    }
    for (const [name, value] of entries) {
      const li = document.createElement('li');
      const label = document.createElement('span');
      label.textContent = name;
      const count = document.createElement('b');
      count.textContent = num(value);
      li.append(label, count);
      ul.appendChild(li);
    }
  }

  function cell(row, value, cls) {
    const td = document.createElement('td');
    if (cls) td.className = cls;
    td.textContent = value;
    row.appendChild(td);
    return td;
  }

  function failures(f) {
    const key = f.total + ':' + (f.items.length ? f.items[0].requestId + f.items[0].ts : '');
    if (key === lastFailuresKey) return;
    lastFailuresKey = key;
    $('failures-count').textContent = f.total > f.items.length
      ? '(newest ' + f.items.length + ' of ' + num(f.total) + ')' : f.total ? '(' + f.total + ')' : '';
    $('no-failures').textContent = 'No failed requests since start.'; // said only once data has come
    $('no-failures').hidden = f.items.length > 0;
    $('failures-wrap').hidden = f.items.length === 0;
    const body = document.createElement('tbody');
    for (const r of f.items) {
      const tr = document.createElement('tr');
      cell(tr, clock(r.ts), 'time').title = new Date(r.ts).toISOString();
      cell(tr, r.method, 'method');
      cell(tr, r.path, 'path');
      cell(tr, r.status === 0 ? '–' : String(r.status), 'status');
      const flags = cell(tr, '', 'flags');
      for (const code of (r.flags ? r.flags.split(',') : [])) {
        const badge = document.createElement('span');
        badge.className = 'flag';
        badge.textContent = code;
        badge.title = FLAGS[code] || code;
        flags.appendChild(badge);
      }
      if (r.outbound) {
        const to = document.createElement('span');
        to.className = 'flag';
        to.textContent = '→ ' + r.outbound;
        to.title = 'an outbound call to ' + r.outbound;
        flags.appendChild(to);
      }
      cell(tr, r.requestId || '', 'id');
      cell(tr, r.durationMs.toFixed(1), 'num dur');
      body.appendChild(tr);
    }
    const table = $('failures');
    table.replaceChild(body, table.tBodies[0]);
  }

  // One row per outbound entry: its traffic over the last 10 s, circuit and addresses.
  function outbound(entries) {
    $('outbound-section').hidden = entries.length === 0;
    const body = document.createElement('tbody');
    for (const e of entries) {
      const tr = document.createElement('tr');
      cell(tr, e.name, 'remote');
      cell(tr, e.listen + ' → ' + e.upstream, 'path');
      cell(tr, rate(e.recent.rate), 'num');
      const ratio = e.recent.errorRatio;
      cell(tr, pct(ratio), 'num ' + (ratio === null ? '' : ratio >= 0.05 ? 'bad' : ratio > 0 ? 'warn' : 'ok'));
      cell(tr, ms(e.recent.p99Ms), 'num');
      const circuit = e.circuit === null ? 'n/a' : e.circuit.replace('_', '-');
      cell(tr, circuit, e.circuit === 'closed' ? 'ok' : e.circuit === null ? 'na' : e.circuit === 'half_open' ? 'warn' : 'bad');
      cell(tr, num(e.healthy) + (e.ejected ? ' (' + num(e.ejected) + ' ejected)' : ''), 'num' + (e.ejected ? ' warn' : ''));
      cell(tr, num(e.inFlight), 'num');
      body.appendChild(tr);
    }
    const table = $('outbound');
    table.replaceChild(body, table.tBodies[0]);
  }

  function reloadText(r) {
    const when = new Date(r.at).toLocaleString('en-GB');
    let out = r.result + ' (' + r.trigger + ', ' + when + ')';
    if (r.result !== 'applied' || r.trigger !== 'start') out += ': ' + r.detail;
    if (r.pendingRestart.length) out += '; waiting for a restart: ' + r.pendingRestart.join(', ');
    return out;
  }

  function config(c) {
    // Rebuilt only when the configuration or the last reload changed (a new hash or a new reload time).
    const key = c.hash + ' ' + c.lastReload.at;
    if (configShown === key) return;
    configShown = key;
    const rows = [
      ['config hash', c.hash], ['last reload', reloadText(c.lastReload)],
      ['listen', c.listen], ['upstream', c.upstream + ' (' + c.protocol + ')'], ['admin', c.admin],
      ['timeouts', 'connect ' + c.timeouts.connect + ', response ' + c.timeouts.response
        + ', upstream idle ' + c.timeouts.upstreamIdle + ', client idle ' + c.timeouts.clientIdle],
      ['pool', c.poolMaxConnections + ' connections; ' + c.eventLoops + ' event loops'],
      ['request log', c.accessLog], ['file', c.configFile || '(none)']
    ];
    for (const k of c.changed) {
      if (!['listen', 'upstream', 'admin', 'upstreamProtocol'].includes(k.key)) {
        rows.push([k.key, k.value + '  ← ' + k.source]);
      }
    }
    const dl = $('config');
    dl.replaceChildren();
    for (const [name, value] of rows) {
      const dt = document.createElement('dt');
      dt.textContent = name;
      const dd = document.createElement('dd');
      dd.textContent = value;
      dl.append(dt, dd);
    }
  }

  function render(s) {
    const t = s.totals, r = s.recent;
    text('version', s.version);
    text('footer-version', s.version);
    text('java', s.java);
    text('started', new Date(s.startedAt).toLocaleString('en-GB'));
    text('uptime', duration(s.uptimeSeconds));
    const health = $('health');
    health.textContent = s.health.ready ? 'ready' : 'not ready';
    health.className = 'pill ' + (s.health.ready ? 'ok' : 'bad');
    health.title = s.health.detail;
    $('no-traffic').hidden = t.requests > 0;

    text('rate', rate(r.rate));
    text('total-requests', num(t.requests));
    const bad = r.errorRatio === null ? '' : r.errorRatio >= 0.05 ? 'bad' : r.errorRatio > 0 ? 'warn' : 'ok';
    text('error-ratio', pct(r.errorRatio), bad);
    text('total-errors', num(t.errors) + (t.errorRatio === null ? '' : ' (' + pct(t.errorRatio) + ')'));
    text('p50', ms(r.p50Ms, s.latencyCapMs));
    text('p99', ms(r.p99Ms, s.latencyCapMs));
    const points = s.series.points, span = s.series.spanSeconds;
    spark('spark-rate', points, 'rate', s.now, span);
    spark('spark-errors', points, 'errorRatio', s.now, span);
    spark('spark-p50', points, 'p50Ms', s.now, span);
    spark('spark-p99', points, 'p99Ms', s.now, span);

    const f = s.inFlight;
    text('in-flight', num(f.requests));
    text('connections', num(f.connections));
    text('upstream-state', s.health.ready ? 'ready' : 'not ready', s.health.ready ? 'ok' : 'bad');
    text('health-detail', s.health.detail);
    text('upstream-pool', num(f.upstreamConnections) + ' / ' + num(f.upstreamConnectionsMax));
    text('upstream-active', num(f.upstreamRequests));

    if (s.retries === null) {
      text('retry-ratio', 'n/a', 'na');
      text('retry-detail', 'no retry meters in this build');
    } else {
      const q = s.retries;
      text('retry-ratio', pct(q.recentRatio === null ? q.ratio : q.recentRatio), '');
      const skipped = Object.entries(q.skipped).map(([k, v]) => k + ' ' + v).join(', ');
      text('retry-detail', num(q.retries) + ' retries / ' + num(q.requests) + ' requests'
        + (q.budgetExhausted ? '; budget exhausted ' + num(q.budgetExhausted) : '')
        + (skipped ? '; skipped: ' + skipped : ''));
    }
    const state = s.circuit === null ? null : s.circuit.state;
    text('circuit', state === null ? 'n/a' : state.replace('_', '-'),
      state === null ? 'na' : state === 'closed' ? 'ok' : state.includes('open') && state !== 'half_open' ? 'bad' : 'warn');
    text('circuit-detail', state === null ? 'no breaker meters in this build' : state === 'closed' ? 'requests flow to the app'
      : state === 'half_open' ? 'probing the app with a few requests'
      : state.includes('open') ? 'requests fail fast without reaching the app' : 'not enforcing');
    text('shed-total', num(s.shed.total));
    list('shed-reasons', Object.entries(s.shed.byReason).sort((a, b) => b[1] - a[1]), 'none');
    list('by-class', Object.entries(t.byClass).filter(([k, v]) => v > 0 || k === '2xx' || k === '5xx'), '');
    outbound(s.outbound || []);
    failures(s.failures);
    config(s.config);
  }

  function updated(ok, why) {
    const el = $('updated');
    if (ok) {
      lastOk = Date.now();
      el.textContent = 'live';
      el.className = '';
    } else {
      el.textContent = 'not updating: ' + why + (lastOk ? ' (last update ' + clock(lastOk) + ')' : '');
      el.className = 'stale';
    }
  }

  async function refresh() {
    try {
      if (!document.hidden || lastOk === 0) {
        const response = await fetch('stats.json', {cache: 'no-store'});
        if (!response.ok) throw new Error('HTTP ' + response.status);
        render(await response.json());
        updated(true);
      }
    } catch (e) {
      updated(false, e.message || String(e));
    } finally {
      setTimeout(refresh, REFRESH_MS);
    }
  }

  refresh();
})();
