package batcycle.warmup;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2MultiplexHandler;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.handler.codec.http2.Http2StreamFrameToHttpObjectCodec;
import io.netty.util.ReferenceCountUtil;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.spi.transport.Transport;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * The app the warm-up talks to: inside batcycle, on 127.0.0.1 and a port the system picks, so the user's app never
 * sees a synthetic request. It answers HTTP/1.1, and HTTP/2 with prior knowledge (the two upstream protocols), with
 * the shapes of real traffic: a small body or a 16 KiB one, after reading any request body. It is built on the same
 * Netty codecs as the proxy's own listener, so what the JIT compiles for it serves the proxy too.
 */
final class StubApp {
  static final String SMALL = "/small";
  static final String LARGE = "/large";
  static final String ECHO = "/echo";
  private static final ByteBuf SMALL_BODY = constant("0123456789".repeat(10));
  private static final ByteBuf LARGE_BODY = constant("0123456789abcdef".repeat(1024));
  private static final byte[] H2_PREFACE_START = "PRI".getBytes(StandardCharsets.US_ASCII);

  private final Channel listener;

  private StubApp(Channel listener) {
    this.listener = listener;
  }

  static Future<StubApp> start(EventLoopGroup acceptor, EventLoopGroup loops, Transport transport) {
    ServerBootstrap bootstrap = new ServerBootstrap()
        .group(acceptor, loops)
        .channelFactory(transport.serverChannelFactory(false))
        .childOption(ChannelOption.TCP_NODELAY, true)
        .childHandler(new ChannelInitializer<Channel>() {
          @Override
          protected void initChannel(Channel channel) {
            channel.pipeline().addLast(new ProtocolChoice());
          }
        });
    Promise<StubApp> started = Promise.promise();
    bootstrap.bind("127.0.0.1", 0).addListener(bound -> {
      if (bound.isSuccess()) {
        started.complete(new StubApp(((io.netty.channel.ChannelFuture) bound).channel()));
      } else {
        started.fail(bound.cause());
      }
    });
    return started.future();
  }

  int port() {
    return ((InetSocketAddress) listener.localAddress()).getPort();
  }

  /** Closes the listener; its connections end with the warm-up's clients and proxy. */
  Future<Void> close() {
    Promise<Void> closed = Promise.promise();
    listener.close().addListener(done -> closed.complete());
    return closed.future();
  }

  private static ByteBuf constant(String text) {
    return Unpooled.unreleasableBuffer(Unpooled.copiedBuffer(text, StandardCharsets.US_ASCII)).asReadOnly();
  }

  /** HTTP/2 with prior knowledge starts with "PRI"; anything else is HTTP/1.1. */
  private static final class ProtocolChoice extends ByteToMessageDecoder {
    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
      if (in.readableBytes() < H2_PREFACE_START.length) {
        return;
      }
      boolean h2 = true;
      for (int i = 0; i < H2_PREFACE_START.length; i++) {
        h2 &= in.getByte(in.readerIndex() + i) == H2_PREFACE_START[i];
      }
      if (h2) {
        ctx.pipeline().addLast(Http2FrameCodecBuilder.forServer().build(),
            new Http2MultiplexHandler(new ChannelInitializer<Http2StreamChannel>() {
              @Override
              protected void initChannel(Http2StreamChannel stream) {
                stream.pipeline().addLast(new Http2StreamFrameToHttpObjectCodec(true), new Answer());
              }
            }));
      } else {
        ctx.pipeline().addLast(new HttpServerCodec(), new Answer());
      }
      ctx.pipeline().remove(this); // the bytes read so far go on to the codec just added
    }
  }

  /** Answers each request once its body has been read whole. */
  private static final class Answer extends ChannelInboundHandlerAdapter {
    private boolean large;

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      try {
        if (msg instanceof HttpRequest request) {
          large = request.uri().startsWith(LARGE);
        }
        if (msg instanceof LastHttpContent) {
          ByteBuf body = (large ? LARGE_BODY : SMALL_BODY).duplicate();
          FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK, body);
          response.headers().set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.TEXT_PLAIN)
              .setInt(HttpHeaderNames.CONTENT_LENGTH, body.readableBytes());
          ctx.writeAndFlush(response);
        }
      } finally {
        ReferenceCountUtil.release(msg);
      }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      ctx.close(); // the warm-up counts the failed request; nothing here is worth a log line
    }
  }
}
