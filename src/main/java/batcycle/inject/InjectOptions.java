package batcycle.inject;

import java.util.Optional;

/**
 * What {@code inject} was asked for.
 *
 * @param image batcycle's image
 * @param configMap the ConfigMap holding batcycle.yaml, mounted at /etc/batcycle
 * @param addConfigMap whether to add that ConfigMap (with the starter settings) where the input lacks it
 * @param proxyPort batcycle's proxy port, the Services' new targetPort
 * @param adminPort batcycle's admin port (probes, metrics, the app's preStop)
 * @param appContainer the app's container, when the pod has several
 * @param appPort the app's port, a number or a port name, when its container declares several or none
 * @param classic a regular second container instead of a native sidecar (Kubernetes before 1.29)
 */
record InjectOptions(String image, String configMap, boolean addConfigMap, int proxyPort, int adminPort,
                     Optional<String> appContainer, Optional<String> appPort, boolean classic) {
  static final int DEFAULT_PROXY_PORT = 8000;
  static final int DEFAULT_ADMIN_PORT = 9901;
  static final String DEFAULT_CONFIG_MAP = "batcycle-config";
}
