package batcycle.inject;

import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * The container batcycle stands in front of, and the port it forwards to.
 *
 * @param container the app's container
 * @param port the app's port, batcycle's upstream
 * @param portName that port's name in the container, when it has one (a Service may target it by name)
 * @param h2c whether the port's name says HTTP/2 or gRPC, so batcycle must speak h2c to it
 */
record AppChoice(YamlMap container, int port, Optional<String> portName, boolean h2c) {
  /** Port names that announce HTTP/2 without TLS, as Istio reads them: grpc, grpc-web..., h2c, http2. */
  private static final Pattern H2C_NAME = Pattern.compile("(grpc|h2c|http2)(-.*)?");

  String containerName() {
    return container.text("name").orElse("");
  }

  /** Chooses from the pod's regular containers; the options decide when the pod alone cannot. */
  static AppChoice choose(Workload workload, InjectOptions options, Consumer<String> note) {
    String id = workload.id();
    List<YamlMap> containers = workload.podSpec().maps("containers");
    YamlMap app;
    if (options.appContainer().isPresent()) {
      String wanted = options.appContainer().get();
      app = containers.stream().filter(c -> c.text("name").orElse("").equals(wanted)).findFirst()
          .orElseThrow(() -> new InjectException(id + ": no container named " + wanted + " (it has " + names(containers) + ")"));
    } else if (containers.size() == 1) {
      app = containers.get(0);
    } else {
      List<YamlMap> serving = containers.stream().filter(c -> !tcpPorts(c).isEmpty()).toList();
      if (serving.size() != 1) {
        throw new InjectException(id + ": which container is the app? It has " + names(containers)
            + "; choose with --app-container");
      }
      app = serving.get(0);
      note.accept(id + ": the app is container " + app.text("name").orElse("")
          + ", the only one with a containerPort (choose another with --app-container)");
    }
    String name = app.text("name").orElse("");
    List<YamlMap> ports = tcpPorts(app);
    Optional<YamlMap> port;
    int number;
    if (options.appPort().filter(p -> p.chars().allMatch(Character::isDigit)).isPresent()) {
      // A number need not be declared: Kubernetes does not require containerPort.
      number = Integer.parseInt(options.appPort().get());
      port = ports.stream().filter(p -> p.text("containerPort").orElse("").equals(Integer.toString(number))).findFirst();
    } else {
      port = Optional.of(declaredPort(id, name, ports, options.appPort(), note));
      number = Integer.parseInt(port.get().text("containerPort").orElseThrow());
    }
    Optional<String> portName = port.flatMap(p -> p.text("name"));
    return new AppChoice(app, number, portName, portName.filter(n -> H2C_NAME.matcher(n).matches()).isPresent());
  }

  /** The port named by --app-port, else the container's only TCP port, else the one named http. */
  private static YamlMap declaredPort(String id, String container, List<YamlMap> ports, Optional<String> named,
                                      Consumer<String> note) {
    if (named.isPresent()) {
      return ports.stream().filter(p -> p.text("name").orElse("").equals(named.get())).findFirst()
          .orElseThrow(() -> new InjectException(id + ": container " + container + " has no port named " + named.get()
              + (ports.isEmpty() ? "" : " (it has " + describe(ports) + ")")));
    }
    if (ports.size() == 1) {
      return ports.get(0);
    }
    if (ports.isEmpty()) {
      throw new InjectException(id + ": container " + container
          + " declares no TCP containerPort; give the port the app listens on with --app-port");
    }
    List<YamlMap> http = ports.stream().filter(p -> p.text("name").orElse("").equals("http")).toList();
    if (http.size() != 1) {
      throw new InjectException(id + ": container " + container + " has ports " + describe(ports)
          + "; choose the one batcycle forwards to with --app-port");
    }
    note.accept(id + ": forwarding to container " + container + "'s port named http (choose another with --app-port)");
    return http.get(0);
  }

  private static List<YamlMap> tcpPorts(YamlMap container) {
    return container.maps("ports").stream()
        .filter(p -> p.text("protocol").orElse("TCP").equals("TCP") && p.text("containerPort").isPresent()).toList();
  }

  private static String names(List<YamlMap> containers) {
    return containers.stream().map(c -> c.text("name").orElse("?")).collect(Collectors.joining(", "));
  }

  private static String describe(List<YamlMap> ports) {
    return ports.stream().map(p -> p.text("containerPort").orElse("?") + p.text("name").map(n -> " (" + n + ")").orElse(""))
        .collect(Collectors.joining(", "));
  }
}
