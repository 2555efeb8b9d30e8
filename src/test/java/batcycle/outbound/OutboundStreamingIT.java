package batcycle.outbound;

import static org.assertj.core.api.Assertions.assertThat;

import batcycle.config.Key;
import batcycle.testing.Futures;
import batcycle.testing.ProxyHarness;
import batcycle.testing.TestCertificates;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.net.PemKeyCertOptions;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Bodies stream both ways (a large upload, a large download) through an outbound listener over TLS (HTTP/2 or HTTP/1.1, as ALPN decides) and h2c,
 * many requests share one HTTP/2 connection, and a WebSocket reaches a remote through the outbound listener,
 * plain or TLS.
 */
class OutboundStreamingIT {
  private static final int BODY = 4 << 20;
  @TempDir
  static Path dir;
  private static TestCertificates ca;
  private static Path caFile;
  private final Vertx remoteVertx = Vertx.vertx();
  /** The connections requests came on, by protocol. */
  private final Map<String, java.util.Set<Object>> connectionsByProtocol = new ConcurrentHashMap<>();
  @RegisterExtension
  final ProxyHarness proxy = ProxyHarness.startedByEachTest();

  @BeforeAll
  static void certificates() {
    ca = TestCertificates.newCa("streaming");
    caFile = ca.writeCa(dir.resolve("ca.pem"));
  }


  {
    proxy.closesAfter(() -> Futures.await(remoteVertx.close()));
  }

