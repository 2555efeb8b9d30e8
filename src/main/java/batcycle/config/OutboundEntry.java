package batcycle.config;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Who an outbound entry is: its name (the {@code upstream} label of its metrics and log lines), the local address the
 * app calls, and the remote's URL or URLs. The compact text form, for a flag or a variable, is
 * {@code NAME=LISTEN=URL}, several URLs joined by {@code |}, several entries by commas:
 * {@code payments=127.0.0.1:9001=https://payments.example}. A listen address without a host ({@code :9001}, or just
 * {@code 9001}) is loopback: an outbound listener must never be reachable from outside the pod unless asked.
 */
public record OutboundEntry(String name, HostPort listen, List<URI> upstreams) {
  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9]([A-Za-z0-9_.-]{0,62})");
  static final String EXPECTED = "NAME=LISTEN=URL entries, comma-separated, such as "
      + "payments=127.0.0.1:9001=https://payments.example (several URLs joined by |)";

  public OutboundEntry {
    upstreams = List.copyOf(upstreams);
    if (upstreams.isEmpty() || upstreams.stream().map(URI::getScheme).distinct().count() != 1) {
      // TLS is a setting of the entry, so its URLs are all https or all http.
      throw new IllegalArgumentException("one scheme for all of an entry's URLs, such as "
          + "https://a.example|https://b.example");
    }
  }

  /** Parses the compact form; throws {@link IllegalArgumentException} saying what is wrong. */
  static List<OutboundEntry> parseAll(String text) {
    List<OutboundEntry> entries = new ArrayList<>();
    for (String item : text.split(",")) {
      if (!item.isBlank()) {
        entries.add(parse(item.trim()));
      }
    }
    return entries;
  }

  static OutboundEntry parse(String item) {
    String[] parts = item.split("=", -1);
    if (parts.length != 3) {
      throw new IllegalArgumentException(EXPECTED);
    }
    List<URI> urls = new ArrayList<>();
    for (String url : parts[2].split("\\|", -1)) {
      urls.add(url(url));
    }
    return new OutboundEntry(name(parts[0]), listen(parts[1]), urls);
  }

  static String name(String text) {
    String name = text.trim();
    if (!NAME.matcher(name).matches()) {
      throw new IllegalArgumentException("a name of letters, digits, '.', '_' or '-' (at most 63, starting with a "
          + "letter or digit), such as payments");
    }
    return name;
  }

  /** {@code HOST:PORT}; no host, or only a port, means 127.0.0.1. Port 0 picks a free port (tests). */
  static HostPort listen(String text) {
    String trimmed = text.trim();
    try {
      if (trimmed.matches("\\d{1,5}")) {
        return new HostPort("127.0.0.1", Values.parseInt(trimmed, 0, 65535));
      }
      HostPort parsed = HostPort.parse(trimmed);
      return trimmed.startsWith(":") ? new HostPort("127.0.0.1", parsed.port()) : parsed;
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("a listen address HOST:PORT such as 127.0.0.1:9001");
    }
  }

  /** An http:// or https:// URL with a host, and no user, path, query or fragment. */
  static URI url(String text) {
    String expected = "an http:// or https:// URL with a host and no path, such as https://payments.example";
    URI uri;
    try {
      uri = new URI(text.trim());
    } catch (URISyntaxException e) {
      throw new IllegalArgumentException(expected);
    }
    String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
    if (!(scheme.equals("http") || scheme.equals("https")) || uri.getHost() == null) {
      throw new IllegalArgumentException(expected);
    }
    if (uri.getRawUserInfo() != null) {
      throw new IllegalArgumentException(expected + " (credentials in the URL are not sent; set a header in the app)");
    }
    if (uri.getPort() == 0 || uri.getPort() > 65535) {
      throw new IllegalArgumentException(expected + ", with a port in 1..65535");
    }
    String path = uri.getRawPath();
    if ((path != null && !path.isEmpty() && !path.equals("/")) || uri.getRawQuery() != null
        || uri.getRawFragment() != null) {
      throw new IllegalArgumentException(expected + " (requests keep the path the app sent)");
    }
    return URI.create(scheme + "://" + uri.getRawAuthority());
  }

  /** True for https:// remotes: batcycle originates TLS. */
  public boolean secure() {
    return "https".equals(upstreams.get(0).getScheme());
  }

  /** The compact form of this entry, as {@link #parse} reads it. */
  public String compact() {
    StringBuilder out = new StringBuilder(name).append('=').append(listen).append('=');
    for (int i = 0; i < upstreams.size(); i++) {
      out.append(i == 0 ? "" : "|").append(upstreams.get(i));
    }
    return out.toString();
  }

  /** The port a URL names, or its scheme's default. */
  public static int port(URI url) {
    return url.getPort() != -1 ? url.getPort() : "https".equals(url.getScheme()) ? 443 : 80;
  }

  /** The host of a URL without IPv6 brackets, as a socket address or TLS wants it. */
  public static String host(URI url) {
    String host = url.getHost();
    return host.startsWith("[") ? host.substring(1, host.length() - 1) : host;
  }

  /** The Host header naming a URL (RFC 9110 §7.2): its host, and its port unless the scheme's default. */
  public static String authority(URI url) {
    return url.getPort() == -1 || url.getPort() == ("https".equals(url.getScheme()) ? 443 : 80)
        ? url.getHost() : url.getHost() + ":" + url.getPort();
  }

  @Override
  public String toString() {
    return compact();
  }
}
