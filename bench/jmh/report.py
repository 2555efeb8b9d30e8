"""Turns JMH's JSON result (run with -prof gc) into the markdown table of bench/results/jmh.md."""
import argparse
import json
import os
import platform

# What each benchmark calls, in one line (the Javadoc of each benchmark class says more); also the table's order.
COVERS = {
    "HeaderPolicyBenchmark.requestHeaders": "new Exchange + RequestIds.keepOrGenerate, then RequestPreparation and "
                                            "ForwardedHeadersLayer via Pipeline (copy, hop-by-hop, X-Forwarded-*)",
    "HeaderPolicyBenchmark.responseHeaders": "ResponseRelay.copyHeaders (addAll, HopByHop.strip, "
                                             "X-Request-Id), then the Content-Length check",
    "RequestMetricsBenchmark.requestLayer": "new Exchange, RequestMetricsLayer.handle + Exchange.end "
                                            "(ProxyMeters.recordRequest)",
    "RequestMetricsBenchmark.attempt": "ProxyMeters.recordAttempt",
    "AccessLogBenchmark.buildRecord": "new Exchange, AccessLogLayer.handle + Exchange.end (record built, "
                                      "RecentFailures, sink)",
    "AccessLogBenchmark.encode": "AccessLogFormat.encode(record, StringBuilder) into a reused builder",
    "RequestIdBenchmark.generateId": "RequestIds.keepOrGenerate(null)",
    "RequestIdBenchmark.keepClientId": "RequestIds.keepOrGenerate(valid client id)",
    "RequestIdBenchmark.parseTraceparent": "TraceContext.parse",
    "RequestIdBenchmark.startTrace": "TraceContext.start(true).header()",
    "ExchangeBenchmark.newExchange": "new Exchange (baseline of the benchmarks that create one)",
}


def short_name(result):
    return ".".join(result["benchmark"].split(".")[-2:])


def secondary(result, name):
    for key, value in result.get("secondaryMetrics", {}).items():
        if key.lstrip("\u00b7") == name:
            return value
    return None


def cpu_model():
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown CPU"


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("json")
    parser.add_argument("markdown")
    parser.add_argument("--started", default="")
    parser.add_argument("--settings", default="")
    parser.add_argument("--commit", default="")
    args = parser.parse_args()
    with open(args.json) as f:
        results = json.load(f)
    if not results:
        raise SystemExit("jmh: no results in " + args.json)

    first = results[0]
    lines = [
        "# JMH microbenchmarks: batcycle's per-request hot path",
        "",
        f"{args.started}; batcycle at {args.commit}; {os.cpu_count()} CPUs ({cpu_model()}), "
        f"kernel {platform.release()}; JDK {first.get('jdkVersion')} ({first.get('vmName')} "
        f"{first.get('vmVersion')}); JMH {first.get('jmhVersion')}; {args.settings}",
        "",
        "Time per operation (one request's worth of the work named): the mean over all forks and iterations with "
        "its 99.9 % confidence interval, and the best (least disturbed) 1-second iteration; on this shared machine "
        "other tenants' load inflates the mean, so the best iteration is the steadier figure to compare. "
        "B/op is the bytes allocated per operation (`gc.alloc.rate.norm`), which load does not change.",
        "",
        "| Benchmark | Params | ns/op mean | ± (99.9 %) | ns/op best iteration | B/op | Calls |",
        "|---|---|---:|---:|---:|---:|---|",
    ]
    order = list(COVERS)
    results.sort(key=lambda r: order.index(short_name(r)) if short_name(r) in order else len(order))
    for r in results:
        full = r["benchmark"]
        short = short_name(r)
        params = ", ".join(f"{k}={v}" for k, v in sorted(r.get("params", {}).items())) or ""
        score = r["primaryMetric"]["score"]
        error = r["primaryMetric"]["scoreError"]
        unit = r["primaryMetric"]["scoreUnit"]
        if unit != "ns/op":
            raise SystemExit(f"jmh: expected ns/op, got {unit} for {full}")
        alloc = secondary(r, "gc.alloc.rate.norm")
        alloc_text = "n/a" if alloc is None else f"{alloc['score']:,.0f}"
        error = float(error)  # "NaN" (a string) with a single iteration
        error_text = "n/a" if error != error else f"{error:,.1f}"
        best = min(v for fork in r["primaryMetric"]["rawData"] for v in fork)
        lines.append(f"| `{short}` | {params} | {score:,.1f} | {error_text} | {best:,.1f} | {alloc_text} | "
                     f"{COVERS.get(short, '')} |")
    lines.append("")
    with open(args.markdown, "w") as f:
        f.write("\n".join(lines))


if __name__ == "__main__":
    main()
