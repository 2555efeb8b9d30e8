package batcycle.inject;

import static org.assertj.core.api.Assertions.assertThat;

import batcycle.config.BatcycleConfig;
import batcycle.config.BuildInfo;
import batcycle.config.ConfigLoader;
import batcycle.config.Invocation;
import batcycle.lifecycle.StartupChecks;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;

/**
 * {@code batcycle inject} on whole files, in-process: what it adds, what it leaves alone, and what it refuses. The
 * seed's manifest and the multi-document file are also checked against the Kubernetes schemas, and against
 * {@code k8s/}, by .ci/validate/validate.mjs.
 */
class InjectCommandTest {
  @TempDir
  Path dir;

  private String stdout = "";
  private String stderr = "";

  @Test
  void seedDeploymentGetsNativeSidecarConfigMapAndServiceThroughBatcycle() throws IOException {
    int code = inject(resource("seed.yaml"));

    assertThat(code).isZero();
    List<Map<String, Object>> objects = objects(stdout);
    assertThat(objects).extracting(o -> o.get("kind")).containsExactly("Namespace", "ConfigMap", "Deployment", "Service");
    Map<String, Object> pod = path(find(objects, "Deployment", "myapp"), "spec", "template");
    Map<String, Object> spec = path(pod, "spec");
    Map<String, Object> sidecar = only(list(spec, "initContainers"));
    assertThat(sidecar).containsEntry("name", "batcycle").containsEntry("image", "batcycle:" + BuildInfo.version())
        .containsEntry("restartPolicy", "Always");
    assertThat(env(sidecar)).containsEntry("BATCYCLE_UPSTREAM", "http://127.0.0.1:8080")
        .containsEntry("BATCYCLE_LISTEN", "0.0.0.0:8000").containsEntry("BATCYCLE_ADMIN", "0.0.0.0:9901")
        .containsEntry("BATCYCLE_TERMINATION_GRACE_PERIOD", "45s")
        .containsEntry("BATCYCLE_CONFIG", "/etc/batcycle/batcycle.yaml")
        .doesNotContainKeys("BATCYCLE_DRAIN_DELAY", "BATCYCLE_DRAIN_TIMEOUT");
    assertThat(sidecar).containsKeys("startupProbe", "livenessProbe", "readinessProbe", "resources", "securityContext");
    assertThat(path(sidecar, "securityContext")).containsEntry("runAsNonRoot", true).containsEntry("runAsUser", 10001)
        .containsEntry("readOnlyRootFilesystem", true);
    assertThat(spec).containsEntry("terminationGracePeriodSeconds", 45);
    assertThat(list(spec, "volumes")).extracting(v -> v.get("name")).containsExactly("batcycle-config", "batcycle-tmp");
    assertThat(path(list(spec, "volumes").get(0), "configMap")).containsEntry("name", "batcycle-config");
    assertThat(path(pod, "metadata", "annotations")).containsEntry("prometheus.io/scrape", "true")
        .containsEntry("prometheus.io/port", "9901").containsEntry("prometheus.io/path", "/metrics");
    Map<String, Object> app = only(list(spec, "containers"));
    assertThat(path(app, "lifecycle", "preStop", "httpGet")).isEqualTo(Map.of("path", "/prestop", "port", 9901));
    assertThat(only(list(path(find(objects, "Service", "myapp"), "spec"), "ports"))).containsEntry("targetPort", 8000)
        .containsEntry("port", 80);
    Map<String, Object> configMap = find(objects, "ConfigMap", "batcycle-config");
    assertThat(path(configMap, "metadata")).containsEntry("namespace", "fusion");
    assertThat(path(configMap, "data")).containsEntry("batcycle.yaml", SidecarTemplate.starterSettings());
    assertThat(stderr.lines()).containsExactly(
        "batcycle inject: deployment/myapp: added batcycle (native sidecar) in front of container myapp, port 8080",
        "batcycle inject: service/myapp: port 80 now targets batcycle's proxy port 8000 (it targeted the app's 8080)",
        "batcycle inject: added ConfigMap fusion/batcycle-config with batcycle's settings (kubectl apply replaces "
            + "one that exists: keep yours with --no-config-map)");
  }

