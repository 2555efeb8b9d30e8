package batcycle.proxy;

import batcycle.pipeline.Body;
import batcycle.pipeline.BodyReceiver;
import batcycle.pipeline.Exchange;
import io.netty.buffer.ByteBuf;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.LastHttpContent;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.util.ArrayDeque;

/**
 * A body arriving on a channel (a client's request on its connection or HTTP/2 stream, or the app's response),
 * fed by that channel's handler and delivered to one receiver. While there is no receiver yet, or it is paused,
 * pieces wait here and the channel stops reading: at most one read's worth is ever held. Once the body has been
 * received whole, its flow control leaves the channel alone, which may by then carry the next exchange.
 *
 * <p>A client's request body can also be held to a pace ({@link #watchPace}): the time it is asked for data (a
 * receiver wants more, or a peek waits) and the bytes it brought are kept here, and its loop's
 * {@link RequestBodyWatch} checks them once a second while the body is still arriving.
 *
 * <p>Confined to the channel's event loop.
 */
final class ChannelBody implements Body {
  private final ReadGate gate;
  private Exchange countInto;
  private final ArrayDeque<HttpContent> queue = new ArrayDeque<>(2);
  private BodyReceiver receiver;
  private Promise<Boolean> peek;
  private Runnable firstDemand;
  private Throwable failure;
  private boolean received;
  private boolean finished;
  private boolean paused;
  private boolean discarded;
  private boolean draining;
  // Created while its channel handles a read (the head), which ends with a readComplete.
  private boolean inReadBatch = true;
  private boolean unflushed;
  // The pace of a request body (null watch: not held to one).
  private RequestBodyWatch watch;
  /** Place in the watch's list, or -1; kept by the watch. */
  int watchIndex = -1;
  private boolean wanting;
  private long wantingSince;
  private long wantedNanos;
  private long silentNanos;
  private long lastDataNanos;
  private long receivedBytes;

  ChannelBody(ReadGate gate) {
    this.gate = gate;
  }

  /** Counts the request body's bytes into {@code exchange} as they are delivered. */
  void countInto(Exchange exchange) {
    this.countInto = exchange;
  }

  /** Holds this request body to the pace {@code watch} checks, from now until it has arrived. */
  void watchPace(RequestBodyWatch watch) {
    this.watch = watch;
    paceChanged();
  }

  /** There is no body to come (an unparsable head: the connection closes after the answer). */
  void markReceived() {
    received = true;
    paceChanged();
  }

  /** From the handler: the next piece of the body; ownership passes here. */
  void offer(HttpContent piece) {
    inReadBatch = true;
    if (piece.decoderResult().isFailure()) {
      Throwable cause = piece.decoderResult().cause();
      piece.release();
      fail(cause);
      return;
    }
    if (finished || discarded || received) {
      piece.release(); // nobody wants it any more
      return;
    }
    if (watch != null && piece.content().isReadable()) {
      lastDataNanos = System.nanoTime();
      silentNanos = 0;
      receivedBytes += piece.content().readableBytes();
    }
    if (piece instanceof LastHttpContent) {
      received = true;
    }
    if (peek != null) {
      Promise<Boolean> p = peek;
      peek = null;
      p.complete(piece.content().isReadable() || !(piece instanceof LastHttpContent));
    }
    if (receiver != null && !paused && queue.isEmpty()) {
      deliver(piece);
    } else {
      queue.add(piece);
      if (!received) {
        gate.close(ReadGate.BODY);
      }
    }
    paceChanged();
  }

  /** From the handler: a read from the channel ended. */
  void readComplete() {
    inReadBatch = false;
    flushReceiver();
    if (watch != null && watchIndex < 0 && !received && failure == null && !discarded && !finished) {
      watch.add(this); // still arriving after the read that brought its head: worth a look every second
    }
  }

  /** Why this body must be cut for its pace at {@code now}, or null (see {@link ClientPace#bodyVerdict}). */
  batcycle.errors.ProxyFailure paceVerdict(long now, ClientPace pace) {
    long wanted = wantedNanos;
    long silent = silentNanos;
    if (wanting) {
      wanted += now - wantingSince;
      silent += now - Math.max(wantingSince, lastDataNanos);
    }
    return pace.bodyVerdict(wanted, silent, receivedBytes);
  }

  /** True while the client is asked for more of this body: someone waits for it and nothing is queued. */
  private boolean wantsData() {
    return !received && failure == null && !finished && !discarded
        && (peek != null || (receiver != null && !paused && queue.isEmpty()));
  }

