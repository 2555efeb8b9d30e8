package batcycle.proxy;

import batcycle.upstream.TlsOrigination;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.handler.ssl.SslHandler;
import java.net.InetSocketAddress;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * How a pool makes its connections to one address, whatever protocol it speaks on them: on the pool's event loop,
 * TLS first in the pipeline when the remote is https, then the protocol's own handlers. A connection over TLS counts
 * as made once its handshake is done; a failed handshake closes it and fails like a connect.
 *
 * <p>Confined to the pool's event loop.
 */
final class UpstreamConnector {
  static final String TLS = "tls";

  /** What becomes of one connect; exactly one of the two is called, on the pool's event loop. */
  interface Outcome {
    /** The connection is made; {@code tls}: its TLS handler, handshake done, or null for a plain connection. */
    void connected(Channel channel, SslHandler tls);

    void failed(Throwable cause);
  }

  private final EndpointPools owner;
  private final InetSocketAddress address;
  private final Bootstrap bootstrap;

  /**
   * {@code alpn}: what new connections offer in ALPN, asked for each one; {@code protocolHandlers}: adds the
   * protocol's handlers behind TLS to a new connection's pipeline.
   */
  UpstreamConnector(EndpointPools owner, long connectTimeoutMs, Supplier<TlsOrigination.Alpn> alpn,
                    Consumer<Channel> protocolHandlers) {
    this.owner = owner;
    this.address = owner.endpoint().socketAddress();
    this.bootstrap = new Bootstrap()
        .group(owner.loop().eventLoop())
        .channelFactory(owner.loop().transport().channelFactory(false))
        .option(ChannelOption.TCP_NODELAY, true)
        .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) connectTimeoutMs)
        .handler(new ChannelInitializer<Channel>() {
          @Override
          protected void initChannel(Channel channel) {
            if (owner.tls() != null) {
              // Until the handshake is done, the TLS handler holds back what the protocol writes (HTTP/2's preface).
              channel.pipeline().addLast(TLS, owner.tls().newHandler(channel.alloc(), owner.endpoint(), alpn.get()));
              channel.pipeline().addLast(TlsOrigination.refusalWatcher(owner.endpoint()));
            }
            protocolHandlers.accept(channel);
          }
        });
  }

  void connect(Outcome outcome) {
    ChannelFuture connecting = bootstrap.connect(address);
    connecting.addListener(done -> {
      if (!done.isSuccess()) {
        outcome.failed(done.cause());
        return;
      }
      Channel channel = connecting.channel();
      SslHandler tls = channel.pipeline().get(SslHandler.class);
      if (tls == null) {
        outcome.connected(channel, null);
        return;
      }
      tls.handshakeFuture().addListener(handshake -> {
        if (handshake.isSuccess()) {
          outcome.connected(channel, tls);
        } else {
          channel.close();
          outcome.failed(TlsOrigination.handshakeFailure(handshake.cause(), owner.endpoint()));
        }
      });
    });
  }
}
