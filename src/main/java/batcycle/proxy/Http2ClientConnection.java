package batcycle.proxy;

import batcycle.connection.ClientIdleTimeout;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http2.Http2CodecUtil;
import io.netty.handler.codec.http2.Http2FrameCodec;
import io.netty.util.ReferenceCountUtil;

/**
 * The connection-level events of a client's HTTP/2 connection: draining closes it gracefully (the codec sends
 * GOAWAY and lets open streams finish, up to the drain timeout), and an idle timeout closes it only when no stream
 * is open.
 */
final class Http2ClientConnection extends ChannelInboundHandlerAdapter {
  private final ProxyLoop loop;
  private final Http2FrameCodec codec;

  Http2ClientConnection(ProxyLoop loop, Http2FrameCodec codec) {
    this.loop = loop;
    this.codec = codec;
  }

  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
    if (evt == ProxyServer.DRAIN) {
      ctx.close();
    } else if (evt == ClientIdleTimeout.IDLE) {
      if (codec.connection().numActiveStreams() == 0) {
        ctx.close();
      }
    } else {
      ReferenceCountUtil.release(evt);
    }
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    ReferenceCountUtil.release(msg); // connection frames (SETTINGS, PING, GOAWAY) the codec already acted on
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    loop.clientProtocolError(cause);
    if (Http2CodecUtil.getEmbeddedHttp2Exception(cause) == null) {
      ctx.close();
    }
    // An HTTP/2 error is the codec's to answer: GOAWAY with its code, or RST_STREAM. Closing here first would send
    // a graceful GOAWAY (NO_ERROR) ahead of it.
  }
}