  @Test
  void batcycleStartsWithoutWarningsFromTheSettingsAndEnvironmentItInjects() throws IOException {
    inject(resource("multi.yaml"));
    List<Map<String, Object>> objects = objects(stdout);
    Path settings = Files.writeString(dir.resolve("batcycle.yaml"),
        (String) path(find(objects, "ConfigMap", "batcycle-config"), "data").get("batcycle.yaml"));

    for (String name : List.of("web", "report")) {
      Map<String, Object> workload = objects.stream().filter(o -> name.equals(path(o, "metadata").get("name"))
          && !"Service".equals(o.get("kind")) && !"Ingress".equals(o.get("kind"))).findFirst().orElseThrow();
      Map<String, Object> podSpec = podSpec(workload);
      Map<String, String> env = new LinkedHashMap<>(env(sidecar(podSpec)));
      env.remove("BATCYCLE_CONFIG"); // the pod's path; the same file is given with --config here

      Invocation check = ConfigLoader.load(new String[] {"check", "--config", settings.toString()}, env);

      BatcycleConfig config = ((Invocation.Check) check).config();
      assertThat(StartupChecks.warnings(config)).as(name + ": start-up warnings").isEmpty();
      assertThat(config.upstream().url()).hasToString(env.get("BATCYCLE_UPSTREAM"));
      String grace = env.get("BATCYCLE_TERMINATION_GRACE_PERIOD");
      assertThat(grace).isEqualTo(podSpec.get("terminationGracePeriodSeconds") + "s");
    }
  }

  @Test
  void secondRunOnItsOwnOutputChangesNothing() throws IOException {
    inject(resource("multi.yaml"));
    String first = stdout;

    int code = inject(write("first.yaml", first));

    assertThat(code).isZero();
    assertThat(stdout).isEqualTo(first);
    assertThat(stderr.lines()).containsExactly(
        "batcycle inject: deployment/web: already has batcycle (container batcycle); left unchanged",
        "batcycle inject: cronjob/report: already has batcycle (container batcycle); left unchanged");
  }

  @Test
  void fileThatAlreadyHasBatcycleIsWrittenBackByteForByte() throws IOException {
    // As people write YAML: odd indentation, quoting and comments that a re-emit would normalise.
    String text = """
        apiVersion: apps/v1
        kind: Deployment   # hand-written
        metadata: {name: myapp}
        spec:
           template:
              spec:
                 containers:
                 -  name: myapp
                    image: 'myapp:1'
                    ports: [{containerPort: 8080}]
                 -  name: proxy
                    image: registry.example.com/team/batcycle:0.1.0
        ---
        apiVersion: v1
        kind: Service
        metadata: {name: myapp}
        spec: {selector: {app: myapp}, ports: [{port: 80, targetPort: 8000}]}
        """;

    int code = inject(write("has.yaml", text));

    assertThat(code).isZero();
    assertThat(stdout).isEqualTo(text);
    assertThat(stderr).isEqualTo("batcycle inject: deployment/myapp: already has batcycle (container proxy); left unchanged\n");
  }

