package batcycle.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import batcycle.config.Key;
import batcycle.testing.ProxyHarness;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The keep-alive race: an app closes an idle keep-alive connection just as batcycle sends the next request on it.
 * batcycle must hide that from clients when repeating is safe, never repeat what is not, and follow an app's
 * {@code Keep-Alive: timeout=N} hint (a second early) without ever keeping connections past its own idle timeout.
 */
class KeepAliveIT {
  private static final Duration BOUND = Duration.ofSeconds(10);
  private KeepAliveOrigin origin;
  @RegisterExtension
  final ProxyHarness proxy = ProxyHarness.startedByEachTest();

  /** One event loop and one pooled connection, so every request after the first reuses the same connection. */
  private ProxyHarness proxy(Map<Key, String> overrides) {
    var all = new java.util.EnumMap<Key, String>(Key.class);
    all.put(Key.EVENT_LOOPS, "1");
    all.put(Key.POOL_MAX_CONNECTIONS, "1");
    all.put(Key.RETRY_BACKOFF_BASE, "1ms");
    all.put(Key.RETRY_BACKOFF_MAX, "5ms");
    all.putAll(overrides);
    return proxy.start(ProxyHarness.forUpstream(origin.port()).with(all));
  }

  @Test
  void aGetNeverFailsWhenTheAppClosesEveryConnectionAfterItsFirstResponse() throws IOException {
    // The app answers the first request on a connection, then closes it the moment the next one arrives,
    // without answering: deterministically what a keep-alive timeout firing at the wrong moment does.
    origin = proxy.closesAfter(new KeepAliveOrigin("", 1));
    proxy(Map.of());
    for (int i = 0; i < 5; i++) {
      HttpResponse<String> response = proxy.get("/item/" + i);
      assertThat(response.statusCode()).as("request " + i).isEqualTo(200);
      assertThat(response.body()).isEqualTo("answer 0");
    }
    // The origin counts after writing its answer, which can reach us first: wait for its books to settle.
    await().atMost(BOUND).untilAsserted(() -> {
      assertThat(origin.answered.get()).as("each GET was answered exactly once").isEqualTo(5);
      assertThat(origin.droppedOnClose.get()).as("requests that met a closing connection").isEqualTo(4);
    });
    await().atMost(BOUND).untilAsserted(() ->
        assertThat(proxy.metric("batcycle_retries_total", "reason", "reset")).isEqualTo(4));
  }

  @Test
  void aPostWithoutIdempotencyKeyThatMeetsAClosingConnectionIsNotSentAgain() throws IOException {
    origin = proxy.closesAfter(new KeepAliveOrigin("", 1));
    proxy(Map.of());
    assertThat(proxy.get("/warm").statusCode()).isEqualTo(200);
    HttpResponse<String> post = proxy.send(HttpRequest.newBuilder(proxy.uri("/orders"))
        .POST(HttpRequest.BodyPublishers.ofString("{}")).timeout(BOUND).build());
    // The app may have seen the request before it closed: only the client can decide to repeat a POST.
    assertThat(post.statusCode()).isEqualTo(502);
    assertThat(origin.requestsSeen.get()).isEqualTo(2);
    HttpResponse<String> keyed = proxy.send(HttpRequest.newBuilder(proxy.uri("/orders"))
        .header("Idempotency-Key", "order-1").POST(HttpRequest.BodyPublishers.ofString("{}")).timeout(BOUND).build());
    assertThat(keyed.statusCode()).isEqualTo(200);
  }

  @Test
  void stopsReusingAConnectionTheAppSaysItWillCloseWithinASecond() throws IOException {
    origin = proxy.closesAfter(new KeepAliveOrigin("Keep-Alive: timeout=1\r\n", Integer.MAX_VALUE));
    proxy(Map.of());
    assertThat(proxy.get("/a").statusCode()).isEqualTo(200);
    assertThat(proxy.get("/b").statusCode()).isEqualTo(200);
    // Vert.x alone would keep the connection for the announced second and reuse it at once.
    assertThat(origin.connections.get()).isEqualTo(2);
  }

