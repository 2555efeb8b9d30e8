"""Turns one run's raw figures into latest.json (raw + summary), latest.md (the table) and latest.png (chart)."""
import json
import os
import statistics


def _med(xs):
    xs = [x for x in xs if x is not None]
    return statistics.median(xs) if xs else None


def _spread(xs):
    xs = [x for x in xs if x is not None]
    return (min(xs), max(xs)) if xs else (None, None)


def _ratio(a, b):
    return round(a / b, 2) if a is not None and b else None


def summarize(res):
    s = {}
    for size, runs in res.get("saturation", {}).items():
        for name, reps in runs.items():
            rps = [r.get("rps") for r in reps]
            cpu = [r.get("cpu_us_per_req") for r in reps]
            s.setdefault("saturation", {}).setdefault(size, {})[name] = {
                "n": len(reps), "rps": _med(rps), "rps_min": _spread(rps)[0], "rps_max": _spread(rps)[1],
                "cpu_us": _med(cpu), "cpu_min": _spread(cpu)[0], "cpu_max": _spread(cpu)[1],
                "p50_ms": _med([r.get("p50_ms") for r in reps]), "p99_ms": _med([r.get("p99_ms") for r in reps]),
                "errors": sum((r.get("non2xx") or 0) + (r.get("socket_errors") or 0) for r in reps),
                "proxy_cpu_busy_pct": _med([r.get("proxy_cpu_busy_pct") for r in reps]),
                "unattributed_pct": _med([r.get("unattributed_proxy_cpu_pct") for r in reps]),
                "cpu0_us": _med([r.get("proxy_cpu_us_per_req") for r in reps]),
            }
    for name, reps in res.get("fixed_rate", {}).items():
        s.setdefault("fixed_rate", {})[name] = {
            k: _med([r.get(k) for r in reps]) for k in ("p50_ms", "p99_ms", "p999_ms", "cpu_us_per_req",
                                                          "achieved_rps")}
        s["fixed_rate"][name]["p99_spread"] = _spread([r.get("p99_ms") for r in reps])
        s["fixed_rate"][name]["non200"] = sum((r.get("non200") or 0) + (r.get("failed") or 0) for r in reps)
    for name, runs in res.get("startup", {}).items():
        s.setdefault("startup", {})[name] = {
            "first_200_s": _med([r.get("first_200_s") for r in runs]),
            "first_200_spread": _spread([r.get("first_200_s") for r in runs]),
            "ready_s": _med([r.get("ready_s") for r in runs]),
            "first_rps": _med([r.get("first_rps") for r in runs]),
            "last_rps": _med([r.get("last_rps") for r in runs]),
            "n": len(runs)}
    for name, reps in res.get("http2", {}).items():
        s.setdefault("http2", {})[name] = {
            "rps": _med([r.get("rps") for r in reps]), "cpu_us": _med([r.get("cpu_us_per_req") for r in reps]),
            "failed": sum(r.get("failed") or 0 for r in reps), "n": len(reps)}
    st = {}
    for name, runs in res.get("stream_1g", {}).items():
        st[name] = {"mb_per_s": _med([r.get("mb_per_s") for r in runs]),
                    "ok": all(r.get("status") == 200 and r.get("bytes") == 1 << 30 for r in runs)}
        if runs and "peak_rss_mib" in runs[-1]:
            st[name]["rss_before_mib"] = runs[-1].get("rss_before_mib")
            st[name]["peak_rss_mib"] = max(r.get("peak_rss_mib") or 0 for r in runs)
    s["stream_1g"] = st
    return s


def _fmt(x, nd=1, unit=""):
    if x is None:
        return "–"
    if isinstance(x, float) and abs(x) >= 1000:
        return f"{x:,.0f}{unit}"
    return f"{x:.{nd}f}{unit}" if isinstance(x, float) else f"{x}{unit}"


def _status(ok):
    return "–" if ok is None else ("met" if ok else "**not met**")


