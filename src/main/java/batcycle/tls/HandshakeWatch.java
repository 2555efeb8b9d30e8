package batcycle.tls;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;

/**
 * Sits right behind a connection's {@link SslHandler} until its handshake ends: counts the outcome, and keeps the
 * handshake's exceptions (which the SSL handler also fires as events) from reaching the end of the pipeline, where
 * Netty would log each with a stack trace. Removes itself once the handshake succeeded, so the connection's own
 * handlers see what follows.
 */
public final class HandshakeWatch extends ChannelInboundHandlerAdapter {
  public static final String NAME = "batcycle-tls-handshake";
  private final HandshakeMeters meters;
  private boolean failed;

  public HandshakeWatch(HandshakeMeters meters) {
    this.meters = meters;
  }

  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
    if (evt instanceof SslHandshakeCompletionEvent done) {
      if (done.isSuccess()) {
        SslHandler ssl = ctx.pipeline().get(SslHandler.class);
        meters.completed(ssl == null ? null : ssl.engine().getSession().getProtocol());
        ctx.pipeline().remove(this);
      } else if (!failed) {
        failed = true;
        meters.failed(done.cause());
        ctx.close();
      }
      return;
    }
    ctx.fireUserEventTriggered(evt);
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    // The handshake's failure: counted from its completion event, which the SSL handler fires too.
    ctx.close();
  }
}
