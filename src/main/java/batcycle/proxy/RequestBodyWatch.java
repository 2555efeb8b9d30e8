package batcycle.proxy;

import batcycle.errors.ProxyFailure;
import io.netty.channel.EventLoop;
import java.util.ArrayList;
import java.util.concurrent.TimeUnit;

/**
 * One event loop's request bodies that are still arriving, each checked once a second against {@link ClientPace}, as
 * Kestrel's heartbeat does: one timer per loop, not one per body, and a body whose end came with its head (most of
 * them) is never watched at all. A body that falls short is failed with a 408, which ends its exchange. A tenth of
 * the bodies is checked every 100 ms rather than all at once: slow clients that started together (an attack opening
 * hundreds a second) are then answered in small batches, and the loop's other connections wait for none of them.
 *
 * <p>Confined to its event loop.
 */
final class RequestBodyWatch {
  private static final long TICK_MS = 100;
  private static final int SLICES = 10; // each body once every SLICES ticks: once a second

  private final EventLoop loop;
  private final ClientPace pace;
  private final ArrayList<ChannelBody> bodies = new ArrayList<>();
  private boolean ticking;
  private int slice;

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
    slice = (slice + 1) % SLICES;
    // Backwards, so a body removed here (the last one takes its place) never hides one not yet checked.
    int last = bodies.size() - 1;
    for (int i = last - Math.floorMod(last - slice, SLICES); i >= 0; i -= SLICES) {
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