def table(res, s):
    rows = []  # figure, nginx, batcycle, ratio, target, status
    sat = s.get("saturation", {}).get("100b", {})
    n, b = sat.get("nginx", {}), sat.get("batcycle", {})
    if n and b:
        r_rps = _ratio(b["rps"], n["rps"])
        rows.append((f"req/s at 50 connections, 100 B (median of {b['n']}, [min–max])",
                     f"{_fmt(n['rps'])} [{_fmt(n['rps_min'])}–{_fmt(n['rps_max'])}]",
                     f"{_fmt(b['rps'])} [{_fmt(b['rps_min'])}–{_fmt(b['rps_max'])}]",
                     r_rps, "≥ 0.95", _status(r_rps >= 0.95 if r_rps else None)))
        r_cpu = _ratio(b["cpu_us"], n["cpu_us"])
        rows.append(("proxy CPU per request, 100 B (µs, median [min–max]; ratio of medians, of minima)",
                     f"{_fmt(n['cpu_us'])} [{_fmt(n['cpu_min'])}–{_fmt(n['cpu_max'])}]",
                     f"{_fmt(b['cpu_us'])} [{_fmt(b['cpu_min'])}–{_fmt(b['cpu_max'])}]",
                     f"{r_cpu} ({_ratio(b['cpu_min'], n['cpu_min'])})", "≤ 1.1",
                     _status(r_cpu <= 1.1 if r_cpu else None)))
        rows.append(("p50 / p99 at saturation, 100 B (ms)", f"{_fmt(n['p50_ms'], 2)} / {_fmt(n['p99_ms'], 2)}",
                     f"{_fmt(b['p50_ms'], 2)} / {_fmt(b['p99_ms'], 2)}", _ratio(b["p99_ms"], n["p99_ms"]),
                     "", ""))
    sat16 = s.get("saturation", {}).get("16k", {})
    n, b = sat16.get("nginx", {}), sat16.get("batcycle", {})
    if n and b:
        rows.append((f"req/s at 50 connections, 16 KiB (median of {b['n']})", _fmt(n["rps"]), _fmt(b["rps"]),
                     _ratio(b["rps"], n["rps"]), "", ""))
        r16 = _ratio(b["cpu_us"], n["cpu_us"])
        rows.append(("proxy CPU per request, 16 KiB (µs)", _fmt(n["cpu_us"]), _fmt(b["cpu_us"]), r16, "≤ 1.1",
                     _status(r16 <= 1.1 if r16 else None)))
        rows.append(("p50 / p99 at saturation, 16 KiB (ms)", f"{_fmt(n['p50_ms'], 2)} / {_fmt(n['p99_ms'], 2)}",
                     f"{_fmt(b['p50_ms'], 2)} / {_fmt(b['p99_ms'], 2)}", _ratio(b["p99_ms"], n["p99_ms"]), "", ""))
    sat200 = s.get("saturation", {}).get("100b_c200", {})
    n, b = sat200.get("nginx", {}), sat200.get("batcycle", {})
    if n and b:
        r200 = _ratio(b["rps"], n["rps"])
        rows.append((f"req/s at 200 connections, 100 B (median of {b['n']})", _fmt(n["rps"]), _fmt(b["rps"]), r200,
                     "≥ 0.95", _status(r200 >= 0.95 if r200 else None)))
        rows.append(("proxy CPU per request, 200 connections (µs)", _fmt(n["cpu_us"]), _fmt(b["cpu_us"]),
                     _ratio(b["cpu_us"], n["cpu_us"]), "", ""))
    h2 = s.get("http2", {})
    n, b = h2.get("nginx", {}), h2.get("batcycle", {})
    if n and b:
        rr, rc = _ratio(b["rps"], n["rps"]), _ratio(b["cpu_us"], n["cpu_us"])
        rows.append((f"HTTP/2 req/s, h2load -c 4 -m 50 (median of {b['n']}; failed: {n['failed']} / {b['failed']})",
                     _fmt(n["rps"]), _fmt(b["rps"]), rr, "≥ 1.0", _status(rr >= 1.0 if rr else None)))
        rows.append(("HTTP/2 proxy CPU per request (µs)", _fmt(n["cpu_us"]), _fmt(b["cpu_us"]), rc, "≤ 1.0",
                     _status(rc <= 1.0 if rc else None)))
    fr = s.get("fixed_rate", {})
    n, b = fr.get("nginx"), fr.get("batcycle")
    if n and b and n.get("p99_ms") is not None and b.get("p99_ms") is not None:
        rate = res.get("rate", 2000)
        diff = round(b["p99_ms"] - n["p99_ms"], 2)
        rows.append((f"p50 / p99 / p99.9 at a fixed {rate:,} req/s (ms)",
                     f"{_fmt(n['p50_ms'], 2)} / {_fmt(n['p99_ms'], 2)} / {_fmt(n['p999_ms'], 2)}",
                     f"{_fmt(b['p50_ms'], 2)} / {_fmt(b['p99_ms'], 2)} / {_fmt(b['p999_ms'], 2)}",
                     f"p99 {diff:+.2f} ms (least-disturbed reps: "
                     f"{(b['p99_spread'][0] or 0) - (n['p99_spread'][0] or 0):+.2f} ms)",
                     "p99 ≤ nginx + 0.5 ms", _status(diff <= 0.5)))
        rows.append((f"proxy CPU per request at {rate:,} req/s (µs)", _fmt(n["cpu_us_per_req"]),
                     _fmt(b["cpu_us_per_req"]), _ratio(b["cpu_us_per_req"], n["cpu_us_per_req"]), "", ""))
    rss = res.get("rss_after_run_mib", {})
    if rss:
        rows.append(("RSS after the run, default JVM (MiB)", _fmt(rss.get("nginx")), _fmt(rss.get("batcycle")),
                     _ratio(rss.get("batcycle"), rss.get("nginx")), "", ""))
    hold = res.get("hold_1000", {})
    if hold:
        n, b, t = hold.get("nginx", {}), hold.get("batcycle", {}), hold.get("batcycle_tuned", {})
        rows.append(("RSS with 1,000 keep-alive connections, default JVM (MiB)", _fmt(n.get("rss_mib")),
                     _fmt(b.get("rss_mib")), _ratio(b.get("rss_mib"), n.get("rss_mib")), "", ""))
        if t:
            rows.append(("RSS with 1,000 keep-alive connections, the image's JVM options (MiB)",
                         _fmt(n.get("rss_mib")), _fmt(t.get("rss_mib")), _ratio(t.get("rss_mib"), n.get("rss_mib")),
                         "≤ 96 MiB", _status(t.get("rss_mib") <= 96 if t.get("rss_mib") else None)))
    alloc = res.get("allocation", {}).get("batcycle")
    if alloc:
        rows.append(("heap allocated per request at steady state (bytes; pooled network buffers are off-heap)", "",
                     _fmt(alloc["bytes_per_req"]), "", "≤ 512", _status(alloc["bytes_per_req"] <= 512)))
    su = s.get("startup", {})
    ng = su.get("nginx", {})
    for key, label, target in (("batcycle_jdk17", "JDK 17", None), ("batcycle_jdk17_cold", "JDK 17, no warm-up", None),
                               ("batcycle_jdk25", "JDK 25", None), ("batcycle_jdk25_aot", "JDK 25 + AOT cache", 0.5)):
        v = su.get(key)
        if not v:
            continue
        t = v.get("first_200_s")
        rows.append((f"start to first proxied 200, {label} (s, median of {v['n']})", _fmt(ng.get("first_200_s"), 3),
                     _fmt(t, 3), _ratio(t, ng.get("first_200_s")), f"≤ {target} s" if target else "",
                     _status(t <= target if t is not None else None) if target else ""))
        if v.get("ready_s") is not None:
            rows.append((f"start to /readyz 200 (warm-up included), {label} (s)", "", _fmt(v["ready_s"], 2), "", "",
                         ""))
    if "batcycle_jdk25_aot" not in su and res.get("aot", {}).get("error"):
        rows.append(("start to first proxied 200, JDK 25 + AOT cache", "", "AOT failed", "", "≤ 0.5 s", "see JSON"))
    steady_b = sat.get("batcycle", {}).get("rps")
    for key, label in (("batcycle_jdk17", "JDK 17"), ("batcycle_jdk17_cold", "JDK 17, no warm-up"),
                       ("batcycle_jdk25", "JDK 25"), ("batcycle_jdk25_aot", "JDK 25 + AOT")):
        v = su.get(key)
        if v and v.get("first_rps") and v.get("last_rps"):
            # Against the same process's own seconds 25-30 of the same h2load run (same tool, same connections);
            # the wrk saturation median of the warmed-up process is given beside it.
            frac = v["first_rps"] / v["last_rps"]
            frac_n = ng["first_rps"] / ng["last_rps"] if ng.get("first_rps") and ng.get("last_rps") else None
            vs_wrk = f"; ÷ wrk steady: {100 * v['first_rps'] / steady_b:.0f} %" if steady_b else ""
            rows.append((f"req/s in the first 5 s of load ÷ the last 5 s of the same run, {label} (fresh process, "
                         "load from readiness on)",
                         f"{_fmt(ng.get('first_rps'))} ({_fmt(100 * frac_n, 0) if frac_n else '–'} %)",
                         f"{_fmt(v['first_rps'])} ({100 * frac:.0f} %{vs_wrk})", "", "≥ 60 %",
                         _status(frac >= 0.6)))
    st = s.get("stream_1g", {})
    if st.get("direct") and st.get("batcycle"):
        d, n, b = st["direct"]["mb_per_s"], st.get("nginx", {}).get("mb_per_s"), st["batcycle"]["mb_per_s"]
        rb = _ratio(b, d)
        rn = _ratio(b, n)
        rows.append(("1 GiB streamed, MB/s (direct from origin: " + _fmt(d) + ")",
                     f"{_fmt(n)} ({_ratio(n, d)} × direct)", f"{_fmt(b)} ({rb} × direct)", rn,
                     "≥ 1.0 × nginx", _status(rn >= 1.0 if rn else None)))
        for k, v in st.items():
            if k not in ("direct", "nginx", "batcycle"):
                rows.append((f"1 GiB streamed, MB/s, {k}", "", f"{_fmt(v['mb_per_s'])} ({_ratio(v['mb_per_s'], d)} × "
                             "direct)", _ratio(v["mb_per_s"], n), "", ""))
        bb = st["batcycle"]
        rows.append(("RSS before / peak while streaming 1 GiB (MiB)", "",
                     f"{_fmt(bb.get('rss_before_mib'))} / {_fmt(bb.get('peak_rss_mib'))}", "", "flat heap", ""))
    out = ["| Figure | nginx | batcycle | batcycle / nginx | Target | |", "|---|---|---|---|---|---|"]
    for r in rows:
        out.append("| " + " | ".join("" if x is None else str(x) for x in r) + " |")
    return "\n".join(out), rows


