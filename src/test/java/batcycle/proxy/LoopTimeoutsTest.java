package batcycle.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import batcycle.testing.Futures;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.internal.ContextInternal;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Many timeouts on one timer: each runs once, on its context, in deadline order; a cancelled one never runs. */
class LoopTimeoutsTest {
  private final Vertx vertx = Vertx.vertx();
  private final ContextInternal context = (ContextInternal) vertx.getOrCreateContext();
  private final List<String> ran = new CopyOnWriteArrayList<>();

  @AfterEach
  void close() {
    Futures.await(vertx.close());
  }

  @Test
  void runsDueTimeoutsInDeadlineOrderAndNeverACancelledOne() {
    Promise<Void> last = Promise.promise();
    context.runOnContext(v -> {
      LoopTimeouts timeouts = new LoopTimeouts(context);
      // A long timeout first arms the timer late; the shorter ones started after it must re-arm it earlier.
      timeouts.start(400, () -> {
        ran.add("400 ms");
        last.complete();
      });
      timeouts.start(150, () -> ran.add("150 ms"));
      LoopTimeouts.Timeout cancelled = timeouts.start(50, () -> ran.add("cancelled"));
      timeouts.start(100, () -> {
        ran.add("100 ms");
        cancelled.cancel(); // already past: cancelling a timeout that ran, or twice, is harmless
        cancelled.cancel();
      });
      cancelled.cancel();
      timeouts.start(0, () -> ran.add("0 ms, on its context: " + (ContextInternal.current() == context)));
    });

    Futures.await(last.future(), 10);
    assertThat(ran).containsExactly("0 ms, on its context: true", "100 ms", "150 ms", "400 ms");
  }

  @Test
  void anActionMayStartAndCancelOtherTimeouts() {
    Promise<Void> done = Promise.promise();
    context.runOnContext(v -> {
      LoopTimeouts timeouts = new LoopTimeouts(context);
      LoopTimeouts.Timeout[] later = new LoopTimeouts.Timeout[1];
      timeouts.start(20, () -> {
        ran.add("first");
        later[0].cancel();
        timeouts.start(30, () -> {
          ran.add("started by first");
          done.complete();
        });
      });
      later[0] = timeouts.start(20, () -> ran.add("cancelled by first"));
    });

    Futures.await(done.future(), 10);
    assertThat(ran).containsExactly("first", "started by first");
  }
}
