#!/usr/bin/env python3
"""Outbound (ambassador) mode against nginx as a forward proxy, in one short run: the app's side (wrk) calls a
local listener that forwards to a remote (the origin), in plain HTTP/1.1 and with TLS origination (HTTP/1.1 over
TLS, the certificate verified against a CA made here). CPU per request of each proxy, req/s, p50/p99 at 50
connections. Called by bench/outbound.sh; see bench/README.md, "Outbound"."""
import argparse
import datetime
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
from procs import Proc, free_port, stop_all, wait_first_200, wait_ready  # noqa: E402

PROXY_CPU = 0
LOAD_CPU = 1
JDK17 = "/usr/lib/jvm/java-17-openjdk-amd64/bin/java"


def log(msg):
    print(f"[{time.strftime('%H:%M:%S')}] {msg}", flush=True)


def certificates(tmp):
    """A CA and a certificate for localhost it signs, with openssl (EC P-256)."""
    def run(*argv):
        subprocess.run(argv, check=True, capture_output=True, cwd=tmp, timeout=60)
    run("openssl", "ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out", "ca.key")
    run("openssl", "req", "-x509", "-new", "-key", "ca.key", "-days", "2", "-subj", "/CN=bench CA", "-out", "ca.pem")
    run("openssl", "ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out", "origin.key")
    run("openssl", "req", "-new", "-key", "origin.key", "-subj", "/CN=localhost", "-out", "origin.csr")
    with open(os.path.join(tmp, "san.ext"), "w") as f:
        f.write("subjectAltName=DNS:localhost\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n")
    run("openssl", "x509", "-req", "-in", "origin.csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial",
        "-days", "2", "-extfile", "san.ext", "-out", "origin.pem")
    return os.path.join(tmp, "ca.pem"), os.path.join(tmp, "origin.pem"), os.path.join(tmp, "origin.key")


def write_origin(prefix, port, tls_port, www, cert, key):
    """nginx.write_origin's origin, also on a TLS port (HTTP/1.1 only: both proxies speak HTTP/1.1 to it)."""
    path = nginx.write_origin(prefix, port, www)
    with open(path) as f:
        conf = f.read()
    tls = f"""
  server {{
    listen 127.0.0.1:{tls_port} ssl backlog=4096;
    ssl_certificate {cert};
    ssl_certificate_key {key};
    ssl_protocols TLSv1.2 TLSv1.3;
    ssl_session_cache shared:origin:1m;
    root {www};
  }}
}}
"""
    conf = conf.rstrip().rstrip("}") + tls
    with open(path, "w") as f:
        f.write(conf)
    return path


