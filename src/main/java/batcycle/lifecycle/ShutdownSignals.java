package batcycle.lifecycle;

import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import sun.misc.Signal;

/**
 * SIGTERM (and SIGINT) start a graceful drain; a second signal exits at once. A JVM shutdown hook cannot tell a
 * second signal from the first, so the signals are handled directly ({@code sun.misc.Signal}, jdk.unsupported,
 * available on every JDK batcycle supports). SIGHUP reloads the configuration, as nginx and HAProxy do.
 */
public final class ShutdownSignals {
  private static final Logger LOG = LoggerFactory.getLogger(ShutdownSignals.class);

  private ShutdownSignals() {}

  /**
   * Until {@link #install} runs, a SIGHUP (a ConfigMap rollout, a human) would end the JVM, which is the signal's
   * default action: it is logged and ignored instead, as the configuration being started is the file's anyway.
   */
  public static void ignoreReloadsWhileStarting() {
    Signal.handle(new Signal("HUP"), signal -> LOG.info("SIGHUP while starting: nothing to reload yet, the "
        + "configuration being started was read just now"));
  }

  public static void install(Batcycle running) {
    AtomicBoolean signalled = new AtomicBoolean();
    for (String name : new String[] {"TERM", "INT"}) {
      Signal.handle(new Signal(name), signal -> {
        if (signalled.compareAndSet(false, true)) {
          running.stop("SIG" + name);
        } else {
          LOG.warn("second SIG{}: exiting now without waiting for in-flight requests", name);
          Runtime.getRuntime().halt(1);
        }
      });
    }
    // The JVM runs each signal's handler on a thread of its own, never an event loop: the reload may read there.
    Signal.handle(new Signal("HUP"), signal -> running.reload("SIGHUP"));
  }
}
