package batcycle.inject;

import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * An object that runs pods, seen through its pod template: a Deployment, StatefulSet, DaemonSet, ReplicaSet, Job or
 * CronJob (the template's metadata and spec), or a Pod itself.
 *
 * @param metadata the object's own metadata (name, namespace, the opt-out annotation)
 * @param template the pod template (for a Pod, the Pod itself)
 * @param podSpec the pod spec
 */
record Workload(String kind, String name, Optional<String> namespace, YamlMap metadata, YamlMap template,
                YamlMap podSpec) {
  /** {@code batcycle.io/inject: "false"} on the object leaves it alone, here and in the kustomize component. */
  static final String OPT_OUT = "batcycle.io/inject";

  /** Empty when the object does not run pods; throws when it should but has no pod spec. */
  static Optional<Workload> of(YamlMap object) {
    String kind = object.text("kind").orElse("");
    // Where each kind keeps its pod template; a Pod is its own.
    List<String> path = switch (kind) {
      case "Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "Job" -> List.of("spec", "template");
      case "CronJob" -> List.of("spec", "jobTemplate", "spec", "template");
      case "Pod" -> List.of();
      default -> null;
    };
    if (path == null) {
      return Optional.empty();
    }
    YamlMap metadata = object.map("metadata").orElseGet(YamlMap::create);
    String name = metadata.text("name").orElse("(unnamed)");
    Optional<YamlMap> template = Optional.of(object);
    for (String key : path) {
      template = template.flatMap(t -> t.map(key));
    }
    YamlMap podSpec = template.flatMap(t -> t.map("spec")).filter(s -> !s.maps("containers").isEmpty())
        .orElseThrow(() -> new InjectException(kind.toLowerCase(Locale.ROOT) + "/" + name + ": no containers under "
            + String.join(".", path) + (path.isEmpty() ? "" : ".") + "spec"));
    return Optional.of(new Workload(kind, name, metadata.text("namespace"), metadata, template.get(), podSpec));
  }

  /** Where the pods' labels and annotations live; created when missing, so call it only to change the pod. */
  YamlMap podMetadata() {
    return template.mapOrCreate("metadata");
  }

  /** The pods' labels, which Services select on. */
  Optional<YamlMap> podLabels() {
    return template.map("metadata").flatMap(m -> m.map("labels"));
  }

  /** As kubectl names it: {@code deployment/myapp}. */
  String id() {
    return kind.toLowerCase(Locale.ROOT) + "/" + name;
  }

  boolean optedOut() {
    return metadata.map("annotations").flatMap(a -> a.text(OPT_OUT)).filter("false"::equalsIgnoreCase).isPresent();
  }

  boolean isJob() {
    return kind.equals("Job") || kind.equals("CronJob");
  }
}