def write_forward_proxy(prefix, port, tls_port, origin_port, origin_tls_port, ca):
    """nginx as the app's forward proxy: one worker, keep-alive to the remote, Host set to the remote's name, the
    remote's certificate verified (proxy_ssl_verify) with SNI, TLS sessions reused."""
    head, temps = nginx._common(prefix, "refout", 8192)
    common = """      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_set_header X-Request-Id $request_id;
      add_header X-Request-Id $request_id always;
      proxy_max_temp_file_size 0;"""
    conf = head + f"""http {{
  access_log off;
  tcp_nodelay on;
  keepalive_requests 100000000;
  keepalive_timeout 300s;
{temps}
  upstream remote {{
    server 127.0.0.1:{origin_port};
    keepalive 64;
    keepalive_requests 100000000;
  }}
  upstream remote_tls {{
    server 127.0.0.1:{origin_tls_port};
    keepalive 64;
    keepalive_requests 100000000;
  }}
  server {{
    listen 127.0.0.1:{port} backlog=4096;
    location / {{
      proxy_pass http://remote;
      proxy_set_header Host remote.example:{origin_port};
{common}
    }}
  }}
  server {{
    listen 127.0.0.1:{tls_port} backlog=4096;
    location / {{
      proxy_pass https://remote_tls;
      proxy_set_header Host localhost:{origin_tls_port};
      proxy_ssl_verify on;
      proxy_ssl_trusted_certificate {ca};
      proxy_ssl_server_name on;
      proxy_ssl_name localhost;
      proxy_ssl_protocols TLSv1.2 TLSv1.3;
      proxy_ssl_session_reuse on;
{common}
    }}
  }}
}}
"""
    path = os.path.join(prefix, "refout.conf")
    with open(path, "w") as f:
        f.write(conf)
    return path


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--jar", default="target/batcycle.jar")
    ap.add_argument("--out", default="bench/results")
    ap.add_argument("--reps", type=int, default=3)
    ap.add_argument("--rep-s", type=int, default=5)
    ap.add_argument("--warm-s", type=int, default=45)
    args = ap.parse_args()
    tmp = tempfile.mkdtemp(prefix="batcycle-outbound-")
    res = {"date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
           "loadavg_start": open("/proc/loadavg").read().split()[:3], "reps": args.reps, "rep_s": args.rep_s,
           "results": {}}
    try:
        ca, cert, key = certificates(tmp)
        www = os.path.join(tmp, "www")
        os.makedirs(www)
        for fname, size in nginx.ORIGIN_FILES.items():
            with open(os.path.join(www, fname), "wb") as f:
                f.write((b"0123456789abcdef" * (size // 16 + 1))[:size])
        origin_port, origin_tls = free_port(), free_port()
        origin = Proc("origin", ["taskset", "-c", str(LOAD_CPU), "nginx", "-p", tmp, "-c",
                                 write_origin(tmp, origin_port, origin_tls, www, cert, key), "-g", "daemon off;"],
                      origin_port, os.path.join(tmp, "origin.out"), kind="nginx", cpu=LOAD_CPU)
        ref_port, ref_tls = free_port(), free_port()
        ref = Proc("nginx", ["taskset", "-c", str(PROXY_CPU), "nginx", "-p", tmp, "-c",
                             write_forward_proxy(tmp, ref_port, ref_tls, origin_port, origin_tls, ca),
                             "-g", "daemon off;"], ref_port, os.path.join(tmp, "nginx.out"), kind="nginx",
                   cpu=PROXY_CPU)
        out_port, out_tls, admin = free_port(), free_port(), free_port()
        bat = Proc("batcycle", ["taskset", "-c", str(PROXY_CPU), JDK17, "-jar", os.path.abspath(args.jar),
                                "--listen", f"127.0.0.1:{free_port()}", "--admin", f"127.0.0.1:{admin}",
                                "--upstream", f"http://127.0.0.1:{origin_port}",
                                "--outbound", f"plain=127.0.0.1:{out_port}=http://127.0.0.1:{origin_port},"
                                              f"tls=127.0.0.1:{out_tls}=https://localhost:{origin_tls}",
                                "--outbound-tls-ca-file", ca,
                                # As nginx's upstream keepalive_timeout (60 s): the default 4 s, meant for the app,
                                # would close the idle pool while the other proxy is measured, and every rep would
                                # start with 50 new TLS handshakes.
                                "--pool-idle-timeout", "60s"],
                   out_port, os.path.join(tmp, "batcycle.out"), cpu=PROXY_CPU)
        for p, port in ((origin, origin_port), (ref, ref_port), (ref, ref_tls), (bat, out_port), (bat, out_tls)):
            if wait_first_200(port, p.t_spawn, limit=60, proc=p) is None:
                raise RuntimeError(f"{p.name} on {port} did not answer 200: {p.tail()}")
        wait_ready(admin, bat.t_spawn, limit=60, proc=bat)
        res["batcycle_start"] = [line for line in bat.tail(40) if "outbound" in line]
        targets = [("plain", ref, ref_port, bat, out_port), ("tls", ref, ref_tls, bat, out_tls)]
        for kind, r, rport, b, bport in targets:
            log(f"warm-up {kind}")
            loadgen.wrk(LOAD_CPU, f"http://127.0.0.1:{rport}/100b", 50, 3)
            loadgen.wrk(LOAD_CPU, f"http://127.0.0.1:{bport}/100b", 50, args.warm_s)
        procs = [origin, ref, bat]
        for rep in range(args.reps):
            for kind, r, rport, b, bport in targets:
                order = [(r, rport), (b, bport)] if rep % 2 == 0 else [(b, bport), (r, rport)]
                for proc, port in order:
                    m = loadgen.measured_wrk(procs, proc, PROXY_CPU, LOAD_CPU, f"http://127.0.0.1:{port}/100b", 50,
                                             args.rep_s)
                    res["results"].setdefault(kind, {}).setdefault(proc.name, []).append(m)
                    log(f"{kind} {proc.name}: {m.get('rps')} req/s, {m.get('cpu_us_per_req')} µs CPU/req, "
                        f"p50 {m.get('p50_ms')} p99 {m.get('p99_ms')} ms, non-2xx {m.get('non2xx')}")
        res["loadavg_end"] = open("/proc/loadavg").read().split()[:3]
    finally:
        stop_all()
        shutil.rmtree(tmp, ignore_errors=True)
    write(res, args.out)


def median(values):
    values = sorted(v for v in values if v is not None)
    return values[len(values) // 2] if values else None


def write(res, out):
    os.makedirs(out, exist_ok=True)
    with open(os.path.join(out, "outbound.json"), "w") as f:
        json.dump(res, f, indent=1)
    lines = [f"# Outbound mode against nginx ({res['date']}, {res['reps']} x {res['rep_s']} s per figure, "
             f"load average {' '.join(res['loadavg_start'])} at start, {' '.join(res.get('loadavg_end', []))} at end)",
             "", "Medians; CPU per request is the proxy process's own CPU time over the requests it served.", "",
             "| Path | nginx CPU/req | batcycle CPU/req | ratio | nginx req/s | batcycle req/s | ratio | "
             "p99 nginx / batcycle |", "|---|---|---|---|---|---|---|---|"]
    for kind, label in (("plain", "HTTP/1.1 to the remote"), ("tls", "TLS origination (HTTP/1.1 over TLS)")):
        runs = res["results"].get(kind, {})
        n, b = runs.get("nginx", []), runs.get("batcycle", [])
        ncpu, bcpu = median([r.get("cpu_us_per_req") for r in n]), median([r.get("cpu_us_per_req") for r in b])
        nrps, brps = median([r.get("rps") for r in n]), median([r.get("rps") for r in b])
        np99, bp99 = median([r.get("p99_ms") for r in n]), median([r.get("p99_ms") for r in b])
        ratio = lambda a, c: f"{a / c:.2f}x" if a and c else "n/a"  # noqa: E731
        lines.append(f"| {label} | {ncpu} µs | {bcpu} µs | {ratio(bcpu, ncpu)} | {nrps:,.0f} | {brps:,.0f} | "
                     f"{ratio(brps, nrps)} | {np99} / {bp99} ms |" if nrps and brps else f"| {label} | no data |")
    with open(os.path.join(out, "outbound.md"), "w") as f:
        f.write("\n".join(lines) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
