package batcycle.config;

import java.util.Locale;

/** The network I/O transport the event loops use; {@code auto} takes the fastest the host allows. */
public enum IoTransport {
  AUTO, IO_URING, EPOLL, NIO;

  static IoTransport parse(String text) {
    return switch (text.trim().toLowerCase(Locale.ROOT).replace('-', '_')) {
      case "auto" -> AUTO;
      case "io_uring", "iouring" -> IO_URING;
      case "epoll" -> EPOLL;
      case "nio" -> NIO;
      default -> throw new IllegalArgumentException("auto, io_uring, epoll or nio");
    };
  }

  @Override
  public String toString() {
    return name().toLowerCase(Locale.ROOT);
  }
}
