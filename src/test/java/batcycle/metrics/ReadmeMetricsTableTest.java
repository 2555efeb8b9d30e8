package batcycle.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Every meter named in {@link MeterNames} has a row in the README's metrics table, so a new meter cannot ship
 * undocumented. (Whether it is on the dashboard, or named in the README as left out, .ci/dashboard-queries-check.sh
 * checks against a real Prometheus.)
 */
class ReadmeMetricsTableTest {
  private static final String HEADER = "| Metric | Type | Labels | Meaning |";

  @Test
  void everyMeterHasARowInTheReadmeMetricsTable() throws IOException, IllegalAccessException {
    List<String> readme = Files.readAllLines(Path.of("README.md"));
    assertThat(readme).as("README lines that start the metrics table").containsOnlyOnce(HEADER);
    List<String> metricColumn = new ArrayList<>();
    for (int i = readme.indexOf(HEADER) + 2; i < readme.size() && readme.get(i).startsWith("|"); i++) {
      metricColumn.add(readme.get(i).split("\\|")[1].trim());
    }
    List<String> meters = new ArrayList<>();
    for (Field field : MeterNames.class.getFields()) {
      if (Modifier.isStatic(field.getModifiers()) && !field.getName().startsWith("TAG_")
          && !field.getName().startsWith("OUTCOME_") && !field.getName().startsWith("DIRECTION_")
          && !field.getName().startsWith("UPSTREAM_")) {
        meters.add((String) field.get(null));
      }
    }

    assertThat(meters).isNotEmpty().allSatisfy(meter -> {
      // Prometheus' name: dots become underscores, then a unit or _total may follow (batcycle_requests_seconds).
      String prometheus = "`" + meter.replace('.', '_');
      assertThat(metricColumn).as("a README row for %s", meter)
          .anySatisfy(cell -> assertThat(cell).matches(Pattern.quote(prometheus) + "(_[a-z]+)*`"));
    });
  }
}
