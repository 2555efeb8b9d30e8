"""Load generators, pinned to the load CPU: wrk (saturation, latency distribution), h2load (fixed rate, many
connections) and curl (one large download). Every run is bounded in time."""
import os
import re
import subprocess
import threading
import time

from procs import CLK_TCK, cpu_busy_ticks

_UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0}


def _ms(text):
    m = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text.strip())
    return float(m.group(1)) * _UNITS[m.group(2)] if m else None


def _measure(procs, proxy_cpu, fn):
    """Runs fn() and returns (its result, CPU ticks used by each proc, busy ticks of the proxy CPU, seconds)."""
    before = {p.name: p.cpu_ticks() for p in procs}
    busy0 = cpu_busy_ticks(proxy_cpu)
    t0 = time.monotonic()
    result = fn()
    elapsed = time.monotonic() - t0
    after = {p.name: p.cpu_ticks() for p in procs}
    busy1 = cpu_busy_ticks(proxy_cpu)
    return result, {k: after[k] - before[k] for k in before}, busy1 - busy0, elapsed


def wrk(load_cpu, url, conns, seconds, threads=1):
    """Runs wrk --latency; returns a dict of its figures."""
    argv = ["taskset", "-c", str(load_cpu), "wrk", f"-t{threads}", f"-c{conns}", f"-d{seconds}s", "--latency",
            "-H", "Connection: keep-alive", url]
    out = subprocess.run(argv, capture_output=True, text=True, timeout=seconds + 30).stdout
    r = {"requests": None, "rps": None, "p50_ms": None, "p99_ms": None, "non2xx": 0, "socket_errors": 0}
    m = re.search(r"(\d+) requests in ([\d.]+)(\w+)", out)
    if m:
        r["requests"] = int(m.group(1))
    m = re.search(r"Requests/sec:\s+([\d.]+)", out)
    if m:
        r["rps"] = float(m.group(1))
    for pct, key in (("50", "p50_ms"), ("99", "p99_ms")):
        m = re.search(rf"^\s+{pct}%\s+(\S+)", out, re.M)
        if m:
            r[key] = _ms(m.group(1))
    m = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    if m:
        r["non2xx"] = int(m.group(1))
    m = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    if m:
        r["socket_errors"] = sum(int(x) for x in m.groups())
    if r["rps"] is None:
        r["error"] = out[-500:]
    return r


def measured_wrk(procs, target, proxy_cpu, load_cpu, url, conns, seconds):
    """wrk against target while reading the CPU time of every proc; adds CPU µs per request of the target."""
    r, ticks, busy, elapsed = _measure(procs, proxy_cpu, lambda: wrk(load_cpu, url, conns, seconds))
    cpu_s = ticks[target.name] / CLK_TCK
    r["cpu_s"] = round(cpu_s, 3)
    r["cpu_us_per_req"] = round(cpu_s * 1e6 / r["requests"], 2) if r.get("requests") else None
    r["proxy_cpu_busy_pct"] = round(100 * busy / CLK_TCK / elapsed, 1)
    # CPU time on the proxy CPU charged to none of our processes: other tenants, and softirq work.
    ours = sum(t for name, t in ticks.items() if next(p for p in procs if p.name == name).cpu == proxy_cpu)
    r["proxy_cpu_us_per_req"] = round(busy / CLK_TCK * 1e6 / r["requests"], 2) if r.get("requests") else None
    r["unattributed_proxy_cpu_pct"] = round(100 * (busy - ours) / CLK_TCK / elapsed, 1)
    r["target_cpu_pct"] = round(100 * cpu_s / elapsed, 1)
    return r


