package batcycle.admin;

import batcycle.config.BatcycleConfig;
import batcycle.config.Key;
import batcycle.config.SourcedValue;
import batcycle.headers.SensitiveHeaders;
import io.vertx.core.json.JsonObject;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The effective configuration as JSON, each key with its source; anything secret-looking is redacted. */
final class ConfigView {
  private static final Pattern SECRET_KEY = Pattern.compile("(secret|password|token|credential)(?!Headers)",
      Pattern.CASE_INSENSITIVE);
  private static final Pattern URL_USERINFO = Pattern.compile("(?<=://)[^/@]+@");

  private ConfigView() {}

  static JsonObject of(BatcycleConfig config) {
    JsonObject keys = new JsonObject();
    for (Map.Entry<Key, SourcedValue> e : config.sources().entrySet()) {
      String path = e.getKey().path();
      keys.put(path, new JsonObject()
          .put("value", redact(path, e.getValue().text()))
          .put("source", e.getValue().source()));
    }
    return new JsonObject()
        .put("configFile", config.configFile().map(Object::toString).orElse(null))
        .put("eventLoops", config.listener().eventLoops())
        .put("keys", keys);
  }

  static String redact(String path, String value) {
    if (SECRET_KEY.matcher(path).find()) {
      return value.isEmpty() ? value : SensitiveHeaders.REDACTED;
    }
    // http://user:password@host must never be shown, even though batcycle does not use the userinfo.
    return URL_USERINFO.matcher(value).replaceAll(Matcher.quoteReplacement(SensitiveHeaders.REDACTED + "@"));
  }
}
