package batcycle.inject;

import batcycle.config.BuildInfo;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.snakeyaml.engine.v2.nodes.Node;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Model.PositionalParamSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParseResult;

/**
 * {@code java -jar batcycle.jar inject FILE...|-}: reads Kubernetes YAML, adds batcycle to its workloads and writes
 * the result on stdout, with one line on stderr for each thing it did or left alone. Nothing on stdout when it
 * fails, so {@code inject x.yaml | kubectl apply -f -} applies nothing half done. Loads neither Vert.x nor Netty.
 */
public final class InjectCommand {
  /** The command word after {@code java -jar batcycle.jar}. */
  public static final String NAME = "inject";

  private static final String PREFIX = "batcycle inject: ";

  private InjectCommand() {}

  /** Runs the command; returns the exit code: 0, or 2 with the problem on stderr. */
  public static int run(String[] args, InputStream stdin, PrintStream out, PrintStream err) {
    CommandLine cli = new CommandLine(spec());
    InjectOptions options;
    List<String> inputs;
    try {
      ParseResult parsed = cli.parseArgs(args);
      if (parsed.isUsageHelpRequested()) {
        out.print(cli.getUsageMessage());
        return 0;
      }
      options = options(parsed);
      inputs = parsed.matchedPositionalValue(0, List.of());
    } catch (ParameterException | IllegalArgumentException e) {
      err.println(PREFIX + e.getMessage() + " (see inject --help)");
      return 2;
    }
    try {
      List<String> texts = new ArrayList<>();
      List<Node> documents = new ArrayList<>();
      for (String input : inputs) {
        String text = read(input, stdin);
        texts.add(text);
        documents.addAll(Manifests.parse(text, input.equals("-") ? "stdin" : input));
      }
      if (documents.isEmpty()) {
        throw new InjectException("no YAML documents in " + String.join(", ", inputs));
      }
      Injector.Result result = new Injector(options).inject(documents);
      // Unchanged input is written back as it was read, byte for byte: a second run changes nothing at all.
      out.print(result.changed() ? Manifests.write(result.documents()) : unchanged(texts));
      out.flush();
      result.notes().forEach(note -> err.println(PREFIX + note));
      return 0;
    } catch (InjectException e) {
      err.println(PREFIX + e.getMessage());
      return 2;
    }
  }

  private static InjectOptions options(ParseResult parsed) {
    int proxyPort = port(parsed, "--proxy-port", InjectOptions.DEFAULT_PROXY_PORT);
    int adminPort = port(parsed, "--admin-port", InjectOptions.DEFAULT_ADMIN_PORT);
    if (proxyPort == adminPort) {
      throw new IllegalArgumentException("--proxy-port and --admin-port are both " + proxyPort);
    }
    Optional<String> appPort = Optional.ofNullable(parsed.<String>matchedOptionValue("--app-port", null));
    appPort.filter(p -> p.chars().allMatch(Character::isDigit)).ifPresent(p -> port(p, "--app-port"));
    String image = parsed.matchedOptionValue("--image", "batcycle:" + BuildInfo.version());
    if (!image.matches("[A-Za-z0-9][A-Za-z0-9._/:@+-]*")) {
      throw new IllegalArgumentException("--image: '" + image + "' is not an image reference");
    }
    String configMap = parsed.matchedOptionValue("--config-map", InjectOptions.DEFAULT_CONFIG_MAP);
    if (!configMap.matches("[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?")) {
      throw new IllegalArgumentException("--config-map: '" + configMap + "' is not a Kubernetes object name");
    }
    return new InjectOptions(image, configMap, !parsed.hasMatchedOption("--no-config-map"), proxyPort, adminPort,
        Optional.ofNullable(parsed.matchedOptionValue("--app-container", null)), appPort,
        parsed.hasMatchedOption("--classic"));
  }

  private static int port(ParseResult parsed, String flag, int fallback) {
    return parsed.hasMatchedOption(flag) ? port(parsed.matchedOptionValue(flag, ""), flag) : fallback;
  }

