package batcycle.pipeline;

/**
 * A message body on its way from one peer to the other, delivered to one receiver with back-pressure: the request
 * body from the client to the app, or the response body from the app to the client. Pieces are Netty buffers whose
 * ownership passes to the receiver, so forwarding them copies nothing.
 *
 * <p>Confined to the event loop of the exchange.
 */
public interface Body {
  /** Starts delivery to {@code receiver}: what is already buffered first, then as it arrives. Call once. */
  void subscribe(BodyReceiver receiver);

  /** Asks the source to stop delivering (the receiver's destination is full). */
  void pause();

  /** Delivery may go on. */
  void resume();

  /** Abandons the body: nothing more is delivered, and what is buffered is released. */
  void discard();
}
