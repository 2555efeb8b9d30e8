package batcycle.proxy;

import batcycle.errors.FailureKind;
import batcycle.errors.ProxyFailure;
import batcycle.pipeline.Body;
import batcycle.pipeline.BodyReceiver;
import batcycle.pipeline.LoopScheduler;
import io.netty.buffer.ByteBuf;
import io.netty.handler.codec.http.HttpHeaders;
import java.util.concurrent.TimeUnit;

/**
 * The app's response body, failed with an idle timeout when the app sends nothing for {@code timeouts.upstreamIdle}
 * while batcycle wants data: an app stalling mid-body would otherwise hold the client forever on a truncated body.
 * Time spent paused by the client's back-pressure does not count (a slow client is the client idle timeout's
 * business). One timer at a time, re-armed lazily: a piece only notes when it came.
 *
 * <p>Confined to the event loop of the exchange.
 */
final class IdleTimeoutBody implements Body, BodyReceiver {
  private final LoopScheduler loop;
  private final Body body;
  private final long timeoutMs;
  private final Runnable abort;
  private BodyReceiver receiver;
  private LoopScheduler.Timer timer;
  private long lastActivityNanos;
  private boolean paused;
  private boolean done;

  /** {@code abort} resets the exchange with the app when the timeout fires. */
  IdleTimeoutBody(LoopScheduler loop, Body body, long timeoutMs, Runnable abort) {
    this.loop = loop;
    this.body = body;
    this.timeoutMs = timeoutMs;
    this.abort = abort;
  }

  @Override
  public void subscribe(BodyReceiver receiver) {
    this.receiver = receiver;
    arm();
    body.subscribe(this);
  }

  @Override
  public void pause() {
    paused = true;
    disarm();
    body.pause();
  }

  @Override
  public void resume() {
    paused = false;
    arm();
    body.resume();
  }

  @Override
  public void discard() {
    finish();
    body.discard();
  }

  @Override
  public void data(ByteBuf piece) {
    lastActivityNanos = System.nanoTime(); // the timer checks this when it fires: no timer per piece
    receiver.data(piece);
  }

  @Override
  public void batchEnd() {
    receiver.batchEnd();
  }

  @Override
  public void end(HttpHeaders trailers) {
    if (finish()) {
      receiver.end(trailers);
    }
  }

  @Override
  public void failed(Throwable cause) {
    if (finish()) {
      receiver.failed(cause);
    }
  }

  private void arm() {
    if (timer == null && !done && !paused) {
      lastActivityNanos = System.nanoTime();
      timer = loop.schedule(timeoutMs, this::onTimer);
    }
  }

  private void disarm() {
    if (timer != null) {
      timer.cancel();
      timer = null;
    }
  }

  /** Ends the body's life once; true for the first caller, whose outcome is the one reported. */
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
    if (done || paused) {
      return;
    }
    long idleMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - lastActivityNanos);
    if (idleMs < timeoutMs) {
      timer = loop.schedule(timeoutMs - idleMs, this::onTimer);
      return;
    }
    finish();
    // Report the timeout before resetting, so the reader sees it rather than the reset it causes.
    receiver.failed(ProxyFailure.of(FailureKind.IDLE_TIMEOUT,
        "the app sent no response body data for " + timeoutMs + " ms"));
    abort.run();
  }
}
