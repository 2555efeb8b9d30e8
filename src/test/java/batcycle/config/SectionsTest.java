package batcycle.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.lang.reflect.RecordComponent;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The records mirror the YAML file: each section is one {@link Section} record whose components are exactly the keys
 * declared under that section, with the declared Java types, and the top-level keys are components of
 * {@link BatcycleConfig}. The records validate themselves against the declarations when built in code.
 */
class SectionsTest {
  /** Components of the root that are not keys. */
  private static final Set<String> NOT_KEYS = Set.of("configFile", "sources");

  @Test
  void everySectionRecordHoldsExactlyTheKeysOfItsSectionWithTheirDeclaredTypes() {
    List<String> sections = new ArrayList<>();
    for (RecordComponent part : BatcycleConfig.class.getRecordComponents()) {
      Section section = part.getType().getAnnotation(Section.class);
      if (section == null) {
        continue;
      }
      assertThat(part.getName()).as("BatcycleConfig's accessor for %s", part.getType().getSimpleName())
          .isEqualTo(section.value());
      sections.add(section.value());
      List<String> components = new ArrayList<>();
      for (RecordComponent c : part.getType().getRecordComponents()) {
        Key key = Key.of(section.value(), c.getName());
        assertThat(c.getGenericType().getTypeName()).as(key.path()).isEqualTo(key.type().javaType());
        components.add(key.path());
      }
      assertThat(components).as(part.getType().getSimpleName() + ", in declaration order")
          .containsExactlyElementsOf(keysOf(section.value()));
    }
    // The outbound entry's own sections are components of OutboundConfig, one per entry.
    for (RecordComponent part : OutboundConfig.class.getRecordComponents()) {
      Section section = part.getType().getAnnotation(Section.class);
      if (section != null) {
        assertThat(section.value()).startsWith("outbound");
        List<String> components = new ArrayList<>();
        for (RecordComponent c : part.getType().getRecordComponents()) {
          Key key = Key.of(section.value(), c.getName());
          assertThat(c.getGenericType().getTypeName()).as(key.path()).isEqualTo(key.type().javaType());
          components.add(key.path());
        }
        assertThat(components).containsExactlyElementsOf(keysOf(section.value()));
        sections.add(section.value());
      }
    }
    assertThat(sections).as("sections with keys").containsExactlyInAnyOrderElementsOf(
        Arrays.stream(Key.values()).map(Key::section).filter(s -> !s.isEmpty()).distinct().toList());
  }

  @Test
  void everyTopLevelKeyIsAComponentOfTheRootWithItsDeclaredType() {
    List<String> rootKeys = new ArrayList<>();
    for (RecordComponent c : BatcycleConfig.class.getRecordComponents()) {
      if (c.getType().isAnnotationPresent(Section.class) || NOT_KEYS.contains(c.getName())) {
        continue;
      }
      // upstreamUrl: upstream() is the app's connection settings gathered from several sections.
      Key key = Key.of("", c.getName().equals("upstreamUrl") ? "upstream" : c.getName());
      // outbound: the entries the key names, each completed with its own settings.
      String declared = key == Key.OUTBOUND ? "java.util.List<batcycle.config.OutboundEntry>"
          : c.getGenericType().getTypeName();
      if (key == Key.OUTBOUND) {
        assertThat(c.getGenericType().getTypeName()).isEqualTo("java.util.List<batcycle.config.OutboundConfig>");
      }
      assertThat(declared).as(key.path()).isEqualTo(key.type().javaType());
      rootKeys.add(key.path());
    }
    assertThat(rootKeys).containsExactlyElementsOf(keysOf(""));
  }

  @Test
  void everyDefaultIsAllowedByItsOwnDeclaration() {
    for (Key key : Key.values()) {
      Object value = key.type().parse(key.defaultValue());
      assertThat(key.type().violation(value)).as(key.path()).isEmpty();
    }
  }

  @Test
  void aRecordBuiltInCodeRefusesEveryValueOutsideItsDeclaredRangeAtOnce() {
    assertThatThrownBy(() -> new PoolConfig(java.util.Optional.of(0), Duration.ofHours(25)))
        .isInstanceOf(ConfigException.class)
        .hasMessage("pool.maxConnections: 0 (expected a whole number in 1..100000); "
            + "pool.idleTimeout: 25h (expected a duration of at most 24h)");
    assertThatThrownBy(() -> new RetryConfig(11, Duration.ofMillis(100), Duration.ofMillis(50), Set.of(200), 0,
        Duration.ZERO, 2, 0, Duration.ofMillis(1500)))
        .isInstanceOf(ConfigException.class)
        .satisfies(e -> assertThat(((ConfigException) e).problems()).containsExactly(
            "retry.maxAttempts: 11 (expected a whole number in 1..10)",
            "retry.statuses: [200] (expected statuses in 400..599)",
            "retry.budgetRatio: 2.0 (expected a number from 0.0 to 1.0)",
            "retry.budgetWindow: 1500ms (expected whole seconds from 1s to 600s, such as 30s)",
            "retry.backoffMax: 50ms (expected at least retry.backoffBase (100ms))"));
    assertThatThrownBy(() -> new LimitConfig(0, 64, 8192, 100, 240, Duration.ofSeconds(5), 10, 0, Duration.ofSeconds(1), true, 20))
        .isInstanceOf(ConfigException.class)
        .hasMessage("limits.maxHeaderSize: 64 (expected a size in 1024..1048576 bytes); "
            + "limits.adaptiveMinLimit: 20 (expected at most limits.maxConcurrent (10))");
  }

  @Test
  void theRootRefusesAProxyAndAdminServerOnOneAddress() {
    BatcycleConfig defaults = BatcycleConfig.defaults();

    assertThatThrownBy(() -> defaults.with(Map.of(Key.LISTEN, "0.0.0.0:9901")))
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith("admin: '0.0.0.0:9901' from default (expected a port apart from listen");
  }

  @Test
  void aRecordThatLeavesAComponentOutOfItsValidationFailsOnFirstUse() {
    assertThatThrownBy(() -> new ForgetsOne(1, Duration.ZERO))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("all 2 of its components");
  }

  @Test
  void aComponentWithoutADeclaredKeyOrOfAnotherTypeCannotBeBound() {
    ConfigReader reader = new ConfigReader(Map.of());

    assertThatThrownBy(() -> reader.section(Misnamed.class))
        .isInstanceOf(IllegalStateException.class).hasMessage("no key pool.maxConnection is declared in Key");
    assertThatThrownBy(() -> reader.section(Mistyped.class))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("Mistyped.idleTimeout is a long, but pool.idleTimeout is declared as java.time.Duration");
  }

  private static List<String> keysOf(String section) {
    return Arrays.stream(Key.values()).filter(k -> k.section().equals(section)).map(Key::path).toList();
  }

  @Section("pool")
  record ForgetsOne(int maxConnections, Duration idleTimeout) {
    ForgetsOne {
      Violations.of(ForgetsOne.class, maxConnections).throwIfAny();
    }
  }

  @Section("pool")
  record Misnamed(int maxConnection) {}

  @Section("pool")
  record Mistyped(long idleTimeout) {}
}
