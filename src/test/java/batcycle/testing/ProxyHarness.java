package batcycle.testing;

import batcycle.config.BatcycleConfig;
import batcycle.config.ConfigLoader;
import batcycle.config.Invocation;
import batcycle.config.Key;
import batcycle.lifecycle.Batcycle;
import batcycle.lifecycle.DrainClock;
import batcycle.drain.Drain;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.IntSupplier;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A real batcycle on 127.0.0.1 port 0 (admin too) in front of a given upstream, as a JUnit 5 extension:
 *
 * <pre>{@code
 * @RegisterExtension final ProxyHarness proxy = ProxyHarness.forUpstream(() -> app.getPort())
 *     .with(Key.RETRY_MAX_ATTEMPTS, "1").build();
 * }</pre>
 *
 * Registered on an instance field it starts before each test and closes after it; on a {@code static} field, once
 * for the class. The upstream port is read when the proxy starts, so it may name an origin or WireMock extension
 * registered before it. A test whose settings or origin differ per test registers {@link #startedByEachTest()} and
 * calls {@link #start(Builder)}; the extension still closes what it started.
 */
public final class ProxyHarness implements AutoCloseable, BeforeAllCallback, BeforeEachCallback, AfterEachCallback,
    AfterAllCallback {
  /** The settings the extension starts with; null when each test starts the proxy itself. */
  private final Builder template;
  private final List<AutoCloseable> closedAfter = new ArrayList<>();
  private final HttpClient client = HttpClient.newBuilder()
      .version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();
  private Batcycle batcycle;
  private InMemoryAccessLog accessLog;
  private boolean perClass;

  private ProxyHarness(Builder template) {
    this.template = template;
  }

  /** The settings of a proxy in front of {@code upstreamPort} on 127.0.0.1. */
  public static Builder forUpstream(int upstreamPort) {
    return forUpstream(() -> upstreamPort);
  }

  /** As above, with the port read when the proxy starts (e.g. {@code () -> app.getPort()}). */
  public static Builder forUpstream(IntSupplier upstreamPort) {
    return new Builder(upstreamPort);
  }

  /** An extension that starts nothing by itself: each test calls {@link #start(Builder)}; closed after each test. */
  public static ProxyHarness startedByEachTest() {
    return new ProxyHarness(null);
  }

  /** The settings of one proxy; {@link #build()} for the extension, {@link #start()} to start one now. */
  public static final class Builder {
    private final IntSupplier upstreamPort;
    private final Map<Key, String> overrides = new EnumMap<>(Key.class);
    private String yaml;
    private Path configFile;
    private DrainClock drainClock = DrainClock.SYSTEM;
    private final List<AutoCloseable> closedAfter = new ArrayList<>();

    private Builder(IntSupplier upstreamPort) {
      this.upstreamPort = upstreamPort;
    }

    public Builder with(Key key, String value) {
      overrides.put(key, value);
      return this;
    }

    public Builder with(Map<Key, String> values) {
      overrides.putAll(values);
      return this;
    }

    /** A YAML file's settings under the others, e.g. {@code outbound:} entries with settings of their own. */
    public Builder yaml(String text) {
      this.yaml = text;
      return this;
    }

    /**
     * Starts from a YAML file, as {@code --config FILE} does, so a reload reads it again; the addresses and the
     * {@link #with} settings are flags, which the file never overrides.
     */
    public Builder configFile(Path file) {
      this.configFile = file;
      return this;
    }

    /** What counts the drain's delay, e.g. a {@link ManualDrainClock} the test moves. */
    public Builder drainClock(DrainClock clock) {
      this.drainClock = clock;
      return this;
    }

    /** Closes {@code resource} right after the proxy, e.g. its origin, so the proxy never sees the app vanish. */
    public Builder thenClose(AutoCloseable resource) {
      closedAfter.add(resource);
      return this;
    }

    /** The extension: register it with {@code @RegisterExtension}. */
    public ProxyHarness build() {
      return new ProxyHarness(this);
    }

    /**
     * Starts the proxy now; the caller closes it. For what the extension cannot say: a second proxy in one test,
     * or one started inside a try-with-resources block to prove something about its own start or close.
     */
    public ProxyHarness start() {
      return new ProxyHarness(null).start(this);
    }

    private BatcycleConfig config() {
      Map<Key, String> values = new EnumMap<>(Key.class);
      values.put(Key.LISTEN, "127.0.0.1:0");
      values.put(Key.ADMIN, "127.0.0.1:0");
      values.put(Key.UPSTREAM, "http://127.0.0.1:" + upstreamPort.getAsInt());
      values.put(Key.EVENT_LOOPS, "2");
      // Most tests want a dead app to fail at once; StartupIT tests the start-up hold itself.
      values.put(Key.STARTUP_HOLD_TIMEOUT, "0");
      if (configFile != null) {
        values.putAll(overrides);
        List<String> args = new ArrayList<>(List.of("--config", configFile.toString()));
        values.forEach((key, value) -> args.addAll(List.of(key.flag(), value)));
        return load(args);
      }
      // Ready at once: WarmupIT tests the start-up warm-up, which would only slow every other test down.
      values.put(Key.STARTUP_WARMUP, "0");
      values.putAll(overrides);
      return (yaml == null ? BatcycleConfig.defaults() : fromYaml(yaml)).with(values);
    }

    private static BatcycleConfig fromYaml(String yaml) {
      try {
        Path file = Files.createTempFile("batcycle-test", ".yaml");
        file.toFile().deleteOnExit();
        Files.writeString(file, yaml);
        return load(List.of("--config", file.toString()));
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }

    private static BatcycleConfig load(List<String> args) {
      return ((Invocation.Run) ConfigLoader.load(args.toArray(String[]::new), Map.of())).config();
    }
  }

  /** Starts the proxy {@code settings} describe; the extension (or {@link #close()}) closes it. */
  public ProxyHarness start(Builder settings) {
    if (batcycle != null) {
      throw new IllegalStateException("this harness already runs a proxy; start a second one with Builder.start()");
    }
    closedAfter.addAll(settings.closedAfter);
    BatcycleConfig config = settings.config();
    InMemoryAccessLog log = new InMemoryAccessLog();
    batcycle = Futures.await(Batcycle.start(config, log, settings.drainClock));
    accessLog = log;
    return this;
  }

  /**
   * Closes the running proxy, keeping what closes after it, and starts the one {@code settings} describe: for a
   * test that needs settings of its own in a class whose other tests share one setup.
   */
  public ProxyHarness restart(Builder settings) {
    Batcycle running = running();
    batcycle = null;
    Futures.await(running.close(), 10);
    return start(settings);
  }

  /** Closes {@code resource} right after this proxy (e.g. the test's origin, so the proxy never sees it vanish). */
  public <T extends AutoCloseable> T closesAfter(T resource) {
    closedAfter.add(resource);
    return resource;
  }

  @Override
  public void beforeAll(ExtensionContext context) {
    perClass = true;
    startFromTemplate();
  }

  @Override
  public void beforeEach(ExtensionContext context) {
    startFromTemplate();
  }

  @Override
  public void afterEach(ExtensionContext context) {
    if (!perClass) {
      close();
    }
  }

  @Override
  public void afterAll(ExtensionContext context) {
    close();
  }

  private void startFromTemplate() {
    if (template != null && batcycle == null) {
      start(template);
    }
  }

  private Batcycle running() {
    if (batcycle == null) {
      throw new IllegalStateException("the proxy is not running: start(...) it first, or it was closed");
    }
    return batcycle;
  }

  public int port() {
    return running().proxyPort();
  }

  /** The port of the outbound entry {@code name}. */
  public int outboundPort(String name) {
    return running().outboundPort(name);
  }

  /** A blocking GET through the outbound entry {@code name}, as the app would call it. */
  public HttpResponse<String> outbound(String name, String pathAndQuery) {
    return send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + outboundPort(name) + pathAndQuery))
        .timeout(Duration.ofSeconds(30)).build());
  }

  public int adminPort() {
    return running().adminPort();
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
    return running();
  }

  /** The drain state of this batcycle, e.g. {@code drain().begin()} to turn {@code /readyz} 503. */
  public Drain drain() {
    return running().drain();
  }

  /** Proxy listener instances: one per event loop. */
  public int proxyInstances() {
    return running().proxyInstances();
  }

  /** The request log of this batcycle (kept in memory instead of written to stdout). */
  public InMemoryAccessLog accessLog() {
    running();
    return accessLog;
  }

  /** GET on the admin port, e.g. {@code /metrics} or {@code /readyz}. */
  public HttpResponse<String> admin(String path) {
    return send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + adminPort() + path))
        .timeout(Duration.ofSeconds(30)).build());
  }

  /**
   * The value of one Prometheus sample on /metrics, e.g. {@code batcycle_requests_active}, summed over the samples
   * with these labels; fails when no sample matches (see {@link PrometheusText#value}).
   */
  public double metric(String name, String... labels) {
    return PrometheusText.value(admin("/metrics").body(), name, labels);
  }

  /**
   * As {@link #metric}, with a labelled series not exposed yet read as 0; only for counters registered on first use
   * (see {@link PrometheusText#valueOrZero}): say at the call why the series may be absent.
   */
  public double metricOrZero(String name, String... labels) {
    return PrometheusText.valueOrZero(admin("/metrics").body(), name, labels);
  }

  public HttpClient client() {
    return client;
  }

  /** Closes the proxy if it runs, then what was handed to {@link #closesAfter}; idempotent. */
  @Override
  public void close() {
    List<AutoCloseable> resources = new ArrayList<>();
    Batcycle running = batcycle;
    batcycle = null;
    if (running != null) {
      resources.add(() -> running.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS));
    }
    resources.addAll(closedAfter);
    closedAfter.clear();
    Closing.all(resources.toArray(AutoCloseable[]::new));
  }
}