  @ParameterizedTest
  @ValueSource(strings = {"https-h2", "https-http1", "h2c"})
  void largeBodiesStreamBothWaysIntact(String kind) throws Exception {
    int port = remote(kind.startsWith("https"), !kind.equals("https-http1"));
    proxy.start(outbound((kind.startsWith("https") ? "https://localhost:" : "http://127.0.0.1:") + port,
        kind.equals("h2c") ? "protocol: h2" : "protocol: auto"));
    byte[] body = new byte[BODY];
    new Random(7).nextBytes(body);

    // Up: the remote answers with the digest of what it received. (An echo of this size would depend on the JDK
    // client reading the response while it still uploads, which it does not.)
    HttpResponse<String> uploaded = proxy.client().send(HttpRequest.newBuilder(uri("/digest"))
        .timeout(Duration.ofSeconds(60)).POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(uploaded.statusCode()).isEqualTo(200);
    assertThat(uploaded.body()).isEqualTo(digest(new java.io.ByteArrayInputStream(body)));

    HttpResponse<InputStream> download = proxy.client().send(HttpRequest.newBuilder(uri("/bytes"))
        .timeout(Duration.ofSeconds(60)).build(), HttpResponse.BodyHandlers.ofInputStream());
    assertThat(download.body().transferTo(java.io.OutputStream.nullOutputStream())).isEqualTo(BODY);
    assertThat(connectionsByProtocol).containsOnlyKeys(kind.equals("https-http1") ? "http/1.1" : "h2");
  }

  @Test
  void manyConcurrentRequestsShareOneHttp2Connection() throws Exception {
    int port = remote(true, true);
    proxy.start(ProxyHarness.forUpstream(1).with(Key.EVENT_LOOPS, "1").with(Key.TIMEOUTS_CONNECT, "20s").yaml("""
        outbound:
          - name: remote
            listen: 127.0.0.1:0
            upstream: https://localhost:%d
            tls: {caFile: %s}
        """.formatted(port, caFile)));
    assertThat(proxy.outbound("remote", "/hello").statusCode()).isEqualTo(200); // the connection is made

    List<CompletableFuture<HttpResponse<String>>> calls = new java.util.ArrayList<>();
    for (int i = 0; i < 20; i++) {
      calls.add(proxy.client().sendAsync(HttpRequest.newBuilder(uri("/hello")).timeout(Duration.ofSeconds(30))
          .build(), HttpResponse.BodyHandlers.ofString()));
    }
    for (CompletableFuture<HttpResponse<String>> call : calls) {
      assertThat(call.get(30, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
    }
    assertThat(connectionsByProtocol).containsOnlyKeys("h2");
    assertThat(connectionsByProtocol.get("h2")).hasSize(1);
  }

  @ParameterizedTest
  @ValueSource(booleans = {false, true})
  void aWebSocketReachesTheRemoteThroughTheOutboundListener(boolean tls) {
    int port = remote(tls, true);
    proxy.start(outbound((tls ? "https://localhost:" : "http://127.0.0.1:") + port, "protocol: auto"));
    Vertx clientVertx = Vertx.vertx();
    try {
      WebSocketClient client = clientVertx.createWebSocketClient();
      WebSocket socket = Futures.await(client.connect(new WebSocketConnectOptions().setHost("127.0.0.1")
          .setPort(proxy.outboundPort("remote")).setURI("/ws")));
      CompletableFuture<String> echoed = new CompletableFuture<>();
      socket.textMessageHandler(echoed::complete);
      Futures.await(socket.writeTextMessage("ping through the outbound listener"));

      assertThat(echoed.get(30, TimeUnit.SECONDS)).isEqualTo("echo: ping through the outbound listener");
      Futures.await(socket.close());
    } catch (Exception e) {
      throw new AssertionError(e);
    } finally {
      Futures.await(clientVertx.close());
    }
  }

  /** A remote that echoes /echo, sends {@link #BODY} bytes for /bytes, echoes WebSocket text; returns its port. */
  private int remote(boolean tls, boolean http2) {
    HttpServerOptions options = new HttpServerOptions().setHost("127.0.0.1").setPort(0);
    if (tls) {
      Path files = dir.resolve("remote-" + System.nanoTime());
      ca.server("remote", Duration.ofDays(1)).writeTo(files, true);
      options.setSsl(true).setUseAlpn(http2).setKeyCertOptions(new PemKeyCertOptions()
          .setCertPath(files.resolve("tls.crt").toString()).setKeyPath(files.resolve("tls.key").toString()));
    } else if (http2) {
      options.setHttp2ClearTextEnabled(true);
    }
    HttpServer server = remoteVertx.createHttpServer(options)
        .webSocketHandler(ws -> ws.textMessageHandler(text -> ws.writeTextMessage("echo: " + text)))
        .requestHandler(request -> {
          connectionsByProtocol.computeIfAbsent(request.version().alpnName(),
              v -> ConcurrentHashMap.newKeySet()).add(request.connection());
          switch (request.path()) {
            case "/digest" -> {
              MessageDigest sha = sha256();
              request.handler(chunk -> sha.update(chunk.getBytes()));
              request.endHandler(v -> request.response().end(HexFormat.of().formatHex(sha.digest())));
            }
            case "/bytes" -> {
              byte[] chunk = new byte[64 * 1024];
              var response = request.response().putHeader("content-length", Integer.toString(BODY));
              for (int sent = 0; sent < BODY; sent += chunk.length) {
                response.write(Buffer.buffer(chunk));
              }
              response.end();
            }
            default -> request.response().end("hello");
          }
        });
    return Futures.await(server.listen()).actualPort();
  }

  private URI uri(String path) {
    return URI.create("http://127.0.0.1:" + proxy.outboundPort("remote") + path);
  }

  /** The settings of a proxy with one outbound entry to {@code url}; {@code settings} are the entry's own. */
  private static ProxyHarness.Builder outbound(String url, String settings) {
    return ProxyHarness.forUpstream(1).with(Key.TIMEOUTS_CONNECT, "20s").yaml("""
        outbound:
          - name: remote
            listen: 127.0.0.1:0
            upstream: %s
            %s
            tls: {caFile: %s}
        """.formatted(url, settings, caFile));
  }

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private static String digest(InputStream in) throws Exception {
    MessageDigest sha = sha256();
    byte[] buffer = new byte[64 * 1024];
    for (int n; (n = in.read(buffer)) > 0; ) {
      sha.update(buffer, 0, n);
    }
    return HexFormat.of().formatHex(sha.digest());
  }
}
