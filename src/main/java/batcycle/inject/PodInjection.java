package batcycle.inject;

import static batcycle.inject.YamlMap.number;
import static batcycle.inject.YamlMap.string;

import batcycle.config.Key;
import batcycle.config.Values;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.snakeyaml.engine.v2.comments.CommentLine;
import org.snakeyaml.engine.v2.comments.CommentType;
import org.snakeyaml.engine.v2.common.FlowStyle;
import org.snakeyaml.engine.v2.nodes.Node;
import org.snakeyaml.engine.v2.nodes.NodeTuple;
import org.snakeyaml.engine.v2.nodes.SequenceNode;
import org.snakeyaml.engine.v2.nodes.Tag;

/**
 * Adds batcycle to one workload's pod: the container (native sidecar or classic), its volumes, the scrape
 * annotations, the grace period and drain timings, and the app's preStop hook that starts batcycle's drain. Checks
 * first, changes after: a pod it refuses is left untouched.
 */
final class PodInjection {
  static final String CONTAINER = "batcycle";
  private static final String PRESTOP_PATH = "/prestop";
  private static final String SCRAPE_PREFIX = "prometheus.io/";

  private final Workload workload;
  private final InjectOptions options;
  private final Consumer<String> note;

  private PodInjection(Workload workload, InjectOptions options, Consumer<String> note) {
    this.workload = workload;
    this.options = options;
    this.note = note;
  }

  /** The batcycle container already in the pod, if any: one named batcycle, or one running a batcycle image. */
  static Optional<String> existingSidecar(Workload workload) {
    return containers(workload.podSpec())
        .filter(c -> c.text("name").orElse("").equals(CONTAINER)
            || c.text("image").orElse("").matches("(.*/)?batcycle([:@].*)?"))
        .map(c -> c.text("name").orElse("?")).findFirst();
  }

  /** Adds batcycle and returns the app it forwards to; throws, changing nothing, when a decision is missing. */
  static AppChoice apply(Workload workload, InjectOptions options, Consumer<String> note) {
    return new PodInjection(workload, options, note).apply();
  }

  private AppChoice apply() {
    String id = workload.id();
    YamlMap spec = workload.podSpec();
    AppChoice app = AppChoice.choose(workload, options, note);
    List<YamlMap> ports = containers(spec).flatMap(c -> c.maps("ports").stream()).toList();
    for (int port : new int[] {options.proxyPort(), options.adminPort()}) {
      String flag = port == options.proxyPort() ? "--proxy-port" : "--admin-port";
      if (port == app.port() || ports.stream().anyMatch(p -> p.text("containerPort").orElse("").equals(Integer.toString(port)))) {
        throw new InjectException(id + ": port " + port + " is taken in the pod; give batcycle another with " + flag);
      }
    }
    Set<String> portNames = new HashSet<>();
    ports.forEach(p -> p.text("name").ifPresent(portNames::add));
    String proxyName = portNames.contains("proxy") ? "batcycle-proxy" : "proxy";
    String adminName = portNames.contains("admin") ? "batcycle-admin" : "admin";

    SidecarTemplate template = SidecarTemplate.load();
    Set<String> volumes = new HashSet<>();
    spec.maps("volumes").forEach(v -> v.text("name").ifPresent(volumes::add));
    for (Node volume : template.volumes()) {
      String name = YamlMap.of(volume).flatMap(v -> v.text("name")).orElseThrow();
      if (volumes.contains(name)) {
        throw new InjectException(id + ": the pod already has a volume named " + name + ", which batcycle needs");
      }
    }
    OptionalInt grace;
    try {
      grace = spec.text(SidecarTemplate.GRACE_PERIOD).map(g -> OptionalInt.of(Integer.parseInt(g))).orElse(OptionalInt.empty());
    } catch (NumberFormatException e) {
      throw new InjectException(id + ": terminationGracePeriodSeconds is not a whole number of seconds");
    }
    DrainPlan drain = DrainPlan.fit(grace, template.gracePeriodSeconds());

    YamlMap sidecar = template.container();
    sidecar.put("image", string(options.image()));
    configure(sidecar, app, drain, proxyName, adminName);
    if (options.classic()) {
      sidecar.remove("restartPolicy");
      sidecar.put("lifecycle", sleepBeforeStop(drain.classicSleepSeconds()).node());
      spec.sequenceOrCreate("containers").getValue().add(sidecar.node());
    } else {
      // First, as kustomize's patch puts it: batcycle is up before any other init container runs.
      if (!spec.has("initContainers")) {
        spec.addBefore("containers", new NodeTuple(string("initContainers"), YamlMap.sequence()));
      }
      spec.sequence("initContainers").orElseThrow().getValue().add(0, sidecar.node());
    }
    for (Node volume : template.volumes()) {
      YamlMap.of(volume).flatMap(v -> v.map("configMap")).ifPresent(cm -> cm.put("name", string(options.configMap())));
      spec.sequenceOrCreate("volumes").getValue().add(volume);
    }
    if (drain.addGrace()) {
      spec.addBefore(spec.has("initContainers") ? "initContainers" : "containers", template.gracePeriod());
    }
    annotate(template.annotations());
    startDrainFromApp(app);
    if (spec.text("hostNetwork").filter("true"::equals).isPresent()) {
      note.accept(id + ": hostNetwork is on, so batcycle's ports " + options.proxyPort() + " and "
          + options.adminPort() + " open on the node itself");
    }
    if (options.classic() && workload.isJob()) {
      note.accept(id + ": a classic sidecar keeps a Job's pod running: when the job's work is done, its container "
          + "must call POST http://127.0.0.1:" + options.adminPort() + "/quitquitquit (a native sidecar needs nothing)");
    }
    return app;
  }

