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

/** Reads the optional YAML file into raw values keyed by {@link Key}; unknown keys are errors with a suggestion. */
final class YamlFile {
  private YamlFile() {}

  static Map<Key, String> read(Path file, List<String> problems) {
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
    return values;
  }

  private static void flatten(String prefix, Map<?, ?> map, Path file, Map<Key, String> values,
                              List<String> problems) {
    for (Map.Entry<?, ?> e : map.entrySet()) {
      String path = prefix + e.getKey();
      Object value = e.getValue();
      var key = Key.byPath(path);
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
