package batcycle.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;

class RouteMatcherTest {
  private final RouteMatcher routes = new RouteMatcher(List.of("/api/users/*", "/api/orders/**", "/healthz"));

  @Test
  void labelsAPathWithTheFirstMatchingPattern() {
    assertThat(routes.label(routes.indexOf("/api/users/42"))).isEqualTo("/api/users/*");
    assertThat(routes.label(routes.indexOf("/api/users/42?expand=1"))).isEqualTo("/api/users/*");
    assertThat(routes.label(routes.indexOf("/api/orders"))).isEqualTo("/api/orders/**");
    assertThat(routes.label(routes.indexOf("/api/orders/7/items/3"))).isEqualTo("/api/orders/**");
    assertThat(routes.label(routes.indexOf("/healthz"))).isEqualTo("/healthz");
  }

  @Test
  void labelsEverythingElseOther() {
    assertThat(routes.label(routes.indexOf("/api/users/42/photos"))).isEqualTo("other");
    assertThat(routes.label(routes.indexOf("/api/users"))).isEqualTo("other");
    assertThat(routes.label(routes.indexOf("/"))).isEqualTo("other");
    assertThat(routes.label(routes.indexOf("/random-" + System.nanoTime()))).isEqualTo("other");
  }

  @Test
  void usesNoLabelWhenNoRoutesAreConfigured() {
    RouteMatcher none = new RouteMatcher(List.of());
    assertThat(none.label(none.indexOf("/anything"))).isEmpty();
  }

  @Test
  void capsTheNumberOfPatterns() {
    assertThatThrownBy(() -> new RouteMatcher(Collections.nCopies(RouteMatcher.MAX_ROUTES + 1, "/x")))
        .hasMessageContaining("at most 50");
    assertThatThrownBy(() -> new RouteMatcher(List.of("api/x"))).hasMessageContaining("start with '/'");
  }
}