  private static int port(String text, String flag) {
    try {
      int port = Integer.parseInt(text);
      if (port >= 1 && port <= 65535) {
        return port;
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    throw new IllegalArgumentException(flag + ": '" + text + "' is not a port (1..65535)");
  }

  private static String read(String input, InputStream stdin) {
    try {
      byte[] bytes = input.equals("-") ? stdin.readAllBytes() : Files.readAllBytes(Path.of(input));
      return new String(bytes, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new InjectException(input + ": cannot read it (" + e.getClass().getSimpleName() + ": " + e.getMessage() + ")");
    }
  }

  private static String unchanged(List<String> texts) {
    StringBuilder out = new StringBuilder();
    for (String text : texts) {
      if (out.length() > 0) {
        out.append("---\n");
      }
      out.append(text);
      if (!text.isEmpty() && !text.endsWith("\n")) {
        out.append('\n');
      }
    }
    return out.toString();
  }

  static CommandSpec spec() {
    CommandSpec spec = CommandSpec.create().name("java -jar batcycle.jar inject");
    spec.usageMessage()
        // One string each: picocli wraps it to the help's width.
        .description("Adds batcycle to the Deployments, StatefulSets, DaemonSets, ReplicaSets, Jobs, CronJobs and "
            + "Pods in Kubernetes YAML and writes the result on stdout: batcycle as a native sidecar (an init "
            + "container with restartPolicy: Always, Kubernetes 1.29+) forwarding to the app's containerPort, with its "
            + "probes, resources, security context and ConfigMap, drain timings fitted to the pod's "
            + "terminationGracePeriodSeconds and the app's preStop hook; Services that targeted the app now target "
            + "batcycle's proxy port.",
            "Workloads that already have batcycle or are annotated batcycle.io/inject: \"false\", and every other "
            + "object, pass through unchanged; comments and key order are kept. What it did goes to stderr, one line "
            + "each; on a problem it writes nothing on stdout and exits 2.")
        .footerHeading("%nExamples:%n")
        .footer("  java -jar batcycle.jar inject deployment.yaml service.yaml > out.yaml",
            "  kubectl get deploy/myapp svc/myapp -o yaml \\",
            "    | java -jar batcycle.jar inject - | kubectl apply -f -",
            "  java -jar batcycle.jar inject --app-port 3000 \\",
            "    --image registry.example.com/batcycle:" + BuildInfo.version() + " app.yaml")
        .sortOptions(false);
    spec.addPositional(PositionalParamSpec.builder().paramLabel("FILE").arity("1..*").type(List.class)
        .auxiliaryTypes(String.class).description("YAML files with one or more documents; - reads stdin.").build());
    spec.addOption(option("--image", "IMAGE", "batcycle's image. Default: batcycle:" + BuildInfo.version()
        + " (build it with the Dockerfile and push it where your cluster pulls from)."));
    spec.addOption(option("--config-map", "NAME", "The ConfigMap with batcycle.yaml, mounted at /etc/batcycle. "
        + "Default: " + InjectOptions.DEFAULT_CONFIG_MAP + "."));
    spec.addOption(OptionSpec.builder("--no-config-map").arity("0").description("Do not add that ConfigMap "
        + "(it exists already); by default it is added, with starter settings, to each namespace whose input lacks it.")
        .build());
    spec.addOption(option("--app-container", "NAME", "The app's container, when the pod has several and more than one "
        + "declares a port."));
    spec.addOption(option("--app-port", "PORT", "The app's port (a number or a port name), when its container declares "
        + "several or none. Default: its only TCP containerPort, or the one named http."));
    spec.addOption(option("--proxy-port", "PORT", "batcycle's proxy port, the Services' new targetPort. Default: "
        + InjectOptions.DEFAULT_PROXY_PORT + "."));
    spec.addOption(option("--admin-port", "PORT", "batcycle's admin port (probes, /metrics, the app's preStop). "
        + "Default: " + InjectOptions.DEFAULT_ADMIN_PORT + "."));
    spec.addOption(OptionSpec.builder("--classic").arity("0").description("batcycle as a regular second container, "
        + "for Kubernetes before 1.29 (no native sidecars), with a preStop sleep so it outlives the app.").build());
    spec.addOption(OptionSpec.builder("-h", "--help").usageHelp(true).description("Show this help.").build());
    return spec;
  }

  private static OptionSpec option(String name, String label, String description) {
    return OptionSpec.builder(name).paramLabel(label).type(String.class).description(description).build();
  }
}
