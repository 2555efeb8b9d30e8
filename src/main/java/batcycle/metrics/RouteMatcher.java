package batcycle.metrics;

import java.util.ArrayList;
import java.util.List;

/**
 * Maps a request path to a bounded route label: the first configured pattern that matches, or {@code other}.
 * Raw paths never become labels (ids in paths would explode the series count). Patterns are matched segment by
 * segment: {@code *} matches one segment, a trailing {@code **} matches the rest (including nothing).
 */
public final class RouteMatcher {
  /** More patterns than this is a configuration error: each route multiplies the series of every request meter. */
  public static final int MAX_ROUTES = 50;
  public static final String OTHER = "other";
  /** The label when no patterns are configured at all. */
  public static final String NONE = "";

  private final List<String> patterns;
  private final List<String[]> segments = new ArrayList<>();

  public RouteMatcher(List<String> patterns) {
    if (patterns.size() > MAX_ROUTES) {
      throw new IllegalArgumentException("at most " + MAX_ROUTES + " route patterns");
    }
    for (String pattern : patterns) {
      if (!pattern.startsWith("/")) {
        throw new IllegalArgumentException("route patterns start with '/': " + pattern);
      }
      segments.add(split(pattern));
    }
    this.patterns = List.copyOf(patterns);
  }

  /** The patterns, in order. */
  public List<String> patterns() {
    return patterns;
  }

  public boolean isEmpty() {
    return patterns.isEmpty();
  }

  /** Index of the matching pattern, or -1 for {@code other}. */
  public int indexOf(String path) {
    if (patterns.isEmpty()) {
      return -1;
    }
    String[] parts = split(stripQuery(path));
    for (int i = 0; i < segments.size(); i++) {
      if (matches(segments.get(i), parts)) {
        return i;
      }
    }
    return -1;
  }

  /** The label for a pattern index from {@link #indexOf}. */
  public String label(int index) {
    if (patterns.isEmpty()) {
      return NONE;
    }
    return index < 0 ? OTHER : patterns.get(index);
  }

  public int size() {
    return patterns.size();
  }

  private static boolean matches(String[] pattern, String[] path) {
    for (int i = 0; i < pattern.length; i++) {
      if (pattern[i].equals("**") && i == pattern.length - 1) {
        return true;
      }
      if (i >= path.length || !(pattern[i].equals("*") || pattern[i].equals(path[i]))) {
        return false;
      }
    }
    return pattern.length == path.length;
  }

  private static String stripQuery(String path) {
    int q = path.indexOf('?');
    return q < 0 ? path : path.substring(0, q);
  }

  private static String[] split(String path) {
    String trimmed = path.startsWith("/") ? path.substring(1) : path;
    if (trimmed.endsWith("/")) {
      trimmed = trimmed.substring(0, trimmed.length() - 1);
    }
    return trimmed.isEmpty() ? new String[0] : trimmed.split("/", -1);
  }
}
