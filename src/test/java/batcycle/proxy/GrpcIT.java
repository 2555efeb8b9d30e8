package batcycle.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import batcycle.config.Key;
import batcycle.testing.Futures;
import batcycle.testing.ProxyHarness;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.net.SocketAddress;
import io.vertx.grpc.client.GrpcClient;
import io.vertx.grpc.client.GrpcClientResponse;
import io.vertx.grpc.common.GrpcStatus;
import io.vertx.grpc.common.ServiceName;
import io.vertx.grpc.server.GrpcServer;
import io.vertx.grpc.server.GrpcServerRequest;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Real gRPC (vertx-grpc client and server, raw Buffer messages) through batcycle with {@code upstreamProtocol: h2c}.
 * gRPC puts its status in HTTP/2 trailers, so these calls also prove trailers and {@code TE: trailers} pass.
 */
class GrpcIT {
  private static final ServiceName SERVICE = ServiceName.create("batcycle.test", "Probe");

  private Vertx originVertx;
  private Vertx clientVertx;
  @RegisterExtension
  final ProxyHarness proxy = ProxyHarness.startedByEachTest();
  private GrpcClient client;
  /** Request headers of every call as the gRPC server saw them. */
  private final List<MultiMap> seenHeaders = new CopyOnWriteArrayList<>();

  @BeforeEach
  void start() {
    originVertx = Vertx.vertx();
    GrpcServer grpc = GrpcServer.server(originVertx).callHandler(this::serve);
    HttpServer server = originVertx.createHttpServer(new HttpServerOptions().setHttp2ClearTextEnabled(true))
        .requestHandler(grpc);
    int originPort = Futures.await(server.listen(0, "127.0.0.1")).actualPort();
    proxy.closesAfter(() -> Futures.await(originVertx.close()));
    proxy.start(ProxyHarness.forUpstream(originPort).with(Key.UPSTREAM_PROTOCOL, "h2c"));
    clientVertx = Vertx.vertx();
    client = GrpcClient.client(clientVertx, new HttpClientOptions()
        .setProtocolVersion(HttpVersion.HTTP_2)
        .setHttp2ClearTextUpgrade(false));
  }

  @AfterEach
  void stop() {
    Futures.await(client.close());
    Futures.await(clientVertx.close()); // the extension closes the proxy, then the origin, after this
  }

  /** The gRPC app: one service, one behaviour per method, every message a raw Buffer. */
  private void serve(GrpcServerRequest<Buffer, Buffer> call) {
    seenHeaders.add(MultiMap.caseInsensitiveMultiMap().addAll(call.headers()));
    switch (call.methodName()) {
      case "Unary" -> call.last().onSuccess(msg -> call.response().end(Buffer.buffer("echo:" + msg)));
      case "Count" -> call.last().onSuccess(msg -> {
        int n = Integer.parseInt(msg.toString());
        for (int i = 1; i <= n; i++) {
          call.response().write(Buffer.buffer("item-" + i));
        }
        call.response().end();
      });
      case "Missing" -> call.end().onSuccess(v -> call.response()
          .status(GrpcStatus.NOT_FOUND).statusMessage("no such probe: 42").end());
      case "FailAfterData" -> call.last().onSuccess(msg -> {
        call.response().write(Buffer.buffer("partial"));
        call.response().status(GrpcStatus.RESOURCE_EXHAUSTED).statusMessage("quota gone").end();
      });
      case "Chat" -> {
        call.handler(msg -> call.response().write(Buffer.buffer("re:" + msg)));
        call.endHandler(v -> call.response().end());
      }
      default -> call.response().status(GrpcStatus.UNIMPLEMENTED).end();
    }
  }

  @Test
  void unaryCallReturnsTheAnswerAndStatusOk() {
    Result result = Futures.await(call("Unary", List.of("hello")));

    assertThat(result.status()).isEqualTo(GrpcStatus.OK);
    assertThat(result.messages()).containsExactly("echo:hello");
    MultiMap headers = seenHeaders.get(0);
    assertThat(headers.get("content-type")).startsWith("application/grpc");
    assertThat(headers.get("te")).isEqualTo("trailers");
    assertThat(headers.get("x-forwarded-for")).isEqualTo("127.0.0.1");
  }

