package batcycle.proxy;

import batcycle.connection.ClientIdleTimeout;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.ReferenceCountUtil;
import java.util.ArrayDeque;

/**
 * One side of a tunnel after a protocol switch (WebSocket): raw bytes go to the peer channel as they come, with
 * back-pressure both ways (a side stops reading while its peer cannot take more), and either side closing closes
 * the other once what it sent is flushed. Bytes that arrive before the peer is connected wait here.
 *
 * <p>Both sides run on the same event loop (the app's connection was made on the client's), so nothing here needs
 * synchronisation.
 */
final class TunnelHandler extends ChannelInboundHandlerAdapter {
  private final Runnable onClose;
  private ChannelHandlerContext ctx;
  private Channel peer;
  private ArrayDeque<ByteBuf> pending;
  private boolean closed;

  TunnelHandler(Runnable onClose) {
    this.onClose = onClose;
  }

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    this.ctx = ctx;
  }

  /** Connects two sides, each in its channel's pipeline already. */
  static void join(TunnelHandler a, TunnelHandler b) {
    a.connect(b.ctx.channel());
    b.connect(a.ctx.channel());
  }

  /** Starts relaying to {@code peer}, with what already arrived first. */
  private void connect(Channel peer) {
    this.peer = peer;
    if (pending != null) {
      ByteBuf bytes;
      while ((bytes = pending.poll()) != null) {
        peer.write(bytes, peer.voidPromise());
      }
      peer.flush();
    }
    if (!peer.isActive()) {
      ctx.close();
      return;
    }
    ctx.channel().config().setAutoRead(peer.isWritable());
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (!(msg instanceof ByteBuf bytes)) {
      ReferenceCountUtil.release(msg); // the end marker of the handshake response, decoded before the switch
      return;
    }
    if (peer == null) {
      if (pending == null) {
        pending = new ArrayDeque<>(2);
      }
      pending.add(bytes);
      ctx.channel().config().setAutoRead(false);
      return;
    }
    peer.write(bytes, peer.voidPromise());
    if (!peer.isWritable()) {
      ctx.channel().config().setAutoRead(false); // the peer's writability turns it back on
    }
  }

  @Override
  public void channelReadComplete(ChannelHandlerContext ctx) {
    if (peer != null) {
      peer.flush();
    }
  }

  @Override
  public void channelWritabilityChanged(ChannelHandlerContext ctx) {
    if (peer != null) {
      peer.config().setAutoRead(ctx.channel().isWritable());
    }
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    if (closed) {
      return;
    }
    closed = true;
    if (pending != null) {
      pending.forEach(ByteBuf::release);
      pending = null;
    }
    if (peer != null && peer.isActive()) {
      peer.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
    }
    onClose.run();
  }

  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
    if (evt == ClientIdleTimeout.IDLE || evt == ProxyServer.DRAIN) {
      ctx.close();
      return;
    }
    ReferenceCountUtil.release(evt);
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    ctx.close();
  }
}
