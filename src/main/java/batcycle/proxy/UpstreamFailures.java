package batcycle.proxy;

import batcycle.errors.ProxyFailure;
import batcycle.errors.UpstreamProtocolError;
import batcycle.errors.UpstreamReset;
import batcycle.errors.UpstreamTimeout;
import batcycle.errors.UpstreamUnavailable;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.codec.TooLongFrameException;
import io.vertx.core.http.StreamResetException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.UnknownHostException;
import java.util.concurrent.TimeoutException;

/** Turns what Vert.x and Netty report about the app into the {@link ProxyFailure} the client is answered with. */
final class UpstreamFailures {
  /** HTTP/2 error code REFUSED_STREAM (RFC 9113 §7). */
  private static final long REFUSED_STREAM = 0x7;

  private UpstreamFailures() {}

  /** A failure while opening the connection: nothing reached the app. */
  static ProxyFailure connectFailure(Throwable cause, long connectTimeoutMs) {
    if (cause instanceof ProxyFailure known) {
      return known;
    }
    if (cause instanceof io.netty.channel.ConnectTimeoutException || cause instanceof TimeoutException) {
      return new UpstreamTimeout(UpstreamTimeout.Phase.CONNECT,
          "no connection to the app within " + connectTimeoutMs + " ms");
    }
    if (cause instanceof ConnectException || cause instanceof NoRouteToHostException
        || cause instanceof UnknownHostException) {
      return new UpstreamUnavailable("the app refused the connection or is unreachable", cause);
    }
    return new UpstreamUnavailable("cannot connect to the app: " + cause.getMessage(), cause);
  }

  /** A failure after the request started towards the app. */
  static ProxyFailure exchangeFailure(Throwable cause, long idleTimeoutMs) {
    if (cause instanceof ProxyFailure known) {
      return known;
    }
    if (cause instanceof TimeoutException) {
      return new UpstreamTimeout(UpstreamTimeout.Phase.IDLE, "the app sent nothing for " + idleTimeoutMs + " ms");
    }
    if (cause instanceof StreamResetException reset && reset.getCode() == REFUSED_STREAM) {
      // RFC 9113 §8.7: a refused stream was not processed at all, so it is as safe to retry as a refused connect.
      return new UpstreamUnavailable("the app refused the HTTP/2 stream before processing it", cause);
    }
    if (cause instanceof DecoderException || cause instanceof TooLongFrameException
        || cause instanceof IllegalArgumentException || isDecodeFailure(cause)) {
      return new UpstreamProtocolError("the app's response is not valid HTTP", cause);
    }
    return new UpstreamReset("the app closed the connection before its response was complete", cause);
  }

  private static boolean isDecodeFailure(Throwable cause) {
    String message = String.valueOf(cause.getMessage()).toLowerCase(java.util.Locale.ROOT);
    return message.contains("invalid") || message.contains("decod");
  }
}
