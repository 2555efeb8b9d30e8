package batcycle.config;

import java.util.Map;

/** The effective configuration as a text table for {@code batcycle check}: every key, its value and its source. */
public final class ConfigReport {
  private static final String HEADER_KEY = "KEY";
  private static final String HEADER_VALUE = "VALUE";
  /** Longer values (the latency buckets) overflow their column rather than widen every row. */
  private static final int MAX_VALUE_COLUMN = 32;

  private ConfigReport() {}

  /** One line per key, in declaration order, secrets redacted; empty values say what they mean. */
  public static String text(BatcycleConfig config) {
    int keyWidth = HEADER_KEY.length();
    int valueWidth = HEADER_VALUE.length();
    for (Map.Entry<Key, SourcedValue> e : config.sources().entrySet()) {
      keyWidth = Math.max(keyWidth, e.getKey().path().length());
      valueWidth = Math.max(valueWidth, Math.min(MAX_VALUE_COLUMN, shown(config, e.getKey(), e.getValue()).length()));
    }
    StringBuilder out = new StringBuilder();
    out.append("batcycle ").append(BuildInfo.version()).append(": the configuration is valid (")
        .append(config.configFile().map(f -> "file " + f).orElse("no file")).append(")\n\n");
    row(out, keyWidth, valueWidth, HEADER_KEY, HEADER_VALUE, "SOURCE");
    for (Map.Entry<Key, SourcedValue> e : config.sources().entrySet()) {
      row(out, keyWidth, valueWidth, e.getKey().path(), shown(config, e.getKey(), e.getValue()),
          e.getValue().source());
    }
    for (OutboundConfig entry : config.outbound()) {
      out.append("\noutbound entry ").append(entry.name()).append(": ").append(entry.listen()).append(" -> ")
          .append(String.join(", ", entry.upstreams().stream().map(Object::toString).toList()))
          .append(entry.own().isEmpty() ? " (every setting as above)\n" : "; its own settings (the rest as above):\n");
      for (Map.Entry<Key, SourcedValue> e : entry.own().entrySet()) {
        row(out, keyWidth, valueWidth, "  " + OutboundConfig.entryPath(e.getKey()),
            shown(config, e.getKey(), e.getValue()), e.getValue().source());
      }
    }
    return out.toString();
  }

  private static String shown(BatcycleConfig config, Key key, SourcedValue value) {
    String text = Redaction.configValue(key.path(), value.text());
    if (!text.isEmpty()) {
      return text;
    }
    String meaning = key.type().whenEmpty().orElse("(none)");
    return key == Key.EVENT_LOOPS ? config.eventLoops() + " (" + meaning + ")" : meaning;
  }

  private static void row(StringBuilder out, int keyWidth, int valueWidth, String key, String value, String source) {
    out.append(key).append(" ".repeat(Math.max(0, keyWidth - key.length()) + 2))
        .append(value).append(" ".repeat(Math.max(0, valueWidth - value.length()) + 2))
        .append(source).append('\n');
  }
}
