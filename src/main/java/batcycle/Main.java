package batcycle;

import batcycle.config.BatcycleConfig;
import batcycle.config.BuildInfo;
import batcycle.config.ConfigException;
import batcycle.config.ConfigLoader;
import batcycle.config.ConfigReport;
import batcycle.config.Invocation;
import batcycle.inject.InjectCommand;
import batcycle.lifecycle.Batcycle;
import batcycle.lifecycle.LogSetup;
import batcycle.lifecycle.ShutdownSignals;
import batcycle.lifecycle.StartupChecks;
import batcycle.tls.TlsFiles;
import java.io.InputStream;
import java.io.PrintStream;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Entry point: read the configuration, start batcycle (or with {@code check} only validate and print it), and turn
 * any start-up problem into one line and exit 2. {@code inject} adds batcycle to Kubernetes manifests instead.
 * {@code --help}, {@code --version}, {@code check} and {@code inject} never load the logging framework, Vert.x or
 * Netty (see {@link Start}), so they answer in a fraction of a start's time.
 */
public final class Main {
  /** Exit code for a configuration or start-up problem the operator must fix. */
  public static final int EXIT_CONFIG = 2;

  private Main() {}

  public static void main(String[] args) {
    int code = run(args, System.getenv(), System.in, System.out, System.err);
    if (code >= 0) {
      System.exit(code);
    }
  }

  /** Returns an exit code, or -1 once batcycle is running (the JVM then lives on in Vert.x's threads). */
  static int run(String[] args, Map<String, String> env, PrintStream out, PrintStream err) {
    return run(args, env, System.in, out, err);
  }

  static int run(String[] args, Map<String, String> env, InputStream in, PrintStream out, PrintStream err) {
    if (args.length > 0 && args[0].equals(InjectCommand.NAME)) {
      return InjectCommand.run(Arrays.copyOfRange(args, 1, args.length), in, out, err);
    }
    BatcycleConfig config;
    try {
      Invocation invocation = ConfigLoader.load(args, env);
      if (invocation instanceof Invocation.Print print) {
        out.print(print.text());
        return 0;
      }
      if (invocation instanceof Invocation.Check check) {
        // Validation only: nothing is started and no port is opened, so it can run beside a live batcycle.
        List<String> tlsProblems = TlsFiles.problems(check.config().tls());
        if (!tlsProblems.isEmpty()) {
          throw new ConfigException(tlsProblems);
        }
        out.print(ConfigReport.text(check.config()));
        out.flush();
        StartupChecks.warnings(check.config()).forEach(warning -> err.println("batcycle: warning: " + warning));
        return 0;
      }
      config = ((Invocation.Run) invocation).config();
    } catch (ConfigException e) {
      e.problems().forEach(problem -> err.println("batcycle: " + problem));
      return EXIT_CONFIG;
    }
    return Start.run(config, out, err);
  }

  /**
   * Starting for real, in a class of its own: the JVM loads it, and with it SLF4J with logback (which reads its
   * configuration and starts its appenders), Vert.x and Netty, only when a start gets this far.
   */
  private static final class Start {
    private static final Logger LOG = LoggerFactory.getLogger(Main.class);

    private Start() {}

