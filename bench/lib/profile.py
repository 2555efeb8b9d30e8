#!/usr/bin/env python3
"""Profiles batcycle under load with JFR and summarises where CPU and allocation per request go.

batcycle (pinned to CPU 0) proxies a 100-byte body from an nginx origin; wrk (CPU 1) keeps 50 connections busy.
After a warm-up, a JFR recording (settings=profile) covers exactly one measured wrk window. Writes
bench/results/profile.md (summary) and keeps the .jfr and the full `jfr print` output in bench/results/raw/.
"""
import argparse
import collections
import json
import os
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import loadgen  # noqa: E402
import nginx  # noqa: E402
from procs import CLK_TCK, Proc, cpu_busy_ticks, free_port, stop_all, wait_first_200  # noqa: E402

JDK = "/usr/lib/jvm/java-17-openjdk-amd64"


def jfr_json(jfr, path, events):
    out = subprocess.run([f"{JDK}/bin/jfr", "print", "--json", "--stack-depth", "64", "--events", events, path],
                         capture_output=True, text=True, timeout=600).stdout
    return json.loads(out)["recording"]["events"]


def frame_name(f):
    m = f["method"]
    t = m["type"]["name"].replace("/", ".")
    if "$$Lambda" in t:
        t = t[:t.index("$$Lambda")] + "$$Lambda"
    return f"{t}.{m['name']}"


def top(counter, total, n):
    return [(k, v, round(100.0 * v / total, 1) if total else 0) for k, v in counter.most_common(n)]


def package_of(name):
    for prefix, label in (("batcycle.", "batcycle"), ("io.vertx.", "io.vertx"), ("io.netty.", "io.netty"),
                          ("sun.nio.", "JDK NIO"), ("java.", "JDK"), ("jdk.", "JDK"), ("sun.", "JDK")):
        if name.startswith(prefix):
            return label
    return "other"


def analyse(path, requests, raw_dir):
    samples = jfr_json("jfr", path, "jdk.ExecutionSample")
    self_frames, incl_batcycle, by_pkg, incl_any = (collections.Counter() for _ in range(4))
    for e in samples:
        frames = e["values"]["stackTrace"]["frames"] if e["values"].get("stackTrace") else []
        if not frames:
            continue
        self_frames[frame_name(frames[0])] += 1
        by_pkg[package_of(frame_name(frames[0]))] += 1
        seen = set()
        for f in frames:
            n = frame_name(f)
            if n not in seen:
                seen.add(n)
                incl_any[n] += 1
            if n.startswith("batcycle.") and n not in incl_batcycle:
                pass
        for n in seen:
            if n.startswith("batcycle."):
                incl_batcycle[n] += 1
    alloc = jfr_json("jfr", path, "jdk.ObjectAllocationSample")
    by_class, by_site, by_ours = collections.Counter(), collections.Counter(), collections.Counter()
    total_w = 0
    # The first sample of each thread carries everything it allocated since it started (before the recording,
    # warm-up included): leave it out, or one object class gets the warm-up's gigabytes.
    first = {}
    for idx, e in enumerate(alloc):
        t = (e["values"].get("eventThread") or {}).get("javaName")
        if t not in first or e["values"]["startTime"] < alloc[first[t]]["values"]["startTime"]:
            first[t] = idx
    skip = set(first.values())
    for idx, e in enumerate(alloc):
        if idx in skip:
            continue
        v = e["values"]
        w = v.get("weight") or 0
        total_w += w
        by_class[v["objectClass"]["name"].replace("/", ".")] += w
        frames = v["stackTrace"]["frames"] if v.get("stackTrace") else []
        # the first frame outside java.*/jdk.* is the allocation site worth acting on
        site = next((frame_name(f) for f in frames if not frame_name(f).startswith(("java.", "jdk.", "sun."))),
                    frame_name(frames[0]) if frames else "?")
        by_site[site] += w
        # and the batcycle code that caused it, with the frame it called (the framework API it went through)
        names = [frame_name(f) for f in frames]
        i = next((i for i, n in enumerate(names) if n.startswith("batcycle.")), None)
        by_ours[f"{names[i]} → {names[i - 1]}" if i else "(no batcycle frame)"] += w
    stats = jfr_json("jfr", path, "jdk.ThreadAllocationStatistics")
    per_thread = collections.defaultdict(list)
    for e in stats:
        v = e["values"]
        per_thread[(v.get("thread") or {}).get("javaName") or str(v.get("thread"))].append(v["allocated"])
    allocated = sum(max(x) - min(x) for x in per_thread.values() if len(x) > 1)
    gcs = jfr_json("jfr", path, "jdk.GarbageCollection")
    gc_pause_ms = sum(parse_ms(e["values"]["sumOfPauses"]) for e in gcs)
    return {
        "execution_samples": len(samples), "self": top(self_frames, len(samples), 25),
        "by_package": top(by_pkg, len(samples), 10), "inclusive_batcycle": top(incl_batcycle, len(samples), 20),
        "inclusive_any": top(incl_any, len(samples), 40),
        "alloc_by_class": top(by_class, total_w, 15), "alloc_by_site": top(by_site, total_w, 20),
        "alloc_by_batcycle_frame": top(by_ours, total_w, 20),
        "allocated_bytes_per_request": round(allocated / requests) if requests else None,
        "gc_count": len(gcs), "gc_pause_ms_total": round(gc_pause_ms, 1),
    }


