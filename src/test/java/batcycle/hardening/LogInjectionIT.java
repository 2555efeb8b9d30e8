package batcycle.hardening;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import batcycle.accesslog.AccessLogFormat;
import batcycle.accesslog.AccessLogRecord;
import batcycle.accesslog.StreamAccessLogSink;
import batcycle.config.Key;
import batcycle.testing.ProxyHarness;
import batcycle.testing.RawHttp;
import batcycle.testing.RawResponse;
import batcycle.testing.RecordingOrigin;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.json.JsonObject;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Nothing a client sends can forge a request-log line: hostile request ids, header values, paths and methods
 * (control characters, CR/LF, quotes, backslashes, JSON fragments, fake log fields, very long values) arrive over a
 * raw socket, and the record each leaves is written through the production sink in both formats. Every line must
 * be exactly one line without control characters; the JSON line must parse to exactly the known fields with the
 * values the record holds; the text line must keep its quoting intact. Request ids that are not safe are replaced.
 * (AccessLogFormatTest covers the encoder on hand-made records, RequestIdsTest the id rule.)
 */
class LogInjectionIT {
  private static final String CRLF = "\r\n";
  private static final Set<String> JSON_FIELDS = Set.of(AccessLogRecord.TS, AccessLogRecord.REQUEST_ID,
      AccessLogRecord.TRACE_ID, AccessLogRecord.SPAN_ID, AccessLogRecord.CLIENT, AccessLogRecord.METHOD,
      AccessLogRecord.PATH, AccessLogRecord.PROTOCOL, AccessLogRecord.DIRECTION, AccessLogRecord.UPSTREAM,
      AccessLogRecord.UPSTREAM_HOST, AccessLogRecord.STATUS, AccessLogRecord.UPSTREAM_STATUS,
      AccessLogRecord.BYTES_IN, AccessLogRecord.BYTES_OUT, AccessLogRecord.DURATION_MS, AccessLogRecord.UPSTREAM_MS,
      AccessLogRecord.ATTEMPTS, AccessLogRecord.RETRY_REASONS, AccessLogRecord.FLAGS, AccessLogRecord.USER_AGENT,
      AccessLogRecord.HEADERS);
  /** A quoted string of the text format: anything but a bare quote or backslash, or an escape. */
  private static final String QUOTED = "\"(?:[^\"\\\\]|\\\\.)*\"";
  private static final Pattern TEXT_LINE = Pattern.compile("\\S+ \\S+ \"[^\" ]+ (?:[^\"\\\\ ]|\\\\.)+ HTTP/[0-9.]+\" "
      + "\\d{3} (?:\\d{3}|-) \\d+ \\d+ [0-9.]+ms [0-9.]+ms attempts=\\d+(?: retries=\\S+)? flags=\\S+ "
      + "id=[A-Za-z0-9._:+/=-]+ trace=\\S+ ua=" + QUOTED + "(?: x-tenant=" + QUOTED + ")?");
  private static final Pattern GENERATED_ID = Pattern.compile("[0-9a-f]{32}");
  private static final String FAKE_LINE = "\n2026-01-01T00:00:00.000Z 10.0.0.1 \"GET /admin HTTP/1.1\" 200";

  private final RecordingOrigin origin = RecordingOrigin.start();
  @RegisterExtension
  final ProxyHarness proxy = ProxyHarness.forUpstream(origin::port).thenClose(origin)
      .with(Key.ACCESS_LOG_HEADERS, "x-tenant").with(Key.RETRY_MAX_ATTEMPTS, "1").build();

  /** One hostile request; {@code marker} names it in its path. */
  record Case(String name, String marker, String raw) {
    @Override
    public String toString() {
      return name;
    }
  }

  private static Case get(String name, String marker, String... fields) {
    var raw = new StringBuilder("GET /").append(marker).append(" HTTP/1.1").append(CRLF).append("Host: app")
        .append(CRLF);
    for (String field : fields) {
      raw.append(field).append(CRLF);
    }
    return new Case(name, marker, raw.append(CRLF).toString());
  }