  /** Keeps the waited-for time when the body starts or stops being asked for; off unless watched. */
  private void paceChanged() {
    if (watch == null) {
      return;
    }
    boolean wants = wantsData();
    if (wants != wanting) {
      long now = System.nanoTime();
      if (wanting) {
        wantedNanos += now - wantingSince;
        silentNanos += now - Math.max(wantingSince, lastDataNanos);
      } else {
        wantingSince = now;
      }
      wanting = wants;
    }
    if (watchIndex >= 0 && (received || failure != null || discarded || finished)) {
      watch.remove(this);
    }
  }

  /** From the handler, or when the other side gives up: the body broke off. */
  void fail(Throwable cause) {
    if (finished || failure != null) {
      return;
    }
    failure = cause;
    releaseQueue();
    if (peek != null) {
      peek.tryFail(cause);
      peek = null;
    }
    if (!received) {
      gate.open(ReadGate.BODY);
    }
    paceChanged();
    if (receiver != null && !discarded) {
      finished = true;
      receiver.failed(cause);
    }
  }

  /** True once the body's end has arrived from the channel (it may still wait here for its receiver). */
  boolean isReceived() {
    return received;
  }

  /** True if a piece with data waits here (an HTTP/2 request whose HEADERS came with its whole body). */
  boolean hasQueuedData() {
    for (HttpContent piece : queue) {
      if (piece.content().isReadable()) {
        return true;
      }
    }
    return false;
  }

  /** Runs {@code hook} when a receiver first asks for the body while none of it has come: a 100 Continue. */
  void onFirstDemand(Runnable hook) {
    this.firstDemand = hook;
  }

  /** True once the end or the failure was delivered. */
  boolean isFinished() {
    return finished;
  }

  /**
   * Completes when the first piece or the end has arrived: true if the body has any data. Lets an HTTP/2 request
   * without content-length tell an app speaking HTTP/1.1 whether a body follows.
   */
  Future<Boolean> peek() {
    if (failure != null) {
      return Future.failedFuture(failure);
    }
    HttpContent first = queue.peek();
    if (first != null || received) {
      return Future.succeededFuture(first != null
          && (first.content().isReadable() || !(first instanceof LastHttpContent)));
    }
    peek = Promise.promise();
    gate.open(ReadGate.BODY); // the first piece must be read to be seen
    paceChanged();
    return peek.future();
  }

  @Override
  public void subscribe(BodyReceiver receiver) {
    this.receiver = receiver;
    unflushed = true; // the receiver may have written a head before subscribing
    if (firstDemand != null) {
      Runnable hook = firstDemand;
      firstDemand = null;
      if (!received && queue.isEmpty() && failure == null) {
        hook.run(); // the connection to the app is up: now it is worth the client sending (RFC 9110 §10.1.1)
      }
    }
    if (failure != null) {
      finished = true;
      receiver.failed(failure);
      return;
    }
    drain();
    paceChanged();
  }

  @Override
  public void pause() {
    paused = true;
    if (!received) {
      gate.close(ReadGate.BODY);
    }
    paceChanged();
  }

  @Override
  public void resume() {
    paused = false;
    drain();
    paceChanged();
  }

  @Override
  public void discard() {
    discarded = true;
    releaseQueue();
    if (!received) {
      gate.open(ReadGate.BODY); // read on and drop the rest, so the channel is not stuck behind a dead body
    }
    paceChanged();
  }

  private void drain() {
    if (draining || receiver == null || discarded) {
      return; // a receiver that resumes from inside a delivery: the loop below goes on
    }
    draining = true;
    try {
      HttpContent piece;
      while (!paused && !finished && (piece = queue.poll()) != null) {
        deliver(piece);
      }
    } finally {
      draining = false;
    }
    if (!paused && !received && !finished) {
      gate.open(ReadGate.BODY);
    }
    if (!inReadBatch) {
      flushReceiver(); // a read that ends later would flush; out of one, nobody else will
    }
  }

  private void deliver(HttpContent piece) {
    ByteBuf data = piece.content();
    if (data.isReadable()) {
      if (countInto != null) {
        countInto.addBytesIn(data.readableBytes());
      }
      unflushed = true;
      receiver.data(data);
    } else {
      data.release();
    }
    if (piece instanceof LastHttpContent last) {
      finished = true;
      unflushed = false;
      receiver.end(last.trailingHeaders());
    }
  }

  private void flushReceiver() {
    if (unflushed && receiver != null && !finished) {
      unflushed = false;
      receiver.batchEnd();
    }
  }

  private void releaseQueue() {
    HttpContent piece;
    while ((piece = queue.poll()) != null) {
      piece.release();
    }
  }
}
