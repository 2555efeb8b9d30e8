package batcycle.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The README's configuration table must list every key with its real flag, variable and default. */
class ReadmeConfigTableTest {
  @Test
  void documentsEveryKeyWithItsFlagEnvironmentVariableAndDefault() throws IOException {
    List<String> rows = Files.readAllLines(Path.of("README.md")).stream()
        .filter(line -> line.startsWith("| `")).toList();
    for (Key key : Key.values()) {
      String defaultCell = key.defaultDisplay();
      assertThat(rows).as("README row for " + key.path())
          .anyMatch(row -> row.startsWith("| `" + key.path() + "` | `" + key.flag() + "` | `" + key.envName()
              + "` | " + defaultCell + " |"));
    }
  }
}
