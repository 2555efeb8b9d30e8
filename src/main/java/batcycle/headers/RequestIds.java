package batcycle.headers;

import java.util.concurrent.ThreadLocalRandom;

/** Request ids: a client's {@code X-Request-Id} is kept if it is safe to log and echo, otherwise one is made. */
public final class RequestIds {
  private static final int MAX_LENGTH = 128;
  private static final char[] HEX = "0123456789abcdef".toCharArray();

  private RequestIds() {}

  /** The client's id when valid (1-128 of {@code A-Z a-z 0-9 - _ . : + / =}), else a new random one. */
  public static String keepOrGenerate(String fromClient) {
    return fromClient != null && isValid(fromClient) ? fromClient : generate();
  }

  static boolean isValid(String id) {
    if (id.isEmpty() || id.length() > MAX_LENGTH) {
      return false;
    }
    for (int i = 0; i < id.length(); i++) {
      char c = id.charAt(i);
      boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
          || c == '-' || c == '_' || c == '.' || c == ':' || c == '+' || c == '/' || c == '=';
      if (!ok) {
        return false;
      }
    }
    return true;
  }

  /** 128 random bits as 32 hex digits; not a secret, so the fast thread-local generator is enough. */
  static String generate() {
    ThreadLocalRandom random = ThreadLocalRandom.current();
    char[] out = new char[32];
    long hi = random.nextLong();
    long lo = random.nextLong();
    for (int i = 0; i < 16; i++) {
      out[15 - i] = HEX[(int) (hi >>> (i * 4)) & 0xf];
      out[31 - i] = HEX[(int) (lo >>> (i * 4)) & 0xf];
    }
    return new String(out);
  }
}
