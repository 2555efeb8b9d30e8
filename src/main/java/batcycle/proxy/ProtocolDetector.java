package batcycle.proxy;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Tells HTTP/2 with prior knowledge (RFC 9113 §3.4: the connection starts with the client preface) from HTTP/1.x by
 * the first bytes, then puts that protocol's handlers in its place; the bytes read so far go on to them. A
 * connection that starts like the preface but is not one is closed: it is neither protocol. So is one whose first
 * line names no HTTP version at all (h2spec's "INVALID CONNECTION PREFACE"): an HTTP/1 status line would answer a
 * client that never spoke HTTP/1 (RFC 9113 §3.4 asks for the connection to be closed). The h2c upgrade from
 * HTTP/1.1 is not offered (RFC 9113 deprecates it; nginx and HAProxy do not offer it either): such a request is
 * served over HTTP/1.1, its upgrade headers dropped as hop-by-hop.
 */
final class ProtocolDetector extends ByteToMessageDecoder {
  static final String NAME = "batcycle-protocol";
  private static final byte[] PREFACE = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
  /** Once "PRI " matched, the client meant HTTP/2: anything else after it is a broken preface. */
  private static final int COMMITTED = 4;

  private static final byte[] VERSION_MARK = " HTTP/".getBytes(StandardCharsets.US_ASCII);

  private final ChannelSetup setup;
  private final int maxRequestLine;
  /** Bytes of the first line already searched for its end, so a trickled line is scanned once. */
  private int scanned;

  ProtocolDetector(ChannelSetup setup, int maxRequestLine) {
    this.setup = setup;
    this.maxRequestLine = maxRequestLine;
  }

  @Override
  protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
    int available = Math.min(in.readableBytes(), PREFACE.length);
    for (int i = 0; i < available; i++) {
      if (in.getByte(in.readerIndex() + i) != PREFACE[i]) {
        Boolean http1 = i >= COMMITTED ? Boolean.FALSE : namesHttpVersion(in);
        if (http1 == null) {
          return; // the first line is not complete yet
        }
        if (http1) {
          setup.http1(ctx.pipeline());
          ctx.pipeline().remove(this);
        } else {
          in.skipBytes(in.readableBytes());
          ctx.close();
        }
        return;
      }
    }
    if (available == PREFACE.length) {
      setup.http2(ctx.pipeline());
      ctx.pipeline().remove(this);
    }
  }

  /**
   * Whether the first line (after any empty lines, which RFC 9112 §2.2 lets a server skip) contains " HTTP/", as
   * every HTTP/1 request line does; null while the line is incomplete. A line too long to tell goes to HTTP/1,
   * whose decoder answers it 414.
   */
  private Boolean namesHttpVersion(ByteBuf in) {
    int start = in.readerIndex();
    int end = in.writerIndex();
    while (start < end && (in.getByte(start) == '\r' || in.getByte(start) == '\n')) {
      start++;
    }
    int from = start + scanned;
    int lineEnd = in.indexOf(from, end, (byte) '\n');
    if (lineEnd < 0) {
      scanned = end - start;
      return end - start > maxRequestLine ? Boolean.TRUE : null;
    }
    for (int i = start; i + VERSION_MARK.length <= lineEnd; i++) {
      if (matches(in, i)) {
        return Boolean.TRUE;
      }
    }
    return Boolean.FALSE;
  }

  private static boolean matches(ByteBuf in, int at) {
    for (int j = 0; j < VERSION_MARK.length; j++) {
      if (in.getByte(at + j) != VERSION_MARK[j]) {
        return false;
      }
    }
    return true;
  }
}
