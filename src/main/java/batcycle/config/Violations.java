package batcycle.config;

import java.lang.reflect.RecordComponent;
import java.util.ArrayList;
import java.util.List;

/**
 * Collects every problem of one config record under construction, so the record refuses all of them at once (STYLE.md
 * §4): each component against its key's declared range, plus the record's own rules between components.
 */
public final class Violations {
  private final List<Violation> found = new ArrayList<>();

  /**
   * Checks every component of a {@link Section} record against its declaration; pass the components in record order,
   * all of them (a missing one is a programming error, reported on the first construction).
   */
  public static Violations of(Class<? extends Record> record, Object... components) {
    Section section = record.getAnnotation(Section.class);
    RecordComponent[] declared = record.getRecordComponents();
    if (section == null || declared.length != components.length) {
      throw new IllegalStateException(record.getSimpleName() + ": Violations.of needs a @Section record and all "
          + declared.length + " of its components in order, got " + components.length);
    }
    Violations v = new Violations();
    for (int i = 0; i < declared.length; i++) {
      v.check(Key.of(section.value(), declared[i].getName()), components[i]);
    }
    return v;
  }

  /** Checks one value against its key's declared range. */
  public Violations check(Key key, Object value) {
    key.type().violation(value).ifPresent(expected -> found.add(new Violation(key, value, expected, List.of())));
    return this;
  }

  /** A rule between values: when {@code ok} is false, {@code key}'s value is refused; {@code related} it depends on. */
  public Violations require(boolean ok, Key key, Object value, String expected, Key... related) {
    if (!ok) {
      found.add(new Violation(key, value, expected, List.of(related)));
    }
    return this;
  }

  public boolean isEmpty() {
    return found.isEmpty();
  }

  /** Throws a {@link ConfigException} listing every violation found, if any. */
  public void throwIfAny() {
    if (!found.isEmpty()) {
      throw new ConfigException(found);
    }
  }
}
