package batcycle.tls;

import batcycle.config.ConfigException;
import batcycle.config.Key;
import batcycle.config.TlsConfig;
import batcycle.config.TlsProvider;
import batcycle.metrics.MeterNames;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.ssl.ApplicationProtocolConfig;
import io.netty.handler.ssl.ApplicationProtocolNames;
import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslProvider;
import io.netty.handler.ssl.SupportedCipherSuiteFilter;
import java.nio.file.Path;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * HTTPS on the proxy port: the TLS context built from the PEM files, read by every new connection, and replaced when
 * the files change (a Kubernetes Secret update) if, and only if, the new files make a valid pair. Connections keep
 * the context they started with; a refused change leaves the running certificate in use, with one log line and a
 * count. Publishes each certificate's expiry and the handshakes.
 *
 * <p>Thread-safe: new connections read {@link #newHandler} on any event loop; {@link #reloadIfChanged} runs on the
 * file-watch thread, never on an event loop (it reads files).
 */
public final class ServerTls {
  private static final Logger LOG = LoggerFactory.getLogger(ServerTls.class);
  /** TLS 1.3's suites: all three are AEAD and always offered (RFC 8446 §9.1). */
  static final List<String> TLS13_CIPHERS = List.of("TLS_AES_128_GCM_SHA256", "TLS_AES_256_GCM_SHA384",
      "TLS_CHACHA20_POLY1305_SHA256");
  /**
   * TLS 1.2: forward secrecy and AEAD only, Mozilla's "intermediate" list; also exactly the suites HTTP/2 allows
   * (RFC 9113 §9.2.2).
   */
  static final List<String> DEFAULT_TLS12_CIPHERS = List.of(
      "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256", "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
      "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384", "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
      "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256", "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256");
  static final String SERVING = "serving";
  static final String CLIENT_CA = "client_ca";

  private final TlsConfig config;
  private final SslProvider provider;
  private final Clock clock;
  private final HandshakeMeters handshakes;
  private final Counter rotated;
  private final Counter refused;
  private volatile Served current;
  private String lastRefused;

  /** What new connections are served with: the context and the files it was built from. */
  private record Served(SslContext context, TlsMaterial material) {}

  private ServerTls(TlsConfig config, SslProvider provider, Served first, MeterRegistry registry, Clock clock) {
    this.config = config;
    this.provider = provider;
    this.clock = clock;
    this.current = first;
    this.handshakes = new HandshakeMeters(registry);
    this.rotated = reloads(registry, "applied");
    this.refused = reloads(registry, "rejected");
    Gauge.builder(MeterNames.TLS_CERTIFICATE_EXPIRY, this, t -> epochSeconds(t.current.material().servingExpiry()))
        .baseUnit("seconds").tag(MeterNames.TAG_CERTIFICATE, SERVING)
        .description("When a certificate the proxy port uses expires (the earliest of its chain)").register(registry);
    if (!first.material().clientCas().isEmpty()) {
      Gauge.builder(MeterNames.TLS_CERTIFICATE_EXPIRY, this, t -> epochSeconds(t.current.material().clientCaExpiry()))
          .baseUnit("seconds").tag(MeterNames.TAG_CERTIFICATE, CLIENT_CA)
          .description("When a certificate the proxy port uses expires (the earliest of its chain)")
          .register(registry);
    }
  }

  private static Counter reloads(MeterRegistry registry, String result) {
    return Counter.builder(MeterNames.TLS_CERTIFICATE_RELOADS).tag(MeterNames.TAG_RESULT, result)
        .description("Changes of the TLS files: applied, or rejected (the previous certificate stays in use)")
        .register(registry);
  }

  private static double epochSeconds(Instant instant) {
    return instant == null ? Double.NaN : instant.getEpochSecond();
  }

  /**
   * Reads the files and builds the context; a problem is a {@link ConfigException} naming the key, as any bad setting
   * at start-up. An expired certificate is served (refusing to start would not help its clients), with a warning.
   */
  public static ServerTls start(TlsConfig config, MeterRegistry registry) {
    return start(config, registry, Clock.systemUTC());
  }

  static ServerTls start(TlsConfig config, MeterRegistry registry, Clock clock) {
    SslProvider provider = provider(config.provider());
    List<String> ciphers = ciphers(config, provider);
    TlsMaterial material;
    try {
      material = TlsMaterial.load(config);
    } catch (TlsMaterial.Invalid e) {
      throw new ConfigException(e.key().path() + ": " + e.getMessage());
    }
    SslContext context;
    try {
      context = build(config, provider, ciphers, material);
    } catch (SSLException | RuntimeException e) {
      throw new ConfigException(Key.TLS_CERT_FILE.path() + ": " + config.certFile()
          + ": cannot serve this certificate and key (" + e.getMessage() + ")");
    }
    if (material.leafExpiredAt(clock.instant())) {
      LOG.warn("tls: the certificate in {} is not valid now (valid {} to {}); clients will refuse it",
          config.certFile(), material.leaf().getNotBefore().toInstant(), material.leaf().getNotAfter().toInstant());
    }
    return new ServerTls(config, provider, new Served(context, material), registry, clock);
  }

  /** A handler for one new connection, with the context in force now. */
  public SslHandler newHandler(ByteBufAllocator alloc) {
    SslHandler handler = current.context().newHandler(alloc);
    handler.setHandshakeTimeoutMillis(config.handshakeTimeout().toMillis());
    return handler;
  }

  /** The handshake counters, for the connection handlers. */
  public HandshakeMeters handshakes() {
    return handshakes;
  }

  /** The files whose changes {@link #reloadIfChanged} should be called for. */
  public List<Path> files() {
    List<Path> files = new ArrayList<>();
    for (String file : List.of(config.certFile(), config.keyFile(), config.clientCaFile())) {
      if (!file.isEmpty()) {
        files.add(Path.of(file));
      }
    }
    return files;
  }

  /** {@code openssl} or {@code jdk}. */
  public String providerName() {
    return provider == SslProvider.JDK ? "jdk" : "openssl";
  }

  /** One line for the start-up log: what is served, until when, by which implementation. */
  public String describe() {
    TlsMaterial material = current.material();
    return "TLS " + config.minVersion() + "+ with " + providerName() + ", certificate " + TlsMaterial.subject(
        material.leaf()) + " valid until " + material.servingExpiry() + ", client certificates "
        + config.clientAuth();
  }

  /**
   * Called when the files may have changed: if their contents differ from those in use (and from the last refused
   * ones), reads and checks them and serves them to new connections, or refuses them and keeps what is served.
   * Returns true when a new certificate is in use.
   */
  public synchronized boolean reloadIfChanged() {
    String fingerprint = TlsMaterial.fingerprint(config);
    if (fingerprint.equals(current.material().fingerprint()) || fingerprint.equals(lastRefused)) {
      return false;
    }
    Served served = current;
    TlsMaterial next;
    SslContext context;
    try {
      next = TlsMaterial.load(config);
      Instant now = clock.instant();
      if (next.leafExpiredAt(now) && !served.material().leafExpiredAt(now)) {
        throw new TlsMaterial.Invalid(Key.TLS_CERT_FILE, config.certFile() + ": the new certificate is not valid now "
            + "(valid " + next.leaf().getNotBefore().toInstant() + " to " + next.leaf().getNotAfter().toInstant()
            + ")");
      }
      context = build(config, provider, ciphers(config, provider), next);
    } catch (TlsMaterial.Invalid | SSLException | RuntimeException e) {
      lastRefused = fingerprint;
      refused.increment();
      LOG.warn("tls: the changed certificate files were refused, still serving {} (valid until {}): {}",
          TlsMaterial.subject(served.material().leaf()), served.material().servingExpiry(), e.getMessage());
      return false;
    }
    current = new Served(context, next);
    lastRefused = null;
    rotated.increment();
    LOG.info("tls: new certificate in use for new connections: {} valid until {} (was valid until {})",
        TlsMaterial.subject(next.leaf()), next.servingExpiry(), served.material().servingExpiry());
    return true;
  }

  private static SslContext build(TlsConfig config, SslProvider provider, List<String> ciphers,
                                  TlsMaterial material) throws SSLException {
    SslContextBuilder builder = SslContextBuilder.forServer(material.key(),
            material.chain().toArray(java.security.cert.X509Certificate[]::new))
        .sslProvider(provider)
        .protocols(config.minVersion().protocols())
        .ciphers(ciphers, SupportedCipherSuiteFilter.INSTANCE)
        // h2 first: clients offering both get HTTP/2; without ALPN a client gets HTTP/1.1 (or h2 prior knowledge).
        .applicationProtocolConfig(new ApplicationProtocolConfig(ApplicationProtocolConfig.Protocol.ALPN,
            ApplicationProtocolConfig.SelectorFailureBehavior.NO_ADVERTISE,
            ApplicationProtocolConfig.SelectedListenerFailureBehavior.ACCEPT,
            ApplicationProtocolNames.HTTP_2, ApplicationProtocolNames.HTTP_1_1));
    if (!material.clientCas().isEmpty()) {
      builder.trustManager(material.clientCas().toArray(java.security.cert.X509Certificate[]::new))
          .clientAuth(switch (config.clientAuth()) {
            case REQUIRED -> io.netty.handler.ssl.ClientAuth.REQUIRE;
            case OPTIONAL -> io.netty.handler.ssl.ClientAuth.OPTIONAL;
            case NONE -> io.netty.handler.ssl.ClientAuth.NONE;
          });
    }
    return builder.build();
  }

  private static SslProvider provider(TlsProvider wanted) {
    return switch (wanted) {
      case JDK -> SslProvider.JDK;
      case OPENSSL -> {
        if (!OpenSsl.isAvailable()) {
          throw new ConfigException(Key.TLS_PROVIDER.path() + ": openssl is not available on this host ("
              + OpenSsl.unavailabilityCause() + "); use auto or jdk");
        }
        yield SslProvider.OPENSSL;
      }
      case AUTO -> OpenSsl.isAvailable() && SslProvider.isAlpnSupported(SslProvider.OPENSSL)
          ? SslProvider.OPENSSL : SslProvider.JDK;
    };
  }

  /** TLS 1.3's suites and the configured (or default) TLS 1.2 ones; a name the provider lacks is a config error. */
  private static List<String> ciphers(TlsConfig config, SslProvider provider) {
    List<String> tls12 = config.ciphers().isEmpty() ? DEFAULT_TLS12_CIPHERS : config.ciphers();
    if (!config.ciphers().isEmpty()) {
      Set<String> supported = supportedCiphers(provider);
      List<String> unknown = config.ciphers().stream().filter(c -> !supported.contains(c)).toList();
      if (!unknown.isEmpty()) {
        throw new ConfigException(Key.TLS_CIPHERS.path() + ": " + String.join(", ", unknown)
            + " (expected cipher suites in IANA names that " + (provider == SslProvider.JDK ? "the JDK" : "OpenSSL")
            + " supports, such as TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256)");
      }
    }
    List<String> all = new ArrayList<>(TLS13_CIPHERS);
    all.addAll(tls12);
    return all;
  }

  private static Set<String> supportedCiphers(SslProvider provider) {
    if (provider != SslProvider.JDK) {
      return OpenSsl.availableJavaCipherSuites();
    }
    try {
      return new HashSet<>(Arrays.asList(SSLContext.getDefault().getSupportedSSLParameters().getCipherSuites()));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("the JDK has no default TLS context", e);
    }
  }
}
