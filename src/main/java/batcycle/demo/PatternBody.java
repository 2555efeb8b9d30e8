package batcycle.demo;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerResponse;

/** Streams a body of repeating {@code a..z} in 64 KiB chunks, honouring back-pressure, so any size costs constant memory. */
final class PatternBody {
  private static final int CHUNK = 64 * 1024;
  private static final int ALPHABET = 26;
  // One chunk plus one alphabet, so a chunk starting at any offset is a slice of it.
  private static final byte[] PATTERN = pattern(CHUNK + ALPHABET);

  private final HttpServerResponse resp;
  private final long total;
  private long sent;
  private boolean done; // ended, or the client left

  private PatternBody(HttpServerResponse resp, long total) {
    this.resp = resp;
    this.total = total;
  }

  /** Sends {@code total} bytes; for HEAD only the head, since Vert.x would discard the body anyway. */
  static void send(HttpServerResponse resp, long total, boolean headOnly) {
    resp.putHeader(HttpHeaders.CONTENT_TYPE, "application/octet-stream")
        .putHeader(HttpHeaders.CONTENT_LENGTH, Long.toString(total));
    if (headOnly) {
      resp.end();
      return;
    }
    var body = new PatternBody(resp, total);
    resp.closeHandler(v -> body.done = true); // the client left: stop generating
    resp.drainHandler(v -> body.pump());
    body.pump();
  }

  private void pump() {
    while (!done && sent < total && !resp.writeQueueFull()) {
      int length = (int) Math.min(CHUNK, total - sent);
      int start = (int) (sent % ALPHABET);
      resp.write(Buffer.buffer(length).appendBytes(PATTERN, start, length));
      sent += length;
    }
    if (!done && sent == total) {
      done = true; // a late drain event must not end the response twice
      resp.end();
    }
  }

  private static byte[] pattern(int length) {
    byte[] bytes = new byte[length];
    for (int i = 0; i < length; i++) {
      bytes[i] = (byte) ('a' + i % ALPHABET);
    }
    return bytes;
  }
}
