package batcycle.lifecycle;

import batcycle.config.BatcycleConfig;
import batcycle.config.UpstreamProtocol;
import batcycle.config.Values;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** Settings that are each valid but fight each other; start-up warns about each in one line. */
public final class StartupChecks {
  private StartupChecks() {}

  public static List<String> warnings(BatcycleConfig config) {
    List<String> warnings = new ArrayList<>();
    var lifecycle = config.lifecycle();
    Duration drain = lifecycle.drainDelay().plus(lifecycle.drainTimeout());
    lifecycle.terminationGracePeriod().ifPresent(grace -> {
      if (drain.compareTo(grace) > 0) {
        warnings.add("drain.delay + drain.timeout (" + Values.format(drain) + ") exceed terminationGracePeriod ("
            + Values.format(grace) + "): Kubernetes will kill batcycle before in-flight requests finish");
      }
    });
    lifecycle.appKeepAliveTimeout().ifPresent(appKeepAlive -> {
      if (config.upstream().poolIdleTimeout().compareTo(appKeepAlive) >= 0) {
        warnings.add("pool.idleTimeout (" + Values.format(config.upstream().poolIdleTimeout())
            + ") is not below the app's keep-alive timeout (" + Values.format(appKeepAlive)
            + "): requests will race connections the app is closing");
      }
    });
    config.pool().maxConnections().ifPresent(pool -> {
      if (config.upstreamProtocol() == UpstreamProtocol.HTTP1 && pool < config.limits().maxConcurrent()) {
        warnings.add("pool.maxConnections (" + pool + ") is below limits.maxConcurrent ("
            + config.limits().maxConcurrent() + "): every request in flight needs a connection to an HTTP/1.1 app, "
            + "so requests past " + pool + " wait in the pool behind slow ones; lower limits.maxConcurrent to it "
            + "to shed them with 503 instead");
      }
    });
    Duration request = config.deadline().request();
    Duration perTry = config.upstream().responseTimeout();
    if (!request.isZero() && perTry.compareTo(request) > 0) {
      warnings.add("timeouts.response (" + Values.format(perTry) + ", per try) is longer than timeouts.request ("
          + Values.format(request) + "): no attempt can use its full time, and none is ever retried after one");
    }
    return warnings;
  }
}