  @Test
  void serverStreamingCallDeliversEveryMessageInOrder() {
    Result result = Futures.await(call("Count", List.of("25")));

    assertThat(result.status()).isEqualTo(GrpcStatus.OK);
    List<String> expected = new ArrayList<>();
    for (int i = 1; i <= 25; i++) {
      expected.add("item-" + i);
    }
    assertThat(result.messages()).containsExactlyElementsOf(expected);
  }

  @Test
  void errorStatusAndMessageOfTheServerReachTheClient() {
    Result result = Futures.await(call("Missing", List.of("42")));

    assertThat(result.status()).isEqualTo(GrpcStatus.NOT_FOUND);
    assertThat(result.statusMessage()).isEqualTo("no such probe: 42");
    assertThat(result.messages()).isEmpty();
  }

  @Test
  void errorStatusSentInTrailersAfterMessagesReachesTheClient() {
    Result result = Futures.await(call("FailAfterData", List.of("go")));

    assertThat(result.messages()).containsExactly("partial");
    assertThat(result.status()).isEqualTo(GrpcStatus.RESOURCE_EXHAUSTED);
    // vertx-grpc's client reports statusMessage() only for trailers-only answers (also without batcycle), so read
    // the trailer itself: percent-encoded as the gRPC HTTP/2 protocol spec says.
    assertThat(result.trailers().get("grpc-message")).isEqualTo("quota%20gone");
  }

  @Test
  void bidirectionalStreamingCallAnswersEveryMessageInOrder() {
    List<String> sent = List.of("a", "bb", "ccc", "dddd", "eeeee");

    Result result = Futures.await(call("Chat", sent));

    assertThat(result.status()).isEqualTo(GrpcStatus.OK);
    assertThat(result.messages()).containsExactly("re:a", "re:bb", "re:ccc", "re:dddd", "re:eeeee");
  }

  @Test
  void bidirectionalStreamingCallGetsEachAnswerBeforeSendingTheNextMessage() {
    int rounds = 5;
    Promise<Result> done = Promise.promise();
    List<String> received = new CopyOnWriteArrayList<>();
    // Ping-pong: the next message goes out only after the answer to the previous one came back through batcycle,
    // so nothing may be buffered along the way in either direction.
    client.request(SocketAddress.inetSocketAddress(proxy.port(), "127.0.0.1")).onSuccess(request -> {
      request.serviceName(SERVICE).methodName("Chat");
      request.response().onSuccess(response -> {
        response.handler(msg -> {
          received.add(msg.toString());
          if (received.size() < rounds) {
            request.write(Buffer.buffer("ping-" + received.size()));
          } else {
            request.end();
          }
        });
        response.exceptionHandler(done::tryFail);
        response.endHandler(v -> done.tryComplete(
            new Result(response.status(), response.statusMessage(), List.copyOf(received), response.trailers())));
      }).onFailure(done::tryFail);
      request.write(Buffer.buffer("ping-0"));
    }).onFailure(done::tryFail);

    Result result = Futures.await(done.future());

    assertThat(result.status()).isEqualTo(GrpcStatus.OK);
    assertThat(result.messages()).containsExactly("re:ping-0", "re:ping-1", "re:ping-2", "re:ping-3", "re:ping-4");
  }

  // ---- helpers

  /** What the client saw of one call. */
  private record Result(GrpcStatus status, String statusMessage, List<String> messages, MultiMap trailers) {}

  private Future<Result> call(String method, List<String> messages) {
    return client.request(SocketAddress.inetSocketAddress(proxy.port(), "127.0.0.1"))
        .compose(request -> {
          request.serviceName(SERVICE).methodName(method);
          for (int i = 0; i < messages.size() - 1; i++) {
            request.write(Buffer.buffer(messages.get(i)));
          }
          request.end(Buffer.buffer(messages.get(messages.size() - 1)));
          return request.response();
        })
        .compose(GrpcIT::collect);
  }

  private static Future<Result> collect(GrpcClientResponse<Buffer, Buffer> response) {
    Promise<Result> result = Promise.promise();
    List<String> messages = new ArrayList<>();
    response.handler(msg -> messages.add(msg.toString()));
    response.endHandler(v -> result.tryComplete(
        new Result(response.status(), response.statusMessage(), List.copyOf(messages), response.trailers())));
    response.exceptionHandler(result::tryFail);
    return result.future();
  }
}
