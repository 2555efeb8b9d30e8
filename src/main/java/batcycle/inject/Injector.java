package batcycle.inject;

import static batcycle.inject.YamlMap.string;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.snakeyaml.engine.v2.comments.CommentLine;
import org.snakeyaml.engine.v2.comments.CommentType;
import org.snakeyaml.engine.v2.common.ScalarStyle;
import org.snakeyaml.engine.v2.nodes.Node;
import org.snakeyaml.engine.v2.nodes.ScalarNode;
import org.snakeyaml.engine.v2.nodes.SequenceNode;
import org.snakeyaml.engine.v2.nodes.Tag;

/**
 * {@code batcycle inject} over a set of YAML documents: batcycle goes into every workload that has none yet, the
 * Services that select those pods send the app's traffic to batcycle's proxy port, and each namespace gets the
 * ConfigMap the sidecars mount when the input lacks it. Every other object passes through untouched; so does a
 * workload that already has batcycle, which makes a second run a no-op.
 */
final class Injector {
  private final InjectOptions options;
  private final List<String> notes = new ArrayList<>();

  /** The documents (changed in place, plus any ConfigMap added), what to tell the user, and whether anything changed. */
  record Result(List<Node> documents, List<String> notes, boolean changed) {}

  /** An object and where it sits: a document of its own, or an item of a {@code kind: List} document. */
  private record Placed(YamlMap object, int document, Optional<SequenceNode> list) {
    Optional<String> kind() {
      return object.text("kind");
    }

    Optional<String> namespace() {
      return object.map("metadata").flatMap(m -> m.text("namespace"));
    }
  }

  private record Injected(Workload workload, AppChoice app, Placed placed) {}

  Injector(InjectOptions options) {
    this.options = options;
  }

  Result inject(List<Node> documents) {
    List<Placed> objects = objects(documents);
    List<Injected> injected = new ArrayList<>();
    int workloads = 0;
    for (Placed placed : objects) {
      Optional<Workload> found = Workload.of(placed.object());
      if (found.isEmpty()) {
        continue;
      }
      workloads++;
      Workload workload = found.get();
      Optional<String> existing = PodInjection.existingSidecar(workload);
      if (workload.optedOut()) {
        notes.add(workload.id() + ": annotated " + Workload.OPT_OUT + ": \"false\"; left unchanged");
      } else if (existing.isPresent()) {
        notes.add(workload.id() + ": already has batcycle (container " + existing.get() + "); left unchanged");
      } else {
        AppChoice app = PodInjection.apply(workload, options, notes::add);
        injected.add(new Injected(workload, app, placed));
        notes.add(workload.id() + ": added batcycle (" + (options.classic() ? "classic sidecar" : "native sidecar")
            + ") in front of container " + app.containerName() + ", port " + app.port());
      }
    }
    if (workloads == 0) {
      notes.add("no Deployment, StatefulSet, DaemonSet, ReplicaSet, Job, CronJob or Pod in the input; nothing changed");
    }
    if (injected.isEmpty()) {
      return new Result(documents, notes, false);
    }
    objects.stream().filter(p -> p.kind().filter("Service"::equals).isPresent()).forEach(s -> retarget(s, injected));
    return new Result(withConfigMaps(documents, objects, injected), notes, true);
  }

  /** Points the ports of a Service that reach an injected app at batcycle's proxy port instead. */
  private void retarget(Placed service, List<Injected> injected) {
    YamlMap object = service.object();
    String id = "service/" + object.map("metadata").flatMap(m -> m.text("name")).orElse("(unnamed)");
    if (object.map("metadata").flatMap(m -> m.map("annotations")).flatMap(a -> a.text(Workload.OPT_OUT))
        .filter("false"::equalsIgnoreCase).isPresent()) {
      notes.add(id + ": annotated " + Workload.OPT_OUT + ": \"false\"; left unchanged");
      return;
    }
    Optional<YamlMap> spec = object.map("spec");
    Map<String, String> selector = new LinkedHashMap<>();
    spec.flatMap(s -> s.map("selector")).ifPresent(m -> m.keys().forEach(k -> selector.put(k, m.text(k).orElse(""))));
    if (selector.isEmpty()) {
      return;
    }
    for (Injected target : injected) {
      Workload workload = target.workload();
      boolean selects = Objects.equals(service.namespace(), workload.namespace())
          && workload.podLabels().filter(labels -> selector.entrySet().stream()
              .allMatch(e -> labels.text(e.getKey()).filter(e.getValue()::equals).isPresent())).isPresent();
      if (!selects) {
        continue;
      }
      boolean changed = false;
      for (YamlMap port : spec.get().maps("ports")) {
        // No targetPort means the Service's own port number.
        Node targetPort = port.get("targetPort").or(() -> port.get("port")).orElse(null);
        if (!(targetPort instanceof ScalarNode value) || !reachesApp(value, target.app())) {
          continue;
        }
        ScalarNode proxy = YamlMap.number(options.proxyPort());
        proxy.setInLineComments(List.of(new CommentLine(Optional.empty(), Optional.empty(),
            " batcycle's proxy port; the app's is " + value.getValue(), CommentType.IN_LINE)));
        port.put("targetPort", proxy);
        notes.add(id + ": port " + port.text("port").orElse("?") + " now targets batcycle's proxy port "
            + options.proxyPort() + " (it targeted the app's " + value.getValue() + ")");
        changed = true;
      }
      if (!changed) {
        notes.add(id + ": selects " + workload.id() + "'s pods, but none of its ports targets the app's port "
            + target.app().port() + "; left unchanged");
      }
    }
  }