  private void configure(YamlMap sidecar, AppChoice app, DrainPlan drain, String proxyName, String adminName) {
    SequenceNode env = sidecar.sequence("env").orElseThrow();
    setEnv(env, Key.LISTEN, "0.0.0.0:" + options.proxyPort());
    setEnv(env, Key.ADMIN, "0.0.0.0:" + options.adminPort());
    setEnv(env, Key.UPSTREAM, "http://127.0.0.1:" + app.port());
    if (app.h2c()) {
      addEnvAfter(env, Key.UPSTREAM, Key.UPSTREAM_PROTOCOL, "h2c");
      note.accept(workload.id() + ": the app's port is named " + app.portName().orElse("") + ", so batcycle speaks "
          + "HTTP/2 (h2c) to it");
    }
    setEnv(env, Key.TERMINATION_GRACE_PERIOD, drain.graceSeconds() + "s");
    drain.drainTimeout().ifPresent(d -> addEnvAfter(env, Key.TERMINATION_GRACE_PERIOD, Key.DRAIN_TIMEOUT, Values.format(d)));
    drain.drainDelay().ifPresent(d -> addEnvAfter(env, Key.TERMINATION_GRACE_PERIOD, Key.DRAIN_DELAY, Values.format(d)));
    if (drain.drainDelay().isPresent()) {
      note.accept(workload.id() + ": terminationGracePeriodSeconds is " + drain.graceSeconds() + ", so batcycle "
          + "drains in " + Values.format(drain.drainDelay().get().plus(drain.drainTimeout().orElse(Duration.ZERO)))
          + " (drain.delay " + Values.format(drain.drainDelay().get()) + ", drain.timeout "
          + Values.format(drain.drainTimeout().orElse(Duration.ZERO)) + ")");
    }
    for (YamlMap port : sidecar.maps("ports")) {
      boolean proxy = port.text("name").orElse("").equals("proxy");
      port.put("name", string(proxy ? proxyName : adminName));
      port.put("containerPort", number(proxy ? options.proxyPort() : options.adminPort()));
    }
    for (String probe : List.of("startupProbe", "livenessProbe", "readinessProbe")) {
      sidecar.map(probe).flatMap(p -> p.map("httpGet")).ifPresent(get -> get.put("port", string(adminName)));
    }
  }

