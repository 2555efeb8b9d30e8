package batcycle.demo;

import io.vertx.core.http.HttpServerRequest;

/** Parses the numeric parameters of the demo endpoints so that each rejects bad input the same way. */
final class DemoParams {
  private DemoParams() {}

  static long longParam(HttpServerRequest req, String name, long defaultValue, long min, long max) {
    String raw = req.getParam(name);
    return raw == null ? defaultValue : parseLong(name, raw, min, max);
  }

  static long parseLong(String name, String raw, long min, long max) {
    long value;
    try {
      value = Long.parseLong(raw);
    } catch (NumberFormatException e) {
      throw new InvalidParameter(name, raw, min + ".." + max);
    }
    if (value < min || value > max) {
      throw new InvalidParameter(name, raw, min + ".." + max);
    }
    return value;
  }

  static double doubleParam(HttpServerRequest req, String name, double defaultValue, double min, double max) {
    String raw = req.getParam(name);
    if (raw == null) {
      return defaultValue;
    }
    double value;
    try {
      value = Double.parseDouble(raw);
    } catch (NumberFormatException e) {
      throw new InvalidParameter(name, raw, min + ".." + max);
    }
    if (!(value >= min && value <= max)) { // negated so that NaN is rejected too
      throw new InvalidParameter(name, raw, min + ".." + max);
    }
    return value;
  }

  /** A parameter outside what the endpoint accepts; {@code DemoApp} turns it into a 400 with this message. */
  static final class InvalidParameter extends RuntimeException {
    InvalidParameter(String name, String raw, String expected) {
      super("invalid " + name + ": " + raw + " (expected: " + expected + ")", null, false, false);
    }
  }
}