def variants_table(s, res):
    sat = s.get("saturation", {}).get("100b", {})
    if len(sat) <= 2:
        return ""
    n = sat.get("nginx", {})
    hold = res.get("hold_1000", {})
    fr = s.get("fixed_rate", {})
    lines = ["| Process | req/s 100 B (median [min–max]) | CPU µs/req (ratio to nginx) | all of CPU 0 µs/req | "
             "p99 sat. (ms) | "
             f"p99 at {res.get('rate', 2000):,}/s (ms) | RSS after run / 1,000 conns (MiB) | h2 req/s | "
             "heap B/req |",
             "|---|---|---|---|---|---|---|---|---|"]
    for name, v in sat.items():
        lines.append(f"| {name} | {_fmt(v['rps'])} [{_fmt(v['rps_min'])}–{_fmt(v['rps_max'])}] | "
                     f"{_fmt(v['cpu_us'])} ({_ratio(v['cpu_us'], n.get('cpu_us'))}) | {_fmt(v.get('cpu0_us'))} | "
                     f"{_fmt(v['p99_ms'], 2)} | "
                     f"{_fmt(fr.get(name, {}).get('p99_ms'), 2)} | "
                     f"{_fmt(res.get('rss_after_run_mib', {}).get(name))} / {_fmt(hold.get(name, {}).get('rss_mib'))} | "
                     f"{_fmt(s.get('http2', {}).get(name, {}).get('rps'))} | "
                     f"{_fmt(res.get('allocation', {}).get(name, {}).get('bytes_per_req'))} |")
    return "\n".join(lines)