  /** The pod's annotations for Prometheus' annotation-based scraping, unless the pod has its own already. */
  private void annotate(YamlMap scrape) {
    YamlMap annotations = workload.podMetadata().mapOrCreate("annotations");
    if (annotations.keys().stream().anyMatch(k -> k.startsWith(SCRAPE_PREFIX))) {
      note.accept(workload.id() + ": keeps its own prometheus.io/* annotations, so scraping by annotation does not "
          + "see batcycle's metrics (port " + options.adminPort() + ", /metrics): use a PodMonitor (k8s/base/podmonitor.yaml)");
      return;
    }
    scrape.put("prometheus.io/port", string(Integer.toString(options.adminPort())));
    scrape.node().getValue().forEach(annotations::add);
  }

  /**
   * The app's preStop hook calls batcycle's GET /prestop: batcycle starts draining while the app still serves, and
   * the call returns after drain.delay, holding the app's SIGTERM back until the endpoint removal has spread. An app
   * with a preStop of its own keeps it.
   */
  private void startDrainFromApp(AppChoice app) {
    YamlMap container = app.container();
    if (container.map("lifecycle").filter(l -> l.has("preStop")).isPresent()) {
      note.accept(workload.id() + ": container " + app.containerName() + " keeps its own preStop hook; add an httpGet of "
          + PRESTOP_PATH + " on port " + options.adminPort() + " to it, or batcycle starts draining only when the app "
          + "has exited (README.md, \"Start-up and graceful shutdown\")");
      return;
    }
    YamlMap get = YamlMap.create();
    get.put("path", string(PRESTOP_PATH));
    get.put("port", number(options.adminPort()));
    YamlMap hook = YamlMap.create();
    hook.put("httpGet", get.node());
    NodeTuple preStop = new NodeTuple(string("preStop"), hook.node());
    preStop.getKeyNode().setBlockComments(comment(
        " batcycle starts draining and holds this container's SIGTERM back for drain.delay"));
    container.mapOrCreate("lifecycle").add(preStop);
  }

  private static YamlMap sleepBeforeStop(int seconds) {
    // The runtime image is Debian based and has sleep; this outlives the app's in-flight requests.
    SequenceNode command = new SequenceNode(Tag.SEQ, new ArrayList<>(List.of(string("sleep"), string(Integer.toString(seconds)))),
        FlowStyle.FLOW);
    YamlMap hook = YamlMap.create();
    hook.mapOrCreate("exec").put("command", command);
    YamlMap lifecycle = YamlMap.create();
    lifecycle.put("preStop", hook.node());
    return lifecycle;
  }

  private static void setEnv(SequenceNode env, Key key, String value) {
    YamlMap.of(env.getValue().get(envIndex(env, key))).orElseThrow().put("value", string(value));
  }

  private static void addEnvAfter(SequenceNode env, Key after, Key key, String value) {
    YamlMap variable = YamlMap.create();
    variable.put("name", string(key.envName()));
    variable.put("value", string(value));
    env.getValue().add(envIndex(env, after) + 1, variable.node());
  }

  private static int envIndex(SequenceNode env, Key key) {
    for (int i = 0; i < env.getValue().size(); i++) {
      if (YamlMap.of(env.getValue().get(i)).flatMap(v -> v.text("name")).filter(key.envName()::equals).isPresent()) {
        return i;
      }
    }
    throw new IllegalStateException(key.envName() + " is missing from the sidecar template");
  }

  static List<CommentLine> comment(String text) {
    return List.of(new CommentLine(Optional.empty(), Optional.empty(), text, CommentType.BLOCK));
  }

  private static Stream<YamlMap> containers(YamlMap spec) {
    return Stream.concat(spec.maps("initContainers").stream(), spec.maps("containers").stream());
  }
}