def h2load_rate(load_cpu, url, clients, rps_per_client, seconds, log_path, skip_s=1.0):
    """Fixed-rate HTTP/1.1 load with h2load --rps; percentiles from its per-request log (first skip_s dropped)."""
    if os.path.exists(log_path):
        os.unlink(log_path)
    argv = ["taskset", "-c", str(load_cpu), "h2load", "--h1", "-t1", f"-c{clients}", f"--rps={rps_per_client}",
            f"-D{seconds}", f"--log-file={log_path}", url]
    try:
        out = subprocess.run(argv, capture_output=True, text=True, timeout=seconds + 30).stdout
    except subprocess.TimeoutExpired as e:
        out = (e.stdout or b"").decode(errors="replace") if isinstance(e.stdout, bytes) else (e.stdout or "")
        out += "\n(h2load timed out)"
    r = {"clients": clients, "target_rps": clients * rps_per_client}
    m = re.search(r"requests: (\d+) total, (\d+) started, (\d+) done, (\d+) succeeded, (\d+) failed", out)
    if m:
        r["requests"] = int(m.group(3))
        r["failed"] = int(m.group(5))
    rows = []
    try:
        with open(log_path) as f:
            for line in f:
                parts = line.split("\t")
                if len(parts) >= 3:
                    rows.append((int(parts[0]), int(parts[1]), int(parts[2])))
    except OSError:
        pass
    if not rows:
        r["error"] = out[-500:]
        return r
    t0 = min(x[0] for x in rows)
    kept = [x for x in rows if x[0] - t0 >= skip_s * 1e6]
    lat = sorted(x[2] / 1000.0 for x in kept)
    span = (max(x[0] for x in kept) - min(x[0] for x in kept)) / 1e6 if kept else 0
    r["measured_requests"] = len(lat)
    r["achieved_rps"] = round(len(lat) / span, 1) if span else None
    r["non200"] = sum(1 for x in kept if x[1] != 200)
    for q, key in ((0.5, "p50_ms"), (0.99, "p99_ms"), (0.999, "p999_ms")):
        r[key] = round(lat[min(len(lat) - 1, int(q * len(lat)))], 3) if lat else None
    r["max_ms"] = round(lat[-1], 3) if lat else None
    return r


def measured_h2load_rate(procs, target, proxy_cpu, load_cpu, url, clients, rps_per_client, seconds, log_path):
    r, ticks, busy, elapsed = _measure(
        procs, proxy_cpu, lambda: h2load_rate(load_cpu, url, clients, rps_per_client, seconds, log_path))
    cpu_s = ticks[target.name] / CLK_TCK
    r["cpu_us_per_req"] = round(cpu_s * 1e6 / r["requests"], 2) if r.get("requests") else None
    return r


def hold_connections(load_cpu, url, conns, seconds, target, port):
    """Keeps conns keep-alive connections open at 1 req/s each; near the end reads the target's RSS and counts
    the established connections to its port."""
    argv = ["taskset", "-c", str(load_cpu), "h2load", "--h1", "-t1", f"-c{conns}", "--rps=1", f"-D{seconds}", url]
    p = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        time.sleep(max(1.0, seconds - 1.5))
        rss = target.rss_mib()
        ss = subprocess.run(["ss", "-Htn", "state", "established", f"( sport = :{port} )"],
                            capture_output=True, text=True, timeout=10).stdout
        established = len([line for line in ss.splitlines() if line.strip()])
        try:
            out, _ = p.communicate(timeout=seconds + 30)
        except subprocess.TimeoutExpired:
            out = "(h2load timed out)"
    finally:
        if p.poll() is None:
            p.kill()
            p.wait()
    m = re.search(r"requests: (\d+) total, (\d+) started, (\d+) done, (\d+) succeeded, (\d+) failed", out)
    return {"conns": conns, "rss_mib": rss, "established": established,
            "succeeded": int(m.group(4)) if m else None, "failed": int(m.group(5)) if m else None}


def curl_download(cpu, url, sample=None, timeout=120):
    """Downloads url to /dev/null; returns MB/s (10^6 bytes) and seconds. sample: a proc whose peak RSS is read."""
    peak = {"rss": 0.0}
    stop = threading.Event()

    def sampler():
        while not stop.is_set():
            peak["rss"] = max(peak["rss"], sample.rss_mib())
            stop.wait(0.1)

    t = None
    if sample is not None:
        t = threading.Thread(target=sampler, daemon=True)
        t.start()
    try:
        out = subprocess.run(["taskset", "-c", str(cpu), "curl", "-s", "-o", "/dev/null", "--max-time",
                              str(timeout), "-w", "%{http_code} %{size_download} %{speed_download} %{time_total}",
                              url], capture_output=True, text=True, timeout=timeout + 10).stdout
    finally:
        stop.set()
        if t:
            t.join()
    code, size, speed, total = out.split()
    r = {"status": int(code), "bytes": int(size), "mb_per_s": round(float(speed) / 1e6, 1),
         "seconds": round(float(total), 3)}
    if sample is not None:
        r["peak_rss_mib"] = peak["rss"]
    return r


