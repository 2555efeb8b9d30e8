package batcycle.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The README's configuration table is the declarations in {@link Key}, printed: every key in declaration order, every
 * cell (flag, variable, default, values, description) as derived. When they differ, the table to paste is written to
 * {@code target/readme-config-table.md}.
 */
class ReadmeConfigTableTest {
  private static final String HEADER = "| YAML key | Flag | Environment | Default | Values | Meaning |";
  private static final Path EXPECTED = Path.of("target", "readme-config-table.md");

  @Test
  void readmeTableIsTheDeclarationsRowByRow() throws IOException {
    List<String> expected = expectedTable();
    Files.createDirectories(EXPECTED.getParent());
    Files.write(EXPECTED, expected);
    List<String> readme = Files.readAllLines(Path.of("README.md"));

    assertThat(readme).as("README lines that start the configuration table").containsOnlyOnce(HEADER);
    int start = readme.indexOf(HEADER);
    int end = start;
    while (end < readme.size() && readme.get(end).startsWith("|")) {
      end++;
    }
    assertThat(readme.subList(start, end))
        .as("README's configuration table against batcycle.config.Key (the table to paste is in %s)", EXPECTED)
        .containsExactlyElementsOf(expected);
  }

  @Test
  void aCellHoldingAPipeIsEscapedSoTheRowKeepsItsColumns() {
    assertThat(cell("json|text")).isEqualTo("json\\|text");
    for (String row : expectedTable()) {
      assertThat(row.replace("\\|", "").chars().filter(c -> c == '|').count()).as(row).isEqualTo(7);
    }
  }

  private static List<String> expectedTable() {
    List<String> rows = new ArrayList<>(List.of(HEADER, "|---|---|---|---|---|---|"));
    for (Key key : Key.values()) {
      rows.add("| `" + key.path() + "` | `" + key.flag() + "` | `" + key.envName() + "` | " + key.defaultDisplay()
          + " | " + cell(key.type().values()) + " | " + cell(key.description()) + " |");
    }
    return rows;
  }

  private static String cell(String text) {
    return text.replace("|", "\\|");
  }
}
