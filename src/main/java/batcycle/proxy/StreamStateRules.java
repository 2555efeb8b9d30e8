package batcycle.proxy;

import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http2.Http2Connection;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2Exception;
import io.netty.handler.codec.http2.Http2FrameLogger;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http2.Http2Stream;
import io.netty.handler.logging.LogLevel;

/**
 * The stream-state rules of RFC 9113 for a client's HEADERS frames, where Netty's decoder is more lenient: HEADERS
 * on a stream the client already ended (half-closed remote) is a stream error STREAM_CLOSED (§5.1); on a stream
 * that closed normally, a connection error STREAM_CLOSED (§5.1, "closed"); opening a stream below one already
 * used, a connection error PROTOCOL_ERROR (§5.1.1). A stream either side reset is left to Netty, which may see
 * frames the client sent before it learnt of the reset (§5.1 asks to ignore those).
 *
 * <p>Netty's one hook that sees each inbound frame before its decoder acts on it is the frame logger, so this is
 * one that checks instead of logging (frames other than HEADERS and RST_STREAM are still logged at TRACE if that
 * is switched on for this class). A rule broken is thrown as the {@link Http2Exception} Netty's connection handler
 * turns into RST_STREAM or GOAWAY. One per client connection, confined to its event loop.
 */
final class StreamStateRules extends Http2FrameLogger {
  /** Streams reset recently, by either side: enough for the frames in flight when a reset crosses them. */
  private static final int RECENT_RESETS = 64;
  /** Ranges of stream ids a client skipped; a client that skips more often is not tracked further. */
  private static final int SKIPPED_RANGES = 8;

  private Http2Connection connection;
  private final int[] recentResets = new int[RECENT_RESETS];
  private int resetCount;
  private final int[] skipped = new int[SKIPPED_RANGES * 2];
  private int skippedCount;

  StreamStateRules() {
    super(LogLevel.TRACE, StreamStateRules.class);
  }

  /** The connection the codec built; set before the first frame is read. */
  void connection(Http2Connection connection) {
    this.connection = connection;
  }

  @Override
  public void logHeaders(Direction direction, ChannelHandlerContext ctx, int streamId, Http2Headers headers,
                         int padding, boolean endStream) {
    if (direction == Direction.INBOUND) {
      check(streamId);
    }
  }

  @Override
  public void logHeaders(Direction direction, ChannelHandlerContext ctx, int streamId, Http2Headers headers,
                         int streamDependency, short weight, boolean exclusive, int padding, boolean endStream) {
    if (direction == Direction.INBOUND) {
      check(streamId);
    }
  }

  @Override
  public void logRstStream(Direction direction, ChannelHandlerContext ctx, int streamId, long errorCode) {
    recentResets[resetCount++ % RECENT_RESETS] = streamId;
  }

  private void check(int streamId) {
    if ((streamId & 1) == 0 || connection == null) {
      return; // an even id: Netty's own connection error
    }
    Http2Stream stream = connection.stream(streamId);
    if (stream != null) {
      if (stream.state() == Http2Stream.State.HALF_CLOSED_REMOTE) {
        raise(Http2Exception.streamError(streamId, Http2Error.STREAM_CLOSED,
            "HEADERS on stream %d after the client ended it", streamId));
      }
      return;
    }
    int last = connection.remote().lastStreamCreated();
    if (streamId > last) {
      int next = last == 0 ? 1 : last + 2;
      if (streamId > next && skippedCount < SKIPPED_RANGES) {
        skipped[skippedCount * 2] = next;
        skipped[skippedCount * 2 + 1] = streamId - 2;
        skippedCount++;
      }
      return; // a new stream
    }
    if (wasReset(streamId)) {
      return;
    }
    if (wasSkipped(streamId)) {
      raise(Http2Exception.connectionError(Http2Error.PROTOCOL_ERROR,
          "HEADERS opening stream %d after stream %d", streamId, last));
    }
    raise(Http2Exception.connectionError(Http2Error.STREAM_CLOSED, "HEADERS on closed stream %d", streamId));
  }

  private boolean wasReset(int streamId) {
    for (int i = 0, n = Math.min(resetCount, RECENT_RESETS); i < n; i++) {
      if (recentResets[i] == streamId) {
        return true;
      }
    }
    return false;
  }

  private boolean wasSkipped(int streamId) {
    for (int i = 0; i < skippedCount; i++) {
      if (streamId >= skipped[i * 2] && streamId <= skipped[i * 2 + 1]) {
        return true;
      }
    }
    return false;
  }

  /** Throws the checked Http2Exception through the logger's signature, to the codec that called it. */
  @SuppressWarnings("unchecked")
  private static <T extends Throwable> void raise(Throwable exception) throws T {
    throw (T) exception;
  }
}
