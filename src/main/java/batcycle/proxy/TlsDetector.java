package batcycle.proxy;

import batcycle.errors.ProxyFailure;
import batcycle.headers.RequestIds;
import batcycle.pipeline.Protocol;
import batcycle.tls.HandshakeFailure;
import batcycle.tls.HandshakeWatch;
import batcycle.tls.ServerTls;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.handler.codec.http.HttpResponseEncoder;
import java.util.List;

/**
 * The first byte of a connection to the HTTPS port: a TLS handshake record (RFC 8446 §5.1: content type 22) gets the
 * TLS handler with the certificate in force now, which then stays with the connection for its life; anything else
 * is no TLS client. Plain HTTP gets a 400 saying to use https (as nginx does), then the connection closes; other
 * bytes only the close. Both count as the handshake failure {@code not_tls}. The port never serves plaintext: a
 * client that forgot https must not send its requests in the clear unnoticed.
 */
final class TlsDetector extends ByteToMessageDecoder {
  static final String NAME = "batcycle-tls-detect";
  static final String SSL = "batcycle-tls";
  private static final byte HANDSHAKE_RECORD = 22;

  private final ServerTls tls;
  private boolean refused;

  TlsDetector(ServerTls tls) {
    this.tls = tls;
  }

  @Override
  protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
    if (refused || !in.isReadable()) {
      in.skipBytes(in.readableBytes());
      return;
    }
    byte first = in.getByte(in.readerIndex());
    if (first == HANDSHAKE_RECORD) {
      ctx.pipeline().addAfter(ctx.name(), SSL, tls.newHandler(ctx.alloc()))
          .addAfter(SSL, HandshakeWatch.NAME, new HandshakeWatch(tls.handshakes()));
      ctx.pipeline().remove(this); // the bytes read so far go on to the TLS handler
      return;
    }
    refused = true;
    in.skipBytes(in.readableBytes());
    tls.handshakes().failed(HandshakeFailure.NOT_TLS, null);
    if (first >= 'A' && first <= 'Z') { // a request line: GET, POST...
      LocalReply reply = LocalReply.of(ProxyFailure.badRequest(400,
          "this port speaks HTTPS; send the request with https://"), null, RequestIds.keepOrGenerate(null));
      ctx.pipeline().addBefore(ctx.name(), "batcycle-plain-http-answer", new HttpResponseEncoder());
      ctx.writeAndFlush(reply.response(Protocol.HTTP_1_1, true)).addListener(ChannelFutureListener.CLOSE);
    } else {
      ctx.close();
    }
  }
}
