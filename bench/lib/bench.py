#!/usr/bin/env python3
"""batcycle against nginx on this machine, in one run. Called by bench/run.sh (which installs the tools and builds
the jar); see bench/README.md for what each figure means."""
import argparse
import atexit
import datetime
import json
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import traceback

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import loadgen  # noqa: E402
import nginx  # noqa: E402
import report  # noqa: E402
from procs import Proc, free_port, stop_all, wait_first_200, wait_ready  # noqa: E402

PROXY_CPU = 0
LOAD_CPU = 1
JDK17 = "/usr/lib/jvm/java-17-openjdk-amd64/bin/java"
JDK25 = "/usr/lib/jvm/temurin-25-jdk-amd64/bin/java"
# The JVM options the Dockerfile ships (docker/jvm.options, "#" lines are comments), measured here as "tuned";
# -XX:MaxRAM stands in for the 256 MiB memory limit of the manifests in k8s/, which MaxRAMPercentage is taken of.
def dockerfile_jvm_options():
    path = os.path.join(os.path.dirname(__file__), "..", "..", "docker", "jvm.options")
    with open(path) as f:
        lines = [line.strip() for line in f]
    return [line for line in lines if line and not line.startswith("#")] + ["-XX:MaxRAM=256m"]


TUNED_JVM = dockerfile_jvm_options()
TUNED_ENV = {"MALLOC_ARENA_MAX": "2"}  # the Dockerfile's ENV

PROFILES = {
    # seconds and repetitions; quick ≈ 2 min, full ≈ 12 min
    "quick": dict(warm_ref=3, warm_jvm=15, rep_s=4, reps=3, reps_16k=1, rate_s=6, rate_reps=1, hold_s=6,
                  startup_runs=1, curve_s=15, train_s=5, stream_reps=1, variants=False, jdk25_plain=False,
                  alloc_s=4),
    "full": dict(warm_ref=5, warm_jvm=45, rep_s=10, reps=5, reps_16k=3, rate_s=15, rate_reps=3, hold_s=10,
                 startup_runs=3, curve_s=30, train_s=10, stream_reps=3, variants=True, jdk25_plain=True,
                 alloc_s=8),
}


def log(msg):
    print(f"[{time.strftime('%H:%M:%S')}] {msg}", flush=True)


