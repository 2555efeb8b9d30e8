package batcycle.proxy;

import io.netty.channel.Channel;

/**
 * Whether a channel reads, as the sum of the reasons to stop: a body whose receiver cannot take more, a pipelined
 * request waiting its turn, a tunnel not yet open. Reading goes on only when no reason holds. Confined to the
 * channel's event loop.
 */
final class ReadGate {
  static final int BODY = 1;
  static final int PIPELINED = 2;
  static final int TUNNEL = 4;

  private final Channel channel;
  private int closedFor;

  ReadGate(Channel channel) {
    this.channel = channel;
  }

  void close(int reason) {
    if (closedFor == 0) {
      channel.config().setAutoRead(false);
    }
    closedFor |= reason;
  }

  void open(int reason) {
    if ((closedFor & reason) == 0) {
      return;
    }
    closedFor &= ~reason;
    if (closedFor == 0) {
      channel.config().setAutoRead(true); // also reads at once
    }
  }
}
