package batcycle.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import batcycle.config.Key;
import batcycle.testing.Futures;
import batcycle.testing.ProxyHarness;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.http.UpgradeRejectedException;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.http.WebSocketConnectOptions;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** WebSocket upgrades through batcycle: a Vert.x WebSocket client in front, a Vert.x WebSocket server as the app. */
class WebSocketIT {
  private static final int MAX_MESSAGE = 8 * 1024 * 1024;
  private static final Duration WAIT = Duration.ofSeconds(10);

  private Vertx originVertx;
  private Vertx clientVertx;
  private WebSocketClient client;
  @RegisterExtension
  final ProxyHarness proxy = ProxyHarness.startedByEachTest();
  private int originPort;
  /** Server-side sockets in arrival order, with their handshake headers. */
  private final List<ServerWebSocket> accepted = new CopyOnWriteArrayList<>();
  /** What the origin does with each new WebSocket; echo by default. */
  private volatile Consumer<ServerWebSocket> behaviour = WebSocketIT::echo;
  /** When set, the origin answers every handshake with this status instead of 101. */
  private volatile int refuseWith;

  @BeforeEach
  void start() {
    originVertx = Vertx.vertx();
    HttpServer origin = originVertx.createHttpServer(new HttpServerOptions()
            .setMaxWebSocketMessageSize(MAX_MESSAGE)
            .setWebSocketSubProtocols(List.of("chat.v2")))
        .webSocketHandshakeHandler(handshake -> {
          if (refuseWith != 0) {
            handshake.reject(refuseWith);
          } else {
            handshake.accept();
          }
        })
        .webSocketHandler(ws -> {
          accepted.add(ws);
          behaviour.accept(ws);
        })
        .requestHandler(request -> request.response().end("plain"));
    originPort = Futures.await(origin.listen(0, "127.0.0.1")).actualPort();
    proxy.closesAfter(() -> Futures.await(originVertx.close()));
    proxy.start(ProxyHarness.forUpstream(originPort));
    clientVertx = Vertx.vertx();
    client = clientVertx.createWebSocketClient(new WebSocketClientOptions().setMaxMessageSize(MAX_MESSAGE));
  }

  @AfterEach
  void stop() {
    Futures.await(clientVertx.close()); // the extension closes the proxy, then the origin, after this
  }

  private static void echo(ServerWebSocket ws) {
    ws.textMessageHandler(text -> ws.writeTextMessage("echo:" + text));
    ws.binaryMessageHandler(ws::writeBinaryMessage);
  }

  @Test
  void textAndBinaryMessagesTravelBothWays() {
    WebSocket ws = connect(options());
    Future<String> text = nextText(ws);
    ws.writeTextMessage("hello");
    assertThat(Futures.await(text)).isEqualTo("echo:hello");

    Buffer binary = Buffer.buffer(new byte[] {0, 1, 2, (byte) 0xff, 10, 13});
    Future<Buffer> echoed = nextBinary(ws);
    ws.writeBinaryMessage(binary);
    assertThat(Futures.await(echoed)).isEqualTo(binary);
  }

  @Test
  void fiveMegabyteBinaryMessageIsEchoedIntact() {
    byte[] bytes = new byte[5 * 1024 * 1024];
    new Random(7).nextBytes(bytes);
    Buffer big = Buffer.buffer(bytes);
    WebSocket ws = connect(options());

    Future<Buffer> echoed = nextBinary(ws);
    ws.writeBinaryMessage(big);

    Http2IT.assertSameBytes(Futures.await(echoed), big);
  }

  @Test
  void originCanSendFirst() {
    behaviour = ws -> ws.writeTextMessage("welcome");
    Promise<String> first = Promise.promise();
    WebSocket ws = Futures.await(client.connect(options()).andThen(ar -> {
      if (ar.succeeded()) {
        ar.result().textMessageHandler(first::tryComplete);
      }
    }));

    assertThat(Futures.await(first.future())).isEqualTo("welcome");
    assertThat(ws.isClosed()).isFalse();
  }

