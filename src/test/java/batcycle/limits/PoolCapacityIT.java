package batcycle.limits;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import batcycle.config.Key;
import batcycle.testing.Closing;
import batcycle.testing.ProxyHarness;
import batcycle.testing.RecordingOrigin;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * One capacity limit, not two: every request in flight to an HTTP/1.1 app needs a connection of its own, so the pool
 * follows {@code limits.maxConcurrent} unless set. Uploads that stream at an acceptable pace (past the read-ahead,
 * above the minimum rate) legitimately hold connections to the app; they must not make everyone else wait for one
 * while permits are left, which a pool of 64 against 1,024 permits did.
 */
class PoolCapacityIT {
  private static final int UPLOADS = 70;

  private RecordingOrigin origin;
  @RegisterExtension
  final ProxyHarness proxy = ProxyHarness.startedByEachTest();
  private final List<Socket> uploads = new ArrayList<>();

  @AfterEach
  void close() {
    Closing.all(uploads.toArray(AutoCloseable[]::new)); // before the proxy, which the extension closes after this
  }

  @Test
  void seventyStreamingUploadsLeaveConnectionsForEveryoneElse() throws Exception {
    origin = proxy.closesAfter(RecordingOrigin.start());
    proxy.start(ProxyHarness.forUpstream(origin.port()).with(Key.BUFFER_REQUEST_BODY, "1KiB"));
    for (int i = 0; i < UPLOADS; i++) {
      Socket socket = new Socket(InetAddress.getLoopbackAddress(), proxy.port());
      uploads.add(socket);
      OutputStream out = socket.getOutputStream();
      // 2 KiB of a 1 MiB body: past the read-ahead, so it streams to the app, and at this rate for seconds yet.
      out.write(("POST /upload-" + i + " HTTP/1.1\r\nHost: app\r\nContent-Length: 1048576\r\n\r\n")
          .getBytes(StandardCharsets.ISO_8859_1));
      out.write(new byte[2048]);
      out.flush();
    }
    await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
        assertThat(origin.arrivals()).isEqualTo(UPLOADS));

    // A request stuck in the pool behind the uploads would get 504 after the 2 s it allows itself.
    HttpResponse<String> quick = proxy.send(HttpRequest.newBuilder(proxy.uri("/quick"))
        .header("X-Batcycle-Timeout", "2s").timeout(Duration.ofSeconds(30)).build());
    assertThat(quick.statusCode()).as(quick.body()).isEqualTo(200);
    assertThat(proxy.metric("batcycle_upstream_connections_max")).isEqualTo(1024.0);
  }
}
