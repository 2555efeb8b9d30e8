package batcycle.testing;

/** Closes what a test started, skipping what it never started; the first failure is rethrown after the rest. */
public final class Closing {
  private Closing() {}

  /** Closes in the order given: pass the proxy before its origin, so it never sees the app vanish first. */
  public static void all(AutoCloseable... resources) {
    RuntimeException first = null;
    for (AutoCloseable resource : resources) {
      try {
        if (resource != null) {
          resource.close();
        }
      } catch (Exception e) {
        if (first == null) {
          first = new IllegalStateException("closing " + resource + " failed", e);
        } else {
          first.addSuppressed(e);
        }
      }
    }
    if (first != null) {
      throw first;
    }
  }
}
