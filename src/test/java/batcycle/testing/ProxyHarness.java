package batcycle.testing;

import batcycle.config.BatcycleConfig;
import batcycle.config.ConfigLoader;
import batcycle.config.Invocation;
import batcycle.config.Key;
import batcycle.lifecycle.Batcycle;
import batcycle.drain.Drain;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** Starts a real batcycle on 127.0.0.1 port 0 (admin too) in front of a given upstream port; closes it after. */
public final class ProxyHarness implements AutoCloseable {
  private final Batcycle batcycle;
  private final InMemoryAccessLog accessLog;
  private final HttpClient client = HttpClient.newBuilder()
      .version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();

  private ProxyHarness(Batcycle batcycle, InMemoryAccessLog accessLog) {
    this.batcycle = batcycle;
    this.accessLog = accessLog;
  }

  public static ProxyHarness start(int upstreamPort) {
    return start(upstreamPort, Map.of());
  }

  public static ProxyHarness start(int upstreamPort, Map<Key, String> overrides) {
    return start(upstreamPort, overrides, null);
  }

  /**
   * As above, with a YAML file's settings under the overrides, e.g. {@code outbound:} entries with settings of their
   * own; {@code yaml} null: no file.
   */
  public static ProxyHarness start(int upstreamPort, Map<Key, String> overrides, String yaml) {
    Map<Key, String> values = new EnumMap<>(Key.class);
    values.put(Key.LISTEN, "127.0.0.1:0");
    values.put(Key.ADMIN, "127.0.0.1:0");
    values.put(Key.UPSTREAM, "http://127.0.0.1:" + upstreamPort);
    values.put(Key.EVENT_LOOPS, "2");
    // Most tests want a dead app to fail at once; StartupIT tests the start-up hold itself.
    values.put(Key.STARTUP_HOLD_TIMEOUT, "0");
    // Ready at once: WarmupIT tests the start-up warm-up, which would only slow every other test down.
    values.put(Key.STARTUP_WARMUP, "0");
    values.putAll(overrides);
    BatcycleConfig config = (yaml == null ? BatcycleConfig.defaults() : fromYaml(yaml)).with(values);
    InMemoryAccessLog accessLog = new InMemoryAccessLog();
    return new ProxyHarness(Futures.await(Batcycle.start(config, accessLog)), accessLog);
  }

  private static BatcycleConfig fromYaml(String yaml) {
    try {
      java.nio.file.Path file = java.nio.file.Files.createTempFile("batcycle-test", ".yaml");
      file.toFile().deleteOnExit();
      java.nio.file.Files.writeString(file, yaml);
      return ((Invocation.Run) ConfigLoader.load(
          new String[] {"--config", file.toString()}, Map.of())).config();
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  /**
   * Starts from a YAML file, as {@code --config FILE} does, so a reload reads it again; the addresses (and
   * {@code flags}) are flags, which the file never overrides.
   */
  public static ProxyHarness startWithFile(int upstreamPort, Path file, Map<Key, String> flags) {
    Map<Key, String> values = new EnumMap<>(Key.class);
    values.put(Key.LISTEN, "127.0.0.1:0");
    values.put(Key.ADMIN, "127.0.0.1:0");
    values.put(Key.UPSTREAM, "http://127.0.0.1:" + upstreamPort);
    values.put(Key.EVENT_LOOPS, "2");
    values.put(Key.STARTUP_HOLD_TIMEOUT, "0");
    values.putAll(flags);
    List<String> args = new ArrayList<>(List.of("--config", file.toString()));
    values.forEach((key, value) -> args.addAll(List.of(key.flag(), value)));
    Invocation invocation = ConfigLoader.load(args.toArray(String[]::new), Map.of());
    BatcycleConfig config = ((Invocation.Run) invocation).config();
    InMemoryAccessLog accessLog = new InMemoryAccessLog();
    return new ProxyHarness(Futures.await(Batcycle.start(config, accessLog)), accessLog);
  }

  public int port() {
    return batcycle.proxyPort();
  }

  /** The port of the outbound entry {@code name}. */
  public int outboundPort(String name) {
    return batcycle.outboundPort(name);
  }

  /** A blocking GET through the outbound entry {@code name}, as the app would call it. */
  public HttpResponse<String> outbound(String name, String pathAndQuery) {
    return send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + outboundPort(name) + pathAndQuery))
        .timeout(Duration.ofSeconds(30)).build());
  }

  public int adminPort() {
    return batcycle.adminPort();
  }

  public URI uri(String pathAndQuery) {
    return URI.create("http://127.0.0.1:" + port() + pathAndQuery);
  }

  /** A blocking GET with the JDK client, on the test thread (never an event loop). */
  public HttpResponse<String> get(String pathAndQuery) {
    return send(HttpRequest.newBuilder(uri(pathAndQuery)).timeout(Duration.ofSeconds(30)).build());
  }

  public HttpResponse<String> send(HttpRequest request) {
    try {
      return client.send(request, HttpResponse.BodyHandlers.ofString());
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** The running batcycle, for lifecycle tests (drain). */
  public Batcycle batcycle() {
    return batcycle;
  }

  /** The drain state of this batcycle, e.g. {@code drain().begin()} to turn {@code /readyz} 503. */
  public Drain drain() {
    return batcycle.drain();
  }

  /** Proxy listener instances: one per event loop. */
  public int proxyInstances() {
    return batcycle.proxyInstances();
  }

  /** The request log of this batcycle (kept in memory instead of written to stdout). */
  public InMemoryAccessLog accessLog() {
    return accessLog;
  }

  /** GET on the admin port, e.g. {@code /metrics} or {@code /readyz}. */
  public HttpResponse<String> admin(String path) {
    return send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + adminPort() + path))
        .timeout(Duration.ofSeconds(30)).build());
  }

  /** The value of one Prometheus sample on /metrics, e.g. {@code batcycle_requests_active}; 0 if absent. */
  public double metric(String name, String... labels) {
    return PrometheusText.value(admin("/metrics").body(), name, labels);
  }

  public HttpClient client() {
    return client;
  }

  @Override
  public void close() {
    try {
      batcycle.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new IllegalStateException("batcycle did not close", e);
    }
  }
}
