package batcycle.pipeline;

import java.util.concurrent.ThreadLocalRandom;

/**
 * W3C Trace Context ({@code traceparent}, https://www.w3.org/TR/trace-context/): parsed from the client so logs
 * and exemplars can name the trace, and optionally started when absent so the app's logs and batcycle's correlate.
 * Inbound, a valid client header is passed on unchanged; outbound with tracing on, batcycle's hop is a span of its
 * own ({@link #child()}).
 */
public record TraceContext(String traceId, String spanId, boolean sampled, boolean startedHere) {
  private static final char[] HEX = "0123456789abcdef".toCharArray();
  private static final String ZERO_TRACE = "00000000000000000000000000000000";
  private static final String ZERO_SPAN = "0000000000000000";

  /** The {@code traceparent} value of a valid header, or null if absent or invalid. */
  public static TraceContext parse(String traceparent) {
    if (traceparent == null || traceparent.length() < 55) {
      return null;
    }
    String v = traceparent.trim();
    // version "00" is exactly 55 chars; later versions may append fields after a dash (spec §3.2.4).
    if (v.length() < 55 || (v.length() > 55 && v.charAt(55) != '-') || v.charAt(2) != '-' || v.charAt(35) != '-'
        || v.charAt(52) != '-') {
      return null;
    }
    String version = v.substring(0, 2);
    String traceId = v.substring(3, 35);
    String spanId = v.substring(36, 52);
    String flags = v.substring(53, 55);
    if (!isLowerHex(version) || version.equals("ff") || (version.equals("00") && v.length() != 55)
        || !isLowerHex(traceId) || !isLowerHex(spanId) || !isLowerHex(flags)
        || traceId.equals(ZERO_TRACE) || spanId.equals(ZERO_SPAN)) {
      return null;
    }
    boolean sampled = (Integer.parseInt(flags, 16) & 1) == 1;
    return new TraceContext(traceId, spanId, sampled, false);
  }

  /** A new root trace context, as batcycle writes it when configured to start traces. */
  public static TraceContext start(boolean sampled) {
    ThreadLocalRandom random = ThreadLocalRandom.current();
    return new TraceContext(hex(random.nextLong(), 16) + hex(random.nextLong(), 16), hex(nonZero(random), 16),
        sampled, true);
  }

  /** A span of this trace started here (a new span id, the same trace id and sampling), e.g. batcycle's own hop. */
  public TraceContext child() {
    return new TraceContext(traceId, hex(nonZero(ThreadLocalRandom.current()), 16), sampled, true);
  }

  public String header() {
    return "00-" + traceId + "-" + spanId + "-" + (sampled ? "01" : "00");
  }

  private static long nonZero(ThreadLocalRandom random) {
    long value = random.nextLong();
    return value == 0 ? 1 : value;
  }

  private static boolean isLowerHex(String s) {
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) {
        return false;
      }
    }
    return true;
  }

  private static String hex(long value, int digits) {
    char[] out = new char[digits];
    for (int i = digits - 1; i >= 0; i--) {
      out[i] = HEX[(int) (value & 0xf)];
      value >>>= 4;
    }
    return new String(out);
  }
}
