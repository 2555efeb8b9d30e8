package batcycle.connection;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.HttpRequestDecoder;
import io.netty.handler.codec.http.HttpResponseEncoder;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.ReferenceCountUtil;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The head timeout's decisions on an embedded channel with frozen time, laid out as the proxy lays out an HTTP/1
 * connection: the raw side first, then the codec, then the decoded side.
 */
class RequestHeadTimeoutTest {
  private static final long TIMEOUT_MS = 1_000;
  private static final String GET = "GET / HTTP/1.1\r\nHost: h\r\n\r\n";
  private final AtomicInteger expired = new AtomicInteger();
  private EmbeddedChannel channel;

  @BeforeEach
  void connect() {
    channel = new EmbeddedChannel();
    channel.freezeTime();
    RequestHeadTimeout timeout = new RequestHeadTimeout(TIMEOUT_MS, expired::incrementAndGet);
    channel.pipeline().addLast(RequestHeadTimeout.RAW, timeout.rawSide());
    channel.pipeline().addLast("httpDecoder", new HttpRequestDecoder());
    channel.pipeline().addLast("httpEncoder", new HttpResponseEncoder());
    channel.pipeline().addLast(RequestHeadTimeout.DECODED, timeout.decodedSide());
    // Stands in for the proxy's connection handler.
    channel.pipeline().addLast("proxy", new ChannelInboundHandlerAdapter() {
      @Override
      public void channelRead(ChannelHandlerContext ctx, Object msg) {
        ReferenceCountUtil.release(msg);
      }
    });
  }

  @AfterEach
  void close() {
    channel.finishAndReleaseAll();
  }

  private void receive(String bytes) {
    channel.writeInbound(Unpooled.copiedBuffer(bytes, StandardCharsets.ISO_8859_1));
  }

  private void respond(HttpResponseStatus status) {
    channel.writeOutbound(new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status));
    drainOutbound();
  }

  private String drainOutbound() {
    var text = new StringBuilder();
    for (Object msg = channel.readOutbound(); msg != null; msg = channel.readOutbound()) {
      text.append(((ByteBuf) msg).toString(StandardCharsets.ISO_8859_1));
      ReferenceCountUtil.release(msg);
    }
    return text.toString();
  }

  private void advance(long ms) {
    channel.advanceTimeBy(ms, TimeUnit.MILLISECONDS);
    channel.runScheduledPendingTasks();
  }

  @Test
  void aHeadStillIncompleteAtTheTimeoutGets408AndTheConnectionCloses() {
    receive("GET / HTTP/1.1\r\nHo");
    advance(TIMEOUT_MS - 1);
    assertThat(channel.isActive()).isTrue();
    advance(1);
    channel.runPendingTasks();
    assertThat(drainOutbound()).startsWith("HTTP/1.1 408 Request Timeout\r\n").contains("Connection: close\r\n");
    assertThat(channel.isActive()).isFalse();
    assertThat(expired).hasValue(1);
  }

  @Test
  void aHeadCompletedInTimeStopsTheClock() {
    receive("GET / HTTP/1.1\r\n");
    advance(TIMEOUT_MS / 2);
    receive("Host: h\r\n\r\n");
    advance(TIMEOUT_MS * 10);
    assertThat(channel.isActive()).isTrue();
    assertThat(expired).hasValue(0);
  }

  @Test
  void theClockOfTheNextHeadStartsAtItsFirstByteNotAtTheResponse() {
    receive(GET);
    respond(HttpResponseStatus.OK);
    advance(TIMEOUT_MS * 10); // idle keep-alive: not this timeout's business
    assertThat(channel.isActive()).isTrue();
    receive("GET /next HTTP/1.1\r\n");
    advance(TIMEOUT_MS);
    channel.runPendingTasks();
    assertThat(drainOutbound()).startsWith("HTTP/1.1 408 ");
    assertThat(channel.isActive()).isFalse();
  }

  @Test
  void aPipelinedHeadTimingOutWhileAResponseIsOwedClosesWithout408() {
    receive(GET); // no response yet: a 408 now would be taken as the answer to this request
    receive("GET /next HTTP/1.1\r\n");
    advance(TIMEOUT_MS);
    channel.runPendingTasks();
    assertThat(drainOutbound()).isEmpty();
    assertThat(channel.isActive()).isFalse();
    assertThat(expired).hasValue(1);
  }

  @Test
  void anInterimResponseIsNotTheFinalOne() {
    receive(GET);
    respond(HttpResponseStatus.CONTINUE);
    receive("GET /next HTTP/1.1\r\n");
    advance(TIMEOUT_MS);
    channel.runPendingTasks();
    assertThat(drainOutbound()).isEmpty();
    assertThat(channel.isActive()).isFalse();
  }

  @Test
  void anUpgradeStopsTheWatch() {
    receive(GET);
    respond(HttpResponseStatus.SWITCHING_PROTOCOLS);
    assertThat(channel.pipeline().get(RequestHeadTimeout.RAW)).isNull();
    assertThat(channel.pipeline().get(RequestHeadTimeout.DECODED)).isNull();
    channel.pipeline().remove("httpDecoder");
    receive("websocket frames, not a head");
    advance(TIMEOUT_MS * 10);
    assertThat(channel.isActive()).isTrue();
  }

  @Test
  void anHttp2ConnectionIsNotWatched() {
    EmbeddedChannel h2 = new EmbeddedChannel();
    h2.freezeTime();
    RequestHeadTimeout timeout = new RequestHeadTimeout(TIMEOUT_MS, expired::incrementAndGet);
    h2.pipeline().addLast(RequestHeadTimeout.RAW, timeout.rawSide());
    h2.writeInbound(Unpooled.copiedBuffer("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n", StandardCharsets.US_ASCII));
    timeout.stopWatching(h2.pipeline());
    assertThat(h2.pipeline().get(RequestHeadTimeout.RAW)).isNull();
    h2.advanceTimeBy(TIMEOUT_MS * 10, TimeUnit.MILLISECONDS);
    h2.runScheduledPendingTasks();
    assertThat(h2.isActive()).isTrue();
    assertThat(expired).hasValue(0);
    h2.finishAndReleaseAll();
  }
}
