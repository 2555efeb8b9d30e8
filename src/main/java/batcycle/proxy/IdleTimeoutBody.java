package batcycle.proxy;

import batcycle.errors.UpstreamTimeout;
import batcycle.pipeline.BodyStream;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.streams.ReadStream;
import java.util.concurrent.TimeUnit;

/**
 * The app's response body, failed with an idle {@link UpstreamTimeout} when the app sends nothing for the idle
 * timeout while batcycle wants data. Needed because Vert.x's request idle timeout stops once the response head has
 * arrived: an app stalling mid-body would otherwise hold the client forever on a truncated body. Time spent paused
 * by client back-pressure does not count (a slow client is the client idle timeout's business).
 *
 * <p>Confined to the event loop of the upstream request, like the stream it wraps.
 */
final class IdleTimeoutBody extends BodyStream {
  private final LoopTimeouts timeouts;
  private final ReadStream<Buffer> body;
  private final long timeoutMs;
  private final Runnable abort;
  private LoopTimeouts.Timeout timer;
  private long lastActivityNanos;
  private boolean done;

  /** {@code body} must be paused; {@code abort} resets the upstream exchange when the timeout fires. */
  IdleTimeoutBody(LoopTimeouts timeouts, ReadStream<Buffer> body, long timeoutMs, Runnable abort) {
    this.timeouts = timeouts;
    this.body = body;
    this.timeoutMs = timeoutMs;
    this.abort = abort;
    // Installed once, so the timer is cancelled even after a pipe has cleared its handlers.
    body.endHandler(v -> {
      if (finish()) {
        emitEnd();
      }
    });
    body.exceptionHandler(cause -> {
      if (finish()) {
        emitFailure(cause);
      }
    });
    body.handler(chunk -> {
      lastActivityNanos = System.nanoTime(); // the timer checks this when it fires: no timer per chunk
      emitData(chunk);
    });
  }




  @Override
  public ReadStream<Buffer> pause() {
    disarm();
    body.pause();
    return this;
  }

  @Override
  public ReadStream<Buffer> resume() {
    arm();
    body.resume();
    return this;
  }

  @Override
  public ReadStream<Buffer> fetch(long amount) {
    if (amount > 0) {
      arm();
    }
    body.fetch(amount);
    return this;
  }

  private void arm() {
    if (timer == null && !done) {
      lastActivityNanos = System.nanoTime();
      timer = timeouts.start(timeoutMs, this::onTimer);
    }
  }

  private void disarm() {
    if (timer != null) {
      timer.cancel();
      timer = null;
    }
  }

  /** Ends the stream's life once; true for the first caller, whose outcome is the one reported. */
  private boolean finish() {
    disarm();
    if (done) {
      return false;
    }
    done = true;
    return true;
  }

  private void onTimer() {
    timer = null;
    if (done) {
      return;
    }
    long idleMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - lastActivityNanos);
    if (idleMs < timeoutMs) {
      timer = timeouts.start(timeoutMs - idleMs, this::onTimer);
      return;
    }
    finish();
    // Report the timeout before resetting, so the reader sees it rather than the reset it causes.
    emitFailure(new UpstreamTimeout(UpstreamTimeout.Phase.IDLE,
        "the app sent no response body data for " + timeoutMs + " ms"));
    abort.run();
  }
}
