package batcycle.fuzz;

import static org.assertj.core.api.Assertions.assertThat;

import batcycle.headers.RequestIds;
import batcycle.pipeline.TraceContext;
import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.charset.StandardCharsets;
import java.util.regex.Pattern;

/**
 * Values a client sends to correlate logs, which batcycle logs, echoes and forwards: {@code X-Request-Id} is kept
 * only when it is safe to log, and {@code traceparent} is accepted only when it is a well-formed W3C trace context.
 */
class CorrelationHeadersFuzzTest {
  /** The documented request-id alphabet, written independently of the code under test. */
  private static final Pattern SAFE_ID = Pattern.compile("[A-Za-z0-9._:+/=-]{1,128}");
  private static final Pattern GENERATED_ID = Pattern.compile("[0-9a-f]{32}");
  /** W3C Trace Context §3.2, version 00 exactly. */
  private static final Pattern TRACEPARENT_00 = Pattern.compile("00-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}");

  @FuzzTest
  void requestIdIsKeptOnlyWhenSafeToLog(byte[] value) {
    String fromClient = value.length == 0 ? null : fieldValue(value);
    String id = RequestIds.keepOrGenerate(fromClient);

    assertThat(id).matches(SAFE_ID); // no control characters, quotes, spaces or separators: safe in any log line
    if (fromClient != null && SAFE_ID.matcher(fromClient).matches()) {
      assertThat(id).isEqualTo(fromClient);
    } else {
      assertThat(id).matches(GENERATED_ID);
    }
  }

  @FuzzTest
  void traceparentIsAcceptedOnlyWhenWellFormed(byte[] value) {
    String header = value.length == 0 ? null : fieldValue(value);
    TraceContext trace = TraceContext.parse(header);

    if (trace == null) {
      // Completeness: a version-00 header with non-zero ids is never refused.
      boolean wellFormed00 = header != null && TRACEPARENT_00.matcher(header.trim()).matches()
          && !header.trim().substring(3, 35).equals("0".repeat(32))
          && !header.trim().substring(36, 52).equals("0".repeat(16));
      assertThat(wellFormed00).as("refused %s", header).isFalse();
      return;
    }
    assertThat(trace.traceId()).matches("[0-9a-f]{32}").isNotEqualTo("0".repeat(32));
    assertThat(trace.spanId()).matches("[0-9a-f]{16}").isNotEqualTo("0".repeat(16));
    assertThat(trace.startedHere()).isFalse();
    String v = header.trim();
    assertThat(v.substring(0, 2)).matches("[0-9a-f]{2}").isNotEqualTo("ff");
    assertThat(v.substring(2, 55)).isEqualTo("-" + trace.traceId() + "-" + trace.spanId() + "-" + v.substring(53, 55));
    assertThat(trace.sampled()).isEqualTo((Integer.parseInt(v.substring(53, 55), 16) & 1) == 1);
    // What batcycle writes when it re-emits the context parses back to the same trace.
    assertThat(TraceContext.parse(trace.header())).isEqualTo(trace);
  }

  /** A header value as the HTTP parser hands it over: the bytes as ISO-8859-1 (empty input: header absent). */
  static String fieldValue(byte[] bytes) {
    return new String(bytes, StandardCharsets.ISO_8859_1);
  }
}
