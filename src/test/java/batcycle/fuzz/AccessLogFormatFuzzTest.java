package batcycle.fuzz;

import static org.assertj.core.api.Assertions.assertThat;

import batcycle.accesslog.AccessLogFormat;
import batcycle.accesslog.AccessLogRecord;
import batcycle.headers.RequestIds;
import batcycle.pipeline.TraceContext;
import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Request-log lines with any bytes in what clients control (path, user agent, logged headers, ids): a JSON line is
 * one line that a real JSON parser (Jackson, as log pipelines use) reads back to exactly the recorded values; a text
 * line is one line without control characters.
 */
class AccessLogFormatFuzzTest {
  private static final JsonFactory JSON = JsonFactory.builder()
      .enable(com.fasterxml.jackson.core.StreamReadFeature.STRICT_DUPLICATE_DETECTION).build();
  private static final String[] CLIENTS = {"127.0.0.1", "::1", "2001:db8::7", "unknown"};
  private static final String[] PROTOCOLS = {"HTTP/1.0", "HTTP/1.1", "HTTP/2"};
  private static final String[] DIRECTIONS = {"inbound", "outbound"};
  private static final String[] RETRY_REASONS = {"", "reset", "reset,status", "timeout"};
  private static final String[] FLAGS = {"", "UF", "UF,URX", "DC"};

  @FuzzTest
  void logLinesStayOneLineAndReadBack(FuzzedDataProvider data) throws IOException {
    // Header names are request field names (tokens, checked before the pipeline), lower-cased by the layer.
    Map<String, String> headers = new LinkedHashMap<>();
    int count = data.consumeInt(0, 3);
    for (int i = 0; i < count; i++) {
      String name = data.consumeString(16).toLowerCase(Locale.ROOT);
      if (HopByHopFuzzTest.isToken(name)) {
        headers.put(name, data.consumeString(40));
      }
    }
    // Ids come through the same validation as in the proxy; path, user agent and header values are free-form.
    TraceContext trace = TraceContext.parse(data.consumeString(60));
    String method = data.consumeString(10);
    AccessLogRecord record = new AccessLogRecord(data.consumeLong(0, 253_402_300_799_999L),
        RequestIds.keepOrGenerate(data.consumeString(40)), trace == null ? null : trace.traceId(),
        trace == null ? null : trace.spanId(), data.pickValue(CLIENTS),
        HopByHopFuzzTest.isToken(method) ? method : "GET", data.consumeString(80), data.pickValue(PROTOCOLS),
        data.pickValue(DIRECTIONS), data.consumeString(20), data.consumeBoolean() ? null : data.consumeString(30),
        data.consumeInt(0, 999), data.consumeInt(0, 999), data.consumeLong(0, Long.MAX_VALUE / 2),
        data.consumeLong(0, Long.MAX_VALUE / 2), data.consumeRegularDouble(0, 1e9), data.consumeRegularDouble(0, 1e9),
        data.consumeInt(0, 10), data.pickValue(RETRY_REASONS), data.pickValue(FLAGS),
        data.consumeBoolean() ? null : data.consumeString(60), headers);

    String json = AccessLogFormat.JSON.encode(record);
    assertOneLine(json);
    assertThat(readBack(json)).isEqualTo(expected(record));

    String text = AccessLogFormat.TEXT.encode(record);
    assertOneLine(text);
    assertThat(text.chars().filter(c -> c < 0x20 || c == 0x7f)).as(text).isEmpty();
  }

  private static void assertOneLine(String line) {
    assertThat(line).doesNotContain("\n", "\r", "\u2028", "\u2029", "\u0085");
  }

  /** The string fields as written, by JSON key; numbers are not client-controlled and are left out. */
  private static Map<String, Object> expected(AccessLogRecord r) {
    Map<String, Object> fields = new LinkedHashMap<>();
    fields.put(AccessLogRecord.REQUEST_ID, r.requestId());
    fields.put(AccessLogRecord.TRACE_ID, r.traceId());
    fields.put(AccessLogRecord.SPAN_ID, r.spanId());
    fields.put(AccessLogRecord.CLIENT, r.client());
    fields.put(AccessLogRecord.METHOD, r.method());
    fields.put(AccessLogRecord.PATH, r.path());
    fields.put(AccessLogRecord.PROTOCOL, r.protocol());
    fields.put(AccessLogRecord.DIRECTION, r.direction());
    fields.put(AccessLogRecord.UPSTREAM, r.upstream());
    fields.put(AccessLogRecord.UPSTREAM_HOST, r.upstreamHost());
    fields.put(AccessLogRecord.RETRY_REASONS, r.retryReasons());
    fields.put(AccessLogRecord.FLAGS, r.flags());
    fields.put(AccessLogRecord.USER_AGENT, r.userAgent());
    if (!r.headers().isEmpty()) {
      fields.put(AccessLogRecord.HEADERS, r.headers());
    }
    return fields;
  }

  /** Parses strictly: one object, no duplicate keys, nothing after it; keeps the string and object fields. */
  private static Map<String, Object> readBack(String line) throws IOException {
    try (JsonParser parser = JSON.createParser(line)) {
      assertThat(parser.nextToken()).isEqualTo(JsonToken.START_OBJECT);
      Map<String, Object> fields = readObject(parser, true);
      assertThat(parser.nextToken()).as("after the object in %s", line).isNull();
      return fields;
    }
  }

  private static Map<String, Object> readObject(JsonParser parser, boolean top) throws IOException {
    Map<String, Object> fields = new LinkedHashMap<>();
    while (parser.nextToken() == JsonToken.FIELD_NAME) {
      String name = parser.currentName();
      JsonToken value = parser.nextToken();
      switch (value) {
        case VALUE_STRING -> fields.put(name, parser.getText());
        case VALUE_NULL -> fields.put(name, null);
        case START_OBJECT -> fields.put(name, readObject(parser, false));
        case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> assertThat(top).as("number %s at top level", name).isTrue();
        default -> throw new AssertionError("unexpected " + value + " for " + name);
      }
    }
    assertThat(parser.currentToken()).isEqualTo(JsonToken.END_OBJECT);
    if (top) {
      fields.remove(AccessLogRecord.TS);
    }
    return fields;
  }
}
