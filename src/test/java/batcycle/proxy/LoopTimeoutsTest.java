package batcycle.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import batcycle.pipeline.LoopScheduler;
import io.netty.channel.DefaultEventLoop;
import io.netty.channel.EventLoop;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Many timeouts on one timer: each runs once, on its loop, in deadline order; a cancelled one never runs. */
class LoopTimeoutsTest {
  private final EventLoop loop = new DefaultEventLoop();
  private final List<String> ran = new CopyOnWriteArrayList<>();

  @AfterEach
  void close() {
    loop.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
  }

  @Test
  void runsDueTimeoutsInDeadlineOrderAndNeverACancelledOne() throws Exception {
    CompletableFuture<Void> last = new CompletableFuture<>();
    loop.execute(() -> {
      LoopTimeouts timeouts = new LoopTimeouts(loop);
      // A long timeout first arms the timer late; the shorter ones started after it must re-arm it earlier.
      timeouts.schedule(400, () -> {
        ran.add("400 ms");
        last.complete(null);
      });
      timeouts.schedule(150, () -> ran.add("150 ms"));
      LoopScheduler.Timer cancelled = timeouts.schedule(50, () -> ran.add("cancelled"));
      timeouts.schedule(100, () -> {
        ran.add("100 ms");
        cancelled.cancel(); // already past: cancelling a timeout that ran, or twice, is harmless
        cancelled.cancel();
      });
      cancelled.cancel();
      timeouts.schedule(0, () -> ran.add("0 ms, on its loop: " + loop.inEventLoop()));
    });

    last.get(10, TimeUnit.SECONDS);
    assertThat(ran).containsExactly("0 ms, on its loop: true", "100 ms", "150 ms", "400 ms");
  }

  @Test
  void anActionMayStartAndCancelOtherTimeouts() throws Exception {
    CompletableFuture<Void> done = new CompletableFuture<>();
    loop.execute(() -> {
      LoopTimeouts timeouts = new LoopTimeouts(loop);
      LoopScheduler.Timer[] later = new LoopScheduler.Timer[1];
      timeouts.schedule(20, () -> {
        ran.add("first");
        later[0].cancel();
        timeouts.schedule(30, () -> {
          ran.add("started by first");
          done.complete(null);
        });
      });
      later[0] = timeouts.schedule(20, () -> ran.add("cancelled by first"));
    });

    done.get(10, TimeUnit.SECONDS);
    assertThat(ran).containsExactly("first", "started by first");
  }

  @Test
  void anActionThatThrowsDoesNotKeepTheOthersFromRunning() throws Exception {
    CompletableFuture<Void> done = new CompletableFuture<>();
    loop.execute(() -> {
      LoopTimeouts timeouts = new LoopTimeouts(loop);
      timeouts.schedule(10, () -> {
        throw new IllegalStateException("a bug in one action");
      });
      timeouts.schedule(10, () -> done.complete(null));
    });
    done.get(10, TimeUnit.SECONDS);
  }
}
