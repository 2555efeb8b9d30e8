package batcycle.proxy;

import batcycle.config.ListenerConfig;
import batcycle.connection.ClientConnections;
import batcycle.connection.ClientIdleTimeout;
import batcycle.tls.ClientCertificate;
import batcycle.tls.ServerTls;
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
 * (the connection cap, the request-head timeout, the idle timeout), TLS when the port serves HTTPS, then, once the
 * first (decrypted) bytes tell the protocol, that protocol's codec and exchange handler. Over TLS the protocol is
 * the one ALPN chose, which the client's first bytes then show: the HTTP/2 preface after {@code h2}.
 */
final class ChannelSetup {
  /** HTTP/2 streams a client may have open at once on one connection (Vert.x's and Go's default). */
  static final int MAX_CONCURRENT_STREAMS = 100;

  private final ProxyLoop loop;
  private final ClientConnections connections;
  private final ServerTls tls;
  /** Replaced by a reload, on this loop: connections accepted afterwards get the new limits and timeouts. */
  private ListenerConfig listener;
  private long drainTimeoutMs;

  /** {@code tls}: HTTPS on this port, or null for plain HTTP. */
  ChannelSetup(ProxyLoop loop, ListenerConfig listener, ClientConnections connections, long drainTimeoutMs,
               ServerTls tls) {
    this.loop = loop;
    this.listener = listener;
    this.connections = connections;
    this.drainTimeoutMs = drainTimeoutMs;
    this.tls = tls;
  }

  /** Settings of a reload, for connections accepted from now on. Call on this loop. */
  void reconfigure(ListenerConfig listener, long drainTimeoutMs) {
    this.listener = listener;
    this.drainTimeoutMs = drainTimeoutMs;
  }

  /** A connection was accepted on this loop. */
  void accepted(Channel channel) {
    ChannelPipeline pipeline = channel.pipeline();
    connections.equip(pipeline);
    if (tls != null) {
      // Right behind the cap, so the head timeout and the protocol detection below see decrypted bytes.
      pipeline.addAfter(ClientConnections.GUARD, TlsDetector.NAME, new TlsDetector(tls));
    }
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
    String certSubject = tls == null ? null : ClientCertificate.subject(pipeline.channel());
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
            new Http2Stream(loop, clientAddress, certSubject));
      }
    }));
    pipeline.addLast("batcycle-h2-connection", new Http2ClientConnection(loop, codec));
  }
}
