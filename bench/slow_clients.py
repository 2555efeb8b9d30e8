#!/usr/bin/env python3
"""Slow clients against batcycle (RELIABILITY.md, "Slow clients"): slowhttptest opens slow-body and slow-read
connections while a normal client sends 10 requests a second; reports what the normal client saw (every status, p50,
p99, max), batcycle's RSS, and how batcycle ended the slow connections. The app is an nginx serving static files
from a temporary directory (bench/lib/nginx.py), on a free port like batcycle's. Run through bench/slow-clients.sh."""
import argparse
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "lib"))
import nginx  # noqa: E402 (bench/lib)
from procs import rss_kib  # noqa: E402


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def get(url, timeout=5):
    with urllib.request.urlopen(url, timeout=timeout) as r:
        return r.status, r.read().decode()


def wait_ready(admin, seconds=60):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            if get(f"http://127.0.0.1:{admin}/readyz")[0] == 200:
                return
        except OSError:
            pass
        time.sleep(0.2)
    raise SystemExit("batcycle did not become ready")


def one_request(port, path):
    """One GET on a fresh connection, as a client that does not keep connections would; (status, seconds)."""
    t0 = time.monotonic()
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=10) as s:
            s.sendall(f"GET {path} HTTP/1.1\r\nHost: app\r\nConnection: close\r\n\r\n".encode())
            data = b""
            while True:
                chunk = s.recv(65536)
                if not chunk:
                    break
                data += chunk
        status = int(data.split(b" ", 2)[1]) if data.startswith(b"HTTP/") else 0
    except OSError:
        status = -1
    return status, time.monotonic() - t0


class NormalClient(threading.Thread):
    """Requests at a fixed rate, each on time whatever the last one took (no coordinated omission)."""

    def __init__(self, port, rate, seconds):
        super().__init__(daemon=True)
        self.port, self.rate, self.seconds = port, rate, seconds
        self.results = []
        self.timeline = []
        self.lock = threading.Lock()

    def run(self):
        start = time.monotonic()
        workers = []
        for i in range(int(self.rate * self.seconds)):
            due = start + i / self.rate
            time.sleep(max(0.0, due - time.monotonic()))
            t = threading.Thread(target=self._one, daemon=True)
            t.start()
            workers.append(t)
        for t in workers:
            t.join(15)

    def _one(self):
        sent = time.monotonic()
        status, seconds = one_request(self.port, "/hello")
        with self.lock:
            self.results.append((status, seconds))
            self.timeline.append((sent, status, seconds))


def percentile(values, p):
    if not values:
        return None
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))]


def slowhttptest(args, log):
    return subprocess.Popen(["slowhttptest"] + args, stdout=log, stderr=subprocess.STDOUT)


def last_status(path):
    """The last status line slowhttptest printed, and the most connections it had open at once."""
    text = re.sub(r"\x1b\[[0-9;]*[A-Za-z]", "", open(path, errors="replace").read())  # its colours
    lines = re.findall(r"slow HTTP test status on (\d+)th second:\s*initializing:\s*(\d+)\s*pending:\s*(\d+)\s*"
                       r"connected:\s*(\d+)\s*error:\s*(\d+)\s*closed:\s*(\d+)\s*service available:\s*(\w+)", text)
    if not lines:
        return None
    most = max(int(line[3]) for line in lines)
    s = lines[-1]
    return {"second": int(s[0]), "connected": int(s[3]), "error": int(s[4]), "closed": int(s[5]),
            "available": s[6], "most_connected": most}