  @Test
  void neverKeepsAConnectionPastThePoolIdleTimeoutWhateverTheAppAnnounces() throws IOException {
    origin = proxy.closesAfter(new KeepAliveOrigin("Keep-Alive: timeout=60\r\n", Integer.MAX_VALUE));
    proxy(Map.of(Key.POOL_IDLE_TIMEOUT, "1s"));
    assertThat(proxy.get("/a").statusCode()).isEqualTo(200);
    // Vert.x alone would adopt the app's 60 s; batcycle closes it after its own 1 s (checked every second).
    await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(origin.closedByProxy.get()).isEqualTo(1));
  }

  /**
   * A raw HTTP/1.1 app on 127.0.0.1 port 0: answers up to {@code answersPerConnection} requests per connection
   * with 200 {@code answer <index on the connection>} and {@code extraHeaders}; at the next request it closes the
   * connection without answering. Counts connections, answers, dropped requests and closes by the proxy.
   */
  private static final class KeepAliveOrigin implements AutoCloseable {
    private final ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    private final ExecutorService threads = Executors.newCachedThreadPool();
    final AtomicInteger connections = new AtomicInteger();
    final AtomicInteger requestsSeen = new AtomicInteger();
    final AtomicInteger answered = new AtomicInteger();
    final AtomicInteger droppedOnClose = new AtomicInteger();
    final AtomicInteger closedByProxy = new AtomicInteger();

    KeepAliveOrigin(String extraHeaders, int answersPerConnection) throws IOException {
      threads.submit(() -> {
        for (int i = 0; i < 64 && !server.isClosed(); i++) {
          Socket socket = server.accept();
          connections.incrementAndGet();
          threads.submit(() -> serve(socket, extraHeaders, answersPerConnection));
        }
        return null;
      });
    }

    int port() {
      return server.getLocalPort();
    }

    private Void serve(Socket socket, String extraHeaders, int answersPerConnection) throws IOException {
      try (socket) {
        socket.setSoTimeout((int) Duration.ofSeconds(30).toMillis());
        InputStream in = socket.getInputStream();
        OutputStream out = socket.getOutputStream();
        for (int index = 0; ; index++) {
          String head = readHead(in);
          if (head == null) {
            closedByProxy.incrementAndGet();
            return null;
          }
          requestsSeen.incrementAndGet();
          in.readNBytes(contentLength(head));
          if (index >= answersPerConnection) {
            droppedOnClose.incrementAndGet();
            return null; // closes without answering
          }
          String body = "answer " + index;
          out.write(("HTTP/1.1 200 OK\r\nContent-Length: " + body.length() + "\r\n" + extraHeaders + "\r\n" + body)
              .getBytes(StandardCharsets.ISO_8859_1));
          out.flush();
          answered.incrementAndGet();
        }
      } catch (SocketException e) {
        return null; // the proxy reset the connection
      }
    }

    /** The request head, or null at end of stream before any byte. */
    private static String readHead(InputStream in) throws IOException {
      var head = new ByteArrayOutputStream();
      int lastFour = 0;
      for (int b = in.read(); b != -1; b = in.read()) {
        head.write(b);
        lastFour = lastFour << 8 | b;
        if (lastFour == 0x0D0A0D0A) {
          return head.toString(StandardCharsets.ISO_8859_1);
        }
        if (head.size() > 64 * 1024) {
          throw new IOException("request head too large");
        }
      }
      return null;
    }

    private static int contentLength(String head) {
      for (String line : head.split("\r\n")) {
        if (line.toLowerCase(Locale.ROOT).startsWith("content-length:")) {
          return Integer.parseInt(line.substring("content-length:".length()).trim());
        }
      }
      return 0;
    }

    @Override
    public void close() throws Exception {
      server.close();
      threads.shutdownNow();
      if (!threads.awaitTermination(5, TimeUnit.SECONDS)) {
        throw new IllegalStateException("origin threads did not stop");
      }
    }
  }
}
