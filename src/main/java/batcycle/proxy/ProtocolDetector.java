package batcycle.proxy;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Tells HTTP/2 with prior knowledge (RFC 9113 §3.4: the connection starts with the client preface) from HTTP/1.x by
 * the first bytes, then puts that protocol's handlers in its place; the bytes read so far go on to them. A
 * connection that starts like the preface but is not one is closed: it is neither protocol. The h2c upgrade from
 * HTTP/1.1 is not offered (RFC 9113 deprecates it; nginx and HAProxy do not offer it either): such a request is
 * served over HTTP/1.1, its upgrade headers dropped as hop-by-hop.
 */
final class ProtocolDetector extends ByteToMessageDecoder {
  static final String NAME = "batcycle-protocol";
  private static final byte[] PREFACE = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
  /** Once "PRI " matched, the client meant HTTP/2: anything else after it is a broken preface. */
  private static final int COMMITTED = 4;

  private final ChannelSetup setup;

  ProtocolDetector(ChannelSetup setup) {
    this.setup = setup;
  }

  @Override
  protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
    int available = Math.min(in.readableBytes(), PREFACE.length);
    for (int i = 0; i < available; i++) {
      if (in.getByte(in.readerIndex() + i) != PREFACE[i]) {
        if (i >= COMMITTED) {
          in.skipBytes(in.readableBytes());
          ctx.close();
        } else {
          setup.http1(ctx.pipeline());
          ctx.pipeline().remove(this);
        }
        return;
      }
    }
    if (available == PREFACE.length) {
      setup.http2(ctx.pipeline());
      ctx.pipeline().remove(this);
    }
  }
}
