package batcycle.hardening;

import batcycle.testing.PrometheusText;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Resource figures of a batcycle child process, read from outside it: a full GC through {@code jcmd GC.run}, then
 * the heap still in use from its admin {@code /metrics} (JVM memory meters), and resident memory, threads and open
 * file descriptors from {@code /proc/PID}. Linux only; blocking, so call it from a plain thread.
 */
final class ProcessProbe {
  /** One sample; sizes in bytes. */
  record Sample(double seconds, long requests, long heapAfterGc, long heapUsed, long rss, int threads, int fds) {}

  private final long pid;
  private final URI metrics;
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  ProcessProbe(long pid, int adminPort) {
    this.pid = pid;
    this.metrics = URI.create("http://127.0.0.1:" + adminPort + "/metrics");
  }

  Sample sample(double seconds, long requests) throws IOException, InterruptedException {
    fullGc();
    String exposition = http.send(HttpRequest.newBuilder(metrics).timeout(Duration.ofSeconds(30)).build(),
        HttpResponse.BodyHandlers.ofString()).body();
    double heap = PrometheusText.value(exposition, "jvm_memory_used_bytes", "area", "heap");
    // Eden refills at once under load, between the GC and this scrape; what survived the GC is the rest.
    double eden = PrometheusText.samples(exposition, "jvm_memory_used_bytes").stream()
        .filter(line -> line.contains("area=\"heap\"") && line.contains("Eden"))
        .mapToDouble(line -> Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1))).sum();
    String status = Files.readString(Path.of("/proc", Long.toString(pid), "status"));
    return new Sample(seconds, requests, (long) (heap - eden), (long) heap, statusKb(status, "VmRSS") * 1024,
        (int) statusKb(status, "Threads"), openFds());
  }

  private void fullGc() throws IOException, InterruptedException {
    Process jcmd = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "jcmd").toString(),
        Long.toString(pid), "GC.run").redirectErrorStream(true).start();
    byte[] output = jcmd.getInputStream().readAllBytes();
    if (!jcmd.waitFor(60, TimeUnit.SECONDS) || jcmd.exitValue() != 0) {
      jcmd.destroyForcibly();
      throw new IOException("jcmd GC.run failed: " + new String(output, java.nio.charset.StandardCharsets.UTF_8));
    }
  }

  private int openFds() throws IOException {
    try (Stream<Path> fds = Files.list(Path.of("/proc", Long.toString(pid), "fd"))) {
      return (int) fds.count();
    }
  }

  /** A number field of /proc/PID/status ("VmRSS:  123456 kB", "Threads:  42"). */
  private static long statusKb(String status, String field) {
    return status.lines().filter(line -> line.startsWith(field + ":")).findFirst()
        .map(line -> Long.parseLong(line.substring(field.length() + 1).trim().split("\\s+")[0]))
        .orElseThrow(() -> new IllegalStateException("no " + field + " in /proc status"));
  }
}
