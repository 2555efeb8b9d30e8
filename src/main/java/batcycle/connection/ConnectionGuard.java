package batcycle.connection;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.ReferenceCountUtil;

/**
 * First handler of every client connection: admits it against the cap when it becomes active, before a byte is
 * read, and releases its place exactly once when it closes, whichever side closes it. A refused connection is
 * closed at once and anything read meanwhile is dropped, so none of it reaches Vert.x's HTTP codec.
 */
final class ConnectionGuard extends ChannelInboundHandlerAdapter {
  static final String NAME = "batcycle-connection-guard";
  private final ClientConnections connections;
  private boolean decided;
  private boolean admitted;

  ConnectionGuard(ClientConnections connections) {
    this.connections = connections;
  }

  /** True once this connection was refused; confined to the connection's event loop. */
  boolean refused() {
    return decided && !admitted;
  }

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    if (ctx.channel().isActive()) {
      decide(ctx); // added late, by the connection handler, to a connection accepted before the hook was in place
    }
  }

  @Override
  public void channelActive(ChannelHandlerContext ctx) {
    decide(ctx);
    if (admitted) {
      ctx.fireChannelActive();
    }
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (refused()) {
      ReferenceCountUtil.release(msg);
      return;
    }
    ctx.fireChannelRead(msg);
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    if (admitted) {
      admitted = false;
      connections.release();
    }
    ctx.fireChannelInactive();
  }

  private void decide(ChannelHandlerContext ctx) {
    if (decided) {
      return;
    }
    decided = true;
    admitted = connections.tryOpen();
    if (!admitted) {
      ctx.channel().config().setAutoRead(false);
      ctx.close();
    }
  }
}