class Bench:
    def __init__(self, args):
        self.args = args
        self.p = dict(PROFILES["quick" if args.quick else "full"])
        for key in ("reps", "rep_s", "warm_jvm", "reps_16k", "rate_reps"):
            if getattr(args, key) is not None:
                self.p[key] = getattr(args, key)
        self.jar = os.path.abspath(args.jar)
        self.tmp = tempfile.mkdtemp(prefix="batcycle-bench-")
        # bulky files (logs, configs) go to the git-ignored bench/results/raw/<name>/
        self.raw = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "results", "raw",
                                args.name)
        os.makedirs(self.raw, exist_ok=True)
        self.res = {"profile": "quick" if args.quick else "full", "rate": args.rate, "errors": []}
        self.extra = args.batcycle_args.split() if args.batcycle_args else []
        self.jvm_opts = args.jvm_opts.split() if args.jvm_opts else []

    # ---- processes ----------------------------------------------------------------------------------------------
    def start_nginx(self, name, conf):
        p = Proc(name, ["taskset", "-c", str(self.cpu_of(name)), "nginx", "-p", self.tmp, "-c", conf,
                        "-g", "daemon off;"], None, os.path.join(self.tmp, f"{name}.out"), kind="nginx",
                 cpu=self.cpu_of(name))
        return p

    def cpu_of(self, name):
        return LOAD_CPU if name == "origin" else PROXY_CPU

    def start_batcycle(self, name, java=JDK17, jvm=(), extra=(), jar=None, env=None):
        port = free_port()
        admin = free_port()
        argv = ["taskset", "-c", str(PROXY_CPU), java, *self.jvm_opts, *jvm, "-jar", jar or self.jar,
                "--listen", f"127.0.0.1:{port}", "--admin", f"127.0.0.1:{admin}",
                "--upstream", f"http://127.0.0.1:{self.origin_port}", *self.extra, *extra]
        full_env = dict(os.environ, **env) if env else None
        p = Proc(name, argv, port, os.path.join(self.tmp, f"{name}.out"), env=full_env, cpu=PROXY_CPU)
        p.admin_port = admin
        return p

    def start_tuned(self, name="batcycle_tuned"):
        return self.start_batcycle(name, jvm=TUNED_JVM, env=TUNED_ENV)

    def ready(self, p, limit=40):
        if wait_first_200(p.port, p.t_spawn, limit=limit, proc=p) is None:
            raise RuntimeError(f"{p.name} did not serve a 200 within {limit}s: {p.tail()}")

    def url(self, p, path="/100b"):
        return f"http://127.0.0.1:{p.port}{path}"

    # ---- sections -----------------------------------------------------------------------------------------------
    def section(self, name, fn):
        log(f"== {name}")
        try:
            fn()
        except Exception as e:  # noqa: BLE001 - one failed figure must not lose the others
            traceback.print_exc()
            self.res["errors"].append(f"{name}: {e}")

    def setup_origin(self):
        www = os.path.join(self.tmp, "www")
        os.makedirs(www)
        for fname, size in nginx.ORIGIN_FILES.items():
            with open(os.path.join(www, fname), "wb") as f:
                f.write((b"0123456789abcdef" * (size // 16 + 1))[:size])
        with open(os.path.join(www, "1g"), "wb") as f:
            f.truncate(1 << 30)  # sparse: reads as zeros, costs no disk
        # Read it once so that the page cache holds it: otherwise the first download (direct) pays for filling it.
        with open(os.path.join(www, "1g"), "rb") as f:
            while f.read(1 << 24):
                pass
        self.origin_port = free_port()
        self.origin = self.start_nginx("origin", nginx.write_origin(self.tmp, self.origin_port, www))
        self.origin.port = self.origin_port
        self.ready(self.origin, limit=10)
        r = loadgen.wrk(LOAD_CPU, self.url(self.origin), 50, 3)
        self.res["origin_direct_rps"] = r.get("rps")
        log(f"origin direct (wrk and origin sharing CPU {LOAD_CPU}): {r.get('rps')} req/s")

    def new_ref(self, name):
        port, h2_port = free_port(), free_port()
        conf = nginx.write_reference_proxy(self.tmp, port, self.origin_port, access_log=self.args.ref_access_log,
                                           name=name, h2_port=h2_port)
        p = self.start_nginx(name, conf)
        p.port = port
        p.h2_port = h2_port
        return p

    def startup(self):
        """Time to the first proxied 200 of a fresh process, then its throughput second by second under load."""
        p = self.p
        # The default warms the request path up before /readyz turns ready ("startup.warmup"); "_cold" is without.
        variants = [("nginx", None), ("batcycle_jdk17", dict(java=JDK17)),
                    ("batcycle_jdk17_cold", dict(java=JDK17, extra=["--startup-warmup", "0"]))]
        if self.p["jdk25_plain"]:
            variants.append(("batcycle_jdk25", dict(java=JDK25)))
        aot = self.train_aot()
        if aot:
            variants.append(("batcycle_jdk25_aot", dict(java=JDK25, jvm=[f"-XX:AOTCache={aot}"])))
        out = {}
        for run in range(p["startup_runs"]):
            for name, kw in variants:
                proc = self.new_ref(f"start-{name}") if kw is None else self.start_batcycle(f"start-{name}", **kw)
                t = wait_first_200(proc.port, proc.t_spawn, limit=40, proc=proc)
                row = {"first_200_s": round(t, 3) if t is not None else None}
                if t is not None and kw is not None:
                    # Load starts when the pod would get traffic: once /readyz says ready.
                    ready = wait_ready(proc.admin_port, proc.t_spawn, limit=60, proc=proc)
                    row["ready_s"] = round(ready, 3) if ready is not None else None
                if t is not None:
                    # Only the first run's curve is kept whole (the chart); every run gives its first 5 s.
                    curve = loadgen.throughput_curve(LOAD_CPU, self.url(proc), 50, p["curve_s"],
                                                     os.path.join(self.tmp, "curve.log"))
                    per_second = curve.get("per_second") or []
                    row.update(first_rps=sum(per_second[:5]) / 5 if len(per_second) >= 5 else None,
                               last_rps=sum(per_second[-5:]) / 5 if len(per_second) >= 10 else None,
                               curve_non200=curve.get("non200"))
                    if run == 0:
                        row["per_second"] = per_second
                else:
                    row["error"] = proc.tail(5)
                proc.stop()
                out.setdefault(name, []).append(row)
                log(f"startup {name}: {row}")
        self.res["startup"] = out

    def train_aot(self):
        """JDK 25 one-step AOT cache (JEP 514): a training run under load, written when the JVM exits."""
        if not os.path.exists(JDK25):
            self.res["aot"] = {"error": f"{JDK25} not found"}
            return None
        cache = os.path.join(self.tmp, "batcycle.aot")
        t0 = time.monotonic()
        proc = self.start_batcycle("aot-training", java=JDK25, jvm=[f"-XX:AOTCacheOutput={cache}"])
        info = {}
        try:
            self.ready(proc)
            wait_ready(proc.admin_port, proc.t_spawn, limit=60, proc=proc)  # the warm-up is part of the training
            loadgen.wrk(LOAD_CPU, self.url(proc), 50, self.p["train_s"])
            loadgen.wrk(LOAD_CPU, self.url(proc, "/16k"), 50, 1)
        finally:
            proc.stop(timeout=120)
        info["training_s"] = round(time.monotonic() - t0, 1)
        if os.path.exists(cache):
            info["cache_mib"] = round(os.path.getsize(cache) / 2**20, 1)
            self.res["aot"] = info
            log(f"AOT cache: {info}")
            return cache
        info["error"] = "no cache written: " + " | ".join(proc.tail(8))
        self.res["aot"] = info
        return None

    def start_steady(self):
        self.ref = self.new_ref("nginx")
        self.cands = [self.ref]
        self.bat = self.start_batcycle("batcycle")
        self.cands.append(self.bat)
        if self.p["variants"]:
            self.cands.append(self.start_batcycle("batcycle_el2", extra=["--event-loops", "2"]))
            self.cands.append(self.start_tuned())
        for spec in self.args.alt:
            label, jar, jvm, extra = (spec.split("|") + ["", "", ""])[:4]
            self.cands.append(self.start_batcycle(label, jar=os.path.abspath(jar) if jar else None,
                                                  jvm=jvm.split(), extra=extra.split()))
        for c in self.cands:
            self.ready(c)
        info = [line for line in self.bat.tail(50) if "event loops" in line]
        self.res["batcycle_start_line"] = info[-1] if info else None
        log(f"batcycle: {self.res['batcycle_start_line']}")
        for c in self.cands:
            secs = self.p["warm_ref"] if c.kind == "nginx" else self.p["warm_jvm"]
            log(f"warm-up {c.name} {secs}s")
            loadgen.wrk(LOAD_CPU, self.url(c), 50, max(1, secs - 4))
            loadgen.wrk(LOAD_CPU, self.url(c, "/16k"), 50, 2)
            # HTTP/2 has its own code path to compile: without this its first measured run is a warm-up.
            h2 = getattr(c, "h2_port", None) or c.port
            loadgen.h2load_streams(LOAD_CPU, f"http://127.0.0.1:{h2}/100b", 4, 50, 2)

    def alt_names(self):
        return [spec.split("|")[0] for spec in self.args.alt]

    def saturation(self):
        out = {}
        main = ["nginx", "batcycle"] + self.alt_names()
        for key, path, conns, reps, names in (("100b", "/100b", 50, self.p["reps"], None),
                                              ("16k", "/16k", 50, self.p["reps_16k"], main),
                                              ("100b_c200", "/100b", 200, self.p["reps_16k"], main)):
            cands = [c for c in self.cands if names is None or c.name in names]
            for rep in range(reps):
                order = cands[rep % len(cands):] + cands[:rep % len(cands)]  # alternate who goes first
                for c in order:
                    r = loadgen.measured_wrk(self.cands + [self.origin], c, PROXY_CPU, LOAD_CPU, self.url(c, path),
                                             conns, self.p["rep_s"])
                    out.setdefault(key, {}).setdefault(c.name, []).append(r)
                    log(f"{path} c{conns} {c.name}: {r.get('rps')} req/s, {r.get('cpu_us_per_req')} µs CPU/req, "
                        f"p50 {r.get('p50_ms')} p99 {r.get('p99_ms')} ms, CPU0 busy {r.get('proxy_cpu_busy_pct')}%")
        self.res["saturation"] = out
        self.res["rss_after_run_mib"] = {c.name: c.rss_mib() for c in self.cands}

    def http2(self):
        """HTTP/2 with prior knowledge from the client, 4 connections x 50 concurrent streams (h2load -c4 -m50);
        both proxies speak HTTP/1.1 to the origin."""
        out = {}
        cands = [c for c in self.cands if c.name in ["nginx", "batcycle"] + self.alt_names()]
        for rep in range(self.p["reps_16k"]):
            for c in (cands if rep % 2 == 0 else list(reversed(cands))):
                port = getattr(c, "h2_port", None) or c.port
                r = loadgen.measured_h2load_streams(self.cands + [self.origin], c, PROXY_CPU, LOAD_CPU,
                                                    f"http://127.0.0.1:{port}/100b", 4, 50, self.p["rep_s"])
                out.setdefault(c.name, []).append(r)
                log(f"h2 -c4 -m50 {c.name}: {r}")
        self.res["http2"] = out

    def allocation(self):
        """Heap bytes allocated per request at steady state: every thread's allocation counter (jcmd) before and
        after a saturation run, over the requests served. Pooled (direct) network buffers are not heap."""
        out = {}
        for c in self.cands:
            if c.kind != "jvm":
                continue
            before = loadgen.jvm_allocated_bytes(c.pid)
            r = loadgen.wrk(LOAD_CPU, self.url(c), 50, self.p["alloc_s"])
            after = loadgen.jvm_allocated_bytes(c.pid)
            if r.get("requests"):
                out[c.name] = {"bytes_per_req": round((after - before) / r["requests"]), "requests": r["requests"]}
            log(f"allocation {c.name}: {out.get(c.name)}")
        self.res["allocation"] = out

    def fixed_rate(self):
        out = {}
        clients, per = 20, self.args.rate // 20
        names = ["nginx", "batcycle", "batcycle_tuned"] + self.alt_names()
        cands = [c for c in self.cands if c.name in names]
        for rep in range(self.p["rate_reps"]):
            for c in (cands if rep % 2 == 0 else list(reversed(cands))):
                r = loadgen.measured_h2load_rate(self.cands, c, PROXY_CPU, LOAD_CPU, self.url(c), clients, per,
                                                 self.p["rate_s"], os.path.join(self.tmp, "h2load.log"))
                out.setdefault(c.name, []).append(r)
                log(f"{self.args.rate} req/s {c.name}: {r}")
        self.res["fixed_rate"] = out

    def hold(self):
        out = {}
        for c in self.cands:
            r = loadgen.hold_connections(LOAD_CPU, self.url(c), 1000, self.p["hold_s"], c, c.port)
            out[c.name] = r
            log(f"1000 conns {c.name}: {r}")
        if "batcycle_tuned" not in out:
            t = self.start_tuned()
            try:
                self.ready(t)
                # as long as the other JVMs' warm-up: RSS right after start-up still holds the JIT's peak
                loadgen.wrk(LOAD_CPU, self.url(t), 50, self.p["warm_jvm"])
                r = loadgen.hold_connections(LOAD_CPU, self.url(t), 1000, self.p["hold_s"], t, t.port)
                out["batcycle_tuned"] = r
                log(f"1000 conns batcycle_tuned: {r}")
            finally:
                t.stop()
        self.res["hold_1000"] = out
        self.res["tuned_jvm_options"] = " ".join(f"{k}={v}" for k, v in TUNED_ENV.items()) + " " + " ".join(TUNED_JVM)

    def stream(self):
        out = {}
        targets = [("direct", self.origin), ("nginx", self.ref), ("batcycle", self.bat)]
        targets += [(c.name, c) for c in self.cands if c.name in self.alt_names()]
        for rep in range(self.p["stream_reps"]):
            for name, c in targets:
                # Direct: curl on the (then idle) proxy CPU, so client and origin each have a CPU: the best the
                # machine does without a proxy. Through a proxy: curl shares the load CPU with the origin.
                cpu = PROXY_CPU if name == "direct" else LOAD_CPU
                r = loadgen.curl_download(cpu, self.url(c, "/1g"), sample=c if c.kind == "jvm" else None)
                if c.kind == "jvm":
                    r["rss_before_mib"] = c.rss_mib()
                out.setdefault(name, []).append(r)
                log(f"1 GiB {name}: {r}")
        self.res["stream_1g"] = out

    def machine(self):
        def sh(cmd):
            try:
                return subprocess.run(cmd, shell=True, capture_output=True, text=True, timeout=20).stdout.strip()
            except Exception:  # noqa: BLE001
                return None

        m = {
            "date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
            "nproc": os.cpu_count(),
            "cpu_model": sh("grep -m1 'model name' /proc/cpuinfo | cut -d: -f2-"),
            "kernel": os.uname().release,
            "mem": sh("free -h | awk '/Mem:/{print $2}'"),
            "jdk17": sh(f"{JDK17} -version 2>&1 | head -2 | tail -1"),
            "jdk25": sh(f"{JDK25} -version 2>&1 | head -2 | tail -1"),
            "nginx": sh("nginx -v 2>&1"),
            "wrk": sh("wrk -v 2>&1 | head -1 | cut -d' ' -f1-2"),
            "h2load": sh("h2load --version"),
            "loadavg_start": open("/proc/loadavg").read().split()[:3],
            "jar": self.jar,
            "git": sh(f"git -C {os.path.dirname(self.jar)} rev-parse --short HEAD 2>/dev/null"),
            "batcycle_args": " ".join(self.extra), "jvm_opts": " ".join(self.jvm_opts),
            "ref_access_log": self.args.ref_access_log,
        }
        self.res["machine"] = m

    def run(self):
        t0 = time.monotonic()
        self.machine()
        log(f"profile {self.res['profile']}, temp dir {self.tmp}")
        self.section("origin", self.setup_origin)
        if self.res["errors"]:
            stop_all()
            sys.exit(f"bench: the origin did not start: {self.res['errors']}")
        if self.args.skip_startup:
            self.res["startup"] = {}
        else:
            self.section("start-up and first seconds of load", self.startup)
        self.section("start proxies and warm up", self.start_steady)
        self.section("saturation (wrk, 50 connections)", self.saturation)
        self.section("HTTP/2, 4 connections x 50 streams (h2load)", self.http2)
        self.section("heap allocation per request", self.allocation)
        self.section(f"fixed rate {self.args.rate} req/s (h2load)", self.fixed_rate)
        if not self.args.skip_hold:
            self.section("1,000 keep-alive connections", self.hold)
        if not self.args.skip_stream:
            self.section("1 GiB streamed", self.stream)
        self.res["machine"]["loadavg_end"] = open("/proc/loadavg").read().split()[:3]
        self.res["duration_s"] = round(time.monotonic() - t0)
        stop_all()
        for name in os.listdir(self.tmp):
            if name.endswith((".out", ".log", ".conf")):
                shutil.copy(os.path.join(self.tmp, name), self.raw)
        report.write(self.res, self.args.out, self.args.name)
        log(f"done in {self.res['duration_s']} s; results in {self.args.out}/{self.args.name}.*")
        if not self.args.keep_tmp:
            shutil.rmtree(self.tmp, ignore_errors=True)


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--quick", action="store_true", help="about 2 minutes instead of about 12")
    ap.add_argument("--jar", default="target/batcycle.jar")
    ap.add_argument("--out", default="bench/results")
    ap.add_argument("--name", default="latest", help="results file stem (latest.md/.json/.png)")
    ap.add_argument("--rate", type=int, default=2000, help="fixed request rate for the latency figure")
    ap.add_argument("--batcycle-args", default="", help="extra batcycle flags for every batcycle process")
    ap.add_argument("--jvm-opts", default="", help="extra JVM options for every batcycle process")
    ap.add_argument("--ref-access-log", action="store_true", help="nginx reference writes a buffered access log")
    ap.add_argument("--skip-startup", action="store_true", help="skip start-up and first-seconds figures")
    ap.add_argument("--skip-hold", action="store_true", help="skip the 1,000-connection RSS figures")
    ap.add_argument("--skip-stream", action="store_true", help="skip the 1 GiB figures")
    ap.add_argument("--alt", action="append", default=[], metavar="LABEL|JAR|JVM OPTS|BATCYCLE ARGS",
                    help="another batcycle process in the same alternation (A/B of a change); repeatable")
    ap.add_argument("--keep-tmp", action="store_true")
    ap.add_argument("--reps", type=int, help="override: repetitions of the 100 B saturation run")
    ap.add_argument("--rep-s", dest="rep_s", type=int, help="override: seconds per saturation repetition")
    ap.add_argument("--warm-jvm", dest="warm_jvm", type=int, help="override: JVM warm-up seconds")
    ap.add_argument("--reps-16k", dest="reps_16k", type=int, help="override: repetitions of the 16 KiB run")
    ap.add_argument("--rate-reps", dest="rate_reps", type=int, help="override: repetitions at the fixed rate")
    args = ap.parse_args()
    if os.cpu_count() < 2:
        sys.exit("bench: needs 2 CPUs (proxies on CPU 0, origin and load on CPU 1)")
    atexit.register(stop_all)
    for s in (signal.SIGINT, signal.SIGTERM):
        signal.signal(s, lambda *_: sys.exit(130))
    Bench(args).run()


if __name__ == "__main__":
    main()
