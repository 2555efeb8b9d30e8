package batcycle.proxy;

import batcycle.pipeline.Protocol;
import io.netty.channel.ChannelFuture;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpResponse;

/**
 * The client's side of one exchange, where its response goes: an HTTP/1 connection (one exchange at a time) or
 * an HTTP/2 stream. Confined to the event loop of the client's connection.
 */
interface ClientStream {
  Protocol protocol();

  /** Writes without flushing. */
  void write(HttpObject message);

  void flush();

  /** Writes and flushes; the future says whether it reached the socket. */
  ChannelFuture writeAndFlush(HttpObject message);

  /** False while the client is not taking what is written (back-pressure). */
  boolean isWritable();

  /** Bytes still to drain before the stream turns writable again: shrinks while the client takes the response. */
  long bytesBeforeWritable();

  /** Called whenever the stream turns writable again; one listener, replaced by the next. */
  void onWritable(Runnable listener);

  /** True if the client can no longer get anything. */
  boolean isClosed();

  /**
   * The response is complete (or abandoned): the connection may serve the next request, unless
   * {@code closeConnection} asks to close it (HTTP/1: after what was written; HTTP/2: GOAWAY).
   */
  void exchangeDone(boolean closeConnection);

  /** Cuts the response short so it can never look complete: HTTP/1 closes the connection, HTTP/2 resets the stream. */
  void reset();

  /**
   * Sends the app's 101 and, once it is out, turns the connection into {@code clientSide} of a tunnel (HTTP/1.1
   * only), then runs {@code switched}; {@code failed} runs instead if the 101 could not be written.
   */
  void switchProtocols(HttpResponse upgrade, TunnelHandler clientSide, Runnable switched, Runnable failed);

  /** True if the client asked to keep the connection (HTTP/1.x rules); always true on HTTP/2. */
  boolean keepAlive();
}