def _h2load_summary(out):
    """requests done/succeeded/failed from h2load's summary."""
    m = re.search(r"requests: (\d+) total, (\d+) started, (\d+) done, (\d+) succeeded, (\d+) failed", out)
    if not m:
        return {}
    return {"requests": int(m.group(3)), "succeeded": int(m.group(4)), "failed": int(m.group(5))}


def h2load_streams(load_cpu, url, conns, streams, seconds):
    """HTTP/2 with prior knowledge (h2load's default for http://): conns connections, streams concurrent streams
    each, for seconds. Returns requests, req/s and the mean time per request."""
    argv = ["taskset", "-c", str(load_cpu), "h2load", "-t1", f"-c{conns}", f"-m{streams}", f"-D{seconds}", url]
    try:
        out = subprocess.run(argv, capture_output=True, text=True, timeout=seconds + 30).stdout
    except subprocess.TimeoutExpired:
        return {"error": "h2load timed out"}
    r = {"conns": conns, "streams": streams, **_h2load_summary(out)}
    m = re.search(r"finished in ([\d.]+)s, ([\d.]+) req/s", out)
    if m:
        r["rps"] = float(m.group(2))
    m = re.search(r"time for request:\s+(\S+)\s+(\S+)\s+(\S+)", out)
    if m:
        r["mean_ms"] = _ms(m.group(3))
    if not r.get("requests"):
        r["error"] = out[-500:]
    return r


def measured_h2load_streams(procs, target, proxy_cpu, load_cpu, url, conns, streams, seconds):
    r, ticks, busy, elapsed = _measure(procs, proxy_cpu,
                                       lambda: h2load_streams(load_cpu, url, conns, streams, seconds))
    cpu_s = ticks[target.name] / CLK_TCK
    r["cpu_us_per_req"] = round(cpu_s * 1e6 / r["requests"], 2) if r.get("requests") else None
    r["target_cpu_pct"] = round(100 * cpu_s / elapsed, 1)
    return r


def throughput_curve(load_cpu, url, conns, seconds, log_path):
    """HTTP/1.1 saturation with h2load --h1 for seconds; from its per-request log, the requests completed in each
    second since the first one started: the warm-up curve of a fresh process."""
    if os.path.exists(log_path):
        os.unlink(log_path)
    argv = ["taskset", "-c", str(load_cpu), "h2load", "--h1", "-t1", f"-c{conns}", f"-D{seconds}",
            f"--log-file={log_path}", url]
    try:
        out = subprocess.run(argv, capture_output=True, text=True, timeout=seconds + 30).stdout
    except subprocess.TimeoutExpired:
        return {"error": "h2load timed out"}
    starts_and_ends = []
    failed = 0
    try:
        with open(log_path) as f:
            for line in f:
                parts = line.split("\t")
                if len(parts) >= 3:
                    start_us, status, latency_us = int(parts[0]), int(parts[1]), int(parts[2])
                    starts_and_ends.append((start_us, start_us + latency_us))
                    failed += status != 200
    except OSError:
        pass
    per_second = [0] * seconds
    if starts_and_ends:
        t0 = min(s for s, _ in starts_and_ends)
        for _, end in starts_and_ends:
            i = int((end - t0) / 1e6)
            if 0 <= i < seconds:
                per_second[i] += 1
    r = {"per_second": per_second, "non200": failed, **_h2load_summary(out)}
    if not starts_and_ends:
        r["error"] = out[-500:]
    return r


def jvm_allocated_bytes(pid):
    """Bytes allocated on the heap so far by all live threads of a JVM (jcmd Thread.print -e, JDK 15+)."""
    out = subprocess.run(["jcmd", str(pid), "Thread.print", "-e"], capture_output=True, text=True,
                         timeout=30).stdout
    scale = {"B": 1, "K": 1024, "M": 1024**2, "G": 1024**3}
    return sum(int(n) * scale[u] for n, u in re.findall(r"allocated=(\d+)([BKMG])", out))
