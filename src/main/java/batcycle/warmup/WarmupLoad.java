package batcycle.warmup;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2MultiplexHandler;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.handler.codec.http2.Http2StreamChannelBootstrap;
import io.netty.handler.codec.http2.Http2StreamFrameToHttpObjectCodec;
import io.netty.util.ReferenceCountUtil;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.spi.transport.Transport;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Keeps a fixed number of synthetic requests in flight against the warm-up's proxy until stopped: HTTP/1.1 on
 * several keep-alive connections and HTTP/2 streams on two connections, mostly small GETs with some large responses
 * and some request bodies, with the headers real clients send, so the code real traffic takes is the code that gets
 * compiled. It uses the Netty codecs the proxy uses towards the app, so compiling it is not wasted either.
 *
 * <p>A few more connections each send an upload that stalls, are cut with a 408 and connect again: a burst of slow
 * clients (hundreds of 408s in a second) must not meet that path, nor connection set-up and close, interpreted.
 */
final class WarmupLoad {
  private static final int HTTP1_CONNECTIONS = 16;
  private static final int HTTP2_CONNECTIONS = 2;
  private static final int STREAMS_PER_CONNECTION = 8;
  private static final int STALLED_UPLOADS = 64;
  /** What a stalled upload declares, and the little of it that it sends. */
  private static final int STALLED_LENGTH = 4096;
  private static final ByteBuf STALLED_START = Unpooled.unreleasableBuffer(
      Unpooled.copiedBuffer("x".repeat(64), StandardCharsets.US_ASCII)).asReadOnly();
  private static final ByteBuf REQUEST_BODY = Unpooled.unreleasableBuffer(
      Unpooled.copiedBuffer("warm-up ".repeat(256), StandardCharsets.US_ASCII)).asReadOnly();

  private final Bootstrap http1;
  private final Bootstrap http2;
  private final Bootstrap stalled;
  private final String authority;
  private final AtomicLong sequence = new AtomicLong();
  private final AtomicLong succeeded = new AtomicLong();
  private final AtomicLong failed = new AtomicLong();
  private final AtomicLong cut = new AtomicLong();
  private final List<Channel> connections = new CopyOnWriteArrayList<>();
  private final AtomicInteger open = new AtomicInteger();
  private final Promise<Void> closed = Promise.promise();
  private volatile boolean stopped;

  WarmupLoad(EventLoopGroup loops, Transport transport, int port) {
    this.authority = "127.0.0.1:" + port;
    Bootstrap base = new Bootstrap().group(loops).channelFactory(transport.channelFactory(false))
        .option(ChannelOption.TCP_NODELAY, true).remoteAddress("127.0.0.1", port);
    this.http1 = base.clone().handler(new ChannelInitializer<Channel>() {
      @Override
      protected void initChannel(Channel channel) {
        channel.pipeline().addLast(new HttpClientCodec(), new Http1Requests());
      }
    });
    this.stalled = base.clone().handler(new ChannelInitializer<Channel>() {
      @Override
      protected void initChannel(Channel channel) {
        channel.pipeline().addLast(new HttpClientCodec(), new StalledUpload());
      }
    });
    this.http2 = base.clone().handler(new ChannelInitializer<Channel>() {
      @Override
      protected void initChannel(Channel channel) {
        channel.pipeline().addLast(Http2FrameCodecBuilder.forClient().build(),
            new Http2MultiplexHandler(new ChannelInboundHandlerAdapter()));
      }
    });
  }

  void start() {
    for (int i = 0; i < HTTP1_CONNECTIONS; i++) {
      connect(http1, false, null);
    }
    for (int i = 0; i < STALLED_UPLOADS; i++) {
      connect(stalled, true, null);
    }
    for (int i = 0; i < HTTP2_CONNECTIONS; i++) {
      connect(http2, false, parent -> {
        for (int s = 0; s < STREAMS_PER_CONNECTION; s++) {
          openStream(parent);
        }
      });
    }
  }

  long succeeded() {
    return succeeded.get();
  }

  long failed() {
    return failed.get();
  }

  /** Stalled uploads the proxy cut with a 408, as it should. */
  long cut() {
    return cut.get();
  }

  /** Stops issuing requests and closes every connection; completes once all are closed. */
  Future<Void> stop() {
    stopped = true;
    connections.forEach(Channel::close);
    if (open.get() == 0) {
      closed.tryComplete();
    }
    return closed.future();
  }

