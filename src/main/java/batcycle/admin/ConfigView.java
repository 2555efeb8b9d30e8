package batcycle.admin;

import batcycle.config.BatcycleConfig;
import batcycle.config.Key;
import batcycle.config.OutboundConfig;
import batcycle.config.Redaction;
import batcycle.config.SourcedValue;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.Map;

/**
 * The configuration in force as JSON, each key with its source (anything secret-looking redacted), with its hash,
 * the last reload's result and the keys that wait for a restart.
 */
final class ConfigView {
  private ConfigView() {}

  static JsonObject of(ConfigState state) {
    BatcycleConfig config = state.config();
    JsonObject keys = new JsonObject();
    for (Map.Entry<Key, SourcedValue> e : config.sources().entrySet()) {
      String path = e.getKey().path();
      keys.put(path, new JsonObject()
          .put("value", Redaction.configValue(path, e.getValue().text()))
          .put("source", e.getValue().source()));
    }
    JsonArray outbound = new JsonArray();
    for (OutboundConfig entry : config.outbound()) {
      JsonObject own = new JsonObject();
      for (Map.Entry<Key, SourcedValue> e : entry.own().entrySet()) {
        own.put(OutboundConfig.entryPath(e.getKey()), new JsonObject()
            .put("value", Redaction.configValue(e.getKey().path(), e.getValue().text()))
            .put("source", e.getValue().source()));
      }
      outbound.add(new JsonObject().put("name", entry.name()).put("listen", entry.listen().toString())
          .put("upstream", new JsonArray(entry.upstreams().stream().map(Object::toString).toList()))
          .put("keys", own));
    }
    return new JsonObject()
        .put("configFile", config.configFile().map(Object::toString).orElse(null))
        .put("eventLoops", config.eventLoops())
        .put("hash", state.hash())
        .put("lastReload", StatusStats.lastReload(state))
        .put("keys", keys)
        .put("outbound", outbound);
  }
}
