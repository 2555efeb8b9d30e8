package batcycle.accesslog;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonObject;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class AccessLogFormatTest {
  private static AccessLogRecord record(String path, String userAgent, Map<String, String> headers) {
    return new AccessLogRecord(1_764_000_000_123L, "req-1", "4bf92f3577b34da6a3ce929d0e0e4736",
        "00f067aa0ba902b7", "10.1.2.3", "GET", path, "HTTP/1.1", "inbound", "app",
        "127.0.0.1:8080", 502, 503, 12, 345, 12.3456, 10.5, 3,
        "reset,status", "UR,URX", userAgent, headers);
  }

  @Test
  void writesEveryFieldAsOneJsonObject() {
    Map<String, String> headers = new LinkedHashMap<>();
    headers.put("x-tenant", "blue");
    String line = AccessLogFormat.JSON.encode(record("/a?b=1", "curl/8", headers));
    JsonObject json = new JsonObject(line);
    assertThat(json.getString("ts")).isEqualTo("2025-11-24T16:00:00.123Z");
    assertThat(json.getString("request_id")).isEqualTo("req-1");
    assertThat(json.getString("trace_id")).isEqualTo("4bf92f3577b34da6a3ce929d0e0e4736");
    assertThat(json.getString("span_id")).isEqualTo("00f067aa0ba902b7");
    assertThat(json.getString("client")).isEqualTo("10.1.2.3");
    assertThat(json.getString("method")).isEqualTo("GET");
    assertThat(json.getString("path")).isEqualTo("/a?b=1");
    assertThat(json.getString("protocol")).isEqualTo("HTTP/1.1");
    assertThat(json.getInteger("status")).isEqualTo(502);
    assertThat(json.getInteger("upstream_status")).isEqualTo(503);
    assertThat(json.getLong("bytes_in")).isEqualTo(12);
    assertThat(json.getLong("bytes_out")).isEqualTo(345);
    assertThat(json.getDouble("duration_ms")).isEqualTo(12.346);
    assertThat(json.getDouble("upstream_ms")).isEqualTo(10.5);
    assertThat(json.getInteger("attempts")).isEqualTo(3);
    assertThat(json.getString("retry_reasons")).isEqualTo("reset,status");
    assertThat(json.getString("flags")).isEqualTo("UR,URX");
    assertThat(json.getString("user_agent")).isEqualTo("curl/8");
    assertThat(json.getJsonObject("headers").getString("x-tenant")).isEqualTo("blue");
  }

  @Test
  void theTextLineNamesRetryReasonsWhenThereWereRetries() {
    assertThat(AccessLogFormat.TEXT.encode(record("/a", "curl/8", Map.of())))
        .contains(" attempts=3 retries=reset,status flags=UR,URX ");
  }

  @Test
  void theTextLineEscapesTheOutboundUpstreamAndHost() { // found by fuzzing: both were written raw
    AccessLogRecord outbound = new AccessLogRecord(0, "id", null, null, "127.0.0.1", "GET", "/x", "HTTP/1.1",
        "outbound", "pay\u0017", "host\u0003:443", 200, 200, 0, 0, 1, 1, 1, "", "", null, Map.of());
    String line = AccessLogFormat.TEXT.encode(outbound);
    assertThat(line.chars().filter(c -> c < 0x20 || c == 0x7f)).as(line).isEmpty();
    assertThat(line).contains(" upstream=pay");
  }

  @Test
  void escapesC1ControlsSuchAsNextLine() { // found by fuzzing: U+0085 was written raw
    String path = "/a\u0085b\u009bc";
    String line = AccessLogFormat.JSON.encode(record(path, "curl/8", Map.of()));
    assertThat(line).doesNotContain("\u0085", "\u009b").contains("\\u0085");
    assertThat(new JsonObject(line).getString("path")).isEqualTo(path);
    assertThat(AccessLogFormat.TEXT.encode(record(path, "curl/8", Map.of()))).doesNotContain("\u0085", "\u009b");
  }

  @Test
  void keepsHostileValuesOnOneLineAndValidJson() {
    String hostile = "evil\"\n\r\t\\\u0000\u2028{\"injected\":true}";
    String line = AccessLogFormat.JSON.encode(record("/p\n2", hostile, Map.of()));
    assertThat(line).doesNotContain("\n", "\r", "\u2028");
    assertThat(new JsonObject(line).getString("user_agent")).isEqualTo(hostile);
    assertThat(new JsonObject(line).containsKey("injected")).isFalse();
    assertThat(AccessLogFormat.TEXT.encode(record("/p\n2", hostile, Map.of()))).doesNotContain("\n", "\r");
  }

  @Test
  void writesNullForMissingTraceAndAReadableTextLine() {
    AccessLogRecord noTrace = new AccessLogRecord(0, "id", null, null, "127.0.0.1", "POST", "/x", "HTTP/2",
        "inbound", "app", null, 200, 200, 0, 2, 1.0, 0.5, 1, "", "", null, Map.of());
    assertThat(new JsonObject(AccessLogFormat.JSON.encode(noTrace)).getValue("trace_id")).isNull();
    assertThat(AccessLogFormat.TEXT.encode(noTrace)).isEqualTo(
        "1970-01-01T00:00:00.000Z 127.0.0.1 \"POST /x HTTP/2\" 200 200 0 2 1.000ms 0.500ms attempts=1 flags=- "
            + "id=id trace=- ua=\"-\"");
  }
}
