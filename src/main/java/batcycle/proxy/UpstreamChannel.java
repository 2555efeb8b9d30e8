package batcycle.proxy;

import io.netty.channel.Channel;

/**
 * Where one attempt talks to the app: a pooled HTTP/1 connection (one attempt at a time) or an HTTP/2 stream.
 * Both speak Netty's HTTP objects: the request head and body go in, the response head and body come out to the
 * attempt. Confined to the event loop the attempt runs on.
 */
interface UpstreamChannel {
  /** True for an HTTP/1.1 connection, false for an HTTP/2 stream (which frames bodies itself). */
  boolean isHttp1();

  /** Where the request is written. */
  Channel channel();

  /** The attempt that reads the response from now on. */
  void bind(Attempt attempt);

  /** The request has been written to its end. */
  void requestSent();

  /** Abandons the exchange: the connection is closed (HTTP/1) or the stream reset (HTTP/2), never reused. */
  void abort();

  /** Hands an unused channel back (the attempt gave up before sending anything on it). */
  void giveBack();
}
