package batcycle.proxy;

import batcycle.errors.ProxyFailure;
import io.netty.channel.EventLoop;
import java.util.ArrayList;
import java.util.concurrent.TimeUnit;

/**
 * One event loop's request bodies that are still arriving, checked once a second against {@link ClientPace}, as
 * Kestrel's heartbeat does: one timer per loop, not one per body, and a body whose end came with its head (most of
 * them) is never watched at all. A body that falls short is failed with a 408, which ends its exchange.
 *
 * <p>Confined to its event loop.
 */
final class RequestBodyWatch {
  private static final long TICK_MS = 1000;

  private final EventLoop loop;
  private final ClientPace pace;
  private final ArrayList<ChannelBody> bodies = new ArrayList<>();
  private boolean ticking;

  RequestBodyWatch(EventLoop loop, ClientPace pace) {
    this.loop = loop;
    this.pace = pace;
  }

  ClientPace pace() {
    return pace;
  }

  void add(ChannelBody body) {
    body.watchIndex = bodies.size();
    bodies.add(body);
    if (!ticking) {
      ticking = true; // from the first watched body on, for the loop's life: a second's check is cheap
      loop.scheduleAtFixedRate(this::tick, TICK_MS, TICK_MS, TimeUnit.MILLISECONDS);
    }
  }

  void remove(ChannelBody body) {
    int index = body.watchIndex;
    if (index < 0) {
      return;
    }
    body.watchIndex = -1;
    ChannelBody last = bodies.remove(bodies.size() - 1);
    if (last != body) {
      bodies.set(index, last);
      last.watchIndex = index;
    }
  }

  private void tick() {
    long now = System.nanoTime();
    // Backwards: a body removed here has the last one moved into its place, which was already checked.
    for (int i = bodies.size() - 1; i >= 0; i--) {
      if (i >= bodies.size()) {
        continue; // failing a body ended other watched ones too
      }
      ChannelBody body = bodies.get(i);
      ProxyFailure failure = body.paceVerdict(now, pace);
      if (failure != null) {
        remove(body);
        body.fail(failure);
      }
    }
  }
}
