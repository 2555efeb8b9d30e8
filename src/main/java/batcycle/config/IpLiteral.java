package batcycle.config;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * An IPv4 or IPv6 address written as a literal, read without any name lookup: configuration is checked before
 * anything starts (and by {@code batcycle check}), where DNS must never be asked.
 */
public final class IpLiteral {
  private static final Pattern IPV4 =
      Pattern.compile("(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)(\\.(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)){3}");
  /** A colon somewhere, hex digits, colons and dots only, starting with a hex digit or a colon; no zone, no brackets. */
  private static final Pattern IPV6_CHARACTERS = Pattern.compile("(?=.*:)[0-9a-fA-F:][0-9a-fA-F:.]*");

  private IpLiteral() {}

  /** The address {@code text} spells, or empty when it is not an IP literal (a host name, say). */
  public static Optional<InetAddress> parse(String text) {
    try {
      if (IPV4.matcher(text).matches()) {
        byte[] octets = new byte[4];
        String[] parts = text.split("\\.");
        for (int i = 0; i < 4; i++) {
          octets[i] = (byte) Integer.parseInt(parts[i]);
        }
        return Optional.of(InetAddress.getByAddress(octets));
      }
      if (IPV6_CHARACTERS.matcher(text).matches()) {
        // Text with a colon that starts with a hex digit or a colon is parsed as an IPv6 literal and never looked
        // up: invalid, it throws at once.
        return Optional.of(InetAddress.getByName(text));
      }
    } catch (UnknownHostException e) {
      return Optional.empty(); // an invalid literal is not an address
    }
    return Optional.empty();
  }
}
