package batcycle.fuzz;

import static org.assertj.core.api.Assertions.assertThat;

import batcycle.headers.HopByHop;
import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaders;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Hop-by-hop stripping (RFC 9110 §7.6.1) against an independent reading of the rule: afterwards no hop-by-hop
 * header and no header named in Connection/Proxy-Connection remains (TE only as exactly "trailers" on requests),
 * and every other header is still there with the same values in the same order.
 */
class HopByHopFuzzTest {
  /** The fixed set, spelled out here rather than taken from the code under test. */
  private static final Set<String> HOP_BY_HOP = Set.of("connection", "keep-alive", "proxy-connection", "te",
      "trailer", "transfer-encoding", "upgrade", "http2-settings");
  /** Names the fuzzer picks from besides its own, so the interesting ones come up often. */
  private static final String[] NAMES = {"Connection", "Keep-Alive", "Proxy-Connection", "TE", "Trailer",
      "Transfer-Encoding", "Upgrade", "HTTP2-Settings", "Host", "Content-Length", "X-Request-Id", "X-Forwarded-For",
      "Authorization", "Cookie", "traceparent", "Idempotency-Key", "X-Custom", "close"};

  @FuzzTest
  void stripRemovesExactlyTheHopByHopHeaders(FuzzedDataProvider data) {
    boolean request = data.consumeBoolean();
    HttpHeaders headers = new DefaultHttpHeaders();
    int count = data.consumeInt(0, 12);
    for (int i = 0; i < count; i++) {
      String name = data.consumeBoolean() ? data.pickValue(NAMES) : data.consumeString(12);
      String value = data.consumeBoolean() ? connectionList(data) : data.consumeString(40);
      if (isToken(name) && isFieldValue(value)) { // what the HTTP/1.1 parser lets through
        headers.add(name, value);
      }
    }
    List<Map.Entry<String, String>> before = new ArrayList<>(headers.entries());
    Set<String> named = namedInConnection(headers);
    boolean askedForTrailers = headers.getAll("te").stream().anyMatch(v -> v.toLowerCase(Locale.ROOT)
        .contains("trailers"));

    HopByHop.strip(headers, request);

    for (String name : HOP_BY_HOP) {
      if (!name.equals("te")) {
        assertThat(headers.contains(name)).as("%s left in %s", name, before).isFalse();
      }
    }
    for (String name : named) {
      if (!name.equals("te")) {
        assertThat(headers.contains(name)).as("%s named in Connection, left in %s", name, before).isFalse();
      }
    }
    if (headers.contains("te")) {
      assertThat(request && askedForTrailers).as("TE kept from %s", before).isTrue();
      assertThat(headers.getAll("te")).containsExactly("trailers");
    }
    List<String> endToEnd = before.stream()
        .filter(e -> !HOP_BY_HOP.contains(lower(e.getKey())) && !named.contains(lower(e.getKey())))
        .map(HopByHopFuzzTest::line).toList();
    List<String> after = headers.entries().stream()
        .filter(e -> !lower(e.getKey()).equals("te")).map(HopByHopFuzzTest::line).toList();
    assertThat(after).as("end-to-end headers of %s", before).containsExactlyElementsOf(endToEnd);
  }

  private static String line(Map.Entry<String, String> field) {
    return field.getKey() + ": " + field.getValue();
  }

  /** A Connection-style list: names, odd separators and whitespace. */
  private static String connectionList(FuzzedDataProvider data) {
    StringBuilder out = new StringBuilder();
    int items = data.consumeInt(1, 4);
    for (int i = 0; i < items; i++) {
      if (i > 0) {
        out.append(data.pickValue(new String[] {",", ", ", " ,", ",,", ",\t"}));
      }
      out.append(data.consumeBoolean() ? data.pickValue(NAMES) : data.consumeString(10));
    }
    return out.toString();
  }

  /** RFC 9110 §7.6.1: Connection = #connection-option, a comma list with optional whitespace (SP, HTAB). */
  private static Set<String> namedInConnection(HttpHeaders headers) {
    Set<String> named = new HashSet<>();
    for (String header : List.of("connection", "proxy-connection")) {
      for (String value : headers.getAll(header)) {
        for (String element : value.split(",")) {
          String option = stripOws(element);
          if (!option.isEmpty()) {
            named.add(lower(option));
          }
        }
      }
    }
    return named;
  }

  private static String stripOws(String s) {
    int start = 0;
    int end = s.length();
    while (start < end && (s.charAt(start) == ' ' || s.charAt(start) == '\t')) {
      start++;
    }
    while (end > start && (s.charAt(end - 1) == ' ' || s.charAt(end - 1) == '\t')) {
      end--;
    }
    return s.substring(start, end);
  }

  private static String lower(String s) {
    return s.toLowerCase(Locale.ROOT);
  }

  static boolean isToken(String s) {
    if (s.isEmpty()) {
      return false;
    }
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
          || "!#$%&'*+-.^_`|~".indexOf(c) >= 0)) {
        return false;
      }
    }
    return true;
  }

  /**
   * RFC 9110 §5.5: visible characters, SP, HTAB and obs-text (what a parser decodes as Latin-1), with no leading or
   * trailing whitespace: the parser strips that optional whitespace around a field value (§5.5), so a value that
   * starts or ends with it never reaches the proxy (and Netty's header map refuses one that starts with it).
   */
  static boolean isFieldValue(String s) {
    if (!s.isEmpty() && (isOws(s.charAt(0)) || isOws(s.charAt(s.length() - 1)))) {
      return false;
    }
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (!(c == ' ' || c == '\t' || (c > 0x20 && c < 0x7f) || (c >= 0x80 && c <= 0xff))) {
        return false;
      }
    }
    return true;
  }

  private static boolean isOws(char c) {
    return c == ' ' || c == '\t';
  }
}
