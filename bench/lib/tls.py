#!/usr/bin/env python3
"""TLS on the proxy port: batcycle with OpenSSL (netty-tcnative BoringSSL) and with the JDK's TLS, against nginx
terminating TLS in the same run. Proxies pinned to CPU 0, origin and wrk to CPU 1, one proxy at a time. Two figures
each: CPU per request on keep-alive HTTPS connections, and handshakes per second with their CPU cost (wrk sending
Connection: close, so every request is a new TLS connection with a full handshake). Called by bench/tls.sh."""
import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import loadgen  # noqa: E402
import nginx  # noqa: E402
from bench import JDK17, LOAD_CPU, PROXY_CPU, TUNED_ENV, TUNED_JVM, log  # noqa: E402
from procs import CLK_TCK, Proc, free_port, stop_all  # noqa: E402


def write_tls_reference(prefix, port, origin_port, cert, key):
    """nginx as the reference: one worker, TLS 1.2/1.3 with the same certificate, HTTP/1.1 keep-alive to the origin."""
    conf_path = nginx.write_reference_proxy(prefix, port, origin_port, name="tlsref")
    with open(conf_path) as f:
        conf = f.read()
    conf = conf.replace(f"listen 127.0.0.1:{port} backlog=4096;",
                        f"listen 127.0.0.1:{port} ssl backlog=4096;\n    ssl_certificate {cert};\n"
                        f"    ssl_certificate_key {key};\n    ssl_protocols TLSv1.2 TLSv1.3;\n"
                        "    ssl_session_cache off;\n    ssl_session_tickets off;")
    if "ssl_certificate " not in conf:
        raise RuntimeError("the reference proxy's listen line changed: cannot add TLS to it")
    with open(conf_path, "w") as f:
        f.write(conf)
    return conf_path


def wrk_phase(procs, target, url, conns, seconds, close):
    """wrk against target; CPU of target per request. close=True: a new TLS connection per request."""
    argv = ["taskset", "-c", str(LOAD_CPU), "wrk", "-t1", f"-c{conns}", f"-d{seconds}s",
            "-H", "Connection: close" if close else "Connection: keep-alive", url]
    before = target.cpu_ticks()
    t0 = time.monotonic()
    out = subprocess.run(argv, capture_output=True, text=True, timeout=seconds + 30).stdout
    elapsed = time.monotonic() - t0
    cpu_s = (target.cpu_ticks() - before) / CLK_TCK
    r = parse(out)
    r["cpu_us_per_req"] = round(cpu_s * 1e6 / r["requests"], 1) if r.get("requests") else None
    r["cpu_pct"] = round(100 * cpu_s / elapsed, 1)
    return r


def parse(out):
    import re
    r = {"requests": None, "rps": None, "errors": 0}
    m = re.search(r"(\d+) requests in", out)
    if m:
        r["requests"] = int(m.group(1))
    m = re.search(r"Requests/sec:\s+([\d.]+)", out)
    if m:
        r["rps"] = round(float(m.group(1)), 1)
    m = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    if m:
        r["errors"] += int(m.group(1))
    m = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    if m:
        # With Connection: close, wrk counts the server's close after each response as a read error; only connect
        # and timeout errors are failures.
        r["errors"] += int(m.group(1)) + int(m.group(4))
    if r["rps"] is None:
        r["error"] = out[-400:]
    return r


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--jar", default="target/batcycle.jar")
    ap.add_argument("--seconds", type=int, default=8, help="seconds per measured phase")
    ap.add_argument("--warm", type=int, default=12, help="seconds of keep-alive load before measuring a JVM")
    ap.add_argument("--out", default="bench/results/tls.json")
    args = ap.parse_args()
    tmp = tempfile.mkdtemp(prefix="batcycle-tls-bench-")
    try:
        cert, key = os.path.join(tmp, "tls.crt"), os.path.join(tmp, "tls.key")
        subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
                        "-keyout", key, "-out", cert, "-days", "2", "-subj", "/CN=127.0.0.1",
                        "-addext", "subjectAltName=IP:127.0.0.1"], check=True, capture_output=True)
        www = os.path.join(tmp, "www")
        os.makedirs(www)
        with open(os.path.join(www, "100b"), "wb") as f:
            f.write(b"x" * 100)
        origin_port = free_port()
        origin = Proc("origin", ["taskset", "-c", str(LOAD_CPU), "nginx", "-p", tmp, "-c",
                                 nginx.write_origin(tmp, origin_port, www), "-g", "daemon off;"], origin_port,
                      os.path.join(tmp, "origin.out"), kind="nginx", cpu=LOAD_CPU)
        time.sleep(0.5)
        results = {"when": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()), "seconds": args.seconds,
                   "cpus": os.cpu_count(), "load_before": os.getloadavg()[0], "proxies": {}}
        port = free_port()
        ref = Proc("nginx", ["taskset", "-c", str(PROXY_CPU), "nginx", "-p", tmp, "-c",
                             write_tls_reference(tmp, port, origin_port, cert, key), "-g", "daemon off;"], port,
                   os.path.join(tmp, "nginx.out"), kind="nginx", cpu=PROXY_CPU)
        variants = [("nginx", ref)]
        for provider in ("openssl", "jdk"):
            variants.append((f"batcycle_{provider}", None))
        for name, proc in variants:
            if proc is None:
                port = free_port()
                argv = ["taskset", "-c", str(PROXY_CPU), JDK17, *TUNED_JVM, "-jar", os.path.abspath(args.jar),
                        "--listen", f"127.0.0.1:{port}", "--admin", f"127.0.0.1:{free_port()}",
                        "--upstream", f"http://127.0.0.1:{origin_port}", "--access-log-enabled", "false",
                        "--tls-cert-file", cert, "--tls-key-file", key, "--tls-provider", name.split("_")[1]]
                proc = Proc(name, argv, port, os.path.join(tmp, f"{name}.out"), env=dict(os.environ, **TUNED_ENV),
                            cpu=PROXY_CPU)
            url = f"https://127.0.0.1:{proc.port}/100b"
            deadline = time.monotonic() + 40
            while subprocess.run(["curl", "-sk", "-o", "/dev/null", "-w", "%{http_code}", url],
                                 capture_output=True, text=True).stdout != "200":
                if time.monotonic() > deadline or not proc.alive():
                    raise RuntimeError(f"{name} does not serve https: {proc.tail()}")
                time.sleep(0.1)
            if name != "nginx":
                log(f"{name}: warming up {args.warm} s")
                wrk_phase([proc], proc, url, 50, args.warm, False)
                wrk_phase([proc], proc, url, 20, max(3, args.warm // 3), True)
            log(f"{name}: keep-alive")
            keep = wrk_phase([proc], proc, url, 50, args.seconds, False)
            log(f"{name}: a handshake per request")
            fresh = wrk_phase([proc], proc, url, 20, args.seconds, True)
            results["proxies"][name] = {"keepalive": keep, "handshake_per_request": fresh, "rss_mib": proc.rss_mib()}
            log(f"{name}: keep-alive {keep.get('rps')} req/s, {keep.get('cpu_us_per_req')} µs CPU/req; "
                f"new connection per request {fresh.get('rps')} handshakes/s, {fresh.get('cpu_us_per_req')} "
                f"µs CPU per handshake+request")
            proc.stop()
        results["load_after"] = os.getloadavg()[0]
        with open(args.out, "w") as f:
            json.dump(results, f, indent=2)
        log(f"written {args.out}")
    finally:
        stop_all()
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
