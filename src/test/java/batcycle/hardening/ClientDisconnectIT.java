package batcycle.hardening;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import batcycle.accesslog.AccessLogRecord;
import batcycle.config.Key;
import batcycle.testing.Futures;
import batcycle.testing.LeakGuard;
import batcycle.testing.ProxyHarness;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.http.RequestOptions;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Clients that go away mid-body, again and again, over HTTP/1.1 (socket closed, alternately with FIN and with RST)
 * and over h2c (stream reset): the app's side is cancelled each time (it sees its request or response torn down,
 * never a whole body), nothing stays in flight, the request log marks each one DC, and neither Netty buffers nor
 * file descriptors leak.
 *
 * <p>Descriptors are counted in this JVM ({@code /proc/self/fd}), which holds batcycle, the app and the client:
 * the baseline is taken after one complete exchange of each kind, so class loading, the connection pools and the
 * listeners are already there. Afterwards the count must come back to within {@value #FD_TOLERANCE} of it: the
 * slack covers a pooled keep-alive connection to the app (two descriptors, one per end, both in this JVM) and a
 * jar the JVM may open lazily, while a leak of one socket per abort would leave {@value #REPEATS} or more.
 */
class ClientDisconnectIT {
  private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(ClientDisconnectIT.class);
  private static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();
  private static final Duration BOUND = Duration.ofSeconds(20);
  private static final int REPEATS = 20;
  private static final int FD_TOLERANCE = 6;
  private static final int UPLOAD_BYTES = 1024 * 1024;
  private static final int CHUNK = 16 * 1024;
  /** The app's download: 2000 chunks of 16 KiB (31 MiB), one per 5 ms, far more than any test reads. */
  private static final int DOWNLOAD_CHUNKS = 2000;

  private Vertx vertx;
  private HttpServer app;
  @RegisterExtension
  final ProxyHarness proxy = ProxyHarness.startedByEachTest();
  private final AtomicInteger arrived = new AtomicInteger();
  private final AtomicInteger torndown = new AtomicInteger();
  private final AtomicInteger whole = new AtomicInteger();

  @BeforeEach
  void start() {
    vertx = Vertx.vertx();
    app = Futures.await(vertx.createHttpServer(new HttpServerOptions().setHost("127.0.0.1").setPort(0))
        .requestHandler(this::serve).listen());
    // A breaker quick to open: client aborts must say nothing about the app's health, so it must stay closed.
    proxy.closesAfter(() -> Futures.await(vertx.close()));
    proxy.start(ProxyHarness.forUpstream(app.actualPort()).with(Key.BREAKER_MINIMUM_CALLS, "10"));
  }

  /** The app: counts every request that arrives, every one torn down before it was whole, and every whole one. */
  private void serve(HttpServerRequest request) {
    boolean warmUp = request.getHeader("x-warm-up") != null;
    if (!warmUp) {
      arrived.incrementAndGet();
    }
    var done = new java.util.concurrent.atomic.AtomicBoolean();
    Runnable tornDown = () -> {
      if (!warmUp && done.compareAndSet(false, true)) {
        torndown.incrementAndGet();
      }
    };
    request.connection().closeHandler(v -> tornDown.run());
    request.exceptionHandler(cause -> tornDown.run());
    if (request.path().equals("/upload")) {
      request.handler(chunk -> { });
      request.endHandler(v -> {
        if (done.compareAndSet(false, true) && !warmUp) {
          whole.incrementAndGet();
        }
        request.response().end("got it");
      });
      return;
    }
    HttpServerResponse response = request.response().setChunked(true);
    response.closeHandler(v -> tornDown.run());
    int chunks = warmUp ? 2 : DOWNLOAD_CHUNKS;
    Buffer chunk = Buffer.buffer(new byte[CHUNK]);
    AtomicInteger written = new AtomicInteger();
    vertx.setPeriodic(5, id -> {
      if (response.closed() || done.get()) {
        vertx.cancelTimer(id);
      } else if (written.get() >= chunks) {
        vertx.cancelTimer(id);
        if (done.compareAndSet(false, true) && !warmUp) {
          whole.incrementAndGet();
        }
        response.end();
      } else if (!response.writeQueueFull()) {
        written.incrementAndGet();
        response.write(chunk);
      }
    });
  }

  @Test
  void http1ClientAbortingMidUploadCancelsTheAppsRequestEveryTime() throws Exception {
    int baseline = warmUpAndCountFds();
    for (int i = 1; i <= REPEATS; i++) {
      try (var socket = new Socket(LOOPBACK, proxy.port())) {
        OutputStream out = socket.getOutputStream();
        out.write(("POST /upload HTTP/1.1\r\nHost: app.test\r\nX-Request-Id: up-" + i + "\r\nContent-Length: "
            + UPLOAD_BYTES + "\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
        out.write(new byte[UPLOAD_BYTES / 2]);
        out.flush();
        int expected = i;
        await("upload " + i + " reached the app (a circuit opened by aborts would stop it)").atMost(BOUND)
            .until(() -> arrived.get() >= expected);
        abortively(socket, i);
      }
      int expected = i;
      await().atMost(BOUND).untilAsserted(() -> assertThat(torndown.get()).isEqualTo(expected));
    }
    assertCleanAfterAborts("up-", baseline);
  }

  @Test
  void http1ClientAbortingMidDownloadCancelsTheAppsResponseEveryTime() throws Exception {
    int baseline = warmUpAndCountFds();
    for (int i = 1; i <= REPEATS; i++) {
      try (var socket = new Socket(LOOPBACK, proxy.port())) {
        socket.setSoTimeout((int) BOUND.toMillis());
        socket.getOutputStream().write(("GET /download HTTP/1.1\r\nHost: app.test\r\nX-Request-Id: down-" + i
            + "\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
        InputStream in = socket.getInputStream();
        byte[] some = in.readNBytes(3 * CHUNK);
        assertThat(new String(some, 0, 12, StandardCharsets.ISO_8859_1)).isEqualTo("HTTP/1.1 200");
        abortively(socket, i);
      }
      int expected = i;
      await().atMost(BOUND).untilAsserted(() -> assertThat(torndown.get()).isEqualTo(expected));
    }
    assertCleanAfterAborts("down-", baseline);
  }

  @Test
  void http2StreamResetMidUploadCancelsTheAppsRequestEveryTime() throws Exception {
    int baseline = warmUpAndCountFds();
    HttpClient h2 = h2cClient();
    for (int i = 1; i <= REPEATS; i++) {
      HttpClientRequest request = Futures.await(h2.request(options(HttpMethod.POST, "/upload", "h2up-" + i)));
      request.setChunked(true);
      for (int c = 0; c < UPLOAD_BYTES / 2 / CHUNK; c++) {
        request.write(Buffer.buffer(new byte[CHUNK]));
      }
      int expected = i;
      await("upload " + i + " reached the app (a circuit opened by aborts would stop it)").atMost(BOUND)
          .until(() -> arrived.get() >= expected);
      Futures.await(request.reset());
      await().atMost(BOUND).untilAsserted(() -> assertThat(torndown.get()).isEqualTo(expected));
    }
    Futures.await(h2.close());
    assertCleanAfterAborts("h2up-", baseline);
  }

  @Test
  void http2StreamResetMidDownloadCancelsTheAppsResponseEveryTime() throws Exception {
    int baseline = warmUpAndCountFds();
    HttpClient h2 = h2cClient();
    for (int i = 1; i <= REPEATS; i++) {
      HttpClientRequest request = Futures.await(h2.request(options(HttpMethod.GET, "/download", "h2down-" + i)));
      Promise<Void> someBytes = Promise.promise();
      AtomicInteger received = new AtomicInteger();
      request.response().onSuccess(response -> response.handler(buffer -> {
        if (received.addAndGet(buffer.length()) >= 3 * CHUNK) {
          someBytes.tryComplete();
        }
      }));
      Futures.await(request.end());
      Futures.await(someBytes.future());
      Futures.await(request.reset());
      int expected = i;
      await().atMost(BOUND).untilAsserted(() -> assertThat(torndown.get()).isEqualTo(expected));
    }
    Futures.await(h2.close());
    assertCleanAfterAborts("h2down-", baseline);
  }

  /** Closes the client socket half-way: odd rounds with a FIN, even rounds with an RST (SO_LINGER 0). */
  private static void abortively(Socket socket, int round) throws IOException {
    if (round % 2 == 0) {
      socket.setSoLinger(true, 0);
    }
    socket.close();
  }

  private HttpClient h2cClient() {
    return vertx.createHttpClient(new HttpClientOptions().setProtocolVersion(HttpVersion.HTTP_2)
        .setHttp2ClearTextUpgrade(false));
  }

  private RequestOptions options(HttpMethod method, String path, String requestId) {
    return new RequestOptions().setMethod(method).setHost("127.0.0.1").setPort(proxy.port()).setURI(path)
        .putHeader("x-request-id", requestId);
  }

  /** One whole upload and one whole download first, so what they load and pool is in the baseline. */
  private int warmUpAndCountFds() {
    var client = proxy.client();
    try {
      for (String path : List.of("/upload", "/download")) {
        var request = java.net.http.HttpRequest.newBuilder(proxy.uri(path)).header("x-warm-up", "1")
            .timeout(BOUND);
        if (path.equals("/upload")) {
          request.POST(java.net.http.HttpRequest.BodyPublishers.ofByteArray(new byte[CHUNK]));
        }
        assertThat(client.send(request.build(), java.net.http.HttpResponse.BodyHandlers.ofByteArray())
            .statusCode()).isEqualTo(200);
      }
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
    return openFds();
  }

  private void assertCleanAfterAborts(String idPrefix, int fdBaseline) {
    assertThat(whole.get()).as("the app never got a whole body or sent a whole response").isZero();
    assertThat(torndown.get()).isEqualTo(REPEATS);
    await().atMost(BOUND).untilAsserted(() -> {
      assertThat(proxy.metric("batcycle_requests_active")).as("requests in flight").isZero();
      assertThat(proxy.metric("batcycle_upstream_requests_active")).as("requests to the app in flight").isZero();
    });
    assertThat(proxy.metric("batcycle_circuit_state", "state", "closed")).as("circuit closed").isEqualTo(1);
    await().atMost(BOUND).untilAsserted(() -> {
      List<AccessLogRecord> aborted = proxy.accessLog().records().stream()
          .filter(r -> r.requestId().startsWith(idPrefix)).toList();
      assertThat(aborted).hasSize(REPEATS).allSatisfy(r -> assertThat(r.flags()).contains("DC"));
    });
    await().atMost(BOUND).untilAsserted(() ->
        assertThat(openFds()).as("open file descriptors against the baseline %d", fdBaseline)
            .isLessThanOrEqualTo(fdBaseline + FD_TOLERANCE));
    LeakGuard.verifyNoLeaks();
    LOG.info("{}: {} aborts; request log status/flags {}; fds {} before, {} after", idPrefix, REPEATS,
        proxy.accessLog().records().stream().filter(r -> r.requestId().startsWith(idPrefix))
            .map(r -> r.status() + "/" + r.flags()).distinct().toList(), fdBaseline, openFds());
  }

  private static int openFds() {
    try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
      return (int) fds.count();
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }
}
