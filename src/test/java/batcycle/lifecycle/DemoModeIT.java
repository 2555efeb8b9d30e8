package batcycle.lifecycle;

import static org.assertj.core.api.Assertions.assertThat;

import batcycle.config.BatcycleConfig;
import batcycle.config.Key;
import batcycle.testing.Futures;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * {@code --demo}: the embedded demo app comes up on the upstream address and batcycle proxies it; with the outbound
 * entry "remote", the demo remote comes up at its URL and the app's {@code /call} reaches it through batcycle.
 */
class DemoModeIT {
  private static int freePort() throws java.io.IOException {
    try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return probe.getLocalPort();
    }
  }

  @Test
  void startsTheDemoAppBehindTheProxy() throws Exception {
    int demoPort = freePort(); // the real defaults are 8080 and 8081 (9001 outbound); tests never use fixed ports
    int remotePort = freePort();
    BatcycleConfig config = BatcycleConfig.defaults().with(Map.of(Key.DEMO, "true",
        Key.UPSTREAM, "http://127.0.0.1:" + demoPort, Key.LISTEN, "127.0.0.1:0", Key.ADMIN, "127.0.0.1:0",
        Key.EVENT_LOOPS, "1", Key.ACCESS_LOG_ENABLED, "false", Key.STARTUP_WARMUP, "0",
        Key.OUTBOUND, "remote=127.0.0.1:0=http://127.0.0.1:" + remotePort));
    Batcycle batcycle = Futures.await(Batcycle.start(config));
    try {
      HttpResponse<String> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
          URI.create("http://127.0.0.1:" + batcycle.proxyPort() + "/hello")).build(),
          HttpResponse.BodyHandlers.ofString());
      assertThat(response.statusCode()).isEqualTo(200);
      assertThat(response.body()).isEqualTo("hello from the demo app\n");

      HttpResponse<String> called = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
          URI.create("http://127.0.0.1:" + batcycle.proxyPort() + "/call?path=/hello")).build(),
          HttpResponse.BodyHandlers.ofString());
      assertThat(called.statusCode()).isEqualTo(200);
      assertThat(called.body()).startsWith("the demo app called http://127.0.0.1:" + batcycle.outboundPort("remote")
          + "/hello (batcycle's outbound listener); the remote answered 200:").endsWith("hello from the demo remote\n");
    } finally {
      Futures.await(batcycle.close());
    }
  }
}