  @Test
  void multiDocumentFileKeepsOtherObjectsAndSidecarsAndRetargetsOnlyTheAppPort() throws IOException {
    List<Map<String, Object>> before = objects(Files.readString(resource("multi.yaml")));

    int code = inject(resource("multi.yaml"));

    assertThat(code).isZero();
    List<Map<String, Object>> after = objects(stdout);
    assertThat(after).extracting(o -> o.get("kind"))
        .containsExactly("ConfigMap", "ConfigMap", "Deployment", "Service", "Ingress", "CronJob");
    assertThat(find(after, "Ingress", "web")).isEqualTo(find(before, "Ingress", "web"));
    assertThat(find(after, "ConfigMap", "web-settings")).isEqualTo(find(before, "ConfigMap", "web-settings"));
    Map<String, Object> web = podSpec(find(after, "Deployment", "web"));
    assertThat(list(web, "initContainers")).extracting(c -> c.get("name")).containsExactly("batcycle", "migrate");
    assertThat(list(web, "containers")).extracting(c -> c.get("name")).containsExactly("web", "mysidecar");
    assertThat(list(web, "containers").get(1)).isEqualTo(list(podSpec(find(before, "Deployment", "web")), "containers").get(1));
    assertThat(list(web, "volumes")).extracting(v -> v.get("name")).containsExactly("logs", "batcycle-config", "batcycle-tmp");
    // The pod chose 30 s: kept, and batcycle's drain shrinks to fit (5 s and 20 s scaled by 30/45).
    assertThat(web).containsEntry("terminationGracePeriodSeconds", 30);
    assertThat(env(sidecar(web))).containsEntry("BATCYCLE_UPSTREAM", "http://127.0.0.1:3000")
        .containsEntry("BATCYCLE_TERMINATION_GRACE_PERIOD", "30s").containsEntry("BATCYCLE_DRAIN_DELAY", "3s")
        .containsEntry("BATCYCLE_DRAIN_TIMEOUT", "13s");
    List<Map<String, Object>> ports = list(path(find(after, "Service", "web"), "spec"), "ports");
    assertThat(ports.get(0)).containsEntry("targetPort", 8000);
    assertThat(ports.get(1)).containsEntry("targetPort", "metrics");
    Map<String, Object> report = podSpec(find(after, "CronJob", "report"));
    assertThat(env(sidecar(report))).containsEntry("BATCYCLE_UPSTREAM", "http://127.0.0.1:8081");
    assertThat(report).containsEntry("terminationGracePeriodSeconds", 45).containsEntry("restartPolicy", "OnFailure");
    assertThat(stderr).contains("deployment/web: the app is container web, the only one with a containerPort",
        "deployment/web: forwarding to container web's port named http",
        "deployment/web: terminationGracePeriodSeconds is 30, so batcycle drains in 16s (drain.delay 3s, drain.timeout 13s)",
        "service/web: port 80 now targets batcycle's proxy port 8000 (it targeted the app's http)",
        "added ConfigMap shop/batcycle-config");
  }

  @Test
  void commentsKeyOrderAndQuotingOfTheInputAreKept() throws IOException {
    inject(resource("multi.yaml"));

    assertThat(stdout).contains("# Several objects in one file, as teams keep them",
        "  GREETING: hello # the app's own settings\n",
        "        - name: mysidecar # ships the app's log files; listens on nothing\n",
        "# The Service targets the app's port by name; the metrics port stays on the app.\n",
        "      labels: {app: web, tier: front}\n",
        "  schedule: \"0 3 * * *\"\n",
        "          args: [\"migrate\", \"--wait\"]\n");
    List<String> keys = stdout.lines().filter(l -> l.matches("[a-z][A-Za-z]*:.*")).toList();
    assertThat(keys.subList(0, 4)).containsExactly("apiVersion: v1", "kind: ConfigMap", "metadata:", "data:");
  }

  @Test
  void classicSidecarIsASecondContainerThatSleepsBeforeStopping() throws IOException {
    int code = inject(resource("seed.yaml"), "--classic");

    assertThat(code).isZero();
    Map<String, Object> spec = podSpec(find(objects(stdout), "Deployment", "myapp"));
    assertThat(spec).doesNotContainKey("initContainers");
    Map<String, Object> sidecar = list(spec, "containers").get(1);
    assertThat(sidecar).containsEntry("name", "batcycle").doesNotContainKey("restartPolicy");
    assertThat(path(sidecar, "lifecycle", "preStop", "exec")).isEqualTo(Map.of("command", List.of("sleep", "15")));
    assertThat(stderr).contains("added batcycle (classic sidecar)");
  }

  @Test
  void classicSidecarInAJobNamesTheEndpointThatLetsTheJobFinish() throws IOException {
    inject(write("job.yaml", """
        apiVersion: batch/v1
        kind: Job
        metadata: {name: once}
        spec:
          template:
            spec:
              restartPolicy: Never
              containers: [{name: once, image: once:1, ports: [{containerPort: 8080}]}]
        """), "--classic");

    assertThat(stderr).contains("job/once: a classic sidecar keeps a Job's pod running",
        "POST http://127.0.0.1:9901/quitquitquit");
  }

  @Test
  void podWithSeveralServingContainersIsRefusedNamingTheOption() throws IOException {
    Path file = write("two.yaml", """
        apiVersion: v1
        kind: Pod
        metadata: {name: two}
        spec:
          containers:
            - {name: a, image: a, ports: [{containerPort: 8080}]}
            - {name: b, image: b, ports: [{containerPort: 9090}]}
        """);

    assertThat(inject(file)).isEqualTo(2);
    assertThat(stdout).isEmpty();
    assertThat(stderr).isEqualTo("batcycle inject: pod/two: which container is the app? It has a, b; choose with "
        + "--app-container\n");

    assertThat(inject(file, "--app-container", "b")).isZero();
    assertThat(env(sidecar(path(find(objects(stdout), "Pod", "two"), "spec")))).containsEntry("BATCYCLE_UPSTREAM", "http://127.0.0.1:9090");
  }

