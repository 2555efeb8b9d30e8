package batcycle.warmup;

import java.lang.management.CompilationMXBean;
import java.lang.management.ManagementFactory;

/**
 * Whether the JIT compilers are still busy: the growth of their accumulated compilation time over a window of
 * wall time. Once the request path is hot and compiled, a steady load adds almost no compilation.
 */
final class JitActivity {
  /** Compilation time below this share of the window counts as quiet (a few late, small compilations). */
  private static final double QUIET_SHARE = 0.05;

  private final CompilationMXBean compiler = ManagementFactory.getCompilationMXBean();
  private long lastCompileMs = -1;
  private long lastNanos;

  /** False if the JVM cannot tell (no JIT, or no timing): then only the warm-up's time bound ends it. */
  boolean measurable() {
    return compiler != null && compiler.isCompilationTimeMonitoringSupported();
  }

  /** The compilers' accumulated time so far, in milliseconds (0 if the JVM cannot tell). */
  long totalCompileMs() {
    return measurable() ? compiler.getTotalCompilationTime() : 0;
  }

  /** True if the compilers used under {@link #QUIET_SHARE} of the wall time since the previous call. */
  boolean quietSinceLastCall() {
    long compileMs = compiler.getTotalCompilationTime();
    long now = System.nanoTime();
    boolean quiet = lastCompileMs >= 0
        && compileMs - lastCompileMs < QUIET_SHARE * (now - lastNanos) / 1_000_000.0;
    lastCompileMs = compileMs;
    lastNanos = now;
    return quiet;
  }
}