  /** {@code closes}: the proxy closes these connections by design (a 408), so a close is no failure. */
  private void connect(Bootstrap bootstrap, boolean closes, java.util.function.Consumer<Channel> connected) {
    if (stopped) {
      return;
    }
    open.incrementAndGet();
    ChannelFuture connect = bootstrap.connect();
    Channel channel = connect.channel();
    connections.add(channel);
    channel.closeFuture().addListener(done -> {
      connections.remove(channel);
      if (!stopped) {
        if (!closes) {
          failed.incrementAndGet(); // our own proxy closed a healthy connection: count it, and replace it
        }
        connect(bootstrap, closes, connected);
      }
      if (open.decrementAndGet() == 0 && stopped) {
        closed.tryComplete();
      }
    });
    connect.addListener(done -> {
      if (done.isSuccess() && connected != null) {
        connected.accept(channel);
      }
    });
  }

  private void openStream(Channel parent) {
    if (stopped || !parent.isActive()) {
      return;
    }
    new Http2StreamChannelBootstrap(parent).handler(new ChannelInitializer<Http2StreamChannel>() {
      @Override
      protected void initChannel(Http2StreamChannel stream) {
        stream.pipeline().addLast(new Http2StreamFrameToHttpObjectCodec(false), new Http2Request(parent));
      }
    }).open();
  }

  /** One request of the mix: 1 in 8 a 16 KiB response, 1 in 8 a 2 KiB body, the rest small GETs. */
  private FullHttpRequest nextRequest() {
    long n = sequence.getAndIncrement();
    int kind = (int) (n % 8);
    boolean post = kind == 1;
    String uri = kind == 0 ? StubApp.LARGE : post ? StubApp.ECHO : StubApp.SMALL + "?n=" + n;
    FullHttpRequest request = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, post ? HttpMethod.POST : HttpMethod.GET,
        uri, post ? REQUEST_BODY.duplicate() : Unpooled.EMPTY_BUFFER);
    HttpHeaders headers = request.headers();
    headers.set(HttpHeaderNames.HOST, authority)
        .set(HttpHeaderNames.USER_AGENT, "batcycle-warmup")
        .set(HttpHeaderNames.ACCEPT, "*/*");
    if (post) {
      headers.setInt(HttpHeaderNames.CONTENT_LENGTH, REQUEST_BODY.readableBytes())
          .set(HttpHeaderNames.CONTENT_TYPE, "text/plain");
    }
    if (n % 3 == 0) {
      headers.set("traceparent", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01");
    }
    return request;
  }

  /** Counts a response by its status: the stub only ever answers 200. */
  private void record(int status) {
    (status == 200 ? succeeded : failed).incrementAndGet();
  }

  /** Sends a request once its channel is active and hands its response's status to {@code responseEnded}. */
  private abstract class RequestCycle extends ChannelInboundHandlerAdapter {
    private int status;

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
      ctx.writeAndFlush(nextRequest());
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      try {
        if (msg instanceof HttpResponse response) {
          status = response.status().code();
        }
        if (msg instanceof LastHttpContent) {
          responseEnded(ctx, status);
        }
      } finally {
        ReferenceCountUtil.release(msg);
      }
    }

    abstract void responseEnded(ChannelHandlerContext ctx, int status);
  }

  /** Request after request on one HTTP/1.1 keep-alive connection. */
  private final class Http1Requests extends RequestCycle {
    @Override
    void responseEnded(ChannelHandlerContext ctx, int status) {
      record(status);
      if (stopped) {
        ctx.close();
      } else {
        ctx.writeAndFlush(nextRequest());
      }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      ctx.close();
    }
  }

  /** One request on one HTTP/2 stream; when it ends, the next one opens a new stream on the same connection. */
  private final class Http2Request extends RequestCycle {
    private final Channel parent;

    Http2Request(Channel parent) {
      this.parent = parent;
    }

    @Override
    void responseEnded(ChannelHandlerContext ctx, int status) {
      record(status);
      openStream(parent);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      failed.incrementAndGet();
      ctx.close();
      openStream(parent);
    }
  }

  /**
   * An upload that declares {@value #STALLED_LENGTH} bytes, sends 64 and stops: the proxy answers 408 once its body
   * timeout runs out (the copy's is short) and closes; the connection is then made again.
   */
  private final class StalledUpload extends RequestCycle {
    @Override
    public void channelActive(ChannelHandlerContext ctx) {
      DefaultHttpRequest head = new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.POST, StubApp.ECHO);
      head.headers().set(HttpHeaderNames.HOST, authority)
          .set(HttpHeaderNames.USER_AGENT, "batcycle-warmup")
          .setInt(HttpHeaderNames.CONTENT_LENGTH, STALLED_LENGTH);
      ctx.write(head);
      ctx.writeAndFlush(new DefaultHttpContent(STALLED_START.duplicate()));
    }

    @Override
    void responseEnded(ChannelHandlerContext ctx, int status) {
      (status == 408 ? cut : failed).incrementAndGet();
      ctx.close();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      ctx.close();
    }
  }
}
