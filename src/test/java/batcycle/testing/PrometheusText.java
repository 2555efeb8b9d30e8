package batcycle.testing;

import batcycle.metrics.MeterNames;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * Reads sample values out of Prometheus text exposition, for assertions on exact metric values. A read never turns
 * a typo into 0: a name with no sample line fails the test, naming the metric and the exposed names close to it.
 */
public final class PrometheusText {
  /** What the Prometheus registry appends to a Micrometer name (counters, timers, gauges in base units). */
  private static final List<String> SUFFIXES = List.of("", "_total", "_seconds", "_seconds_count", "_seconds_sum",
      "_seconds_bucket", "_seconds_max", "_bytes_total");

  private PrometheusText() {}

  /**
   * The sum of the samples named {@code name} whose labels include every {@code key=value} pair given as
   * {@code "key", "value", ...}. Fails with an {@link AssertionError} when no sample has that name, or when samples
   * of that name exist but none carries those labels: a misspelt name or label must not read as 0.
   */
  public static double value(String exposition, String name, String... labels) {
    List<String> samples = samples(exposition, name);
    if (samples.isEmpty()) {
      throw new AssertionError("no metric " + name + " on /metrics; exposed names close to it: "
          + closeNames(names(exposition), name));
    }
    List<String> matching = matching(samples, labels);
    if (matching.isEmpty()) {
      throw new AssertionError("no sample of " + name + " has the labels " + describe(labels)
          + "; its samples: " + samples.stream().limit(12).toList());
    }
    return sum(matching);
  }

  /**
   * As {@link #value}, but a series that is not exposed yet counts as 0: for meters with labels that Micrometer
   * registers on first use (e.g. {@code batcycle_rejected_total{reason="..."}} before the first rejection). The name
   * must still be exposed right now or be one batcycle publishes (declared in {@link MeterNames}), so a typo fails.
   */
  public static double valueOrZero(String exposition, String name, String... labels) {
    List<String> samples = samples(exposition, name);
    if (samples.isEmpty() && !declaredNames().contains(name)) {
      Set<String> known = new TreeSet<>(names(exposition));
      known.addAll(declaredNames());
      throw new AssertionError("no metric " + name + " on /metrics, nor declared in MeterNames; names close to it: "
          + closeNames(known, name));
    }
    return sum(matching(samples, labels));
  }

  /** Sample lines of exactly this metric name (not names it is a prefix of). */
  public static List<String> samples(String exposition, String name) {
    List<String> lines = new ArrayList<>();
    for (String line : exposition.split("\n")) {
      if (line.startsWith(name + "{") || line.startsWith(name + " ")) {
        // OpenMetrics exemplars follow " # {...}"; keep only the sample part.
        int exemplar = line.indexOf(" # ");
        lines.add(exemplar < 0 ? line : line.substring(0, exemplar));
      }
    }
    return lines;
  }

  /** The names of every sample line (comments left out). */
  public static Set<String> names(String exposition) {
    Set<String> names = new TreeSet<>();
    for (String line : exposition.split("\n")) {
      int end = line.indexOf('{') < 0 ? line.indexOf(' ') : line.indexOf('{');
      if (!line.startsWith("#") && end > 0) {
        names.add(line.substring(0, end));
      }
    }
    return names;
  }

  /** What the Prometheus registry makes of each {@link MeterNames} meter name, with every suffix it may add. */
  private static Set<String> declaredNames() {
    Set<String> names = new TreeSet<>();
    for (Field field : MeterNames.class.getFields()) {
      if (Modifier.isStatic(field.getModifiers()) && field.getType() == String.class) {
        String value = constant(field);
        if (value.startsWith("batcycle.")) {
          SUFFIXES.forEach(suffix -> names.add(value.replace('.', '_') + suffix));
        }
      }
    }
    return names;
  }

  private static String constant(Field field) {
    try {
      return (String) field.get(null);
    } catch (IllegalAccessException e) {
      throw new IllegalStateException(e);
    }
  }

  private static List<String> matching(List<String> samples, String... labels) {
    if (labels.length % 2 != 0) {
      throw new IllegalArgumentException("labels come in key, value pairs: " + List.of(labels));
    }
    return samples.stream().filter(line -> hasLabels(line, labels)).toList();
  }

  private static double sum(List<String> samples) {
    double sum = 0;
    for (String line : samples) {
      sum += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
    }
    return sum;
  }

  private static boolean hasLabels(String line, String... labels) {
    for (int i = 0; i + 1 < labels.length; i += 2) {
      String pair = labels[i] + "=\"" + labels[i + 1] + "\"";
      // Preceded by '{' or ',', so reason="x" does not match inside other_reason="x".
      if (!line.contains("{" + pair) && !line.contains("," + pair)) {
        return false;
      }
    }
    return true;
  }

  private static String describe(String... labels) {
    List<String> pairs = new ArrayList<>();
    for (int i = 0; i + 1 < labels.length; i += 2) {
      pairs.add(labels[i] + "=\"" + labels[i + 1] + "\"");
    }
    return "{" + String.join(",", pairs) + "}";
  }

  /** Up to five names sharing the longest start and end with {@code name} (what a typo in the middle keeps). */
  private static List<String> closeNames(Set<String> names, String name) {
    return names.stream()
        .sorted(Comparator.comparingInt((String candidate) -> -shared(candidate, name))
            .thenComparing(Comparator.naturalOrder()))
        .limit(5)
        .toList();
  }

  private static int shared(String a, String b) {
    int prefix = 0;
    while (prefix < Math.min(a.length(), b.length()) && a.charAt(prefix) == b.charAt(prefix)) {
      prefix++;
    }
    int suffix = 0;
    while (suffix < Math.min(a.length(), b.length()) - prefix
        && a.charAt(a.length() - 1 - suffix) == b.charAt(b.length() - 1 - suffix)) {
      suffix++;
    }
    return prefix + suffix;
  }
}