def chart(res, s, rows, path):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    sat = s.get("saturation", {}).get("100b", {})
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(12, 4.8), gridspec_kw={"width_ratios": [3, 2]})
    labels, vals, targets = [], [], []
    n, b = sat.get("nginx", {}), sat.get("batcycle", {})

    def add(label, v, target):
        if v is not None:
            labels.append(label)
            vals.append(v)
            targets.append(target)

    add("req/s\n(≥0.95)", _ratio(b.get("rps"), n.get("rps")), (0.95, "ge"))
    add("CPU/req\n(≤1.1)", _ratio(b.get("cpu_us"), n.get("cpu_us")), (1.1, "le"))
    sat16 = s.get("saturation", {}).get("16k", {})
    add("CPU/req\n16 KiB", _ratio(sat16.get("batcycle", {}).get("cpu_us"), sat16.get("nginx", {}).get("cpu_us")),
        (1.1, "le"))
    sat200 = s.get("saturation", {}).get("100b_c200", {})
    add("req/s 200\nconns", _ratio(sat200.get("batcycle", {}).get("rps"), sat200.get("nginx", {}).get("rps")),
        (0.95, "ge"))
    h2 = s.get("http2", {})
    add("h2 req/s\n(≥1.0)", _ratio(h2.get("batcycle", {}).get("rps"), h2.get("nginx", {}).get("rps")), (1.0, "ge"))
    add("h2 CPU/req\n(≤1.0)", _ratio(h2.get("batcycle", {}).get("cpu_us"), h2.get("nginx", {}).get("cpu_us")),
        (1.0, "le"))
    add("p99 sat.", _ratio(b.get("p99_ms"), n.get("p99_ms")), None)
    fr = s.get("fixed_rate", {})
    add(f"p99 @{res.get('rate', 2000)}/s",
        _ratio(fr.get("batcycle", {}).get("p99_ms"), fr.get("nginx", {}).get("p99_ms")), None)
    st = s.get("stream_1g", {})
    if st.get("nginx") and st.get("batcycle"):
        add("1 GiB MB/s\n(≥1.0)", _ratio(st["batcycle"]["mb_per_s"], st["nginx"]["mb_per_s"]), (1.0, "ge"))
    colors = []
    for v, t in zip(vals, targets):
        if t is None:
            colors.append("#7f8c8d")
        else:
            ok = v >= t[0] if t[1] == "ge" else v <= t[0]
            colors.append("#2e8b57" if ok else "#c0392b")
    bars = ax1.bar(range(len(vals)), vals, color=colors)
    for i, (v, t) in enumerate(zip(vals, targets)):
        ax1.text(i, v, f"{v:.2f}", ha="center", va="bottom", fontsize=9)
        if t:
            ax1.plot([i - 0.4, i + 0.4], [t[0], t[0]], color="black", linestyle="--", linewidth=1)
    ax1.axhline(1.0, color="#34495e", linewidth=0.8)
    ax1.set_xticks(range(len(vals)))
    ax1.set_xticklabels(labels, fontsize=8)
    ax1.set_ylabel("batcycle / nginx")
    ax1.set_title("Ratios (green: target met, red: not met, dashed: target)", fontsize=10)
    del bars
    names = list(sat.keys())
    cpu = [sat[k]["cpu_us"] or 0 for k in names]
    lo = [max(0, (sat[k]["cpu_us"] or 0) - (sat[k]["cpu_min"] or 0)) for k in names]
    hi = [max(0, (sat[k]["cpu_max"] or 0) - (sat[k]["cpu_us"] or 0)) for k in names]
    ax2.bar(range(len(names)), cpu, yerr=[lo, hi], capsize=4,
            color=["#2980b9" if k == "nginx" else "#e67e22" for k in names])
    for i, v in enumerate(cpu):
        ax2.text(i, v, f"{v:.1f}", ha="left", va="bottom", fontsize=9)
    ax2.set_xticks(range(len(names)))
    ax2.set_xticklabels([k.replace("batcycle_", "batcycle\n") for k in names], fontsize=8)
    ax2.set_ylabel("proxy CPU µs per request (100 B)")
    ax2.set_title("CPU per request, median and min–max", fontsize=10)
    m = res.get("machine", {})
    fig.suptitle(f"batcycle vs nginx — {m.get('date')}, {m.get('nproc')} × {m.get('cpu_model')}, "
                 f"{res.get('profile')} run", fontsize=10)
    fig.tight_layout()
    fig.savefig(path, dpi=90)
    plt.close(fig)


