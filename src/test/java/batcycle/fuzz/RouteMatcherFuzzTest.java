package batcycle.fuzz;

import static org.assertj.core.api.Assertions.assertThat;

import batcycle.metrics.RouteMatcher;
import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import java.util.ArrayList;
import java.util.List;

/**
 * Route labels from configured patterns: a label is always one of the patterns or {@code other} (bounded series),
 * the query never changes it, a path written from a pattern matches that pattern (or an earlier one), and a match
 * agrees with the pattern's literal segments.
 */
class RouteMatcherFuzzTest {
  @FuzzTest
  void routeLabelsStayBoundedAndAgreeWithThePatterns(FuzzedDataProvider data) {
    List<String> patterns = new ArrayList<>();
    int count = data.consumeInt(0, 6);
    for (int i = 0; i < count; i++) {
      patterns.add("/" + data.consumeString(30));
    }
    RouteMatcher matcher = new RouteMatcher(patterns);
    String path = data.consumeString(60);
    String query = data.consumeString(20);

    int index = matcher.indexOf(path);
    assertThat(index).isBetween(-1, patterns.size() - 1);
    String label = matcher.label(index);
    if (patterns.isEmpty()) {
      assertThat(label).isEqualTo(RouteMatcher.NONE);
    } else {
      assertThat(label).isIn(index < 0 ? List.of(RouteMatcher.OTHER) : List.of(patterns.get(index)));
    }
    if (!path.contains("?")) {
      assertThat(matcher.indexOf(path + "?" + query)).isEqualTo(index);
    }
    if (index >= 0) {
      assertAgreesWithLiterals(patterns.get(index), path);
    }
    if (!patterns.isEmpty()) {
      int chosen = data.consumeInt(0, patterns.size() - 1);
      String written = instantiate(patterns.get(chosen), data);
      if (written != null) {
        int matched = matcher.indexOf(written);
        assertThat(matched).as("%s written from %s", written, patterns.get(chosen)).isBetween(0, chosen);
      }
    }
  }

  /** Every literal segment of the pattern equals the path's segment at the same place. */
  private static void assertAgreesWithLiterals(String pattern, String path) {
    String[] p = segments(pattern);
    String[] s = segments(path.contains("?") ? path.substring(0, path.indexOf('?')) : path);
    for (int i = 0; i < p.length; i++) {
      if (p[i].equals("**") && i == p.length - 1) {
        return;
      }
      assertThat(i).as("%s matched %s", path, pattern).isLessThan(s.length);
      if (!p[i].equals("*")) {
        assertThat(s[i]).as("segment %d of %s for %s", i, path, pattern).isEqualTo(p[i]);
      }
    }
    assertThat(s).as("%s matched %s", path, pattern).hasSameSizeAs(p);
  }

  /** A request path for the pattern: '*' becomes a segment, a trailing '**' any rest; null if none can be written. */
  private static String instantiate(String pattern, FuzzedDataProvider data) {
    if (pattern.contains("?")) {
      return null; // everything from '?' on is a query in a request path
    }
    String[] p = segments(pattern);
    StringBuilder out = new StringBuilder();
    for (int i = 0; i < p.length; i++) {
      if (p[i].equals("**") && i == p.length - 1) {
        String rest = data.consumeString(20).replace("?", "");
        if (rest.isEmpty() && out.length() > 0 && out.charAt(out.length() - 1) == '/') {
          rest = "x"; // after an empty segment, "nothing" would be written as a trailing '/', which is no segment
        }
        if (!rest.isEmpty()) {
          out.append('/').append(rest);
        }
        return out.length() == 0 ? "/" : out.toString();
      }
      String segment = p[i].equals("*") ? data.consumeString(10).replace("/", "").replace("?", "") : p[i];
      out.append('/').append(segment.isEmpty() && p[i].equals("*") ? "x" : segment);
    }
    if (pattern.endsWith("/") && p.length > 0) {
      out.append('/'); // one trailing '/' is not a segment, so a trailing empty segment needs it written twice
    }
    return out.length() == 0 ? "/" : out.toString();
  }

  /** Segments as a request path has them: without the leading and one trailing '/', empty ones kept. */
  private static String[] segments(String path) {
    String t = path.startsWith("/") ? path.substring(1) : path;
    if (t.endsWith("/")) {
      t = t.substring(0, t.length() - 1);
    }
    return t.isEmpty() ? new String[0] : t.split("/", -1);
  }
}
