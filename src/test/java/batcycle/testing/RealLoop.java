package batcycle.testing;

import batcycle.pipeline.LoopScheduler;
import io.netty.channel.DefaultEventLoop;
import io.vertx.core.Future;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;

/**
 * A real event loop for unit tests of layers that wait on timers: layers run on it as they do in the proxy, and
 * its timers take real (short) time. Close it after the test.
 */
public final class RealLoop implements LoopScheduler, AutoCloseable {
  private final DefaultEventLoop loop = new DefaultEventLoop();

  @Override
  public Timer schedule(long delayMs, Runnable task) {
    var scheduled = loop.schedule(task, delayMs, TimeUnit.MILLISECONDS);
    return () -> scheduled.cancel(false);
  }

  @Override
  public void execute(Runnable task) {
    loop.execute(task);
  }

  /** Runs {@code call} on the loop and waits up to 10 s for the future it returns; failures are thrown. */
  public <T> T await(Supplier<Future<T>> call) throws ExecutionException, InterruptedException, TimeoutException {
    CompletableFuture<T> result = new CompletableFuture<>();
    loop.execute(() -> call.get().onComplete(ar -> {
      if (ar.succeeded()) {
        result.complete(ar.result());
      } else {
        result.completeExceptionally(ar.cause());
      }
    }));
    return result.get(10, TimeUnit.SECONDS);
  }

  @Override
  public void close() {
    loop.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
  }
}
