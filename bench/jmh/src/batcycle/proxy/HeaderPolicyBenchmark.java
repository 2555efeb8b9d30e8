package batcycle.proxy;

import batcycle.config.BatcycleConfig;
import batcycle.config.HeaderConfig;
import batcycle.headers.ForwardedHeadersLayer;
import batcycle.headers.HeaderNames;
import batcycle.headers.RequestIds;
import batcycle.jmh.StubRequest;
import batcycle.jmh.Traffic;
import batcycle.pipeline.Exchange;
import batcycle.pipeline.Pipeline;
import batcycle.pipeline.UpstreamResponse;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpVersion;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.infra.Blackhole;

/**
 * The header policy of one request, both directions, with the default configuration.
 * <p>
 * {@link #requestHeaders}: what {@code ProxyVerticle.handle} and the header layers do to an arriving request head
 * before the forwarder takes over: a new {@link Exchange} with {@link RequestIds#keepOrGenerate}, then the real
 * {@link RequestPreparation} and {@link ForwardedHeadersLayer} linked by {@link Pipeline#of} (target and Host
 * checks, copy of the headers, WebSocket check, hop-by-hop and Connection-token stripping, X-Request-Id,
 * traceparent, X-Forwarded-*). The terminal step answers at once; the forwarder's second copy of the headers onto
 * the client request ({@code UpstreamForwarder.copyHeaders}) needs a live {@code HttpClientRequest} and is not
 * included.
 * <p>
 * {@link #responseHeaders}: {@code ResponseRelay.copyHeaders}, the header part of {@code relay} (which needs a live
 * server response): the app's headers onto the (empty) response headers, hop-by-hop stripped, X-Request-Id, Via
 * when configured; then the Content-Length check relay makes.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class HeaderPolicyBenchmark {
  private static final Future<UpstreamResponse> ANSWERED = Future.succeededFuture();

  private Pipeline requestSide;
  private HeaderConfig headerConfig;
  private MultiMap appHeaders;
  /** Stands for the server response's own header map, which Vert.x allocates empty for every response. */
  private MultiMap responseHeaders;
  private String requestId;

  @Setup
  public void setUp() {
    BatcycleConfig config = BatcycleConfig.defaults();
    headerConfig = config.headers();
    requestSide = Pipeline.of(exchange -> ANSWERED,
        new RequestPreparation(config.observability().startTraces(), config.upstream().protocol()),
        new ForwardedHeadersLayer(config.headers(), config.upstream()));
    appHeaders = Traffic.appResponseHeaders();
    responseHeaders = HttpHeaders.headers();
    requestId = RequestIds.keepOrGenerate(null);
    checkRequestSide(prepareOne(Traffic.get(Traffic.browserRequestHeaders())).headers());
    checkRequestSide(prepareOne(Traffic.get(Traffic.serviceRequestHeaders())).headers());
    checkResponseSide(responseHeaders());
  }

  /** Which client's request head arrives. */
  @State(Scope.Benchmark)
  public static class Client {
    /** browser: a Chrome page load with no id or trace; service: a client call with its own id and traceparent. */
    @Param({"browser", "service"})
    public String client;

    StubRequest request;

    @Setup
    public void setUp() {
      request = Traffic.get("browser".equals(client) ? Traffic.browserRequestHeaders()
          : Traffic.serviceRequestHeaders());
    }
  }

  /** The exchange and its outbound headers go to the Blackhole, so none of the work can be dropped. */
  @Benchmark
  public void requestHeaders(Client client, Blackhole bh) {
    Exchange exchange = prepareOne(client.request);
    bh.consume(exchange.headers());
    bh.consume(exchange);
  }

  private Exchange prepareOne(StubRequest request) {
    Exchange exchange = new Exchange(request, RequestIds.keepOrGenerate(request.getHeader(HeaderNames.X_REQUEST_ID)),
        System.nanoTime(), System.currentTimeMillis());
    Future<UpstreamResponse> forwarded = requestSide.handle(exchange);
    if (forwarded.failed()) {
      throw new IllegalStateException("request rejected", forwarded.cause());
    }
    return exchange;
  }

  @Benchmark
  public MultiMap responseHeaders() {
    MultiMap headers = responseHeaders;
    headers.clear();
    ResponseRelay.copyHeaders(appHeaders, headers, requestId, false,
        headerConfig.via() ? HttpVersion.HTTP_1_1 : null);
    if (!headers.contains(HeaderNames.CONTENT_LENGTH)) {
      throw new IllegalStateException("the app's response has a Content-Length");
    }
    return headers;
  }

  /** Guards against measuring a rejection or a no-op after a change in the measured code. */
  private static void checkRequestSide(MultiMap out) {
    if (out == null || out.contains(HeaderNames.CONNECTION) || !out.contains(HeaderNames.X_FORWARDED_FOR)
        || !out.contains(HeaderNames.X_REQUEST_ID) || !out.contains(HeaderNames.HOST)) {
      throw new IllegalStateException("unexpected outbound request headers: " + out);
    }
  }

  private static void checkResponseSide(MultiMap out) {
    if (out.contains(HeaderNames.CONNECTION) || out.contains(HeaderNames.KEEP_ALIVE) || out.size() != 9) {
      throw new IllegalStateException("unexpected response headers: " + out);
    }
  }
}
