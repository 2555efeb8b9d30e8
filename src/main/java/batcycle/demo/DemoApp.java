package batcycle.demo;

import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.IntSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The embedded app batcycle proxies in {@code --demo} mode: endpoints that exercise streaming, latency, failures and
 * WebSockets, and {@code /call}, which calls out through batcycle's outbound listener. The same server, named the
 * demo remote, is what that listener forwards to.
 */
public final class DemoApp {
  private static final Logger LOG = LoggerFactory.getLogger(DemoApp.class);
  private static final String TEXT_PLAIN = "text/plain; charset=utf-8";
  private static final String STATUS_PREFIX = "/status/";
  static final String INDEX = """
      batcycle demo app
        GET  /                this index
        GET  /hello           a greeting
        ANY  /echo            streams the request body back
        GET  /headers         the request head as received, as JSON
        GET  /slow?ms=N       answers after N ms (0..60000, default 1000)
        GET  /flaky?rate=R    503 with probability R (0..1, default 0.5)
        GET  /bytes?n=N       N bytes of a..z (0..10 GiB, default 1024)
        GET  /status/{code}   answers with that status (200..599)
        WS   /ws              echoes every text and binary message
        ANY  /call?path=P     calls path P of a remote through batcycle's outbound listener, body and all,
                              and answers with what the remote answered
      """;
  private static final String CALL_PATH = "/call";
  /** Largest response of a remote /call relays; the demo's remote answers are small. */
  private static final int MAX_CALL_RESPONSE = 1 << 20;

  private final Vertx vertx;
  private final String name;
  private final IntSupplier outboundPort;
  private HttpClient client;

  private DemoApp(Vertx vertx, String name, IntSupplier outboundPort) {
    this.vertx = vertx;
    this.name = name;
    this.outboundPort = outboundPort;
  }

  /** Starts the demo app; {@code port} 0 picks a free port, read it from {@link HttpServer#actualPort()}. */
  public static Future<HttpServer> start(Vertx vertx, String host, int port) {
    return start(vertx, host, port, "demo app", () -> 0);
  }

  /**
   * Starts a demo server named {@code name} (its greeting): the demo app, or the demo remote it calls.
   * {@code outboundPort}: the port of batcycle's outbound listener that {@code /call} goes through, asked at each
   * call (it is bound after the app starts); 0 when there is none.
   */
  public static Future<HttpServer> start(Vertx vertx, String host, int port, String name, IntSupplier outboundPort) {
    var app = new DemoApp(vertx, name, outboundPort);
    var options = new HttpServerOptions().setHost(host).setPort(port)
        .setHandle100ContinueAutomatically(true); // curl sends Expect: 100-continue for larger /echo bodies
    return vertx.createHttpServer(options).requestHandler(app::handle).listen()
        .onSuccess(server -> LOG.info("demo app listening on {}:{}", host, server.actualPort()));
  }

  private void handle(HttpServerRequest req) {
    String path = req.path();
    if (path.equals("/echo")) {
      echo(req);
      return;
    }
    if (path.equals(CALL_PATH)) {
      call(req);
      return;
    }
    Handler<HttpServerRequest> route = route(path);
    if (route == null) {
      text(req, 404, "not found\n");
    } else if (req.method() != HttpMethod.GET && req.method() != HttpMethod.HEAD) {
      req.response().putHeader(HttpHeaders.ALLOW, "GET, HEAD");
      text(req, 405, "method not allowed\n");
    } else {
      try {
        route.handle(req);
      } catch (DemoParams.InvalidParameter e) {
        text(req, 400, e.getMessage() + "\n");
      }
    }
  }

  private Handler<HttpServerRequest> route(String path) {
    return switch (path) {
      case "/" -> req -> text(req, 200, INDEX);
      case "/hello" -> req -> text(req, 200, "hello from the " + name + "\n");
      case "/headers" -> DemoApp::headers;
      case "/slow" -> this::slow;
      case "/flaky" -> DemoApp::flaky;
      case "/bytes" -> DemoApp::bytes;
      case "/ws" -> DemoApp::webSocket;
      default -> path.startsWith(STATUS_PREFIX) ? DemoApp::status : null;
    };
  }

  private static void echo(HttpServerRequest req) {
    HttpServerResponse resp = req.response();
    String type = req.getHeader(HttpHeaders.CONTENT_TYPE);
    if (type != null) {
      resp.putHeader(HttpHeaders.CONTENT_TYPE, type);
    }
    String length = req.getHeader(HttpHeaders.CONTENT_LENGTH);
    if (length != null) {
      resp.putHeader(HttpHeaders.CONTENT_LENGTH, length);
    } else {
      resp.setChunked(true);
    }
    // Reset instead of ending on failure: a truncated echo must not look like a complete one.
    req.pipe().endOnFailure(false).to(resp).onFailure(err -> resp.reset());
  }

