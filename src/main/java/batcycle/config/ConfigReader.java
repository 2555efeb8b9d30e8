package batcycle.config;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.RecordComponent;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * The merged raw values read by their declarations, then bound into the config records. A bad value is recorded (key,
 * value, source, what was expected) and the key's default used in its place, and so is a record's refusal, so one
 * start-up reports every problem at once.
 */
final class ConfigReader {
  private final Map<Key, SourcedValue> values;
  private final Map<Key, Object> read = new EnumMap<>(Key.class);
  /** Keys whose text was invalid: rules comparing other keys with them would compare with a stand-in. */
  private final Set<Key> unreadable = EnumSet.noneOf(Key.class);
  private final List<String> problems = new ArrayList<>();
  /** Where the values belong, for problems: empty at the top, {@code outbound[payments]} for an entry's. */
  private final String entry;
  /** Keys whose problems are reported here; null: all (an entry's others were reported at the top already). */
  private final Set<Key> reported;

  ConfigReader(Map<Key, SourcedValue> values) {
    this(values, "", null);
  }

  /** Reads the values of one outbound entry; only problems involving {@code own} keys are reported. */
  ConfigReader(Map<Key, SourcedValue> values, String entry, Set<Key> own) {
    this.values = values;
    this.entry = entry;
    this.reported = own;
    for (Map.Entry<Key, SourcedValue> e : values.entrySet()) { // in declaration order, as problems are reported
      Key key = e.getKey();
      try {
        read.put(key, key.type().parse(e.getValue().text()));
      } catch (IllegalArgumentException invalid) {
        if (reported == null || reported.contains(key)) {
          problem(key, "expected " + invalid.getMessage());
        }
        unreadable.add(key);
        read.put(key, defaultOf(key));
      }
    }
  }

  List<String> problems() {
    return problems;
  }

  /** The key's value, or its default when the text was invalid (the problem is recorded). */
  @SuppressWarnings("unchecked") // the declaration's type: ValueType<T> parses to T
  <T> T get(Key key) {
    Object value = read.get(key);
    if (value == null) {
      throw new IllegalStateException("no value for " + key.path());
    }
    return (T) value;
  }

  /** The {@link Section} record bound from its keys; when it refuses them, its defaults (the problems recorded). */
  <R extends Record> R section(Class<R> type) {
    return validated(() -> bind(type, this::get), () -> bind(type, ConfigReader::defaultOf));
  }

  /** Builds a config record; when it refuses its values, records each with its source and returns the fallback. */
  <R> R validated(Supplier<R> build, Supplier<R> fallback) {
    try {
      return build.get();
    } catch (ConfigException refused) {
      if (refused.violations().isEmpty()) {
        problems.addAll(refused.problems());
      }
      for (Violation v : refused.violations()) {
        boolean involved = reported == null || reported.contains(v.key())
            || v.related().stream().anyMatch(reported::contains);
        if (involved && !unreadable.contains(v.key()) && v.related().stream().noneMatch(unreadable::contains)) {
          problem(v.key(), "expected " + v.expected());
        }
      }
      return fallback.get();
    }
  }

  /** Records a problem with a key's value as given, naming its source. */
  private void problem(Key key, String expectation) {
    SourcedValue v = values.get(key);
    // Redacted like /config: an invalid upstream URL can still carry a password in its userinfo.
    String path = entry.isEmpty() ? key.path() : entry + "." + OutboundConfig.entryPath(key);
    problems.add(path + ": '" + Redaction.configValue(key.path(), v.text()) + "' from " + v.source() + " ("
        + expectation + ")");
  }

  private static Object defaultOf(Key key) {
    return key.type().parse(key.defaultValue());
  }

  /** Calls the record's canonical constructor with the value of the key named like each component. */
  private static <R extends Record> R bind(Class<R> type, Function<Key, Object> valueOf) {
    Section section = type.getAnnotation(Section.class);
    if (section == null) {
      throw new IllegalStateException(type.getSimpleName() + " is not a @Section record");
    }
    RecordComponent[] components = type.getRecordComponents();
    Object[] args = new Object[components.length];
    Class<?>[] parameters = new Class<?>[components.length];
    for (int i = 0; i < components.length; i++) {
      Key key = Key.of(section.value(), components[i].getName());
      String declared = components[i].getGenericType().getTypeName();
      if (!declared.equals(key.type().javaType())) {
        throw new IllegalStateException(type.getSimpleName() + "." + components[i].getName() + " is a " + declared
            + ", but " + key.path() + " is declared as " + key.type().javaType());
      }
      args[i] = valueOf.apply(key);
      parameters[i] = components[i].getType();
    }
    try {
      return type.getDeclaredConstructor(parameters).newInstance(args);
    } catch (InvocationTargetException e) {
      if (e.getCause() instanceof RuntimeException refusal) {
        throw refusal; // a ConfigException when the record refuses its values
      }
      throw new IllegalStateException("cannot build " + type.getSimpleName(), e.getCause());
    } catch (ReflectiveOperationException e) {
      throw new IllegalStateException("cannot build " + type.getSimpleName(), e);
    }
  }
}
