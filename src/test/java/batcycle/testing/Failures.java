package batcycle.testing;

import batcycle.errors.FailureKind;
import batcycle.errors.ProxyFailure;

/** Reads what kind of failure a layer passed on, so tests can state the kind they expect. */
public final class Failures {
  private Failures() {}

  /** The kind of {@code failure}; fails the test if it is not a {@link ProxyFailure}. */
  public static FailureKind kindOf(Throwable failure) {
    if (!(failure instanceof ProxyFailure known)) {
      throw new AssertionError("expected a ProxyFailure, got " + failure);
    }
    return known.kind();
  }
}
