package batcycle.hardening;

import batcycle.hardening.ProcessProbe.Sample;
import batcycle.testing.ChildBatcycle;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.function.ToLongFunction;

/** The figures of one soak run as Markdown: totals, first-third and last-third medians, and every sample. */
final class SoakReport {
  private static final double MIB = 1024 * 1024;

  private final long seconds;
  private final int rate;
  private final long warmUpSeconds;
  private final long issued;
  private final long skipped;
  private final long ok;
  private final long failed;
  private final long childLines;
  private final List<Sample> samples;
  private final List<Sample> steady;

  SoakReport(long seconds, int rate, long warmUpSeconds, RateLoad load, List<Sample> samples, List<Sample> steady,
      ChildBatcycle child) {
    this.seconds = seconds;
    this.rate = rate;
    this.warmUpSeconds = warmUpSeconds;
    this.issued = load.issued();
    this.skipped = load.skipped();
    this.ok = load.ok();
    this.failed = load.failed();
    this.childLines = child.lineCount();
    this.samples = List.copyOf(samples);
    this.steady = List.copyOf(steady);
  }

  static List<Sample> firstThird(List<Sample> steady) {
    return steady.subList(0, Math.max(1, steady.size() / 3));
  }

  static List<Sample> lastThird(List<Sample> steady) {
    return steady.subList(steady.size() - Math.max(1, steady.size() / 3), steady.size());
  }

  static long median(List<Sample> samples, ToLongFunction<Sample> figure) {
    long[] values = samples.stream().mapToLong(figure).sorted().toArray();
    return values.length == 0 ? 0 : values[values.length / 2];
  }

  static long max(List<Sample> samples, ToLongFunction<Sample> figure) {
    return samples.stream().mapToLong(figure).max().orElse(0);
  }

  /** The totals and the flatness table, also logged by the test. */
  String summary() {
    var out = new StringBuilder();
    out.append(String.format(Locale.ROOT, "- duration %d s at a target of %d req/s (mix: 1/2 GET 2 B, 1/4 GET 16 KiB,"
        + " 1/4 POST 16 KiB echoed by length); warm-up %d s excluded%n", seconds, rate, warmUpSeconds));
    out.append(String.format(Locale.ROOT, "- requests: %d sent, %d ok, %d failed, %d ticks skipped at the in-flight"
        + " cap (achieved %.0f req/s); %d lines of batcycle output (request log)%n", issued, ok, failed, skipped,
        (double) (ok + failed) / seconds, childLines));
    out.append(String.format(Locale.ROOT, "- samples: %d (%d after warm-up; thirds of %d)%n%n", samples.size(),
        steady.size(), steady.isEmpty() ? 0 : firstThird(steady).size()));
    out.append("| figure | first third | last third | change |\n|---|---:|---:|---:|\n");
    row(out, "heap after GC, median (MiB)", median(firstThird(steady), Sample::heapAfterGc) / MIB,
        median(lastThird(steady), Sample::heapAfterGc) / MIB);
    row(out, "heap used at sample, median (MiB)", median(firstThird(steady), Sample::heapUsed) / MIB,
        median(lastThird(steady), Sample::heapUsed) / MIB);
    row(out, "RSS, median (MiB)", median(firstThird(steady), Sample::rss) / MIB,
        median(lastThird(steady), Sample::rss) / MIB);
    row(out, "threads, median", median(firstThird(steady), Sample::threads),
        median(lastThird(steady), Sample::threads));
    row(out, "open file descriptors, max", max(firstThird(steady), Sample::fds), max(lastThird(steady), Sample::fds));
    return out.toString();
  }

  private void row(StringBuilder out, String name, double first, double last) {
    if (steady.isEmpty()) {
      return;
    }
    out.append(String.format(Locale.ROOT, "| %s | %.1f | %.1f | %+.1f%% |%n", name, first, last,
        first == 0 ? 0 : (last - first) / first * 100));
  }

  Path write(Path file) throws IOException {
    var out = new StringBuilder("# Soak report\n\n");
    out.append("batcycle in a child JVM (`-Xms128m -Xmx128m -XX:+AlwaysPreTouch -XX:+UseG1GC`, 2 event loops,"
        + " request log on), written by `SoakIT` (rerun: `.ci/soak.sh [seconds]`).\n\n");
    out.append(summary()).append("\n## Samples (after `jcmd GC.run`)\n\n");
    out.append("| t (s) | requests | heap after GC (MiB) | heap used (MiB) | RSS (MiB) | threads | fds |\n");
    out.append("|---:|---:|---:|---:|---:|---:|---:|\n");
    for (Sample s : samples) {
      out.append(String.format(Locale.ROOT, "| %.0f | %d | %.1f | %.1f | %.1f | %d | %d |%n", s.seconds(),
          s.requests(), s.heapAfterGc() / MIB, s.heapUsed() / MIB, s.rss() / MIB, s.threads(), s.fds()));
    }
    Files.createDirectories(file.getParent());
    return Files.writeString(file, out.toString(), StandardCharsets.UTF_8);
  }
}
