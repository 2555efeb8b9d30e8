package batcycle.config;

import java.nio.file.Path;
import java.util.Optional;

/** A raw configuration value and where it came from, so errors can say which source to fix. */
public record SourcedValue(String text, String source) {
  private static final String FLAG = "flag ";
  private static final String ENV = "env ";

  static SourcedValue flag(Key key, String text) {
    return new SourcedValue(text, FLAG + key.flag());
  }

  static SourcedValue env(Key key, String text) {
    return new SourcedValue(text, ENV + key.envName());
  }

  static SourcedValue file(Optional<Path> file, String text) {
    return new SourcedValue(text, "file " + file.map(Path::toString).orElse("?"));
  }

  static SourcedValue defaultOf(Key key) {
    return new SourcedValue(key.defaultValue(), "default");
  }

  /** Given on the command line: a reload keeps it, since the file never overrides a flag. */
  boolean isFlag() {
    return source.startsWith(FLAG);
  }

  /** Given in the environment, which a running process cannot see change. */
  boolean isEnvironment() {
    return source.startsWith(ENV);
  }
}
