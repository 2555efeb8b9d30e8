package batcycle.reload;

import batcycle.config.BatcycleConfig;
import batcycle.config.ConfigChange;
import batcycle.config.ConfigException;
import batcycle.config.ConfigLoader;
import batcycle.config.Key;
import batcycle.config.Redaction;
import batcycle.metrics.MeterNames;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Future;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reloads the configuration while running (on SIGHUP, or when the config file changes): reads the file again with the
 * flags and environment of the start, validates it completely with the start-up rules, and if it is valid swaps the
 * new settings in as a whole; settings that only a restart can change are reported and left as they are. A file that
 * is not valid is refused whole: the running configuration stays, one log line gives every problem in the words of
 * {@code batcycle check}, and the metrics say so (a stuck rollout shows as an old success timestamp, a hash that
 * differs from the other pods', or a pending restart).
 *
 * <p>Reloads run one at a time on the caller's thread, which must not be an event loop: the file is read there, and
 * the call returns once every event loop has switched.
 */
public final class ConfigReloader {
  private static final Logger LOG = LoggerFactory.getLogger(ConfigReloader.class);
  /** How long a reload waits for every event loop to take the new settings (each only runs a short task). */
  private static final long SWITCH_TIMEOUT_SECONDS = 10;

  /** What a reload did. */
  public enum Result {
    /** Settings changed and are in force. */
    APPLIED,
    /** The file was valid and changed nothing that can be applied (restart-only changes may be pending). */
    UNCHANGED,
    /** The file was not valid; nothing changed. */
    REJECTED;

    public String label() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  /**
   * The last reload, as the status page and {@code /config} show it.
   *
   * @param atMillis       when it happened (the start, before any reload)
   * @param detail         what it applied, or why it was refused
   * @param pendingRestart keys changed in the file that wait for a restart
   */
  public record Status(Result result, long atMillis, String trigger, String detail, List<String> pendingRestart) {
    public Status {
      pendingRestart = List.copyOf(pendingRestart);
    }
  }

  private final Function<BatcycleConfig, Future<Void>> swap;
  private final Map<Result, Counter> reloads = new EnumMap<>(Result.class);
  private volatile BatcycleConfig current;
  private volatile long hash;
  private volatile Status last;
  private volatile long lastSuccessMillis;
  /** The config file's contents as the last reload (or the start) read them, to tell a real change from an echo. */
  private String lastRead;

  /**
   * {@code initial}: the configuration the process started with; {@code swap}: puts a new configuration in force and
   * completes once it is (everything that holds settings takes them from it).
   */
  public ConfigReloader(BatcycleConfig initial, MeterRegistry registry, Function<BatcycleConfig, Future<Void>> swap) {
    this.swap = swap;
    this.current = initial;
    this.hash = ConfigChange.hash(initial);
    long now = System.currentTimeMillis();
    this.last = new Status(Result.APPLIED, now, "start", "the configuration the process started with", List.of());
    this.lastSuccessMillis = now;
    this.lastRead = initial.configFile().map(ConfigReloader::digest).orElse("");
    for (Result result : Result.values()) {
      reloads.put(result, Counter.builder(MeterNames.CONFIG_RELOADS).tag(MeterNames.TAG_RESULT, result.label())
          .description("Configuration reloads (SIGHUP or a change of the config file), by result").register(registry));
    }
    Gauge.builder(MeterNames.CONFIG_LAST_RELOAD_SUCCESS, this, r -> r.lastSuccessMillis / 1000.0).baseUnit("seconds")
        .description("When the configuration was last loaded without being rejected (the start, or a reload)")
        .register(registry);
    Gauge.builder(MeterNames.CONFIG_LAST_RELOAD_SUCCESSFUL, this, r -> r.last.result() == Result.REJECTED ? 0 : 1)
        .description("1 unless the last reload was rejected").register(registry);
    Gauge.builder(MeterNames.CONFIG_HASH, this, r -> r.hash)
        .description("Hash of the settings in force (the status page shows it in hex); pods of one rollout agree")
        .register(registry);
    Gauge.builder(MeterNames.CONFIG_RESTART_PENDING, this, r -> r.last.pendingRestart().size())
        .description("Settings changed in the config file that wait for a restart").register(registry);
  }

  /** The configuration in force. */
  public BatcycleConfig current() {
    return current;
  }

  /** The hash of the configuration in force, as 12 hex digits. */
  public String hash() {
    return ConfigChange.hashText(hash);
  }

  /** What the last reload did. */
  public Status status() {
    return last;
  }

  /**
   * Reloads if the file's contents differ from what the last reload read: the file watch's entry, so that a change
   * a SIGHUP has already applied is not reported a second time as "nothing to apply". Returns the last status.
   */
  public synchronized Status reloadIfFileChanged(String trigger) {
    Optional<Path> file = current.configFile();
    if (file.isEmpty() || digest(file.get()).equals(lastRead)) {
      return last;
    }
    return reload(trigger);
  }

  /** Reloads now; {@code trigger} names the cause in the log ({@code SIGHUP}, {@code file change}). */
  public synchronized Status reload(String trigger) {
    BatcycleConfig running = current;
    running.configFile().ifPresent(file -> lastRead = digest(file));
    if (running.configFile().isEmpty()) {
      LOG.info("config reload ({}): nothing to read again, batcycle was started without --config", trigger);
      return finish(new Status(Result.UNCHANGED, System.currentTimeMillis(), trigger, "no config file",
          List.of()));
    }
    ConfigChange change;
    try {
      change = ConfigChange.between(running, ConfigLoader.reread(running));
    } catch (ConfigException e) {
      String problems = String.join("; ", e.problems());
      LOG.error("config reload ({}) rejected, the running configuration stays: {}", trigger, problems);
      return finish(new Status(Result.REJECTED, System.currentTimeMillis(), trigger, problems,
          last.pendingRestart()));
    }
    List<String> pending = change.needRestart().stream().map(Key::path).toList();
    if (!change.needRestart().isEmpty()) {
      LOG.warn("config reload ({}): {} changed in the file but need a restart; running with {}", trigger,
          describe(change.needRestart(), running, change.candidate()), values(change.needRestart(), running));
    }
    if (change.applied().isEmpty()) {
      LOG.info("config reload ({}): nothing to apply", trigger);
      return finish(new Status(Result.UNCHANGED, System.currentTimeMillis(), trigger, "nothing to apply", pending));
    }
    String applied = describe(change.applied(), running, change.inForce());
    try {
      swap.apply(change.inForce()).toCompletionStage().toCompletableFuture().get(SWITCH_TIMEOUT_SECONDS,
          TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while the new configuration was being swapped in", e);
    } catch (Exception e) {
      // Every value was validated: a failure here is a bug, and what was swapped so far stays swapped.
      LOG.error("config reload ({}): swapping in {} failed: {}", trigger, applied, e.toString(), e);
    }
    current = change.inForce();
    hash = ConfigChange.hash(current);
    LOG.info("config reload ({}): applied {}; config hash {}", trigger, applied, hash());
    return finish(new Status(Result.APPLIED, System.currentTimeMillis(), trigger, "applied " + applied, pending));
  }

  private static String digest(Path file) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file)));
    } catch (IOException e) {
      return "unreadable: " + e.getMessage();
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JDK has SHA-256", e);
    }
  }

  private Status finish(Status status) {
    last = status;
    if (status.result() != Result.REJECTED) {
      lastSuccessMillis = status.atMillis();
    }
    reloads.get(status.result()).increment();
    return status;
  }

  /** {@code key (old → new), ...}, secrets redacted. */
  private static String describe(List<Key> keys, BatcycleConfig before, BatcycleConfig after) {
    List<String> parts = new ArrayList<>();
    for (Key key : keys) {
      parts.add(key.path() + " (" + shown(key, before) + " -> " + shown(key, after) + ")");
    }
    return String.join(", ", parts);
  }

  private static String values(List<Key> keys, BatcycleConfig config) {
    List<String> parts = new ArrayList<>();
    for (Key key : keys) {
      parts.add(key.path() + " " + shown(key, config));
    }
    return String.join(", ", parts);
  }

  private static String shown(Key key, BatcycleConfig config) {
    String text = Redaction.configValue(key.path(), config.sources().get(key).text());
    return text.isEmpty() ? "(empty)" : text;
  }
}