def metric(text, name, **labels):
    total = 0.0
    for line in text.splitlines():
        if line.startswith(name + "{") or line.startswith(name + " "):
            if all(f'{k}="{v}"' in line for k, v in labels.items()):
                total += float(line.rsplit(" ", 1)[1])
    return total


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--jar", default="target/batcycle.jar")
    ap.add_argument("--seconds", type=int, default=60, help="length of the attack and of the measurement")
    ap.add_argument("--rate", type=float, default=10, help="normal requests a second")
    ap.add_argument("--quick", action="store_true", help="a tenth of the connections, 20 s")
    ap.add_argument("--jvm-opts", default="-Xms32m -Xmx32m -XX:+UseSerialGC -XX:NewRatio=1 -Xss256k "
                    "-XX:ReservedCodeCacheSize=32m -XX:MaxMetaspaceSize=64m -XX:TrimNativeHeapInterval=2000 "
                    "-XX:-UsePerfData",
                    help="the image's options (docker/jvm.options) at the manifests' 256 MiB limit")
    ap.add_argument("--batcycle-args", default="")
    ap.add_argument("--no-attack", action="store_true", help="the normal client alone: the machine's baseline")
    ap.add_argument("--pin", action="store_true", help="batcycle on CPU 0, everything else on CPU 1")
    ap.add_argument("--rounds", type=int, default=2,
                    help="attacks one after the other on the same batcycle: the first meets code the JIT has not "
                         "compiled yet (408s, cut-offs), the next ones batcycle's steady state")
    a = ap.parse_args()
    scale, seconds = (0.1, 20) if a.quick else (1.0, a.seconds)
    bodies, big_bodies, readers = int(500 * scale), int(300 * scale), int(200 * scale)

    # With --pin, as bench/run.sh does: batcycle on CPU 0; this script, the app, the attackers and the normal client
    # on CPU 1, so the attack's own CPU does not come out of batcycle's (on a machine shared with other work it can
    # also leave batcycle waiting for its one CPU).
    pinned = a.pin and os.cpu_count() >= 2 and shutil.which("taskset") is not None
    if pinned:
        os.sched_setaffinity(0, {1})
    port, admin, app = free_port(), free_port(), free_port()
    tmp = tempfile.mkdtemp(prefix="slow-clients-")
    www = os.path.join(tmp, "www")
    os.makedirs(www)
    with open(os.path.join(www, "hello"), "w") as f:
        f.write("hello\n")
    with open(os.path.join(www, "large"), "wb") as f:
        f.write(b"x" * (1 << 20))
    origin = subprocess.Popen(["nginx", "-p", tmp, "-c", nginx.write_origin(tmp, app, www), "-g", "daemon off;"],
                              stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
    env = dict(os.environ, MALLOC_ARENA_MAX="2")
    argv = ((["taskset", "-c", "0"] if pinned else []) + ["java"] + a.jvm_opts.split() + ["-jar", a.jar, "--upstream", f"http://127.0.0.1:{app}",
            "--listen", f"127.0.0.1:{port}", "--admin", f"127.0.0.1:{admin}"] + a.batcycle_args.split())
    with open(os.path.join(tmp, "batcycle.log"), "w") as blog:
        proxy = subprocess.Popen(argv, stdout=blog, stderr=subprocess.STDOUT, env=env)
    attackers = []
    rounds = []
    try:
        wait_ready(admin)
        # Warm-up, so the figures are batcycle's steady state rather than the JIT's first minutes.
        NormalClient(port, 100, 5).run()
        for number in range(1, a.rounds + 1):
            rounds.append(attack_round(a, port, admin, app, proxy.pid, tmp, number, seconds, attackers,
                                       (bodies, big_bodies, readers)))
    finally:
        for _, _, p in attackers:
            if p.poll() is None:
                p.send_signal(signal.SIGINT)
        for _, _, p in attackers:
            try:
                p.wait(10)
            except subprocess.TimeoutExpired:
                p.kill()
        for p in (proxy, origin):
            p.terminate()
            try:
                p.wait(30)
            except subprocess.TimeoutExpired:
                p.kill()

    print(json.dumps({"rounds": rounds, "logs": tmp}, indent=2))
    ok = True
    for r in rounds:
        good = r["statuses"].get(200, 0) == r["normal_requests"] and r["p99_ms"] is not None and r["p99_ms"] < 100
        ok = ok and good
        print(f"round {r['round']}: normal client {r['statuses'].get(200, 0)}/{r['normal_requests']} answered 200, "
              f"p50 {r['p50_ms']:.1f} ms, p99 {r['p99_ms']:.1f} ms, max {r['max_ms']:.1f} ms (the app directly at the "
              f"same time: p99 {r['app_direct']['p99_ms']:.1f} ms, max {r['app_direct']['max_ms']:.1f} ms); RSS max "
              f"{r['rss_mib']['max']} MiB -> {'PASS' if good else 'FAIL'} (all 200, p99 < 100 ms)")
    return 0 if ok else 1


def attack_round(a, port, admin, app, pid, tmp, number, seconds, attackers, counts):
    """One attack with the normal client running through it; what the normal client saw and how it all ended."""
    bodies, big_bodies, readers = counts
    before = get(f"http://127.0.0.1:{admin}/metrics")[1]
    rss_before = rss_kib(pid)
    normal = NormalClient(port, a.rate, seconds + 10)
    control = NormalClient(app, a.rate, seconds + 10)  # the app itself, at the same time: the machine's share
    normal.start()
    control.start()
    attack_start = time.monotonic()
    url = f"http://127.0.0.1:{port}"
    common = ["-l", str(seconds), "-r", "200", "-p", "5"]
    mine = []
    for name, args in () if a.no_attack else (
        ("slow-body-4KiB", ["-B", "-c", str(bodies), "-s", "4096", "-i", "10", "-x", "24", "-u", url + "/upload"]),
        ("slow-body-1MiB", ["-B", "-c", str(big_bodies), "-s", "1048576", "-i", "10", "-x", "24",
                            "-u", url + "/upload"]),
        ("slow-read", ["-X", "-c", str(readers), "-w", "512", "-y", "1024", "-n", "5", "-z", "32", "-k", "3",
                       "-u", url + "/large"])):
        path = os.path.join(tmp, f"{name}-{number}.log")
        process = slowhttptest(args + common, open(path, "w"))
        attackers.append((name, path, process))
        mine.append((name, path, process))
        time.sleep(2)
    rss_max = rss_before
    deadline = time.monotonic() + seconds + 12
    while time.monotonic() < deadline and (normal.is_alive() or any(p.poll() is None for _, _, p in mine)):
        rss_max = max(rss_max, rss_kib(pid))
        time.sleep(1)
    normal.join(20)
    control.join(20)
    for _, _, p in mine:
        if p.poll() is None:
            p.send_signal(signal.SIGINT)
            p.wait(10)
    after = get(f"http://127.0.0.1:{admin}/metrics")[1]

    def grew(name, **labels):
        return metric(after, name, **labels) - metric(before, name, **labels)

    latencies = [t * 1000 for s, t in normal.results if s == 200]
    direct = [t * 1000 for s, t in control.results if s == 200]
    statuses = {}
    for s, _ in normal.results:
        statuses[s] = statuses.get(s, 0) + 1
    return {
        "round": number, "normal_requests": len(normal.results), "statuses": statuses,
        "p50_ms": percentile(latencies, 50), "p99_ms": percentile(latencies, 99),
        "max_ms": max(latencies) if latencies else None,
        "app_direct": {"p50_ms": percentile(direct, 50), "p99_ms": percentile(direct, 99),
                       "max_ms": max(direct) if direct else None, "failed": len(control.results) - len(direct)},
        "load_average": os.getloadavg()[0],
        "rss_mib": {"before": round(rss_before / 1024, 1), "max": round(rss_max / 1024, 1),
                    "after": round(rss_kib(pid) / 1024, 1)},
        "slow_connections": {name: last_status(path) for name, path, _ in mine},
        "batcycle": {
            "client_timeouts": {r: grew("batcycle_client_timeouts_total", reason=r)
                                for r in ("request_body_rate", "request_body_idle", "response_send")},
            "answered_408": grew("batcycle_rejected_total", reason="request_timeout"),
            "concurrency_active_at_end": metric(after, "batcycle_concurrency_active"),
            "connections_active_at_end": metric(after, "batcycle_connections_active"),
        },
        "slowest": [{"at_s": round(t - attack_start, 1), "status": st, "ms": round(d * 1000, 1)}
                    for t, st, d in sorted(normal.timeline, key=lambda r: -r[2])[:5]],
    }


if __name__ == "__main__":
    sys.exit(main())
