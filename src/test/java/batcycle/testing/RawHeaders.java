package batcycle.testing;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Header (or trailer) fields exactly as a raw HTTP message carried them: order and case kept, lookup case-insensitive. */
public final class RawHeaders {
  /** No fields; what a response without trailers reports. */
  public static final RawHeaders EMPTY = new RawHeaders(List.of());

  private final List<Map.Entry<String, String>> fields;

  RawHeaders(List<Map.Entry<String, String>> fields) {
    this.fields = List.copyOf(fields);
  }

  /** The first value of {@code name}, if present. */
  public Optional<String> first(String name) {
    return fields.stream().filter(f -> f.getKey().equalsIgnoreCase(name)).map(Map.Entry::getValue).findFirst();
  }

  /** Every value of {@code name} in arrival order, one per field line (comma-separated lists are not split). */
  public List<String> all(String name) {
    var values = new ArrayList<String>();
    for (var field : fields) {
      if (field.getKey().equalsIgnoreCase(name)) {
        values.add(field.getValue());
      }
    }
    return values;
  }

  public boolean contains(String name) {
    return first(name).isPresent();
  }

  /** All fields in arrival order with their original name case. */
  public List<Map.Entry<String, String>> fields() {
    return fields;
  }

  @Override
  public String toString() {
    var text = new StringBuilder();
    fields.forEach(f -> text.append(f.getKey()).append(": ").append(f.getValue()).append('\n'));
    return text.toString();
  }
}
