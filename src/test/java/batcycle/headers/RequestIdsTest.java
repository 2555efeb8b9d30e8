package batcycle.headers;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class RequestIdsTest {
  @ParameterizedTest
  @ValueSource(strings = {"abc", "0f8fad5b-d9cb-469f-a165-70867728950e", "a.b_c:d+e/f=", "x"})
  void keepsSafeIds(String id) {
    assertThat(RequestIds.keepOrGenerate(id)).isEqualTo(id);
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "has space", "quote\"", "new\nline", "{json}", "é"})
  void replacesUnsafeIds(String id) {
    assertThat(RequestIds.keepOrGenerate(id)).matches("[0-9a-f]{32}");
  }

  @Test
  void replacesOverlongIds() {
    assertThat(RequestIds.keepOrGenerate("a".repeat(129))).hasSize(32);
    assertThat(RequestIds.keepOrGenerate("a".repeat(128))).hasSize(128);
  }

  @Test
  void generatesDistinctIds() {
    Set<String> ids = new HashSet<>();
    for (int i = 0; i < 1000; i++) {
      ids.add(RequestIds.keepOrGenerate(null));
    }
    assertThat(ids).hasSize(1000);
  }
}
