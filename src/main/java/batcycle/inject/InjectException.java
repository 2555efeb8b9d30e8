package batcycle.inject;

/** Input that {@code inject} cannot handle without a decision from its user; the message says which option decides. */
final class InjectException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  InjectException(String message) {
    super(message, null, false, false);
  }
}
