package batcycle;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.Architectures.layeredArchitecture;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The package layering ARCHITECTURE.md draws, as a test: vocabulary at the bottom, the layer contract above it, one
 * package per concern above that, the data plane that runs the concerns, and the wiring on top. A dependency that
 * points upward, or a cycle between packages, fails here rather than in a reviewer's head. Beside them,
 * {@code inject} is a command of its own that only reads the settings' declarations.
 */
class ArchitectureTest {
  private static JavaClasses classes;

  @BeforeAll
  static void importMainClasses() {
    classes = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
        .importPackages("batcycle");
  }

  @Test
  void packagesFormNoCycles() {
    slices().matching("batcycle.(*)..").should().beFreeOfCycles().check(classes);
  }

  @Test
  void dependenciesPointDownTheLayers() {
    layeredArchitecture().consideringOnlyDependenciesInLayers()
        .layer("Wiring").definedBy("batcycle", "batcycle.lifecycle..", "batcycle.admin..", "batcycle.warmup..",
            "batcycle.demo..", "batcycle.reload..")
        .layer("DataPlane").definedBy("batcycle.proxy..")
        .layer("Concerns").definedBy("batcycle.accesslog..", "batcycle.metrics..", "batcycle.headers..",
            "batcycle.connection..", "batcycle.deadline..", "batcycle.drain..", "batcycle.startup..",
            "batcycle.limits..", "batcycle.retry..", "batcycle.breaker..", "batcycle.tls..", "batcycle.upstream..")
        .layer("Contract").definedBy("batcycle.pipeline..")
        .layer("Vocabulary").definedBy("batcycle.errors..", "batcycle.config..")
        .layer("Commands").definedBy("batcycle.inject..")
        .whereLayer("Wiring").mayNotBeAccessedByAnyLayer()
        .whereLayer("Commands").mayOnlyBeAccessedByLayers("Wiring")
        .whereLayer("DataPlane").mayOnlyBeAccessedByLayers("Wiring")
        .whereLayer("Concerns").mayOnlyBeAccessedByLayers("Wiring", "DataPlane", "Concerns")
        .whereLayer("Contract").mayOnlyBeAccessedByLayers("Wiring", "DataPlane", "Concerns")
        .check(classes);
  }

  @Test
  void injectUsesOnlyTheSettingsNeitherVertxNorNetty() {
    // So that it answers as fast as --help, and stays a tool over YAML rather than a part of the proxy.
    noClasses().that().resideInAPackage("batcycle.inject..").should().dependOnClassesThat().resideInAnyPackage(
        "io.vertx..", "io.netty..", "batcycle", "batcycle.lifecycle..", "batcycle.admin..", "batcycle.warmup..",
        "batcycle.demo..", "batcycle.proxy..", "batcycle.pipeline..", "batcycle.errors..", "batcycle.accesslog..",
        "batcycle.metrics..", "batcycle.headers..", "batcycle.connection..", "batcycle.deadline..", "batcycle.drain..",
        "batcycle.startup..", "batcycle.limits..", "batcycle.retry..", "batcycle.breaker..")
        .check(classes);
  }
}
