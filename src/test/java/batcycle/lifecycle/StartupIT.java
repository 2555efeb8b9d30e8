package batcycle.lifecycle;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import batcycle.config.Key;
import batcycle.testing.Futures;
import batcycle.testing.ProxyHarness;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Start-up while the app is still starting: requests wait for it (bounded), and readiness follows the app. */
class StartupIT {
  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    }
  }

  @Test
  void holdsRequestsUntilTheAppAcceptsConnections() throws Exception {
    int appPort = freePort(); // nothing listens there yet: the app is "starting"
    Vertx app = Vertx.vertx();
    try (ProxyHarness proxy = ProxyHarness.forUpstream(appPort).with(Key.STARTUP_HOLD_TIMEOUT, "30s").start()) {
      CompletableFuture<HttpResponse<String>> early = proxy.client().sendAsync(
          HttpRequest.newBuilder(proxy.uri("/early")).build(), HttpResponse.BodyHandlers.ofString());
      assertThat(proxy.admin("/readyz").statusCode()).isEqualTo(503);
      assertThat(proxy.admin("/readyz").body()).contains("not reachable");
      await().atMost(Duration.ofSeconds(10)).until(() -> proxy.metric("batcycle_requests_active") == 1);
      assertThat(early).isNotDone();

      Futures.await(app.createHttpServer().requestHandler(r -> r.response().end("up " + r.path()))
          .listen(appPort, "127.0.0.1"));
      HttpResponse<String> response = early.get(20, TimeUnit.SECONDS);
      assertThat(response.statusCode()).isEqualTo(200);
      assertThat(response.body()).isEqualTo("up /early");
      Futures.await(proxy.batcycle().appUp());
      assertThat(proxy.admin("/readyz").statusCode()).isEqualTo(200);
    } finally {
      Futures.await(app.close());
    }
  }

  @Test
  void givesUpHoldingAfterTheHoldTimeout() throws Exception {
    try (ProxyHarness proxy = ProxyHarness.forUpstream(freePort()).with(Key.STARTUP_HOLD_TIMEOUT, "300ms").start()) {
      HttpResponse<String> response = proxy.get("/never");
      assertThat(response.statusCode()).isEqualTo(502);
      assertThat(response.headers().firstValue("x-batcycle-error")).hasValue("upstream_connect_failure");
    }
  }

  @Test
  void holdsNoMoreThanTheConfiguredNumberOfRequests() throws Exception {
    try (ProxyHarness proxy = ProxyHarness.forUpstream(freePort()).with(Key.STARTUP_MAX_HELD, "0")
        .with(Key.STARTUP_HOLD_TIMEOUT, "30s").start()) {
      // With no room to hold, the request fails at once instead of waiting for the 30 s hold timeout.
      HttpResponse<String> response = proxy.send(HttpRequest.newBuilder(proxy.uri("/x"))
          .timeout(Duration.ofSeconds(10)).build());
      assertThat(response.statusCode()).isEqualTo(502);
    }
  }
}