def warmup_chart(res, path):
    """req/s in each second of load on a fresh process (first start-up run of each)."""
    curves = {name: runs[0].get("per_second") for name, runs in res.get("startup", {}).items()
              if runs and runs[0].get("per_second")}
    if not curves:
        return
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    fig, ax = plt.subplots(figsize=(9, 4.2))
    for name, per_second in curves.items():
        ax.plot(range(1, len(per_second) + 1), per_second, marker=".", label=name.replace("start-", ""))
    ax.axvline(5, color="#7f8c8d", linestyle="--", linewidth=0.8)
    ax.set_xlabel("second of load after /readyz answered 200 (the warm-up, where on, is over)")
    ax.set_ylabel("requests completed (h2load --h1, 50 connections)")
    ax.set_ylim(bottom=0)
    ax.legend(fontsize=8)
    m = res.get("machine", {})
    ax.set_title(f"Warm-up of a fresh process — {m.get('date')}, {res.get('profile')} run", fontsize=10)
    fig.tight_layout()
    fig.savefig(path, dpi=90)
    plt.close(fig)


def machine_line(m):
    return (f"{m.get('date')}; {m.get('nproc')} CPUs ({m.get('cpu_model')}), {m.get('mem')} RAM, kernel "
            f"{m.get('kernel')}; {m.get('jdk17')}; {m.get('jdk25')}; {m.get('nginx')}; {m.get('wrk')}; "
            f"{m.get('h2load')}; load average at start {' '.join(m.get('loadavg_start') or [])}, at end "
            f"{' '.join(m.get('loadavg_end') or [])}")


