package batcycle.pipeline;

/** The HTTP version a client spoke. */
public enum Protocol {
  HTTP_1_0("HTTP/1.0", "1.0"),
  HTTP_1_1("HTTP/1.1", "1.1"),
  HTTP_2("HTTP/2", "2");

  private final String text;
  private final String viaVersion;

  Protocol(String text, String viaVersion) {
    this.text = text;
    this.viaVersion = viaVersion;
  }

  /** As in a request-log line: {@code HTTP/1.1}. */
  public String text() {
    return text;
  }

  /** As in a {@code Via} entry (RFC 9110 §7.6.3): {@code 1.1}, {@code 2}. */
  public String viaVersion() {
    return viaVersion;
  }
}