  @Test
  void closeFromTheClientClosesTheOriginSide() {
    AtomicBoolean originClosed = new AtomicBoolean();
    behaviour = ws -> ws.closeHandler(v -> originClosed.set(true));
    WebSocket ws = connect(options());
    await().atMost(WAIT).until(() -> accepted.size() == 1);

    Futures.await(ws.close());

    await().atMost(WAIT).untilTrue(originClosed);
  }

  @Test
  void closeFromTheOriginClosesTheClientSide() {
    behaviour = ws -> ws.textMessageHandler(text -> ws.close((short) 4000, "bye: " + text));
    WebSocket ws = connect(options());
    Promise<Short> closed = Promise.promise();
    ws.closeHandler(v -> closed.tryComplete(ws.closeStatusCode()));

    ws.writeTextMessage("done");

    assertThat(Futures.await(closed.future(), 10)).isEqualTo((short) 4000);
    assertThat(ws.closeReason()).isEqualTo("bye: done");
  }

  @Test
  void subprotocolNegotiationPassesThrough() {
    WebSocket ws = connect(options().addSubProtocol("chat.v1").addSubProtocol("chat.v2"));

    assertThat(ws.subProtocol()).isEqualTo("chat.v2");
    await().atMost(WAIT).until(() -> accepted.size() == 1);
    assertThat(accepted.get(0).subProtocol()).isEqualTo("chat.v2");
  }

  @Test
  void originSeesForwardedForAndRequestIdOnTheHandshake() {
    WebSocket ws = connect(options().putHeader("X-Request-Id", "ws-handshake-1"));

    await().atMost(WAIT).until(() -> accepted.size() == 1);
    MultiMap handshake = accepted.get(0).headers();
    assertThat(handshake.get("x-forwarded-for")).isEqualTo("127.0.0.1");
    assertThat(handshake.get("x-request-id")).isEqualTo("ws-handshake-1");
    assertThat(handshake.get("host")).isEqualTo("127.0.0.1:" + proxy.port());
    assertThat(ws.headers().get("x-request-id")).isEqualTo("ws-handshake-1");
  }

  @Test
  void refusedUpgradeReachesTheClientAsItsStatusAndBatcycleStaysHealthy() {
    refuseWith = 403;

    Throwable failure = Futures.await(client.connect(options()).transform(ar -> Future.succeededFuture(ar.cause())));

    assertThat(failure).isInstanceOf(UpgradeRejectedException.class);
    assertThat(((UpgradeRejectedException) failure).getStatus()).isEqualTo(403);
    var plain = proxy.get("/after-refusal");
    assertThat(plain.statusCode()).isEqualTo(200);
    assertThat(plain.body()).isEqualTo("plain");
  }

  @Test
  void webSocketsStillWorkWhenTheAppIsReachedOverH2c() {
    // gRPC apps often serve WebSockets too; an HTTP/1.1 upgrade cannot travel over an HTTP/2 connection.
    try (var h2cProxy = ProxyHarness.forUpstream(originPort).with(Key.UPSTREAM_PROTOCOL, "h2c").start()) {
      WebSocket ws = connect(new WebSocketConnectOptions().setHost("127.0.0.1").setPort(h2cProxy.port()).setURI("/ws"));
      Future<String> text = nextText(ws);
      ws.writeTextMessage("over h2c app");
      assertThat(Futures.await(text)).isEqualTo("echo:over h2c app");
      Futures.await(ws.close());
    }
  }

  // ---- helpers

  private WebSocketConnectOptions options() {
    return new WebSocketConnectOptions().setHost("127.0.0.1").setPort(proxy.port()).setURI("/ws");
  }

  private WebSocket connect(WebSocketConnectOptions options) {
    return Futures.await(client.connect(options));
  }

  private static Future<String> nextText(WebSocket ws) {
    Promise<String> next = Promise.promise();
    ws.textMessageHandler(next::tryComplete);
    return next.future();
  }

  private static Future<Buffer> nextBinary(WebSocket ws) {
    Promise<Buffer> next = Promise.promise();
    ws.binaryMessageHandler(next::tryComplete);
    return next.future();
  }
}
