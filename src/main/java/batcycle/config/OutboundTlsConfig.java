package batcycle.config;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The {@code tls:} settings of one outbound entry with https:// URLs: what the remote's certificate is verified
 * against, the client certificate for mTLS, and the name to expect. The files must be readable when the
 * configuration is read, so {@code check} finds a wrong path; their contents are read at start-up.
 */
@Section("outbound.tls")
public record OutboundTlsConfig(String caFile, String certFile, String keyFile, String serverName) {
  public OutboundTlsConfig {
    Violations.of(OutboundTlsConfig.class, caFile, certFile, keyFile, serverName)
        .require(readable(caFile), Key.OUTBOUND_TLS_CA_FILE, caFile, "a readable file")
        .require(readable(certFile), Key.OUTBOUND_TLS_CERT_FILE, certFile, "a readable file")
        .require(readable(keyFile), Key.OUTBOUND_TLS_KEY_FILE, keyFile, "a readable file")
        .require(certFile == null || keyFile == null || certFile.isEmpty() == keyFile.isEmpty(),
            certFile == null || certFile.isEmpty() ? Key.OUTBOUND_TLS_CERT_FILE : Key.OUTBOUND_TLS_KEY_FILE,
            certFile == null || certFile.isEmpty() ? certFile : keyFile,
            "both outbound.tls.certFile and outbound.tls.keyFile, or neither")
        .throwIfAny();
  }

  private static boolean readable(String file) {
    return file == null || file.isEmpty() || Files.isReadable(Path.of(file)) && !Files.isDirectory(Path.of(file));
  }

  /** True when a client certificate is configured. */
  public boolean hasClientCertificate() {
    return !certFile.isEmpty();
  }
}
