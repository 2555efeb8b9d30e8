package batcycle.headers;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import batcycle.accesslog.AccessLogRecord;
import batcycle.config.Key;
import batcycle.pipeline.TraceContext;
import batcycle.testing.ProxyHarness;
import batcycle.testing.RecordingOrigin;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** W3C trace context through a real proxy: passed on unchanged, started when configured, logged and exemplified. */
class TracingIT {
  private static final Duration BOUND = Duration.ofSeconds(10);
  private static final String TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736";
  private static final String SPAN_ID = "00f067aa0ba902b7";
  private static final String TRACEPARENT = "00-" + TRACE_ID + "-" + SPAN_ID + "-01";
  private static final String TRACESTATE = "congo=t61rcWkgMzE,rojo=00f067aa0ba902b7";
  private static final Pattern VALID_TRACEPARENT = Pattern.compile("00-[0-9a-f]{32}-[0-9a-f]{16}-01");

  private RecordingOrigin origin;
  @RegisterExtension
  final ProxyHarness proxy = ProxyHarness.startedByEachTest();

  private void start(boolean startTraces) {
    origin = proxy.closesAfter(RecordingOrigin.start());
    proxy.start(ProxyHarness.forUpstream(origin.port())
        .with(Key.TRACING_START_TRACES, Boolean.toString(startTraces)));
  }

  /** Sends GET {@code path} with headers given as name, value, ...; returns what the app received. */
  private RecordingOrigin.Received send(String requestId, String... headers) {
    HttpRequest.Builder request = HttpRequest.newBuilder(proxy.uri("/traced")).timeout(BOUND)
        .header("X-Request-Id", requestId);
    for (int i = 0; i + 1 < headers.length; i += 2) {
      request.header(headers[i], headers[i + 1]);
    }
    HttpResponse<String> response = proxy.send(request.build());
    assertThat(response.statusCode()).isEqualTo(200);
    return origin.received().stream().filter(r -> requestId.equals(r.header("x-request-id"))).findFirst()
        .orElseThrow();
  }

  private AccessLogRecord logged(String requestId) {
    return await().atMost(BOUND).until(() -> proxy.accessLog().records().stream()
        .filter(r -> requestId.equals(r.requestId())).findFirst().orElse(null), r -> r != null);
  }

  @ParameterizedTest(name = "startTraces={0}")
  @ValueSource(booleans = {false, true})
  void passesTheClientsTraceparentAndTracestateToTheAppUnchanged(boolean startTraces) {
    start(startTraces);

    var received = send("req-pass", "traceparent", TRACEPARENT, "tracestate", TRACESTATE);

    assertThat(received.headers().getAll("traceparent")).containsExactly(TRACEPARENT);
    assertThat(received.headers().getAll("tracestate")).containsExactly(TRACESTATE);
    assertThat(logged("req-pass").traceId()).isEqualTo(TRACE_ID);
    assertThat(logged("req-pass").spanId()).isEqualTo(SPAN_ID);
  }

  @Test
  void sendsNoTraceWhenTheClientHasNoneAndStartingIsOff() {
    start(false);

    var received = send("req-none");

    assertThat(received.header("traceparent")).isNull();
    assertThat(received.header("tracestate")).isNull();
    assertThat(logged("req-none").traceId()).isNull();
    assertThat(logged("req-none").spanId()).isNull();
  }

  @Test
  void startsATraceThatTheAppAndTheRequestLogShare() {
    start(true);

    var first = send("req-start-1");
    var second = send("req-start-2");

    String traceparent = first.header("traceparent");
    assertThat(traceparent).matches(VALID_TRACEPARENT);
    TraceContext parsed = TraceContext.parse(traceparent);
    assertThat(parsed).isNotNull();
    AccessLogRecord log = logged("req-start-1");
    assertThat(log.traceId()).isEqualTo(parsed.traceId());
    assertThat(log.spanId()).isEqualTo(parsed.spanId());
    assertThat(first.header("tracestate")).isNull();
    assertThat(second.header("traceparent")).matches(VALID_TRACEPARENT);
    assertThat(TraceContext.parse(second.header("traceparent")).traceId()).as("a new trace per request")
        .isNotEqualTo(parsed.traceId());
    assertThat(logged("req-start-2").traceId()).isEqualTo(TraceContext.parse(second.header("traceparent")).traceId());
  }

  @ParameterizedTest
  @ValueSource(strings = {
      "00-4BF92F3577B34DA6A3CE929D0E0E4736-00F067AA0BA902B7-01", // upper-case hex
      "00-00000000000000000000000000000000-00f067aa0ba902b7-01", // all-zero trace id
      "00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01", // all-zero parent id
      "ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01", // forbidden version
      "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-extra", // version 00 has no more fields
      "00-4bf92f3577b34da6a3ce929d0e0e473-00f067aa0ba902b7-01", // trace id one digit short
      "garbage"})
  void replacesAnInvalidTraceparentWithANewOneAndDropsTracestate(String invalid) {
    start(true);

    var received = send("req-invalid", "traceparent", invalid, "tracestate", TRACESTATE);

    assertThat(received.headers().getAll("traceparent")).hasSize(1);
    String traceparent = received.header("traceparent");
    assertThat(traceparent).matches(VALID_TRACEPARENT);
    assertThat(received.header("tracestate")).isNull();
    assertThat(logged("req-invalid").traceId()).isEqualTo(TraceContext.parse(traceparent).traceId());
  }

  @Test
  void leavesAnInvalidTraceparentAloneAndLogsNoTraceWhenStartingIsOff() {
    start(false);
    String invalid = "00-00000000000000000000000000000000-00f067aa0ba902b7-01";

    var received = send("req-invalid-off", "traceparent", invalid, "tracestate", TRACESTATE);

    // Not taking part in tracing, batcycle is a transparent hop: what the app makes of it is the app's call.
    assertThat(received.header("traceparent")).isEqualTo(invalid);
    assertThat(received.header("tracestate")).isEqualTo(TRACESTATE);
    assertThat(logged("req-invalid-off").traceId()).isNull();
  }

  @Test
  void exposesTheTraceIdAsAnOpenMetricsExemplarOfTheRequestLatency() {
    start(false);
    send("req-exemplar", "traceparent", TRACEPARENT);
    logged("req-exemplar"); // recorded at the same exchange end as the metrics

    // Micrometer's Prometheus registry (client_java 1.x) names exemplar labels trace_id and span_id.
    String exemplar = "trace_id=\"" + TRACE_ID + "\"";
    List<String> lines = openMetrics().lines()
        .filter(line -> line.startsWith("batcycle_requests_seconds_bucket{") && line.contains(" # {")).toList();
    assertThat(lines).anySatisfy(line -> {
      String labels = line.substring(line.indexOf(" # {") + 4, line.indexOf('}', line.indexOf(" # {")));
      assertThat(labels.split(",")).containsExactlyInAnyOrder(exemplar, "span_id=\"" + SPAN_ID + "\"");
      assertThat(line).contains("method=\"GET\"", "status=\"200\"");
    });
    assertThat(proxy.admin("/metrics").body()).as("the Prometheus text format has no exemplars")
        .doesNotContain(TRACE_ID);
  }

  private String openMetrics() {
    return proxy.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + proxy.adminPort() + "/metrics"))
        .timeout(BOUND).header("Accept", "application/openmetrics-text; version=1.0.0").build()).body();
  }
}
