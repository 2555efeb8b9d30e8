package batcycle.tls;

/** A TLS file that cannot be used as it is; the message names the file and what is wrong, never its contents. */
final class TlsFileException extends Exception {
  TlsFileException(String message) {
    super(message, null, false, false);
  }
}
