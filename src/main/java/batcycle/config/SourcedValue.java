package batcycle.config;

/** A raw configuration value and where it came from, so errors can say which source to fix. */
public record SourcedValue(String text, String source) {}
