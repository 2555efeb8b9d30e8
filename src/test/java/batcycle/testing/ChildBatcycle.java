package batcycle.testing;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * batcycle's real entry point ({@code batcycle.Main}) in a child JVM on 127.0.0.1 port 0, for tests that need a
 * process of its own: signals, or resource figures ({@code /proc/PID}) not mixed with the test's. Its output is
 * read continuously (so it never blocks on a full pipe); only the last lines are kept, plus any line a test asked
 * to watch for, so a long run does not hold the whole request log in memory.
 */
public final class ChildBatcycle implements AutoCloseable {
  private static final Pattern PORTS =
      Pattern.compile("proxying 127\\.0\\.0\\.1:(\\d+) .*admin on 127\\.0\\.0\\.1:(\\d+)");
  private static final int KEPT_LINES = 200;

  private final Process process;
  private final int port;
  private final int adminPort;
  private final Deque<String> lastLines;
  private final List<String> watched;
  private final AtomicLong lines;
  private final Thread pump;

  private ChildBatcycle(Process process, int[] ports, Deque<String> lastLines, List<String> watched,
      AtomicLong lines, Thread pump) {
    this.process = process;
    this.port = ports[0];
    this.adminPort = ports[1];
    this.lastLines = lastLines;
    this.watched = watched;
    this.lines = lines;
    this.pump = pump;
  }

  /**
   * Starts {@code java <jvmOptions> batcycle.Main --listen 127.0.0.1:0 --admin 127.0.0.1:0 --upstream ... <args>}
   * (without the start-up warm-up, which would only cost the test time)
   * with the test class path and waits (bounded) for the line naming its ports. Lines matching {@code watch} are
   * all kept (see {@link #watchedLines()}).
   */
  public static ChildBatcycle start(List<String> jvmOptions, int upstreamPort, Predicate<String> watch,
      String... args) throws IOException {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.addAll(jvmOptions);
    command.addAll(List.of("-cp", System.getProperty("java.class.path"), "batcycle.Main",
        "--listen", "127.0.0.1:0", "--admin", "127.0.0.1:0", "--upstream", "http://127.0.0.1:" + upstreamPort,
        "--startup-warmup", "0"));
    command.addAll(List.of(args));
    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
    // Only our arguments count: no BATCYCLE_* settings or JVM option variables from the build machine.
    builder.environment().keySet().removeIf(name -> name.startsWith("BATCYCLE_"));
    builder.environment().keySet().removeAll(List.of("JAVA_TOOL_OPTIONS", "_JAVA_OPTIONS", "JDK_JAVA_OPTIONS"));
    Process process = builder.start();
    process.getOutputStream().close();
    Deque<String> last = new ArrayDeque<>();
    List<String> watched = new CopyOnWriteArrayList<>();
    AtomicLong count = new AtomicLong();
    CompletableFuture<int[]> ports = new CompletableFuture<>();
    BufferedReader reader = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
    Thread pump = new Thread(() -> {
      try {
        for (String line = reader.readLine(); line != null; line = reader.readLine()) {
          count.incrementAndGet();
          synchronized (last) {
            last.addLast(line);
            if (last.size() > KEPT_LINES) {
              last.removeFirst();
            }
          }
          if (watch.test(line)) {
            watched.add(line);
          }
          Matcher m = PORTS.matcher(line);
          if (m.find()) {
            ports.complete(new int[] {Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2))});
          }
        }
      } catch (IOException e) {
        ports.completeExceptionally(e);
      }
      ports.completeExceptionally(new IllegalStateException("batcycle exited before listening"));
    }, "child-batcycle-output");
    pump.setDaemon(true);
    pump.start();
    try {
      return new ChildBatcycle(process, ports.get(60, TimeUnit.SECONDS), last, watched, count, pump);
    } catch (Exception e) {
      process.destroyForcibly();
      throw new IllegalStateException("batcycle did not start; last output: " + snapshot(last), e);
    }
  }

  public int port() {
    return port;
  }

  public int adminPort() {
    return adminPort;
  }

  public long pid() {
    return process.pid();
  }

  public boolean isAlive() {
    return process.isAlive();
  }

  /** Output lines read so far. */
  public long lineCount() {
    return lines.get();
  }

  /** Every output line that matched the watch predicate given at start. */
  public List<String> watchedLines() {
    return List.copyOf(watched);
  }

  /** The last output lines, for failure messages. */
  public String tail() {
    return snapshot(lastLines);
  }

  private static String snapshot(Deque<String> last) {
    synchronized (last) {
      return String.join("\n", last);
    }
  }

  /** Sends SIGTERM (the pipes stay open, unlike {@link Process#destroy()} followed by close). */
  public void sigterm() {
    if (!process.toHandle().destroy()) {
      throw new IllegalStateException("could not send SIGTERM to " + process.pid());
    }
  }

  /** Waits (bounded) for the process to exit and returns its exit code. */
  public int awaitExit(long seconds) throws InterruptedException {
    if (!process.waitFor(seconds, TimeUnit.SECONDS)) {
      throw new IllegalStateException("batcycle did not exit within " + seconds + " s; last output:\n" + tail());
    }
    pump.join(5_000);
    return process.exitValue();
  }

  /** SIGTERM, then waits (bounded) for the exit; kills it if it does not go. */
  @Override
  public void close() {
    process.destroy();
    try {
      if (!process.waitFor(30, TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      }
      pump.join(5_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      process.destroyForcibly();
    }
  }
}
