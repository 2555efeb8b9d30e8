package batcycle.config;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;
import org.snakeyaml.engine.v2.exceptions.YamlEngineException;

/**
 * Reads the optional YAML file into raw values keyed by {@link Key}; unknown keys are errors with a suggestion. The
 * {@code outbound:} list becomes the compact text of {@link Key#OUTBOUND}, and each entry's own settings are kept
 * apart, by entry name.
 */
final class YamlFile {
  private YamlFile() {}

  static Map<Key, String> read(Path file, List<String> problems) {
    return read(file, problems, new java.util.LinkedHashMap<>());
  }

  /** As {@link #read(Path, List)}; {@code entrySettings} receives each outbound entry's own settings by name. */
  static Map<Key, String> read(Path file, List<String> problems, Map<String, Map<Key, String>> entrySettings) {
    Map<Key, String> values = new EnumMap<>(Key.class);
    String text;
    try {
      // Read first: snakeyaml reports a reader's I/O errors (a directory, bad UTF-8) as YAML errors.
      text = Files.readString(file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      problems.add("config: cannot read '" + file + "' (" + describe(e) + ")");
      return values;
    }
    Object root;
    try {
      root = new Load(LoadSettings.builder().setAllowDuplicateKeys(false).setLabel(file.toString()).build())
          .loadFromString(text);
    } catch (YamlEngineException e) {
      String reason = e.getMessage().replaceAll("\\s+", " ").trim(); // snakeyaml's message spans lines
      problems.add("config: '" + file + "' is not valid YAML (" + reason + ")");
      return values;
    }
    if (root == null) {
      return values; // an empty file means "all defaults"
    }
    if (!(root instanceof Map<?, ?> map)) {
      problems.add("config: '" + file + "' must hold a mapping of keys, such as 'listen: 0.0.0.0:8000'");
      return values;
    }
    flatten("", map, file, values, problems);
    Object outbound = map.get(Key.OUTBOUND.path());
    if (outbound instanceof List<?> entries) {
      values.remove(Key.OUTBOUND);
      outbound(entries, file, values, entrySettings, problems);
    }
    return values;
  }

  /** The {@code outbound:} list: compact strings, or mappings with name, listen, upstream and settings. */
  private static void outbound(List<?> entries, Path file, Map<Key, String> values,
                               Map<String, Map<Key, String>> entrySettings, List<String> problems) {
    List<String> compact = new ArrayList<>();
    for (int i = 0; i < entries.size(); i++) {
      Object item = entries.get(i);
      if (item instanceof Map<?, ?> entry) {
        String text = outboundEntry(i, entry, file, entrySettings, problems);
        if (text != null) {
          compact.add(text);
        }
      } else if (item != null && !(item instanceof List)) {
        compact.add(item.toString());
      } else {
        problems.add("outbound[" + i + "]: expected an entry with name, listen and upstream in " + file);
      }
    }
    values.put(Key.OUTBOUND, String.join(",", compact));
  }

  /** One entry's identity as compact text (null if invalid, the problems recorded), its settings kept by name. */
  private static String outboundEntry(int index, Map<?, ?> entry, Path file,
                                      Map<String, Map<Key, String>> entrySettings, List<String> problems) {
    String where = "outbound[" + index + "]";
    String name = scalar(entry.get("name"));
    try {
      name = OutboundEntry.name(name == null ? "" : name);
      where = "outbound[" + name + "]";
    } catch (IllegalArgumentException e) {
      problems.add(where + ".name: '" + (name == null ? "" : name) + "' in " + file + " (expected "
          + e.getMessage() + ")");
      name = null;
    }
    String listen = scalar(entry.get("listen"));
    try {
      listen = OutboundEntry.listen(listen == null ? "" : listen).toString();
    } catch (IllegalArgumentException e) {
      problems.add(where + ".listen: '" + (listen == null ? "" : listen) + "' in " + file + " (expected "
          + e.getMessage() + ")");
      listen = null;
    }
    List<String> urls = new ArrayList<>();
    Object upstream = entry.get("upstream");
    List<?> given = upstream instanceof List<?> list ? list : upstream == null ? List.of() : List.of(upstream);
    for (Object url : given) {
      String text = scalar(url);
      try {
        urls.add(OutboundEntry.url(text == null ? "" : text).toString());
      } catch (IllegalArgumentException e) {
        problems.add(where + ".upstream: '" + (text == null ? "" : Redaction.configValue("upstream", text))
            + "' in " + file + " (expected " + e.getMessage() + ")");
      }
    }
    if (given.isEmpty()) {
      problems.add(where + ".upstream: missing in " + file + " (expected an http:// or https:// URL, or a list)");
    }
    Map<Key, String> settings = new EnumMap<>(Key.class);
    for (Map.Entry<?, ?> e : entry.entrySet()) {
      String field = String.valueOf(e.getKey());
      if (!field.equals("name") && !field.equals("listen") && !field.equals("upstream")) {
        entrySetting(where, field, e.getValue(), file, settings, problems);
      }
    }
    if (name == null || listen == null || urls.size() != given.size() || given.isEmpty()) {
      return null;
    }
    if (entrySettings.putIfAbsent(name, settings) != null) {
      problems.add(where + ": the name is used by another outbound entry in " + file);
      return null;
    }
    return name + "=" + listen + "=" + String.join("|", urls);
  }

  private static void entrySetting(String where, String path, Object value, Path file, Map<Key, String> settings,
                                   List<String> problems) {
    var key = Key.byPath("outbound." + path).or(() -> Key.byPath(path).filter(OutboundConfig::settable));
    if (key.isPresent()) {
      if (value instanceof List<?> list && key.get().isList() && list.stream().noneMatch(
          item -> item == null || item instanceof Map || item instanceof List)) {
        settings.put(key.get(), String.join(",", list.stream().map(Object::toString).toList()));
      } else if (value == null || value instanceof Map || value instanceof List) {
        problems.add(where + "." + path + ": missing or non-scalar value in " + file + " (expected "
            + key.get().valueHint() + ")");
      } else {
        settings.put(key.get(), value.toString());
      }
      return;
    }
    List<String> valid = entryKeys();
    boolean section = valid.stream().anyMatch(k -> k.startsWith(path + "."));
    if (section && value instanceof Map<?, ?> map) {
      for (Map.Entry<?, ?> e : map.entrySet()) {
        entrySetting(where, path + "." + e.getKey(), e.getValue(), file, settings, problems);
      }
    } else if (section && value != null) {
      problems.add(where + "." + path + ": expected a section with keys such as "
          + valid.stream().filter(k -> k.startsWith(path + ".")).findFirst().orElseThrow() + " in " + file);
    } else if (!section) {
      problems.add(where + "." + path + ": unknown key in an outbound entry in " + file + entrySuggestion(path));
    }
  }

  /** The keys an outbound entry may hold, as written inside it, after name, listen and upstream. */
  private static List<String> entryKeys() {
    List<String> keys = new ArrayList<>(List.of("name", "listen", "upstream"));
    for (Key k : Key.values()) {
      if (OutboundConfig.settable(k)) {
        keys.add(OutboundConfig.entryPath(k));
      }
    }
    return keys;
  }

  private static String entrySuggestion(String path) {
    List<String> candidates = new ArrayList<>();
    for (String key : entryKeys()) {
      for (int dot = key.indexOf('.'); dot > 0; dot = key.indexOf('.', dot + 1)) {
        candidates.add(key.substring(0, dot));
      }
      candidates.add(key);
    }
    String best = candidates.stream()
        .min(Comparator.comparingInt(c -> distance(c.toLowerCase(), path.toLowerCase()))).orElseThrow();
    return distance(best.toLowerCase(), path.toLowerCase()) <= Math.max(3, path.length() / 3)
        ? " (did you mean '" + best + "'?)" : " (valid keys: " + String.join(", ", entryKeys()) + ")";
  }

  private static String scalar(Object value) {
    return value == null || value instanceof Map || value instanceof List ? null : value.toString();
  }

  private static void flatten(String prefix, Map<?, ?> map, Path file, Map<Key, String> values,
                              List<String> problems) {
    for (Map.Entry<?, ?> e : map.entrySet()) {
      String path = prefix + e.getKey();
      Object value = e.getValue();
      var key = Key.byPath(path);
      if (key.isPresent() && key.get() == Key.OUTBOUND && value instanceof List) {
        continue; // read as entries by outbound()
      }
      if (key.isPresent()) {
        if (value instanceof List<?> list && key.get().isList() && list.stream().noneMatch(
            item -> item == null || item instanceof Map || item instanceof List)) {
          values.put(key.get(), String.join(",", list.stream().map(Object::toString).toList()));
        } else if (value == null || value instanceof Map || value instanceof List) {
          problems.add(path + ": missing or non-scalar value in " + file + " (expected "
              + key.get().valueHint() + ")");
        } else {
          values.put(key.get(), value.toString());
        }
      } else if (isSection(path)) {
        if (value instanceof Map<?, ?> section) {
          flatten(path + ".", section, file, values, problems);
        } else if (value != null) { // null: a section whose keys are all commented out, i.e. the defaults
          problems.add(path + ": expected a section with keys such as " + firstKeyUnder(path) + " in " + file);
        }
      } else {
        problems.add(path + ": unknown key in " + file + suggestion(path));
      }
    }
  }

  private static boolean isSection(String path) {
    String prefix = path + ".";
    for (Key k : Key.values()) {
      if (k.path().startsWith(prefix)) {
        return true;
      }
    }
    return false;
  }

  private static String firstKeyUnder(String section) {
    return validKeys().stream().filter(k -> k.startsWith(section + ".")).findFirst().orElseThrow();
  }

  private static String suggestion(String path) {
    String best = candidates().stream()
        .min(Comparator.comparingInt(c -> distance(c.toLowerCase(), path.toLowerCase())))
        .orElseThrow();
    return distance(best.toLowerCase(), path.toLowerCase()) <= Math.max(3, path.length() / 3)
        ? " (did you mean '" + best + "'?)"
        : " (valid keys: " + String.join(", ", validKeys()) + ")";
  }

  /** Key paths and the sections holding them, so {@code timeout:} suggests {@code timeouts}. */
  private static List<String> candidates() {
    List<String> candidates = new ArrayList<>();
    for (String path : validKeys()) {
      for (int dot = path.indexOf('.'); dot > 0; dot = path.indexOf('.', dot + 1)) {
        if (!candidates.contains(path.substring(0, dot))) {
          candidates.add(path.substring(0, dot));
        }
      }
      candidates.add(path);
    }
    return candidates;
  }

  private static List<String> validKeys() {
    List<String> keys = new ArrayList<>();
    for (Key k : Key.values()) {
      keys.add(k.path());
    }
    return keys;
  }

  /** Levenshtein distance, to suggest the key the user most likely meant. */
  static int distance(String a, String b) {
    int[] prev = new int[b.length() + 1];
    int[] cur = new int[b.length() + 1];
    for (int j = 0; j <= b.length(); j++) {
      prev[j] = j;
    }
    for (int i = 1; i <= a.length(); i++) {
      cur[0] = i;
      for (int j = 1; j <= b.length(); j++) {
        int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
        cur[j] = Math.min(Math.min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + cost);
      }
      int[] t = prev;
      prev = cur;
      cur = t;
    }
    return prev[b.length()];
  }

  private static String describe(IOException e) {
    if (e instanceof java.nio.file.NoSuchFileException) {
      return "no such file";
    }
    if (e instanceof java.nio.file.AccessDeniedException) {
      return "permission denied";
    }
    if (e instanceof java.nio.charset.CharacterCodingException) {
      return "not UTF-8 text";
    }
    return e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage());
  }
}
