package batcycle.hardening;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import batcycle.config.Key;
import batcycle.testing.Closing;
import batcycle.testing.ProxyHarness;
import batcycle.testing.RawH2;
import batcycle.testing.RecordingOrigin;
import io.vertx.core.buffer.Buffer;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Slow readers cannot hold the app: a client that takes none of its response for {@code timeouts.responseSend}
 * while more waits for it loses the response (HTTP/1: the connection is closed, HTTP/2: the stream reset), the
 * app's side is released, and it is counted and flagged CT; a client that reads slowly but steadily gets it all.
 */
class SlowReaderIT {
  private static final int LARGE = 8 * 1024 * 1024; // far beyond what socket buffers on both sides can hold
  private static final Duration WAIT = Duration.ofSeconds(15);

  private RecordingOrigin origin;
  @RegisterExtension
  final ProxyHarness proxy = ProxyHarness.startedByEachTest();
  private Socket socket;
  private RawH2 h2;

  @AfterEach
  void close() {
    Closing.all(socket, h2); // before the proxy, which the extension closes after this
  }

  private void start(int bytes) {
    Buffer body = Buffer.buffer(new byte[bytes]);
    origin = proxy.closesAfter(RecordingOrigin.start((request, ignored) -> request.response().end(body)));
    proxy.start(ProxyHarness.forUpstream(origin.port()).with(Key.TIMEOUTS_RESPONSE_SEND, "1s"));
  }

  /** A raw HTTP/1.1 GET from a client whose receive buffer is small, so it takes only what it reads. */
  private InputStream get(String path) throws Exception {
    socket = new Socket();
    socket.setReceiveBufferSize(4096);
    socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), proxy.port()), 5000);
    socket.setSoTimeout((int) WAIT.toMillis());
    socket.getOutputStream().write(("GET " + path + " HTTP/1.1\r\nHost: app\r\nConnection: close\r\n\r\n")
        .getBytes(StandardCharsets.ISO_8859_1));
    return socket.getInputStream();
  }

  private double sendTimeouts() {
    return proxy.metric("batcycle_client_timeouts_total", "reason", "response_send");
  }

  @Test
  void aClientThatStopsReadingLosesTheResponseAndTheAppIsReleased() throws Exception {
    start(LARGE);
    InputStream in = get("/large");
    assertThat(new String(in.readNBytes(12), StandardCharsets.ISO_8859_1)).isEqualTo("HTTP/1.1 200");
    // ... and nothing more is read until batcycle has given up on this client.
    await().atMost(WAIT).untilAsserted(() -> {
      assertThat(sendTimeouts()).isEqualTo(1.0);
      assertThat(proxy.metric("batcycle_upstream_requests_active")).isZero();
      assertThat(proxy.metric("batcycle_requests_active")).isZero();
    });
    assertThat(proxy.accessLog().records()).singleElement()
        .satisfies(line -> assertThat(line.flags()).contains("CT"));
    long rest = in.transferTo(java.io.OutputStream.nullOutputStream()); // the connection was closed: the end comes
    assertThat(rest).isLessThan(LARGE);
  }

  @Test
  void aClientReadingSlowlyButSteadilyGetsTheWholeResponse() throws Exception {
    start(512 * 1024);
    InputStream in = get("/steady");
    long total = 0;
    byte[] piece = new byte[16 * 1024];
    // 16 KiB every 100 ms, about 160 KB/s: never a second without taking some of the response. The response ends
    // with the connection (Connection: close), and the loop with the socket's read timeout at the latest.
    for (int n; (n = in.readNBytes(piece, 0, piece.length)) > 0; ) {
      total += n;
      pause(Duration.ofMillis(100));
    }
    assertThat(total).isGreaterThan(512 * 1024);
    assertThat(sendTimeouts()).isZero();
  }

  @Test
  void anHttp2StreamWhoseClientGrantsNoWindowIsResetAndTheAppIsReleased() {
    start(LARGE);
    h2 = RawH2.connect(proxy.port()).preface(); // never sends WINDOW_UPDATE: 64 KiB and the stream is stuck
    h2.request(1, "GET", "/large", true);
    RawH2.Frame reset = h2.await("RST_STREAM", WAIT);
    assertThat(reset.type()).isEqualTo("RST_STREAM");
    assertThat(reset.streamId()).isEqualTo(1);
    await().atMost(WAIT).untilAsserted(() -> {
      assertThat(sendTimeouts()).isEqualTo(1.0);
      assertThat(proxy.metric("batcycle_upstream_requests_active")).isZero();
    });
    // The connection itself stays usable.
    h2.request(3, "GET", "/small", true);
    assertThat(h2.await("HEADERS", WAIT).streamId()).isEqualTo(3);
  }

  /** Waits on a timer future, not the thread: the pace of a slow reader. */
  private static void pause(Duration duration) throws Exception {
    CompletableFuture.runAsync(() -> { }, CompletableFuture.delayedExecutor(duration.toMillis(),
        TimeUnit.MILLISECONDS)).get();
  }
}