  /**
   * The app's own call out, as the seed's app POSTs to its sidecar: the request (method, body) goes to
   * {@code http://127.0.0.1:<outbound port><path>}, and the remote's status and body come back, or a 502 saying
   * why the call failed.
   */
  private void call(HttpServerRequest req) {
    String target = req.getParam("path", "/hello");
    int port = outboundPort.getAsInt();
    if (!target.startsWith("/") || target.chars().anyMatch(c -> c <= ' ' || c >= 0x7f)) {
      text(req, 400, "path must be an absolute path such as /hello\n");
      return;
    }
    if (port <= 0) {
      text(req, 503, "no outbound entry to call through (start with --demo, or set outbound)\n");
      return;
    }
    if (client == null) {
      client = vertx.createHttpClient(new HttpClientOptions().setKeepAlive(true));
    }
    req.pause();
    client.request(new RequestOptions().setMethod(req.method()).setHost("127.0.0.1").setPort(port).setURI(target))
        .compose(out -> {
          // As a well-behaved app does: the call carries on the request's id and trace, so batcycle's two log lines
          // (inbound, then outbound) share them.
          for (String header : List.of("content-type", "x-request-id", "traceparent", "tracestate")) {
            String value = req.getHeader(header);
            if (value != null) {
              out.putHeader(header, value);
            }
          }
          return out.send(req);
        })
        .compose(in -> in.body().map(body -> new Object[] {in.statusCode(), body}))
        .onSuccess(result -> {
          var body = (io.vertx.core.buffer.Buffer) result[1];
          String shown = body.length() > MAX_CALL_RESPONSE ? body.getString(0, MAX_CALL_RESPONSE) : body.toString();
          req.response().putHeader("x-demo-called", "http://127.0.0.1:" + port + target);
          text(req, (int) result[0], "the " + name + " called http://127.0.0.1:" + port + target
              + " (batcycle's outbound listener); the remote answered " + result[0] + ":\n" + shown);
        })
        .onFailure(err -> text(req, 502, "the call through http://127.0.0.1:" + port + " failed: "
            + err.getMessage() + "\n"));
  }

  private static void headers(HttpServerRequest req) {
    var headers = new JsonObject();
    for (Map.Entry<String, String> header : req.headers()) {
      String name = header.getKey().toLowerCase(Locale.ROOT);
      JsonArray values = headers.getJsonArray(name);
      if (values == null) {
        values = new JsonArray();
        headers.put(name, values);
      }
      values.add(header.getValue());
    }
    // Nested, so a header named "method" or "uri" cannot collide with the request line fields.
    var body = new JsonObject().put("method", req.method().name()).put("uri", req.uri())
        .put("version", versionText(req.version())).put("headers", headers);
    req.response().putHeader(HttpHeaders.CONTENT_TYPE, "application/json").end(body.encodePrettily() + "\n");
  }

  private void slow(HttpServerRequest req) {
    long ms = DemoParams.longParam(req, "ms", 1000, 0, 60_000);
    if (ms == 0) { // setTimer rejects delays below 1 ms
      text(req, 200, "slept 0 ms\n");
      return;
    }
    long timer = vertx.setTimer(ms, id -> text(req, 200, "slept " + ms + " ms\n"));
    // A client that gives up should not leave a timer of up to a minute behind.
    req.response().closeHandler(v -> vertx.cancelTimer(timer));
  }

  private static void flaky(HttpServerRequest req) {
    double rate = DemoParams.doubleParam(req, "rate", 0.5, 0, 1);
    if (ThreadLocalRandom.current().nextDouble() < rate) {
      text(req, 503, "flaky failure\n");
    } else {
      text(req, 200, "ok\n");
    }
  }

  private static void bytes(HttpServerRequest req) {
    long n = DemoParams.longParam(req, "n", 1024, 0, 10L << 30);
    PatternBody.send(req.response(), n, req.method() == HttpMethod.HEAD);
  }

  private static void status(HttpServerRequest req) {
    String raw = req.path().substring(STATUS_PREFIX.length());
    int code = (int) DemoParams.parseLong("code", raw, 200, 599);
    if (code == 204 || code == 205 || code == 304) { // RFC 9110 §15: these never carry content
      req.response().setStatusCode(code).end();
    } else {
      text(req, code, "status " + code + "\n");
    }
  }

  private static void webSocket(HttpServerRequest req) {
    if (!req.canUpgradeToWebSocket()) {
      text(req, 400, "websocket upgrade required\n");
      return;
    }
    req.toWebSocket().onSuccess(DemoApp::echoMessages)
        .onFailure(err -> LOG.debug("demo websocket handshake failed", err));
  }

  private static void echoMessages(ServerWebSocket ws) {
    ws.textMessageHandler(text -> {
      ws.writeTextMessage(text);
      throttle(ws);
    });
    ws.binaryMessageHandler(data -> {
      ws.writeBinaryMessage(data);
      throttle(ws);
    });
  }

  private static void throttle(ServerWebSocket ws) {
    // Stop reading while the peer is not reading its echoes, or the write queue would grow without bound.
    if (ws.writeQueueFull()) {
      ws.pause();
      ws.drainHandler(v -> ws.resume());
    }
  }

  private static void text(HttpServerRequest req, int status, String body) {
    req.response().setStatusCode(status).putHeader(HttpHeaders.CONTENT_TYPE, TEXT_PLAIN).end(body);
  }

  private static String versionText(HttpVersion version) {
    return switch (version) {
      case HTTP_1_0 -> "HTTP/1.0";
      case HTTP_1_1 -> "HTTP/1.1";
      case HTTP_2 -> "HTTP/2";
    };
  }
}
