package batcycle.admin;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerResponse;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Map;

/**
 * The status page's files (HTML, CSS, JS), read from the jar once at start-up and served from memory: no CDN, no
 * file system, works offline. A strict Content-Security-Policy allows only these files and {@code /stats.json}, so
 * even a request path that somehow reached the DOM as markup could not run a script.
 */
final class StatusPage {
  private static final String BASE = "/batcycle/admin/status/";
  static final String CSP = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
      + "connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

  private record Asset(Buffer body, String contentType) {}

  private final Map<String, Asset> assets;

  StatusPage() {
    assets = Map.of(
        "/", load("status.html", "text/html; charset=utf-8"),
        "/status.css", load("status.css", "text/css; charset=utf-8"),
        "/status.js", load("status.js", "text/javascript; charset=utf-8"));
  }

  boolean serves(String path) {
    return assets.containsKey(path);
  }

  void serve(String path, HttpServerResponse response) {
    Asset asset = assets.get(path);
    secure(response).putHeader("content-type", asset.contentType())
        // Small, and must match the running version after an upgrade: revalidate every time.
        .putHeader("cache-control", "no-cache")
        .end(asset.body());
  }

  /** Headers every status-page response carries. */
  static HttpServerResponse secure(HttpServerResponse response) {
    return response.putHeader("content-security-policy", CSP)
        .putHeader("x-content-type-options", "nosniff")
        .putHeader("referrer-policy", "no-referrer");
  }

  private static Asset load(String name, String contentType) {
    try (InputStream in = StatusPage.class.getResourceAsStream(BASE + name)) {
      if (in == null) {
        throw new IllegalStateException("status page resource missing from the jar: " + BASE + name);
      }
      return new Asset(Buffer.buffer(in.readAllBytes()), contentType);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