def parse_ms(v):
    # jfr --json durations look like "PT0.001234S"
    if isinstance(v, str) and v.startswith("PT") and v.endswith("S"):
        return float(v[2:-1]) * 1000
    return float(v or 0)


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--jar", default="target/batcycle.jar")
    ap.add_argument("--warm", type=int, default=25)
    ap.add_argument("--seconds", type=int, default=30)
    ap.add_argument("--out", default="bench/results")
    ap.add_argument("--name", default="profile")
    ap.add_argument("--jvm-opts", default="")
    ap.add_argument("--batcycle-args", default="")
    args = ap.parse_args()
    raw = os.path.join(args.out, "raw")
    os.makedirs(raw, exist_ok=True)
    tmp = tempfile.mkdtemp(prefix="batcycle-profile-")
    www = os.path.join(tmp, "www")
    os.makedirs(www)
    with open(os.path.join(www, "100b"), "wb") as f:
        f.write(b"x" * 100)
    op = free_port()
    Proc("origin", ["taskset", "-c", "1", "nginx", "-p", tmp, "-c", nginx.write_origin(tmp, op, www),
                    "-g", "daemon off;"], op, os.path.join(tmp, "origin.out"), kind="nginx", cpu=1)
    port, admin = free_port(), free_port()
    jfr_path = os.path.abspath(os.path.join(raw, f"{args.name}.jfr"))
    bat = Proc("batcycle", ["taskset", "-c", "0", f"{JDK}/bin/java", *args.jvm_opts.split(), "-jar",
                            os.path.abspath(args.jar), "--listen", f"127.0.0.1:{port}", "--admin",
                            f"127.0.0.1:{admin}", "--upstream", f"http://127.0.0.1:{op}",
                            *args.batcycle_args.split()], port, os.path.join(tmp, "batcycle.out"), cpu=0)
    try:
        if wait_first_200(port, bat.t_spawn, proc=bat) is None:
            sys.exit(f"batcycle did not start: {bat.tail()}")
        url = f"http://127.0.0.1:{port}/100b"
        print(f"warm-up {args.warm}s", flush=True)
        loadgen.wrk(1, url, 50, args.warm)
        subprocess.run([f"{JDK}/bin/jcmd", str(bat.pid), "JFR.start", "name=bench", "settings=profile"],
                       check=True, capture_output=True, timeout=60)
        t0, b0 = bat.cpu_ticks(), cpu_busy_ticks(0)
        r = loadgen.wrk(1, url, 50, args.seconds)
        cpu_s = (bat.cpu_ticks() - t0) / CLK_TCK
        busy_pct = round(100 * (cpu_busy_ticks(0) - b0) / CLK_TCK / args.seconds)
        subprocess.run([f"{JDK}/bin/jcmd", str(bat.pid), "JFR.stop", "name=bench", f"filename={jfr_path}"],
                       check=True, capture_output=True, timeout=120)
        print(f"recorded {r['requests']} requests, {r['rps']} req/s, {cpu_s:.1f} s CPU", flush=True)
    finally:
        stop_all()
    summary = subprocess.run([f"{JDK}/bin/jfr", "summary", jfr_path], capture_output=True, text=True).stdout
    with open(os.path.join(raw, f"{args.name}-summary.txt"), "w") as f:
        f.write(summary)
    a = analyse(jfr_path, r["requests"], raw)
    a.update(requests=r["requests"], rps=r["rps"], cpu0_busy_pct=busy_pct, cpu_us_per_req=round(cpu_s * 1e6 / r["requests"], 1),
             date=time.strftime("%Y-%m-%d %H:%M"), jvm_opts=args.jvm_opts, batcycle_args=args.batcycle_args)
    with open(os.path.join(raw, f"{args.name}.json"), "w") as f:
        json.dump(a, f, indent=1)
    lines = [f"# JFR profile of batcycle ({a['date']}, JDK 17, settings=profile, {args.seconds}s window after "
             f"{args.warm}s warm-up)", "",
             f"{a['requests']} requests at {a['rps']} req/s (50 connections, 100 B); proxy CPU "
             f"{a['cpu_us_per_req']} µs/request (CPU 0 busy {a['cpu0_busy_pct']} %, batcycle {round(100 * cpu_s / args.seconds)} %); allocation {a['allocated_bytes_per_request']} bytes/request "
             f"(jdk.ThreadAllocationStatistics); {a['gc_count']} GCs, {a['gc_pause_ms_total']} ms of pauses; "
             f"{a['execution_samples']} execution samples.", ""]

    def section(title, rows, unit="samples"):
        lines.extend([f"## {title}", "", f"| % | {unit} | frame |", "|---:|---:|---|"])
        for k, v, pct in rows:
            lines.append(f"| {pct} | {v} | `{k}` |")
        lines.append("")

    section("CPU: where samples land, by package of the top frame", a["by_package"])
    section("CPU: top frames (self time)", a["self"])
    section("CPU: batcycle methods on the stack (inclusive)", a["inclusive_batcycle"])
    section("CPU: all methods on the stack (inclusive, top 40)", a["inclusive_any"])
    section("Allocation by class (sampled weight)", a["alloc_by_class"], "bytes (weight)")
    section("Allocation by first non-JDK frame", a["alloc_by_site"], "bytes (weight)")
    section("Allocation by the batcycle frame that caused it (→ the frame it called)", a["alloc_by_batcycle_frame"],
            "bytes (weight)")
    with open(os.path.join(args.out, f"{args.name}.md"), "w") as f:
        f.write("\n".join(lines))
    print("\n".join(lines[:3]))


if __name__ == "__main__":
    main()
