package batcycle.testing;

import java.util.ArrayList;
import java.util.List;

/** Reads sample values out of Prometheus text exposition, for assertions on exact metric values. */
public final class PrometheusText {
  private PrometheusText() {}

  /**
   * The sum of the samples named {@code name} whose labels include every {@code key=value} pair given as
   * {@code "key", "value", ...}; 0 if none matches.
   */
  public static double value(String exposition, String name, String... labels) {
    double sum = 0;
    for (String line : samples(exposition, name)) {
      if (hasLabels(line, labels)) {
        sum += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
      }
    }
    return sum;
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

  private static boolean hasLabels(String line, String... labels) {
    for (int i = 0; i + 1 < labels.length; i += 2) {
      if (!line.contains(labels[i] + "=\"" + labels[i + 1] + "\"")) {
        return false;
      }
    }
    return true;
  }
}
