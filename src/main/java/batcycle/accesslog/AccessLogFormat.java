package batcycle.accesslog;

import java.util.Map;

/** Encodes a record as one JSON object or one text line, always a single line (values are escaped). */
public enum AccessLogFormat {
  JSON {
    @Override
    void encode(AccessLogRecord r, StringBuilder out) {
      out.append('{');
      out.append('"').append(AccessLogRecord.TS).append("\":\"");
      Timestamps.append(out, r.timestampMillis());
      out.append('"');
      field(out, AccessLogRecord.REQUEST_ID, r.requestId(), false);
      field(out, AccessLogRecord.TRACE_ID, r.traceId(), false);
      field(out, AccessLogRecord.SPAN_ID, r.spanId(), false);
      field(out, AccessLogRecord.CLIENT, r.client(), false);
      field(out, AccessLogRecord.METHOD, r.method(), false);
      field(out, AccessLogRecord.PATH, r.path(), false);
      field(out, AccessLogRecord.PROTOCOL, r.protocol(), false);
      field(out, AccessLogRecord.DIRECTION, r.direction(), false);
      field(out, AccessLogRecord.UPSTREAM, r.upstream(), false);
      field(out, AccessLogRecord.UPSTREAM_HOST, r.upstreamHost(), false);
      number(out, AccessLogRecord.STATUS, r.status());
      number(out, AccessLogRecord.UPSTREAM_STATUS, r.upstreamStatus());
      number(out, AccessLogRecord.BYTES_IN, r.bytesIn());
      number(out, AccessLogRecord.BYTES_OUT, r.bytesOut());
      millis(out, AccessLogRecord.DURATION_MS, r.durationMs());
      millis(out, AccessLogRecord.UPSTREAM_MS, r.upstreamMs());
      number(out, AccessLogRecord.ATTEMPTS, r.attempts());
      field(out, AccessLogRecord.RETRY_REASONS, r.retryReasons(), false);
      field(out, AccessLogRecord.FLAGS, r.flags(), false);
      field(out, AccessLogRecord.USER_AGENT, r.userAgent(), false);
      if (!r.headers().isEmpty()) {
        out.append(",\"").append(AccessLogRecord.HEADERS).append("\":{");
        boolean first = true;
        for (Map.Entry<String, String> h : r.headers().entrySet()) {
          field(out, h.getKey(), h.getValue(), first);
          first = false;
        }
        out.append('}');
      }
      out.append('}');
    }
  },
  /** Close to the common log format: readable in a terminal, still one line and parseable. */
  TEXT {
    @Override
    void encode(AccessLogRecord r, StringBuilder out) {
      Timestamps.append(out, r.timestampMillis());
      out.append(' ')
          .append(orDash(r.client())).append(" \"").append(r.method()).append(' ');
      escape(out, r.path());
      out.append(' ').append(r.protocol()).append("\" ").append(r.status()).append(' ')
          .append(r.upstreamStatus() == 0 ? "-" : Integer.toString(r.upstreamStatus())).append(' ')
          .append(r.bytesIn()).append(' ').append(r.bytesOut()).append(' ');
      appendMillis(out, r.durationMs());
      out.append("ms ");
      appendMillis(out, r.upstreamMs());
      out.append("ms attempts=").append(r.attempts());
      if (!r.retryReasons().isEmpty()) {
        out.append(" retries=").append(r.retryReasons());
      }
      if ("outbound".equals(r.direction())) {
        // Names and hosts come from validated configuration and DNS, but the line must stay safe whatever they hold.
        out.append(" upstream=");
        escape(out, r.upstream());
        out.append('@');
        escape(out, orDash(r.upstreamHost()));
      }
      out.append(" flags=").append(r.flags().isEmpty() ? "-" : r.flags())
          .append(" id=").append(r.requestId()).append(" trace=").append(orDash(r.traceId())).append(" ua=\"");
      escape(out, orDash(r.userAgent()));
      out.append('"');
      for (Map.Entry<String, String> h : r.headers().entrySet()) {
        out.append(' ').append(h.getKey()).append("=\"");
        escape(out, h.getValue());
        out.append('"');
      }
    }
  };

  abstract void encode(AccessLogRecord record, StringBuilder out);

  /** One line, without the trailing newline. */
  public String encode(AccessLogRecord record) {
    StringBuilder out = new StringBuilder(384);
    encode(record, out);
    return out.toString();
  }

  public static AccessLogFormat of(batcycle.config.LogFormat format) {
    return format == batcycle.config.LogFormat.JSON ? JSON : TEXT;
  }

  private static void field(StringBuilder out, String key, String value, boolean first) {
    if (!first) {
      out.append(',');
    }
    out.append('"').append(key).append("\":");
    if (value == null) {
      out.append("null");
    } else {
      out.append('"');
      escape(out, value);
      out.append('"');
    }
  }

  private static void number(StringBuilder out, String key, long value) {
    out.append(",\"").append(key).append("\":").append(value);
  }

  private static void millis(StringBuilder out, String key, double value) {
    out.append(",\"").append(key).append("\":");
    appendMillis(out, value);
  }

  /** Milliseconds with microsecond precision, without the cost of String.format. */
  private static void appendMillis(StringBuilder out, double ms) {
    long micros = Math.round(ms * 1000);
    out.append(micros / 1000).append('.');
    long frac = micros % 1000;
    if (frac < 100) {
      out.append('0');
    }
    if (frac < 10) {
      out.append('0');
    }
    out.append(frac);
  }

  private static String orDash(String s) {
    return s == null || s.isEmpty() ? "-" : s;
  }

  /** JSON string escaping; also keeps text lines single-line and free of C0 and C1 control characters. */
  static void escape(StringBuilder out, String s) {
    // Most values need no escaping: copy them whole, and go character by character only from the first that does.
    int clean = 0;
    while (clean < s.length() && !needsEscape(s.charAt(clean))) {
      clean++;
    }
    if (clean == s.length()) {
      out.append(s); // one array copy; append(s, 0, n) copies char by char on JDK 17
      return;
    }
    out.append(s, 0, clean);
    for (int i = clean; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '"' -> out.append("\\\"");
        case '\\' -> out.append("\\\\");
        case '\n' -> out.append("\\n");
        case '\r' -> out.append("\\r");
        case '\t' -> out.append("\\t");
        default -> {
          if (isControl(c)) {
            out.append(String.format("\\u%04x", (int) c));
          } else {
            out.append(c);
          }
        }
      }
    }
  }

  private static boolean needsEscape(char c) {
    return c == '"' || c == '\\' || isControl(c);
  }

  // C1 controls too: a client's obs-text byte 0x85 is NEL, a line break to Python's splitlines and Java's \R, and
  // 0x9b is CSI, an escape sequence to 8-bit terminals.
  private static boolean isControl(char c) {
    return c < 0x20 || (c >= 0x7f && c <= 0x9f) || c == 0x2028 || c == 0x2029;
  }

}
