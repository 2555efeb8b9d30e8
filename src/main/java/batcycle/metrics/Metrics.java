package batcycle.metrics;

import batcycle.config.BuildInfo;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.config.MeterFilter;
import java.lang.management.ManagementFactory;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.FileDescriptorMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.prometheus.metrics.model.registry.PrometheusRegistry;

/** The process-wide Prometheus registry with JVM, process and build-info meters; one per running batcycle. */
public final class Metrics implements AutoCloseable {
  /** What Prometheus asks for when it wants OpenMetrics (the only format that carries exemplars). */
  private static final String OPENMETRICS = "application/openmetrics-text";

  private final PrometheusMeterRegistry registry;
  private final TraceExemplars exemplars = new TraceExemplars();
  private final JvmGcMetrics gcMetrics = new JvmGcMetrics();

  public Metrics() {
    registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT, new PrometheusRegistry(),
        io.micrometer.core.instrument.Clock.SYSTEM, exemplars);
    // Two binder meters break Prometheus naming rules (promtool check metrics): CPU time in nanoseconds, and a
    // gauge ending in _count. Publish CPU time in seconds under the conventional name instead, and rename the other.
    registry.config().meterFilter(MeterFilter.denyNameStartsWith("process.cpu.time"));
    registry.config().meterFilter(new MeterFilter() {
      @Override
      public Meter.Id map(Meter.Id id) {
        return id.getName().equals("system.cpu.count") ? id.withName("system.cpus") : id;
      }
    });
    if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
      FunctionCounter.builder("process.cpu", os, bean -> bean.getProcessCpuTime() / 1e9)
          .baseUnit("seconds").description("CPU time used by the batcycle process").register(registry);
    }
    new JvmMemoryMetrics().bindTo(registry);
    gcMetrics.bindTo(registry);
    new JvmThreadMetrics().bindTo(registry);
    new ClassLoaderMetrics().bindTo(registry);
    new ProcessorMetrics().bindTo(registry);
    new FileDescriptorMetrics().bindTo(registry);
    new UptimeMetrics().bindTo(registry);
    Gauge.builder(MeterNames.BUILD_INFO, () -> 1)
        .description("batcycle build information; the value is always 1")
        .tag("version", BuildInfo.version())
        .tag("java_version", Runtime.version().toString())
        .register(registry);
  }

  public PrometheusMeterRegistry registry() {
    return registry;
  }

  public TraceExemplars exemplars() {
    return exemplars;
  }

  /** The content type to answer a scrape with, from its Accept header. */
  public static String contentTypeFor(String accept) {
    return accept != null && accept.contains(OPENMETRICS)
        ? "application/openmetrics-text; version=1.0.0; charset=utf-8"
        : "text/plain; version=0.0.4; charset=utf-8";
  }

  /** The exposition text in the format the scraper asked for. */
  public String scrape(String accept) {
    return registry.scrape(contentTypeFor(accept));
  }

  @Override
  public void close() {
    gcMetrics.close();
    registry.close();
  }
}
