package batcycle.config;

import java.time.Duration;
import java.util.List;

/**
 * The {@code tls:} section: HTTPS on the proxy port. Off while {@code certFile} is empty. The files are PEM, laid out
 * as a {@code kubernetes.io/tls} Secret mounts them ({@code tls.crt}, {@code tls.key}, and {@code ca.crt} for client
 * certificates); their contents are watched and rotate without a restart, the settings themselves need one.
 */
@Section("tls")
public record TlsConfig(String certFile, String keyFile, String clientCaFile, ClientAuth clientAuth,
                        TlsVersion minVersion, List<String> ciphers, TlsProvider provider,
                        Duration handshakeTimeout) {
  public TlsConfig {
    Violations v = Violations.of(TlsConfig.class, certFile, keyFile, clientCaFile, clientAuth, minVersion, ciphers,
        provider, handshakeTimeout);
    if (certFile != null && keyFile != null && clientCaFile != null && clientAuth != null) {
      v.require(certFile.isEmpty() == keyFile.isEmpty(), Key.TLS_KEY_FILE, keyFile,
              "a key file exactly when tls.certFile is set", Key.TLS_CERT_FILE)
          .require(clientCaFile.isEmpty() || !certFile.isEmpty(), Key.TLS_CLIENT_CA_FILE, clientCaFile,
              "nothing while tls.certFile is empty (client certificates need TLS)", Key.TLS_CERT_FILE)
          .require(clientAuth == ClientAuth.NONE || !clientCaFile.isEmpty(), Key.TLS_CLIENT_AUTH, clientAuth,
              "none unless tls.clientCaFile names the CAs that client certificates must chain to",
              Key.TLS_CLIENT_CA_FILE)
          .require(clientCaFile.isEmpty() || clientAuth != ClientAuth.NONE, Key.TLS_CLIENT_CA_FILE, clientCaFile,
              "nothing while tls.clientAuth is none (set it to optional or required)", Key.TLS_CLIENT_AUTH);
    }
    v.throwIfAny();
    ciphers = List.copyOf(ciphers);
  }

  /** True when the proxy port serves HTTPS. */
  public boolean enabled() {
    return !certFile.isEmpty();
  }
}
