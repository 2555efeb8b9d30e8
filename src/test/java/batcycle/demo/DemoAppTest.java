package batcycle.demo;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class DemoAppTest {
  private static final Duration TIMEOUT = Duration.ofSeconds(10);

  private Vertx vertx;
  private int port;
  private final HttpClient client = HttpClient.newBuilder()
      .version(HttpClient.Version.HTTP_1_1) // the default HTTP/2 would try an h2c upgrade first
      .connectTimeout(TIMEOUT).build();

  @BeforeEach
  void startApp() throws Exception {
    vertx = Vertx.vertx();
    port = await(DemoApp.start(vertx, "127.0.0.1", 0)).actualPort();
  }

  @AfterEach
  void stopApp() throws Exception {
    await(vertx.close());
  }

  @Test
  void listsEndpointsOnIndex() throws Exception {
    var response = get("/");
    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.body()).contains("/hello", "/echo", "/headers", "/slow", "/flaky", "/bytes", "/status/", "/ws",
        "/call");
  }

  @Test
  void callsOutOnlyThroughAnOutboundListener() throws Exception {
    var response = get("/call?path=/hello");
    assertThat(response.statusCode()).isEqualTo(503);
    assertThat(response.body()).contains("no outbound entry");
    assertThat(get("/call?path=hello").statusCode()).isEqualTo(400);
  }

  @Test
  void greetsOnHello() throws Exception {
    var response = get("/hello");
    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.body()).isEqualTo("hello from the demo app\n");
    assertThat(response.headers().firstValue("content-type")).hasValueSatisfying(t -> assertThat(t).startsWith("text/plain"));
  }

  @Test
  void echoesBodyWithItsContentTypeAndLength() throws Exception {
    var request = request("/echo").header("Content-Type", "application/x-demo")
        .POST(BodyPublishers.ofString("ping pong")).build();
    var response = client.send(request, BodyHandlers.ofString());
    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.body()).isEqualTo("ping pong");
    assertThat(response.headers().firstValue("content-type")).hasValue("application/x-demo");
    assertThat(response.headers().firstValue("content-length")).hasValue("9");
  }

  @Test
  void echoesChunkedBodyChunked() throws Exception {
    byte[] body = "x".repeat(200_000).getBytes(StandardCharsets.US_ASCII);
    // An InputStream publisher has no known length, so the JDK client sends it chunked.
    var request = request("/echo").PUT(BodyPublishers.ofInputStream(() -> new java.io.ByteArrayInputStream(body))).build();
    var response = client.send(request, BodyHandlers.ofByteArray());
    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.body()).isEqualTo(body);
    assertThat(response.headers().firstValue("transfer-encoding")).hasValue("chunked");
    assertThat(response.headers().firstValue("content-length")).isEmpty();
  }

  @Test
  void showsRequestHeadAsReceived() throws Exception {
    var request = request("/headers?a=1").header("X-Forwarded-For", "203.0.113.7")
        .header("X-Multi", "one").header("X-Multi", "two").GET().build();
    var response = client.send(request, BodyHandlers.ofString());
    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.headers().firstValue("content-type")).hasValue("application/json");
    var json = new JsonObject(response.body());
    assertThat(json.getString("method")).isEqualTo("GET");
    assertThat(json.getString("uri")).isEqualTo("/headers?a=1");
    assertThat(json.getString("version")).isEqualTo("HTTP/1.1");
    var headers = json.getJsonObject("headers");
    assertThat(headers.getJsonArray("x-forwarded-for")).containsExactly("203.0.113.7");
    assertThat(headers.getJsonArray("x-multi")).containsExactly("one", "two");
    assertThat(headers.getJsonArray("host")).containsExactly("127.0.0.1:" + port);
  }

  @Test
  void sleepsBeforeAnswering() throws Exception {
    long start = System.nanoTime();
    var response = get("/slow?ms=150");
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofMillis(150));
    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.body()).isEqualTo("slept 150 ms\n");
    assertThat(get("/slow?ms=0").body()).isEqualTo("slept 0 ms\n");
  }

  @Test
  void failsOrSucceedsAtTheRequestedRate() throws Exception {
    var failing = get("/flaky?rate=1");
    assertThat(failing.statusCode()).isEqualTo(503);
    assertThat(failing.body()).isEqualTo("flaky failure\n");
    var passing = get("/flaky?rate=0");
    assertThat(passing.statusCode()).isEqualTo(200);
    assertThat(passing.body()).isEqualTo("ok\n");
    assertThat(get("/flaky").statusCode()).isIn(200, 503);
  }

  @Test
  void streamsTheRequestedNumberOfPatternBytes() throws Exception {
    var response = client.send(request("/bytes?n=5000000").GET().build(), BodyHandlers.ofInputStream());
    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.headers().firstValue("content-length")).hasValue("5000000");
    try (InputStream body = response.body()) {
      assertThat(countPatternBytes(body)).isEqualTo(5_000_000L);
    }
    assertThat(get("/bytes").body()).hasSize(1024);
    assertThat(get("/bytes?n=0").body()).isEmpty();
  }

  @Test
  void answersHeadOnBytesWithLengthOnly() throws Exception {
    var request = request("/bytes?n=123456").method("HEAD", BodyPublishers.noBody()).build();
    var response = client.send(request, BodyHandlers.ofString());
    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.headers().firstValue("content-length")).hasValue("123456");
    assertThat(response.body()).isEmpty();
  }

  @Test
  void answersWithTheRequestedStatus() throws Exception {
    var teapot = get("/status/418");
    assertThat(teapot.statusCode()).isEqualTo(418);
    assertThat(teapot.body()).isEqualTo("status 418\n");
    assertThat(get("/status/503").statusCode()).isEqualTo(503);
    var noContent = get("/status/204");
    assertThat(noContent.statusCode()).isEqualTo(204);
    assertThat(noContent.body()).isEmpty();
    assertThat(get("/status/304").body()).isEmpty();
  }

  @ParameterizedTest
  @ValueSource(strings = {"/slow?ms=-1", "/slow?ms=60001", "/slow?ms=abc", "/flaky?rate=1.5", "/flaky?rate=-0.1",
      "/flaky?rate=NaN", "/flaky?rate=x", "/bytes?n=-1", "/bytes?n=10737418241", "/bytes?n=1k",
      "/status/99", "/status/100", "/status/101", "/status/600", "/status/abc", "/status/"})
  void rejectsInvalidParameters(String uri) throws Exception {
    var response = get(uri);
    assertThat(response.statusCode()).isEqualTo(400);
    assertThat(response.body()).startsWith("invalid ");
  }

  @Test
  void answersNotFoundAndMethodNotAllowed() throws Exception {
    var missing = get("/nope");
    assertThat(missing.statusCode()).isEqualTo(404);
    assertThat(missing.body()).isEqualTo("not found\n");
    var post = client.send(request("/hello").POST(BodyPublishers.ofString("x")).build(), BodyHandlers.ofString());
    assertThat(post.statusCode()).isEqualTo(405);
    assertThat(post.headers().firstValue("allow")).hasValue("GET, HEAD");
  }

  @Test
  void rejectsPlainGetOnWebSocketPath() throws Exception {
    assertThat(get("/ws").statusCode()).isEqualTo(400);
  }

  @Test
  void echoesWebSocketTextAndBinaryMessages() throws Exception {
    WebSocketClient wsClient = vertx.createWebSocketClient();
    WebSocket ws = await(wsClient.connect(port, "127.0.0.1", "/ws"));
    Promise<String> text = Promise.promise();
    Promise<Buffer> binary = Promise.promise();
    ws.textMessageHandler(text::tryComplete);
    ws.binaryMessageHandler(binary::tryComplete);
    ws.writeTextMessage("hello ws");
    ws.writeBinaryMessage(Buffer.buffer(new byte[] {0, 1, 2, (byte) 255}));
    assertThat(await(text.future())).isEqualTo("hello ws");
    assertThat(await(binary.future()).getBytes()).containsExactly(0, 1, 2, 255);
    await(ws.close());
  }

  private HttpRequest.Builder request(String pathAndQuery) {
    return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + pathAndQuery)).timeout(TIMEOUT);
  }

  private HttpResponse<String> get(String pathAndQuery) throws IOException, InterruptedException {
    return client.send(request(pathAndQuery).GET().build(), BodyHandlers.ofString());
  }

  /** Reads the stream, failing on the first byte that breaks the a..z pattern; returns the count. */
  private static long countPatternBytes(InputStream in) throws IOException {
    byte[] chunk = new byte[8192];
    long offset = 0;
    for (int read = in.read(chunk); read != -1; read = in.read(chunk)) {
      for (int i = 0; i < read; i++, offset++) {
        byte expected = (byte) ('a' + offset % 26);
        if (chunk[i] != expected) {
          throw new AssertionError("byte " + offset + " is " + chunk[i] + ", expected " + expected);
        }
      }
    }
    return offset;
  }

  private static <T> T await(Future<T> future) throws Exception {
    return future.toCompletionStage().toCompletableFuture().get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
  }
}