def write(res, out_dir, name):
    os.makedirs(out_dir, exist_ok=True)
    s = summarize(res)
    res["summary"] = s
    md, rows = table(res, s)
    m = res.get("machine", {})
    parts = [f"# batcycle vs nginx ({res.get('profile')} run)", "", machine_line(m), "",
             f"batcycle {m.get('git') or ''}: {res.get('batcycle_start_line') or ''}".strip(), "", md, ""]
    vt = variants_table(s, res)
    if vt:
        parts += ["Every process in the same run (`batcycle_el2` = `--event-loops 2`, `batcycle_tuned` = proposed JVM "
                  "options; other names are A/B candidates given with `--alt`). 'All of CPU 0' is the proxy CPU's "
                  "whole busy time per request, other tenants included:", "", vt, ""]
    extra = []
    if res.get("origin_direct_rps"):
        extra.append(f"wrk straight at the origin (both on the load CPU): {_fmt(res['origin_direct_rps'])} req/s, "
                     "an upper bound for any proxied req/s here.")
    sat = s.get("saturation", {}).get("100b", {})
    if sat:
        extra.append("Proxy CPU (CPU 0) during the 100 B runs, median % busy / % not charged to any of our processes "
                     "(other tenants of this machine, softirq): "
                     + ", ".join(f"{k} {v.get('proxy_cpu_busy_pct')} / {v.get('unattributed_pct')}"
                                 for k, v in sat.items()) + ".")
    if res.get("aot"):
        extra.append(f"AOT cache: {json.dumps(res['aot'])}.")
    if res.get("errors"):
        extra.append("Errors: " + "; ".join(res["errors"]))
    extra.append(f"Run took {res.get('duration_s')} s.")
    parts += ["- " + e for e in extra]
    text = "\n".join(parts) + "\n"
    with open(os.path.join(out_dir, f"{name}.md"), "w") as f:
        f.write(text)
    with open(os.path.join(out_dir, f"{name}.json"), "w") as f:
        json.dump(res, f, indent=1, default=str)
    try:
        chart(res, s, rows, os.path.join(out_dir, f"{name}.png"))
        warmup_chart(res, os.path.join(out_dir, f"{name}-warmup.png"))
    except Exception as e:  # noqa: BLE001 - the table is worth keeping without the chart
        print(f"chart failed: {e}")
    print()
    print(text)


if __name__ == "__main__":
    import sys
    with open(sys.argv[1]) as f:
        r = json.load(f)
    write(r, os.path.dirname(sys.argv[1]) or ".", sys.argv[2] if len(sys.argv) > 2 else "regen")
