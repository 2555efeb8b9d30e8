package batcycle.proxy;

import batcycle.errors.FailureKind;
import batcycle.errors.ProxyFailure;
import io.netty.channel.ConnectTimeoutException;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.codec.TooLongFrameException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.UnknownHostException;

/** Turns what Netty reports about the app into the {@link ProxyFailure} the client is answered with. */
final class UpstreamFailures {
  private UpstreamFailures() {}

  /** A failure while opening the connection: nothing reached the app. */
  static ProxyFailure connectFailure(Throwable cause, long connectTimeoutMs) {
    if (cause instanceof ProxyFailure known) {
      return known;
    }
    if (cause instanceof ConnectTimeoutException) {
      return ProxyFailure.of(FailureKind.CONNECT_TIMEOUT, "no connection to the app within " + connectTimeoutMs
          + " ms");
    }
    if (cause instanceof ConnectException || cause instanceof NoRouteToHostException
        || cause instanceof UnknownHostException) {
      return ProxyFailure.of(FailureKind.CONNECT_REFUSED, "the app refused the connection or is unreachable", cause);
    }
    return ProxyFailure.of(FailureKind.CONNECT_REFUSED, "cannot connect to the app: " + cause.getMessage(), cause);
  }

  /** A failure after the request started towards the app. */
  static ProxyFailure exchangeFailure(Throwable cause) {
    if (cause instanceof ProxyFailure known) {
      return known;
    }
    if (cause instanceof DecoderException || cause instanceof TooLongFrameException
        || cause instanceof IllegalArgumentException) {
      return protocolError(cause);
    }
    return reset(cause);
  }

  static ProxyFailure reset(Throwable cause) {
    return ProxyFailure.of(FailureKind.RESET, "the app closed the connection before its response was complete",
        cause);
  }

  static ProxyFailure protocolError(Throwable cause) {
    return ProxyFailure.of(FailureKind.PROTOCOL_ERROR, "the app's response is not valid HTTP", cause);
  }
}
