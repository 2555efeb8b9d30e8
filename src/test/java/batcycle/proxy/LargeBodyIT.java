package batcycle.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import batcycle.demo.DemoApp;
import batcycle.testing.Futures;
import batcycle.testing.ProxyHarness;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import java.io.InputStream;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Proves bodies stream with back-pressure in both directions: Maven runs this class in its own JVM with a 32 MiB
 * heap (the "small-heap" surefire execution; the heap the Dockerfile gives a 256 MiB container), and each body is
 * eight times that. Buffering any body whole would end in OutOfMemoryError; losing or reordering a byte would
 * change the digest.
 */
class LargeBodyIT {
  private static final long BODY = 256L << 20;
  private static Vertx originVertx;
  private static HttpServer origin;
  private static ProxyHarness proxy;

  @BeforeAll
  static void start() {
    // Meaningful only in a JVM whose heap is far smaller than the bodies: `./mvnw verify` runs it in the
    // small-heap execution; a `-Dtest=LargeBodyIT` run also reaches the default execution, which skips it here.
    Assumptions.assumeTrue(Runtime.getRuntime().maxMemory() < BODY / 2,
        "needs a heap under " + (BODY >> 21) + " MiB; run by the small-heap surefire execution");
    originVertx = Vertx.vertx();
    origin = Futures.await(originVertx.createHttpServer().requestHandler(request -> {
      if (request.path().equals("/digest")) {
        MessageDigest digest = sha256();
        long[] count = new long[1];
        request.handler(chunk -> {
          digest.update(chunk.getBytes());
          count[0] += chunk.length();
        });
        request.endHandler(v -> request.response().end(count[0] + " " + hex(digest)));
      } else {
        request.response().setStatusCode(404).end();
      }
    }).listen(0, "127.0.0.1"));
    proxy = ProxyHarness.forUpstream(origin.actualPort()).start();
  }

  @AfterAll
  static void stop() {
    if (proxy != null) {
      proxy.close();
      Futures.await(originVertx.close());
    }
  }

  @Test
  void streamsAnUploadWithContentLengthFourTimesTheHeapIntact() {
    PatternStream body = new PatternStream(BODY);
    HttpResponse<String> response = proxy.send(HttpRequest.newBuilder(proxy.uri("/digest"))
        .POST(HttpRequest.BodyPublishers.fromPublisher(HttpRequest.BodyPublishers.ofInputStream(() -> body), BODY))
        .build());
    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.body()).isEqualTo(BODY + " " + body.digest());
  }

  @Test
  void streamsAChunkedUploadFourTimesTheHeapIntact() {
    PatternStream body = new PatternStream(BODY);
    HttpResponse<String> response = proxy.send(HttpRequest.newBuilder(proxy.uri("/digest"))
        .POST(HttpRequest.BodyPublishers.ofInputStream(() -> body)).build());
    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.body()).isEqualTo(BODY + " " + body.digest());
  }

  @Test
  void streamsADownloadFourTimesTheHeapIntact() throws Exception {
    // The demo app's /bytes endpoint generates a repeating a..z body with back-pressure.
    Vertx demoVertx = Vertx.vertx();
    try {
      HttpServer demo = Futures.await(DemoApp.start(demoVertx, "127.0.0.1", 0));
      try (ProxyHarness demoProxy = ProxyHarness.forUpstream(demo.actualPort()).start()) {
        HttpResponse<InputStream> response = demoProxy.client().send(
            HttpRequest.newBuilder(demoProxy.uri("/bytes?n=" + BODY)).build(),
            HttpResponse.BodyHandlers.ofInputStream());
        assertThat(response.statusCode()).isEqualTo(200);
        MessageDigest digest = sha256();
        long count = 0;
        try (InputStream in = response.body()) {
          byte[] buffer = new byte[64 * 1024];
          for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
            digest.update(buffer, 0, n);
            count += n;
          }
        }
        PatternStream expected = new PatternStream(BODY);
        expected.transferTo(java.io.OutputStream.nullOutputStream());
        assertThat(count + " " + hex(digest)).isEqualTo(BODY + " " + expected.digest());
      }
    } finally {
      Futures.await(demoVertx.close());
    }
  }

  /** The a..z pattern of the demo app, generated on the fly, digesting itself as it is read. */
  private static final class PatternStream extends InputStream {
    private final long length;
    private final MessageDigest digest = sha256();
    private long position;

    PatternStream(long length) {
      this.length = length;
    }

    @Override
    public int read() {
      byte[] one = new byte[1];
      return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] buffer, int offset, int max) {
      if (position >= length) {
        return -1;
      }
      int n = (int) Math.min(max, length - position);
      for (int i = 0; i < n; i++) {
        buffer[offset + i] = (byte) ('a' + (position + i) % 26);
      }
      digest.update(buffer, offset, n);
      position += n;
      return n;
    }

    String digest() {
      assertThat(position).as("bytes read from the generator").isEqualTo(length);
      return hex(digest);
    }
  }

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private static String hex(MessageDigest digest) {
    return HexFormat.of().formatHex(digest.digest());
  }
}
