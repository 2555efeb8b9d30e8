package batcycle.proxy;

import batcycle.config.ListenerConfig;
import batcycle.connection.ClientConnections;
import batcycle.connection.ClientIdleTimeout;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http2.Http2FrameCodec;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2MultiplexHandler;
import io.netty.handler.codec.http2.Http2Settings;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.handler.codec.http2.Http2StreamFrameToHttpObjectCodec;

/**
 * The pipeline of each client connection on one event loop: the protections every connection gets from accept
 * (the connection cap, the request-head timeout, the idle timeout), then, once the first bytes tell the protocol,
 * that protocol's codec and exchange handler.
 */
final class ChannelSetup {
  /** HTTP/2 streams a client may have open at once on one connection (Vert.x's and Go's default). */
  static final int MAX_CONCURRENT_STREAMS = 100;

  private final ProxyLoop loop;
  private final ListenerConfig listener;
  private final ClientConnections connections;
  private final long drainTimeoutMs;

  ChannelSetup(ProxyLoop loop, ListenerConfig listener, ClientConnections connections, long drainTimeoutMs) {
    this.loop = loop;
    this.listener = listener;
    this.connections = connections;
    this.drainTimeoutMs = drainTimeoutMs;
  }

  /** A connection was accepted on this loop. */
  void accepted(Channel channel) {
    ChannelPipeline pipeline = channel.pipeline();
    connections.equip(pipeline);
    long idleMs = listener.clientIdleTimeout().toMillis();
    if (idleMs > 0) {
      pipeline.addLast(ClientIdleTimeout.NAME, new ClientIdleTimeout(idleMs));
    }
    pipeline.addLast(ProtocolDetector.NAME, new ProtocolDetector(this, listener.maxRequestLine()));
    loop.track(channel);
  }

  void http1(ChannelPipeline pipeline) {
    pipeline.addLast(ProxyServer.HTTP_CODEC, new HttpServerCodec(new HttpDecoderConfig()
        .setMaxInitialLineLength(listener.maxRequestLine())
        .setMaxHeaderSize(listener.maxHeaderSize())
        .setMaxChunkSize(UpstreamPool.MAX_CHUNK_SIZE)));
    ClientConnections.http1(pipeline, ProxyServer.HTTP_CODEC);
    pipeline.addLast("batcycle-http1", new Http1Connection(loop));
  }

  void http2(ChannelPipeline pipeline) {
    ClientConnections.notHttp1(pipeline);
    String clientAddress = ProxyLoop.clientAddress(pipeline.channel());
    StreamStateRules streamStates = new StreamStateRules();
    Http2FrameCodec codec = Http2FrameCodecBuilder.forServer()
        .initialSettings(Http2Settings.defaultSettings()
            .maxConcurrentStreams(MAX_CONCURRENT_STREAMS)
            .maxHeaderListSize(listener.maxHeaderSize()))
        .gracefulShutdownTimeoutMillis(drainTimeoutMs)
        .validateHeaders(true)
        .frameLogger(streamStates)
        .build();
    streamStates.connection(codec.connection());
    pipeline.addLast("batcycle-h2", codec);
    pipeline.addLast("batcycle-h2-streams", new Http2MultiplexHandler(new ChannelInitializer<Http2StreamChannel>() {
      @Override
      protected void initChannel(Http2StreamChannel stream) {
        stream.pipeline().addLast(new Http2StreamFrameToHttpObjectCodec(true, true),
            new Http2Stream(loop, clientAddress));
      }
    }));
    pipeline.addLast("batcycle-h2-connection", new Http2ClientConnection(loop, codec));
  }
}
