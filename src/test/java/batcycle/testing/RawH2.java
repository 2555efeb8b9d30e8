package batcycle.testing;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.handler.codec.http2.DefaultHttp2FrameReader;
import io.netty.handler.codec.http2.DefaultHttp2FrameWriter;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.Http2CodecUtil;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2Exception;
import io.netty.handler.codec.http2.Http2FrameAdapter;
import io.netty.handler.codec.http2.Http2FrameReader;
import io.netty.handler.codec.http2.Http2FrameWriter;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http2.Http2Settings;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A raw HTTP/2 client for tests that must send frames no well-behaved client would (HEADERS on a closed stream, a
 * stream id going backwards): Netty's frame writer and reader on a plain socket, with no stream state of their own.
 * What the server sends is decoded into {@link Frame}s, read one at a time on the test thread with a timeout.
 */
public final class RawH2 implements AutoCloseable {
  /** One frame from the server, reduced to what tests look at; {@code END} marks the connection closing. */
  public record Frame(String type, int streamId, long errorCode, boolean endStream, Http2Headers headers,
                      String data) {
    public static final String END = "connection closed";

    /** The {@code :status} of a HEADERS frame, or 0. */
    public int status() {
      CharSequence status = headers == null ? null : headers.status();
      return status == null ? 0 : Integer.parseInt(status.toString());
    }

    @Override
    public String toString() {
      return type + "(stream " + streamId + (errorCode >= 0 ? ", error " + Http2Error.valueOf(errorCode) : "")
          + (endStream ? ", end" : "") + ")";
    }
  }

  private final EventLoopGroup group;
  private final Channel channel;
  private final Http2FrameWriter writer = new DefaultHttp2FrameWriter();
  private final BlockingQueue<Frame> frames = new LinkedBlockingQueue<>();

  private RawH2(EventLoopGroup group, Channel channel) {
    this.group = group;
    this.channel = channel;
  }

