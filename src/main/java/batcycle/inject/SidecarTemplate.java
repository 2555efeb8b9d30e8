package batcycle.inject;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.snakeyaml.engine.v2.nodes.Node;
import org.snakeyaml.engine.v2.nodes.NodeTuple;

/**
 * batcycle's part of a pod as the kustomize component declares it ({@code k8s/components/batcycle/sidecar.yaml},
 * which the build copies into the jar): the container, its volumes, the scrape annotations and the grace period.
 * Each instance is a fresh parse, so what one workload gets is never shared with another.
 */
final class SidecarTemplate {
  static final String GRACE_PERIOD = "terminationGracePeriodSeconds";
  private static final String SIDECAR = "/batcycle/inject/sidecar.yaml";
  private static final String SETTINGS = "/batcycle/inject/batcycle.yaml";

  private final YamlMap podTemplate;

  private SidecarTemplate(YamlMap podTemplate) {
    this.podTemplate = podTemplate;
  }

  static SidecarTemplate load() {
    List<Node> documents = Manifests.parse(resource(SIDECAR), SIDECAR);
    YamlMap patch = YamlMap.of(documents.get(0)).orElseThrow();
    return new SidecarTemplate(patch.map("spec").flatMap(s -> s.map("template")).orElseThrow());
  }

  /** The component's batcycle.yaml: the settings a new ConfigMap starts with. */
  static String starterSettings() {
    return resource(SETTINGS);
  }

  YamlMap container() {
    return spec().maps("initContainers").get(0);
  }

  List<Node> volumes() {
    return spec().sequence("volumes").orElseThrow().getValue();
  }

  YamlMap annotations() {
    return podTemplate.map("metadata").flatMap(m -> m.map("annotations")).orElseThrow();
  }

  /** The grace period key with its comment, for a pod that sets none. */
  NodeTuple gracePeriod() {
    return spec().tuple(GRACE_PERIOD).orElseThrow();
  }

  int gracePeriodSeconds() {
    return Integer.parseInt(spec().text(GRACE_PERIOD).orElseThrow());
  }

  private YamlMap spec() {
    return podTemplate.map("spec").orElseThrow();
  }

  private static String resource(String name) {
    try (InputStream in = SidecarTemplate.class.getResourceAsStream(name)) {
      if (in == null) {
        throw new IllegalStateException(name + " is missing from the jar");
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
