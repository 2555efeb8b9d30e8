package batcycle.pipeline;

import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.streams.ReadStream;

/**
 * Base of the body streams batcycle puts between a source and a pipe (idle timeout, replay recording, replay): it
 * keeps the three handlers the pipe registers and delivers events to them; subclasses own the flow control
 * ({@code pause}, {@code resume}, {@code fetch}). The {@code emit} methods are for whoever feeds the stream.
 */
public abstract class BodyStream implements ReadStream<Buffer> {
  private Handler<Buffer> dataHandler;
  private Handler<Void> endHandler;
  private Handler<Throwable> exceptionHandler;

  @Override
  public ReadStream<Buffer> handler(Handler<Buffer> handler) {
    this.dataHandler = handler;
    return this;
  }

  @Override
  public ReadStream<Buffer> endHandler(Handler<Void> handler) {
    this.endHandler = handler;
    return this;
  }

  @Override
  public ReadStream<Buffer> exceptionHandler(Handler<Throwable> handler) {
    this.exceptionHandler = handler;
    return this;
  }

  public final void emitData(Buffer chunk) {
    if (dataHandler != null) {
      dataHandler.handle(chunk);
    }
  }

  public final void emitEnd() {
    if (endHandler != null) {
      endHandler.handle(null);
    }
  }

  public final void emitFailure(Throwable cause) {
    if (exceptionHandler != null) {
      exceptionHandler.handle(cause);
    }
  }
}
