package batcycle.pipeline;

import io.netty.buffer.ByteBuf;
import io.netty.handler.codec.http.HttpHeaders;

/** Where a {@link Body} delivers: exactly one of {@link #end} or {@link #failed} ends the delivery. */
public interface BodyReceiver {
  /** The next piece; the receiver owns it and must release or pass it on. */
  void data(ByteBuf piece);

  /** The body is complete; {@code trailers} is empty when there are none. */
  void end(HttpHeaders trailers);

  /** The body broke off; no more pieces come. */
  void failed(Throwable cause);

  /**
   * A run of pieces delivered together ended: the moment to flush what was written. Every run ends with this or
   * with {@link #end}/{@link #failed}, also when the receiver paused on its last piece: a receiver that paused waits
   * for what it wrote to drain, which only a flush starts.
   */
  default void batchEnd() {}
}
