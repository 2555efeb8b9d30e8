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

/** {@code --demo}: the embedded demo app comes up on the upstream address and batcycle proxies it. */
class DemoModeIT {
  @Test
  void startsTheDemoAppBehindTheProxy() throws Exception {
    int demoPort;
    try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      demoPort = probe.getLocalPort(); // the real default is 127.0.0.1:8080; tests never use fixed ports
    }
    BatcycleConfig config = BatcycleConfig.defaults().with(Map.of(Key.DEMO, "true",
        Key.UPSTREAM, "http://127.0.0.1:" + demoPort, Key.LISTEN, "127.0.0.1:0", Key.ADMIN, "127.0.0.1:0",
        Key.EVENT_LOOPS, "1", Key.ACCESS_LOG_ENABLED, "false"));
    Batcycle batcycle = Futures.await(Batcycle.start(config));
    try {
      HttpResponse<String> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
          URI.create("http://127.0.0.1:" + batcycle.proxyPort() + "/hello")).build(),
          HttpResponse.BodyHandlers.ofString());
      assertThat(response.statusCode()).isEqualTo(200);
      assertThat(response.body()).isEqualTo("hello from the demo app\n");
    } finally {
      Futures.await(batcycle.close());
    }
  }
}
