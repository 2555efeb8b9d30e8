package batcycle.admin;

import batcycle.config.BatcycleConfig;
import batcycle.drain.Drain;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.net.ConnectOptions;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetClientOptions;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;

/**
 * Decides {@code /readyz}: ready when the proxy listener is bound, batcycle is not draining, the start-up warm-up
 * is over, and the app answers —
 * a TCP connection by default, or an HTTP GET of {@code readiness.path} that must answer below 500. Each probe
 * is fresh (Kubernetes probes every few seconds; a cached answer would hide an app that just died).
 */
public final class Readiness {
  /** The answer and, when not ready, why. */
  public record State(boolean ready, String detail) {}

  private final Supplier<BatcycleConfig> config;
  private final Drain drain;
  private final Supplier<String> circuit;
  private final AtomicBoolean listening = new AtomicBoolean();
  private volatile Supplier<String> warmingUp;
  private NetClient tcp;
  private HttpClient http;

  /**
   * {@code circuit} describes the circuit breaker's state for the details. An open circuit never makes batcycle
   * unready: with a single app behind it, Kubernetes would then take the pod out of the Service, no request
   * would reach the half-open probes that close the circuit again, and every replica failing together would turn
   * an app hiccup into a total outage. The app check below already says whether the app is there.
   */
  public Readiness(Supplier<BatcycleConfig> config, Drain drain, Supplier<String> circuit) {
    this.config = config;
    this.drain = drain;
    this.circuit = circuit;
  }

  /** Called once the proxy listener is bound. */
  public void listening() {
    listening.set(true);
  }

  /** Not ready while the request path warms up; {@code progress} says how far it got. */
  public void warmingUp(Supplier<String> progress) {
    this.warmingUp = progress;
  }

  /** The warm-up is over (or there was none). */
  public void warmedUp() {
    this.warmingUp = null;
  }

  /** Creates the probe clients on the admin server's own event loop; each probe sets its own timeouts. */
  void init(Vertx vertx) {
    tcp = vertx.createNetClient(new NetClientOptions());
    http = vertx.createHttpClient(new HttpClientOptions().setKeepAlive(false));
  }

  Future<State> check() {
    if (!listening.get()) {
      return Future.succeededFuture(new State(false, "proxy listener not bound yet"));
    }
    if (drain.isDraining()) {
      return Future.succeededFuture(new State(false, "draining for shutdown"));
    }
    Supplier<String> warming = warmingUp;
    if (warming != null) {
      return Future.succeededFuture(new State(false, "warming up the request path: " + warming.get()));
    }
    BatcycleConfig config = this.config.get(); // the settings in force: a reload may change the path and timeout
    var upstream = config.upstream();
    String path = config.observability().readinessPath();
    long timeoutMs = config.observability().readinessTimeout().toMillis();
    String target = upstream.authority() + (path.isEmpty() ? "" : path);
    Future<State> probe = path.isEmpty()
        ? tcp.connect(new ConnectOptions().setPort(upstream.port()).setHost(upstream.host())
                .setTimeout((int) timeoutMs)).compose(socket -> socket.close())
            .map(v -> new State(true, "app reachable at " + target + " (tcp)"))
        : http.request(new RequestOptions().setMethod(HttpMethod.GET).setHost(upstream.host())
                .setPort(upstream.port()).setURI(path).setConnectTimeout(timeoutMs).setTimeout(timeoutMs))
            .compose(request -> request.send())
            .compose(response -> response.body().map(body -> response.statusCode()))
            .map(status -> new State(status < 500, "app answered " + status + " at " + target));
    boolean appRequired = config.lifecycle().readinessChecksApp();
    return probe.recover(cause -> Future.succeededFuture(
            new State(false, "app not reachable at " + target + ": " + cause.getMessage())))
        // readiness.checkApp: false reports the app's state without letting it decide readiness.
        .map(state -> new State(state.ready() || !appRequired, state.detail() + "; " + circuit.get()));
  }
}
