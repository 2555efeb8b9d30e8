package batcycle.config;

import java.util.Locale;

/** How an outbound remote's requests are spread over its endpoints. */
public enum Balancer {
  /** The endpoint with the fewest requests in progress (ties broken at random). */
  LEAST_REQUEST,
  /** Two endpoints at random, and of those the one with fewer requests in progress. */
  POWER_OF_TWO;

  static Balancer parse(String text) {
    return switch (text.trim().toLowerCase(Locale.ROOT).replace('-', '_')) {
      case "least_request" -> LEAST_REQUEST;
      case "power_of_two", "p2c" -> POWER_OF_TWO;
      default -> throw new IllegalArgumentException("least_request or power_of_two");
    };
  }

  @Override
  public String toString() {
    return name().toLowerCase(Locale.ROOT);
  }
}