  private static boolean reachesApp(ScalarNode targetPort, AppChoice app) {
    String value = targetPort.getValue();
    return value.chars().allMatch(Character::isDigit)
        ? value.equals(Integer.toString(app.port()))
        : app.portName().filter(value::equals).isPresent();
  }

  /**
   * Adds the ConfigMap the sidecars mount to each namespace that lacks it in the input, just before the first
   * workload that needs it, so that {@code kubectl apply} creates it first.
   */
  private List<Node> withConfigMaps(List<Node> documents, List<Placed> objects, List<Injected> injected) {
    if (!options.addConfigMap()) {
      return documents;
    }
    Map<Optional<String>, Placed> firstUse = new LinkedHashMap<>();
    for (Injected i : injected) {
      firstUse.putIfAbsent(i.workload().namespace(), i.placed());
    }
    Map<Integer, List<Node>> before = new HashMap<>();
    firstUse.forEach((namespace, placed) -> {
      boolean present = objects.stream().anyMatch(p -> p.kind().filter("ConfigMap"::equals).isPresent()
          && p.namespace().equals(namespace)
          && p.object().map("metadata").flatMap(m -> m.text("name")).filter(options.configMap()::equals).isPresent());
      if (present) {
        return;
      }
      Node configMap = configMap(namespace);
      if (placed.list().isPresent()) {
        List<Node> items = placed.list().get().getValue();
        items.add(items.indexOf(placed.object().node()), configMap);
      } else {
        before.computeIfAbsent(placed.document(), d -> new ArrayList<>()).add(configMap);
      }
      notes.add("added ConfigMap " + namespace.map(n -> n + "/").orElse("") + options.configMap()
          + " with batcycle's settings (kubectl apply replaces one that exists: keep yours with --no-config-map)");
    });
    List<Node> result = new ArrayList<>();
    for (int i = 0; i < documents.size(); i++) {
      result.addAll(before.getOrDefault(i, List.of()));
      result.add(documents.get(i));
    }
    return result;
  }

  private Node configMap(Optional<String> namespace) {
    YamlMap metadata = YamlMap.create();
    metadata.put("name", string(options.configMap()));
    namespace.ifPresent(n -> metadata.put("namespace", string(n)));
    YamlMap data = YamlMap.create();
    data.put("batcycle.yaml", new ScalarNode(Tag.STR, SidecarTemplate.starterSettings(), ScalarStyle.LITERAL));
    YamlMap configMap = YamlMap.create();
    configMap.put("apiVersion", string("v1"));
    configMap.put("kind", string("ConfigMap"));
    configMap.put("metadata", metadata.node());
    configMap.put("data", data.node());
    configMap.tuple("apiVersion").orElseThrow().getKeyNode().setBlockComments(PodInjection.comment(
        " Added by batcycle inject: the file every batcycle of the namespace reads at start-up."));
    return configMap.node();
  }

  private static List<Placed> objects(List<Node> documents) {
    List<Placed> objects = new ArrayList<>();
    for (int i = 0; i < documents.size(); i++) {
      int document = i;
      YamlMap.of(documents.get(i)).ifPresent(object -> {
        Optional<SequenceNode> items = object.text("kind").filter("List"::equals).flatMap(k -> object.sequence("items"));
        if (items.isPresent()) {
          items.get().getValue().forEach(item -> YamlMap.of(item)
              .ifPresent(o -> objects.add(new Placed(o, document, items))));
        } else {
          objects.add(new Placed(object, document, Optional.empty()));
        }
      });
    }
    return objects;
  }
}