  @Test
  void containerWithSeveralUnnamedPortsOrNoneNeedsAppPort() throws IOException {
    Path several = write("several.yaml", pod("ports: [{containerPort: 8080}, {containerPort: 9090, name: admin}]"));
    Path none = write("none.yaml", pod("args: [serve]"));

    assertThat(inject(several)).isEqualTo(2);
    assertThat(stderr).contains("pod/app: container app has ports 8080, 9090 (admin); choose the one batcycle forwards "
        + "to with --app-port");
    assertThat(inject(none)).isEqualTo(2);
    assertThat(stderr).contains("declares no TCP containerPort; give the port the app listens on with --app-port");

    assertThat(inject(none, "--app-port", "5000")).isZero();
    assertThat(env(sidecar(path(find(objects(stdout), "Pod", POD), "spec")))).containsEntry("BATCYCLE_UPSTREAM", "http://127.0.0.1:5000");
    // By name; the app's port named admin makes batcycle name its own batcycle-admin.
    assertThat(inject(several, "--app-port", "admin")).isZero();
    Map<String, Object> sidecar = sidecar(path(find(objects(stdout), "Pod", POD), "spec"));
    assertThat(env(sidecar)).containsEntry("BATCYCLE_UPSTREAM", "http://127.0.0.1:9090");
    assertThat(list(sidecar, "ports")).extracting(p -> p.get("name")).containsExactly("proxy", "batcycle-admin");
    assertThat(path(sidecar, "readinessProbe", "httpGet")).containsEntry("port", "batcycle-admin");
  }

  @Test
  void portNamedGrpcMakesBatcycleSpeakH2cToTheApp() throws IOException {
    int code = inject(write("grpc.yaml", pod("ports: [{name: grpc, containerPort: 50051}]")));

    assertThat(code).isZero();
    assertThat(env(sidecar(path(find(objects(stdout), "Pod", POD), "spec")))).containsEntry("BATCYCLE_UPSTREAM_PROTOCOL", "h2c");
    assertThat(stderr).contains("the app's port is named grpc, so batcycle speaks HTTP/2 (h2c) to it");
  }

  @Test
  void appOnBatcyclesPortIsRefusedUntilBatcycleMovesAndTheServiceFollows() throws IOException {
    Path file = write("on8000.yaml", pod("ports: [{containerPort: 8000}]") + """
        ---
        apiVersion: v1
        kind: Service
        metadata: {name: app}
        spec: {selector: {app: app}, ports: [{port: 8000}]}
        """);

    assertThat(inject(file)).isEqualTo(2);
    assertThat(stderr).isEqualTo("batcycle inject: pod/app: port 8000 is taken in the pod; give batcycle another with "
        + "--proxy-port\n");

    assertThat(inject(file, "--proxy-port", "8100")).isZero();
    List<Map<String, Object>> objects = objects(stdout);
    assertThat(env(sidecar(path(find(objects, "Pod", "app"), "spec")))).containsEntry("BATCYCLE_LISTEN", "0.0.0.0:8100");
    // No targetPort meant the Service's own port, 8000: the app's.
    assertThat(only(list(path(find(objects, "Service", "app"), "spec"), "ports"))).containsEntry("targetPort", 8100);
  }

  @Test
  void appWithItsOwnPreStopKeepsItAndIsToldWhatToAdd() throws IOException {
    inject(write("hook.yaml", pod("""
        ports: [{containerPort: 8080}]
              lifecycle:
                preStop:
                  exec: {command: [sleep, "10"]}""")));

    Map<String, Object> app = list(path(find(objects(stdout), "Pod", POD), "spec"), "containers").get(0);
    assertThat(path(app, "lifecycle", "preStop")).isEqualTo(Map.of("exec", Map.of("command", List.of("sleep", "10"))));
    assertThat(stderr).contains("container app keeps its own preStop hook; add an httpGet of /prestop on port 9901");
  }