  static Stream<Case> hostileRequests() {
    String controls = "\u0001\u0007\b\u000b\f\u001b[31mred\u001b[0m\u007f";
    String json = "x\",\"status\":200,\"injected\":\"yes";
    return Stream.of(
        get("control characters in a logged header and the user agent", "ctl",
            "User-Agent: ua" + controls, "X-Tenant: t" + controls),
        get("JSON-breaking quotes and a fake field in header values", "json",
            "User-Agent: " + json, "X-Tenant: " + json + "\\", "X-Request-Id: ok-id-1"),
        get("a fake text field after a closing quote", "text",
            "User-Agent: a\" flags=- id=forged trace=- ua=\"b", "X-Tenant: t\" x-admin=\"1"),
        get("obs-text bytes", "obs", "User-Agent: f\u00fcr \u00ff\u0080\u0085\u009b[2J", "X-Tenant: \u00e9\u0085"),
        get("a very long header value", "long", "User-Agent: " + "u\"".repeat(20_000),
            "X-Tenant: " + "t".repeat(30_000)),
        get("a request id with quotes and spaces", "id-quotes", "X-Request-Id: abc\" injected=\"1"),
        get("a request id with control characters", "id-ctl", "X-Request-Id: abc\u001b[2J"),
        get("a request id over 128 characters", "id-long", "X-Request-Id: " + "a".repeat(129)),
        get("a request id with JSON in it", "id-json", "X-Request-Id: {\"a\":1}"),
        new Case("quotes and backslashes in the path", "pa\"th", "GET /pa\"th\\x\"y HTTP/1.1" + CRLF
            + "Host: app" + CRLF + CRLF),
        new Case("encoded CR LF in the path", "enc", "GET /enc%0d%0a2026-01-01%20GET%20/admin HTTP/1.1" + CRLF
            + "Host: app" + CRLF + CRLF),
        new Case("a quote in the method", "method", "GE\"T /method HTTP/1.1" + CRLF + "Host: app" + CRLF + CRLF),
        new Case("a method with JSON characters", "jmethod", "{\"x\":1} /jmethod HTTP/1.1" + CRLF + "Host: app"
            + CRLF + CRLF),
        new Case("a CR LF injection attempt in a header value (rejected, still logged safely)", "crlf",
            "GET /crlf HTTP/1.1" + CRLF + "Host: app" + CRLF + "User-Agent: a\rb" + FAKE_LINE + CRLF + CRLF),
        new Case("a NUL in a header value (rejected, still logged safely)", "nul",
            "GET /nul HTTP/1.1" + CRLF + "Host: app" + CRLF + "X-Tenant: a\u0000b" + CRLF + CRLF));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("hostileRequests")
  void noClientValueCanForgeALogLine(Case hostile) throws IOException {
    RawResponse response = exchange(hostile.raw());
    // Each case has a proxy of its own: its one record. (A request line Netty cannot parse is logged with the
    // path Netty puts in its place, /bad-request, so the marker cannot find it.)
    await().untilAsserted(() -> assertThat(proxy.accessLog().records()).hasSize(1));
    AccessLogRecord record = proxy.accessLog().records().get(0);

    assertThat(record.requestId()).satisfiesAnyOf(
        id -> assertThat(id).isEqualTo("ok-id-1"),
        id -> assertThat(id).matches(GENERATED_ID));
    if (response != null && response.header("x-request-id") != null) {
      assertThat(response.header("x-request-id")).isEqualTo(record.requestId());
    }

    String json = written(record, AccessLogFormat.JSON);
    assertOneCleanLine(json);
    JsonObject parsed = new JsonObject(json);
    assertThat(parsed.fieldNames()).isSubsetOf(JSON_FIELDS).doesNotContain("injected");
    assertThat(parsed.getString(AccessLogRecord.REQUEST_ID)).isEqualTo(record.requestId());
    assertThat(parsed.getString(AccessLogRecord.METHOD)).isEqualTo(record.method());
    assertThat(parsed.getString(AccessLogRecord.PATH)).isEqualTo(record.path());
    assertThat(parsed.getString(AccessLogRecord.USER_AGENT)).isEqualTo(record.userAgent());
    assertThat(parsed.getInteger(AccessLogRecord.STATUS)).isEqualTo(record.status());
    if (!record.headers().isEmpty()) {
      assertThat(parsed.getJsonObject(AccessLogRecord.HEADERS).getMap())
          .containsExactlyInAnyOrderEntriesOf(Map.copyOf(record.headers()));
    }

    String text = written(record, AccessLogFormat.TEXT);
    assertOneCleanLine(text);
    assertThat(text).as("text line keeps its structure").matches(TEXT_LINE);
  }

  /** Sends the raw request; the response, or null if the proxy closed without one. */
  private RawResponse exchange(String raw) throws IOException {
    try (RawHttp client = RawHttp.connect(proxy.port())) {
      client.send(raw.getBytes(StandardCharsets.ISO_8859_1));
      try {
        return client.readResponse();
      } catch (SocketException | java.io.EOFException closed) {
        return null;
      }
    }
  }

  /** The record as the production sink writes it: one line per record, newline-terminated. */
  private static String written(AccessLogRecord record, AccessLogFormat format) {
    var out = new ByteArrayOutputStream();
    var sink = new StreamAccessLogSink(out, format, 16, new SimpleMeterRegistry());
    sink.offer(record);
    sink.close();
    String text = out.toString(StandardCharsets.UTF_8);
    assertThat(text).as(format.name()).endsWith("\n");
    return text.substring(0, text.length() - 1);
  }

  private static void assertOneCleanLine(String line) {
    assertThat(line.chars().filter(c -> c < 0x20 || c == 0x7f || c == 0x2028 || c == 0x2029 || (c >= 0x80 && c <= 0x9f)))
        .as("control characters in: %s", line.length() > 300 ? line.substring(0, 300) + "..." : line).isEmpty();
  }
}