  /** Connects to 127.0.0.1:{@code port}; nothing is sent yet. */
  public static RawH2 connect(int port) {
    EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    RawH2[] self = new RawH2[1];
    Channel channel;
    try {
      channel = new Bootstrap().group(group).channel(NioSocketChannel.class)
          .handler(new ChannelInitializer<Channel>() {
            @Override
            protected void initChannel(Channel ch) {
              ch.pipeline().addLast(new Reader(() -> self[0]));
            }
          })
          .connect(new InetSocketAddress("127.0.0.1", port)).sync().channel();
    } catch (InterruptedException e) {
      group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
    self[0] = new RawH2(group, channel);
    return self[0];
  }

  /** Sends the client preface and an empty SETTINGS frame (RFC 9113 §3.4). */
  public RawH2 preface() {
    return raw(Http2CodecUtil.connectionPrefaceBuf()).onLoop(ctx ->
        writer.writeSettings(ctx, new Http2Settings(), ctx.newPromise()));
  }

  /** Sends bytes as they are. */
  public RawH2 raw(ByteBuf bytes) {
    channel.writeAndFlush(bytes).syncUninterruptibly();
    return this;
  }

  public RawH2 raw(String ascii) {
    return raw(Unpooled.copiedBuffer(ascii, StandardCharsets.US_ASCII));
  }

  /** HEADERS for a request {@code method path} on {@code streamId}, plus {@code extra} name/value pairs. */
  public RawH2 request(int streamId, String method, String path, boolean endStream, String... extra) {
    Http2Headers headers = new DefaultHttp2Headers().method(method).path(path).scheme("http").authority("app");
    for (int i = 0; i < extra.length; i += 2) {
      headers.add(extra[i], extra[i + 1]);
    }
    return headers(streamId, headers, endStream);
  }

  public RawH2 headers(int streamId, Http2Headers headers, boolean endStream) {
    return onLoop(ctx -> writer.writeHeaders(ctx, streamId, headers, 0, endStream, ctx.newPromise()));
  }

  public RawH2 data(int streamId, String text, boolean endStream) {
    return onLoop(ctx -> writer.writeData(ctx, streamId, Unpooled.copiedBuffer(text, StandardCharsets.UTF_8), 0,
        endStream, ctx.newPromise()));
  }

  public RawH2 ping() {
    return onLoop(ctx -> writer.writePing(ctx, false, 42, ctx.newPromise()));
  }

  private RawH2 onLoop(java.util.function.Consumer<ChannelHandlerContext> write) {
    ChannelHandlerContext ctx = channel.pipeline().firstContext();
    channel.eventLoop().submit(() -> {
      write.accept(ctx);
      ctx.flush();
    }).syncUninterruptibly();
    return this;
  }

  /** The next frame, skipping SETTINGS, PING and WINDOW_UPDATE; fails if none comes within {@code timeout}. */
  public Frame next(Duration timeout) {
    try {
      while (true) {
        Frame frame = frames.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
        if (frame == null) {
          throw new AssertionError("no frame from the server within " + timeout);
        }
        if (!List.of("SETTINGS", "PING", "WINDOW_UPDATE").contains(frame.type())) {
          return frame;
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** The first frame of {@code type} (skipping others), or of the connection's end if that comes first. */
  public Frame await(String type, Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      Frame frame = next(Duration.ofNanos(Math.max(1, deadline - System.nanoTime())));
      if (frame.type().equals(type) || frame.type().equals(Frame.END)) {
        return frame;
      }
    }
  }

  /** True once the server closed the connection (waits up to {@code timeout}). */
  public boolean closedWithin(Duration timeout) {
    return channel.closeFuture().awaitUninterruptibly(timeout.toMillis());
  }

  @Override
  public void close() {
    channel.close().syncUninterruptibly();
    group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
  }

  private void received(Frame frame) {
    frames.add(frame);
  }

  /** Decodes the server's frames into {@link Frame}s; anything that is not HTTP/2 is reported as raw text. */
  private static final class Reader extends ByteToMessageDecoder {
    private final java.util.function.Supplier<RawH2> owner;
    private final Http2FrameReader reader = new DefaultHttp2FrameReader(false);
    private final Http2FrameAdapter listener = new Http2FrameAdapter() {
      @Override
      public int onDataRead(ChannelHandlerContext ctx, int streamId, ByteBuf data, int padding,
                            boolean endOfStream) {
        emit(new Frame("DATA", streamId, -1, endOfStream, null, data.toString(StandardCharsets.UTF_8)));
        return data.readableBytes() + padding;
      }

      @Override
      public void onHeadersRead(ChannelHandlerContext ctx, int streamId, Http2Headers headers, int padding,
                                boolean endStream) {
        emit(new Frame("HEADERS", streamId, -1, endStream, headers, null));
      }

      @Override
      public void onHeadersRead(ChannelHandlerContext ctx, int streamId, Http2Headers headers, int streamDependency,
                                short weight, boolean exclusive, int padding, boolean endStream) {
        onHeadersRead(ctx, streamId, headers, padding, endStream);
      }

      @Override
      public void onRstStreamRead(ChannelHandlerContext ctx, int streamId, long errorCode) {
        emit(new Frame("RST_STREAM", streamId, errorCode, false, null, null));
      }

      @Override
      public void onGoAwayRead(ChannelHandlerContext ctx, int lastStreamId, long errorCode, ByteBuf debugData) {
        emit(new Frame("GOAWAY", lastStreamId, errorCode, false, null, debugData.toString(StandardCharsets.UTF_8)));
      }

      @Override
      public void onSettingsRead(ChannelHandlerContext ctx, Http2Settings settings) {
        emit(new Frame("SETTINGS", 0, -1, false, null, null));
      }

      @Override
      public void onPingRead(ChannelHandlerContext ctx, long data) {
        emit(new Frame("PING", 0, -1, false, null, null));
      }

      @Override
      public void onWindowUpdateRead(ChannelHandlerContext ctx, int streamId, int windowSizeIncrement) {
        emit(new Frame("WINDOW_UPDATE", streamId, -1, false, null, null));
      }
    };
    private boolean http2 = true;

    Reader(java.util.function.Supplier<RawH2> owner) {
      this.owner = owner;
    }

    private void emit(Frame frame) {
      owner.get().received(frame);
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) throws Http2Exception {
      if (http2 && in.readableBytes() >= 5 && in.toString(in.readerIndex(), 5, StandardCharsets.US_ASCII)
          .equals("HTTP/")) {
        http2 = false; // an HTTP/1 answer: not a frame at all
      }
      if (!http2) {
        emit(new Frame("HTTP/1", 0, -1, false, null, in.readCharSequence(in.readableBytes(),
            StandardCharsets.ISO_8859_1).toString()));
        return;
      }
      reader.readFrame(ctx, in, listener);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
      super.channelInactive(ctx);
      emit(new Frame(Frame.END, 0, -1, false, null, null));
    }
  }
}