  @Test
  void workloadAnnotatedInjectFalseAndOwnScrapeAnnotationsAreLeftAlone() throws IOException {
    inject(write("mixed.yaml", """
        apiVersion: apps/v1
        kind: Deployment
        metadata:
          name: skip
          annotations: {batcycle.io/inject: "false"}
        spec:
          template:
            spec:
              containers: [{name: skip, image: skip, ports: [{containerPort: 8080}]}]
        ---
        apiVersion: apps/v1
        kind: StatefulSet
        metadata: {name: db}
        spec:
          template:
            metadata:
              annotations: {prometheus.io/scrape: "true", prometheus.io/port: "9187"}
            spec:
              containers: [{name: db, image: db, ports: [{containerPort: 5432}]}]
        """));

    List<Map<String, Object>> objects = objects(stdout);
    assertThat(podSpec(find(objects, "Deployment", "skip"))).doesNotContainKey("initContainers");
    assertThat(path(find(objects, "StatefulSet", "db"), "spec", "template", "metadata", "annotations"))
        .isEqualTo(Map.of("prometheus.io/scrape", "true", "prometheus.io/port", "9187"));
    assertThat(stderr).contains("deployment/skip: annotated batcycle.io/inject: \"false\"; left unchanged",
        "statefulset/db: keeps its own prometheus.io/* annotations");
  }

  @Test
  void kubectlListFromStdinGetsItsConfigMapAsAnItem() {
    String list = """
        apiVersion: v1
        kind: List
        items:
          - apiVersion: apps/v1
            kind: Deployment
            metadata: {name: myapp, namespace: fusion}
            spec:
              template:
                spec:
                  containers: [{name: myapp, image: myapp, ports: [{containerPort: 8080}]}]
        """;

    int code = injectStdin(list, "-", "--image", "registry.example.com/batcycle:1", "--config-map", "edge");

    assertThat(code).isZero();
    Map<String, Object> root = only(objects(stdout));
    List<Map<String, Object>> items = list(root, "items");
    assertThat(items).extracting(o -> o.get("kind")).containsExactly("ConfigMap", "Deployment");
    assertThat(path(items.get(0), "metadata")).isEqualTo(Map.of("name", "edge", "namespace", "fusion"));
    Map<String, Object> spec = podSpec(items.get(1));
    assertThat(sidecar(spec)).containsEntry("image", "registry.example.com/batcycle:1");
    assertThat(path(list(spec, "volumes").get(0), "configMap")).containsEntry("name", "edge");
  }

  @Test
  void configMapIsAddedOnlyToNamespacesWhoseInputLacksIt() throws IOException {
    String seed = Files.readString(resource("seed.yaml"));
    String ownConfigMap = "---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: batcycle-config, namespace: %s}\n";

    inject(write("own.yaml", seed + ownConfigMap.formatted("fusion")));
    assertThat(objects(stdout)).filteredOn(o -> "ConfigMap".equals(o.get("kind"))).hasSize(1);
    assertThat(stderr).doesNotContain("added ConfigMap");

    inject(write("elsewhere.yaml", seed + ownConfigMap.formatted("other")));
    assertThat(objects(stdout)).filteredOn(o -> "ConfigMap".equals(o.get("kind"))).hasSize(2);

    inject(resource("seed.yaml"), "--no-config-map");
    assertThat(objects(stdout)).extracting(o -> o.get("kind")).doesNotContain("ConfigMap");
  }

  @Test
  void badInputAndBadOptionsExitTwoWithNothingOnStdout() throws IOException {
    assertThat(inject(write("bad.yaml", "kind: Deployment\n  metadata: x\n bad"))).isEqualTo(2);
    assertThat(stderr).startsWith("batcycle inject: ").contains("bad.yaml: not valid YAML");
    assertThat(inject(dir.resolve("missing.yaml"))).isEqualTo(2);
    assertThat(stderr).contains("missing.yaml: cannot read it");
    assertThat(inject(resource("seed.yaml"), "--proxy-port", "70000")).isEqualTo(2);
    assertThat(stderr).contains("--proxy-port: '70000' is not a port (1..65535)");
    assertThat(inject(resource("seed.yaml"), "--admin-port", "8000")).isEqualTo(2);
    assertThat(stderr).contains("--proxy-port and --admin-port are both 8000");
    assertThat(inject(resource("seed.yaml"), "--image", "bad image")).isEqualTo(2);
    assertThat(stdout).isEmpty();
  }

