package batcycle.hardening;

import static org.assertj.core.api.Assertions.assertThat;

import batcycle.testing.ProxyHarness;
import batcycle.testing.RecordingOrigin;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The sidecar's own attack surface: the state-changing admin endpoints answer only the method they document (and,
 * per {@code AdminAddressPolicyTest}, only loopback), look-alike paths change nothing, and the proxy port serves
 * none of the admin paths, the state-changing ones included: they reach the app and never drain batcycle.
 * (AdminIT covers the read-only paths on the proxy port and the redaction of {@code /config}; AccessLogIT the
 * redaction of logged headers.)
 */
class AdminSecurityIT {
  private static final Duration BOUND = Duration.ofSeconds(30);
  private final RecordingOrigin origin =
      RecordingOrigin.start((request, body) -> request.response().end("app:" + request.path()));
  @RegisterExtension
  final ProxyHarness proxy = ProxyHarness.forUpstream(origin::port).thenClose(origin).build();

  private HttpResponse<String> admin(String method, String path) {
    return proxy.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + proxy.adminPort() + path))
        .method(method, HttpRequest.BodyPublishers.noBody()).timeout(BOUND).build());
  }

  private HttpResponse<String> viaProxy(String method, String path) {
    return proxy.send(HttpRequest.newBuilder(proxy.uri(path))
        .method(method, HttpRequest.BodyPublishers.noBody()).timeout(BOUND).build());
  }

  private void assertNotDraining() {
    assertThat(proxy.drain().isDraining()).isFalse();
    assertThat(proxy.admin("/readyz").statusCode()).isEqualTo(200);
  }

  @Test
  void stateChangingAdminEndpointsRefuseEveryOtherMethod() {
    for (String path : List.of("/drain", "/quitquitquit")) {
      for (String method : List.of("GET", "HEAD", "PUT", "DELETE", "PATCH", "OPTIONS")) {
        HttpResponse<String> response = admin(method, path);
        assertThat(response.statusCode()).as(method + " " + path).isEqualTo(405);
        assertThat(response.headers().firstValue("allow")).as(method + " " + path).hasValue("POST");
      }
    }
    for (String method : List.of("POST", "PUT", "DELETE", "PATCH")) {
      assertThat(admin(method, "/prestop").statusCode()).as(method + " /prestop").isEqualTo(405);
    }
    assertNotDraining();
  }

  @Test
  void lookAlikePathsOnTheAdminPortChangeNothing() {
    List<String> statuses = new ArrayList<>();
    for (String path : List.of("/drain/", "/DRAIN", "//drain", "/drain;x", "/drain%00", "/./drain", "/%64rain",
        "/quitquitquit/", "/QuitQuitQuit")) {
      int status = admin("POST", path).statusCode();
      statuses.add(path + "=" + status);
      assertThat(status).as(path).isNotEqualTo(202).isBetween(400, 499);
    }
    for (String path : List.of("/prestop/", "/PRESTOP", "//prestop", "/%70restop")) {
      int status = admin("GET", path).statusCode();
      statuses.add(path + "=" + status);
      assertThat(status).as(path).isEqualTo(404);
    }
    assertNotDraining();
    assertThat(origin.arrivals()).as("the admin port forwards nothing: " + statuses).isZero();
  }

  @Test
  void theProxyPortPassesEveryAdminPathToTheAppAndNeverDrains() {
    record Call(String method, String path) {}
    List<Call> calls = List.of(new Call("POST", "/drain"), new Call("POST", "/quitquitquit"),
        new Call("GET", "/prestop"), new Call("GET", "/stats.json"), new Call("GET", "/"),
        new Call("GET", "/metrics"), new Call("GET", "/healthz"), new Call("GET", "/readyz"),
        new Call("GET", "/config"));
    for (Call call : calls) {
      HttpResponse<String> response = viaProxy(call.method(), call.path());
      assertThat(response.statusCode()).as(call.toString()).isEqualTo(200);
      assertThat(response.body()).as(call.toString()).isEqualTo("app:" + call.path());
    }
    assertThat(origin.received()).extracting(r -> r.method() + " " + r.uri())
        .containsExactlyElementsOf(calls.stream().map(c -> c.method() + " " + c.path()).toList());
    assertNotDraining();
    assertThat(viaProxy("GET", "/still-serving").statusCode()).isEqualTo(200);
  }
}