    static int run(BatcycleConfig config, PrintStream out, PrintStream err) {
      LogSetup.apply(config.observability().logFormat());
      ShutdownSignals.ignoreReloadsWhileStarting();
      Batcycle running;
      try {
        running = Batcycle.start(config).toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
      } catch (ExecutionException e) {
        if (e.getCause() instanceof ConfigException problem) {
          problem.problems().forEach(line -> err.println("batcycle: " + line));
        } else {
          err.println("batcycle: start-up failed: " + e.getCause());
        }
        return EXIT_CONFIG;
      } catch (TimeoutException e) {
        err.println("batcycle: start-up did not finish within 30 s");
        return EXIT_CONFIG;
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return EXIT_CONFIG;
      }
      // A signal or POST /drain drains, then exits 0; exiting from a fresh thread keeps the event loops free.
      running.afterStop(() -> new Thread(() -> System.exit(0), "batcycle-exit").start());
      ShutdownSignals.install(running);
      Runtime.getRuntime().addShutdownHook(new Thread(() -> closeQuietly(running), "batcycle-shutdown"));
      StartupChecks.warnings(config).forEach(warning -> LOG.warn("configuration: {}", warning));
      running.transportsSkipped().forEach(why -> LOG.info("transport: {}", why));
      if (running.tls() != null) {
        LOG.info("https on the proxy port: {}", running.tls().describe());
      }
      LOG.info("batcycle {} proxying {}:{} -> {} ({}; admin on {}:{}; {} event loops; {}; Java {})",
          BuildInfo.version(), config.listen().host(), running.proxyPort(), config.upstream().displayUrl(),
          config.upstreamProtocol(), config.admin().host(), running.adminPort(), config.eventLoops(),
          running.transport(), Runtime.version().feature());
      for (var entry : config.outbound()) {
        LOG.info("outbound {}: the app calls {}:{}, forwarded to {}", entry.name(), entry.listen().host(),
            running.outboundPort(entry.name()), String.join(", ", entry.upstreams().stream()
                .map(Object::toString).toList()));
      }
      running.appUp().onSuccess(v -> LOG.info("ready: the app at {} accepts connections", config.upstream().url()));
      if (config.demo()) {
        printDemoHelp(out, running, config, running.tls() != null);
      }
      return -1;
    }

    private static void closeQuietly(Batcycle running) {
      try {
        running.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      } catch (ExecutionException | TimeoutException e) {
        LOG.warn("shutdown did not complete cleanly: {}", e.toString());
      }
    }
  }

  /** {@code https}: the proxy port serves TLS (curl's -k: the demo's certificate is often self-signed). */
  private static void printDemoHelp(PrintStream out, Batcycle running, BatcycleConfig config, boolean https) {
    String base = (https ? "https" : "http") + "://127.0.0.1:" + running.proxyPort();
    String curl = https ? "curl -k" : "curl";
    out.println();
    out.println("Demo app on " + config.upstream().displayUrl() + ", batcycle in front of it. Try:");
    out.println("  " + curl + " -i " + base + "/hello");
    out.println("  " + curl + " -i " + base
        + "/headers            # what the app receives (X-Forwarded-For, X-Request-Id)");
    out.println("  " + curl + " -i --data-binary 'ping' " + base + "/echo");
    out.println("  " + curl + " -i '" + base + "/slow?ms=1500'");
    out.println("  " + curl + " -i '" + base + "/flaky?rate=0.5'");
    out.println("  " + curl + " -s '" + base + "/bytes?n=10485760' | wc -c");
    out.println("  " + curl + " -s " + (https ? "--http2 " : "--http2-prior-knowledge ") + base + "/hello");
    if (!config.outbound().isEmpty()) {
      var entry = config.outbound().stream().filter(e -> e.name().equals("remote")).findFirst()
          .orElse(config.outbound().get(0));
      out.println("Both directions: the app calls " + entry.upstreams().get(0) + " through batcycle's outbound "
          + "listener 127.0.0.1:" + running.outboundPort(entry.name()) + ":");
      out.println("  " + curl + " -i '" + base
          + "/call?path=/hello'     # client -> batcycle -> app -> batcycle -> remote");
      out.println("  " + curl + " -i '" + base
          + "/call?path=/flaky%3Frate%3D0.5'   # the remote fails, batcycle retries");
      out.println("  curl -i http://127.0.0.1:" + running.outboundPort(entry.name()) + "/hello   # what the app calls");
    }
    out.println("  curl -s http://127.0.0.1:" + config.admin().port() + "/healthz");
    out.println("Stop with Ctrl-C.");
    out.flush();
  }
}