  @Test
  void inputWithoutWorkloadsComesBackUnchanged() throws IOException {
    String text = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\n";

    assertThat(inject(write("cm.yaml", text))).isZero();
    assertThat(stdout).isEqualTo(text);
    assertThat(stderr).contains("no Deployment, StatefulSet, DaemonSet, ReplicaSet, Job, CronJob or Pod in the input");
  }

  @Test
  void helpShowsAnExample() {
    assertThat(injectStdin("", "--help")).isZero();
    assertThat(stdout).contains("Usage: java -jar batcycle.jar inject", "--classic", "--app-port",
        "Examples:", "| kubectl apply -f -");
  }

  @Test
  void componentImageIsThisBuildsVersion() {
    // The component pins batcycle's image; inject writes this build's. Both must move with the pom's version.
    assertThat(SidecarTemplate.load().container().text("image")).contains("batcycle:" + BuildInfo.version());
  }

  // --- helpers ---------------------------------------------------------------------------------------------------

  private int inject(Path file, String... options) {
    List<String> args = new ArrayList<>(List.of(options));
    args.add(file.toString());
    return injectStdin("", args.toArray(String[]::new));
  }

  private int injectStdin(String input, String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    InputStream in = new ByteArrayInputStream(input.getBytes(StandardCharsets.UTF_8));
    int code = InjectCommand.run(args, in, new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8));
    stdout = out.toString(StandardCharsets.UTF_8);
    stderr = err.toString(StandardCharsets.UTF_8);
    return code;
  }

  private Path write(String name, String text) throws IOException {
    return Files.writeString(dir.resolve(name), text);
  }

  private static final String POD = "app";

  private static String pod(String containerFields) {
    return """
        apiVersion: v1
        kind: Pod
        metadata: {name: app, labels: {app: app}}
        spec:
          containers:
            - name: app
              image: app:1
              %s
        """.formatted(containerFields);
  }

  private static Path resource(String name) {
    return Path.of("src/test/resources/batcycle/inject", name);
  }

  @SuppressWarnings("unchecked")
  private static List<Map<String, Object>> objects(String yaml) {
    List<Map<String, Object>> objects = new ArrayList<>();
    new Load(LoadSettings.builder().build()).loadAllFromString(yaml).forEach(o -> {
      if (o != null) {
        objects.add((Map<String, Object>) o);
      }
    });
    return objects;
  }

  private static Map<String, Object> find(List<Map<String, Object>> objects, String kind, String name) {
    return objects.stream().filter(o -> kind.equals(o.get("kind")) && name.equals(path(o, "metadata").get("name")))
        .findFirst().orElseThrow(() -> new AssertionError("no " + kind + " " + name));
  }

  private static Map<String, Object> podSpec(Map<String, Object> workload) {
    Map<String, Object> spec = path(workload, "spec");
    return Optional.ofNullable(spec.get("jobTemplate")).map(j -> path(spec, "jobTemplate", "spec", "template", "spec"))
        .orElseGet(() -> path(spec, "template", "spec"));
  }

  private static Map<String, Object> sidecar(Map<String, Object> podSpec) {
    List<Map<String, Object>> all = new ArrayList<>();
    all.addAll(list(podSpec, "initContainers"));
    all.addAll(list(podSpec, "containers"));
    return all.stream().filter(c -> "batcycle".equals(c.get("name"))).findFirst().orElseThrow();
  }

  private static Map<String, String> env(Map<String, Object> container) {
    Map<String, String> env = new LinkedHashMap<>();
    list(container, "env").stream().filter(e -> e.get("value") != null)
        .forEach(e -> env.put((String) e.get("name"), (String) e.get("value")));
    return env;
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> path(Map<String, Object> map, String... keys) {
    Map<String, Object> at = map;
    for (String key : keys) {
      at = (Map<String, Object>) Objects.requireNonNull(at.get(key), key);
    }
    return at;
  }

  @SuppressWarnings("unchecked")
  private static List<Map<String, Object>> list(Map<String, Object> map, String key) {
    return (List<Map<String, Object>>) map.getOrDefault(key, List.of());
  }

  private static <T> T only(List<T> list) {
    assertThat(list).hasSize(1);
    return list.get(0);
  }
}
