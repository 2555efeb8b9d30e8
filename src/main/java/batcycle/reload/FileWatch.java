package batcycle.reload;

import java.io.IOException;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Notices when files change, the way Kubernetes changes them: a ConfigMap or Secret volume never rewrites a file in
 * place; it writes a new timestamped directory and swaps the {@code ..data} symlink the files point through, so the
 * files themselves get no event, their directory does. This watches each file's directory (inotify on Linux) and, as a
 * fallback where events do not arrive (some network and overlay file systems), compares the files every poll
 * interval. Either way a group's callback runs only when the contents of one of its files really changed, compared by
 * digest, after a short quiet period that lets a writer finish a pair of files.
 *
 * <p>One daemon thread does the watching, reading and callbacks, so callbacks (which read files) never run on an event
 * loop and never run at the same time.
 */
public final class FileWatch implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(FileWatch.class);
  /** After an event, wait until the directory has been quiet this long: a writer may be halfway through a pair. */
  private static final long SETTLE_MS = 100;

  private final long pollMs;
  private final List<Group> groups = new CopyOnWriteArrayList<>();
  private final Set<Path> watchedDirs = new HashSet<>();
  private final WatchService service;
  private final Thread thread;
  private volatile boolean closed;

  private static final class Group {
    private final List<Path> files;
    private final Runnable onChange;
    private String digest;

    Group(List<Path> files, Runnable onChange) {
      this.files = List.copyOf(files);
      this.onChange = onChange;
      this.digest = digest(this.files);
    }
  }

  /** {@code poll}: how often files are compared besides events; zero for events only. */
  public FileWatch(Duration poll) {
    this(poll, true);
  }

  /** {@code events}: false to compare by polling only, as where the file system sends none (tests). */
  FileWatch(Duration poll, boolean events) {
    this.pollMs = poll.toMillis();
    WatchService watcher = null;
    try {
      if (events) {
        watcher = FileSystems.getDefault().newWatchService();
      }
    } catch (IOException | UnsupportedOperationException e) {
      LOG.warn("file watch: directory events unavailable ({}); comparing files every {} ms only", e.toString(),
          pollMs);
    }
    this.service = watcher;
    this.thread = new Thread(this::run, "batcycle-file-watch");
    thread.setDaemon(true);
  }

  /** Calls {@code onChange} on the watch thread whenever the contents of any of {@code files} change. */
  public synchronized void watch(List<Path> files, Runnable onChange) {
    groups.add(new Group(files, onChange));
    if (service == null) {
      return;
    }
    for (Path file : files) {
      Path dir = file.toAbsolutePath().getParent();
      if (dir != null && watchedDirs.add(dir)) {
        try {
          dir.register(service, StandardWatchEventKinds.ENTRY_CREATE, StandardWatchEventKinds.ENTRY_MODIFY,
              StandardWatchEventKinds.ENTRY_DELETE);
        } catch (IOException e) {
          LOG.warn("file watch: cannot watch {} ({}); comparing its files every {} ms only", dir, e.toString(),
              pollMs);
        }
      }
    }
  }

  public void start() {
    thread.start();
  }

  private void run() {
    while (!closed) {
      try {
        if (awaitEvent(pollMs > 0 ? pollMs : Long.MAX_VALUE)) {
          while (awaitEvent(SETTLE_MS)) {
            // more events: the writer is not done yet
          }
        }
        check();
      } catch (InterruptedException | ClosedWatchServiceException e) {
        return;
      } catch (RuntimeException e) {
        LOG.error("file watch: a change could not be handled: {}", e.toString(), e);
      }
    }
  }

  /** Waits up to {@code ms} for a directory event; true if one came (its key is reset for the next). */
  private boolean awaitEvent(long ms) throws InterruptedException {
    if (service == null) {
      Thread.sleep(Math.min(ms, TimeUnit.DAYS.toMillis(1))); // this thread's only job: nothing else waits on it
      return false;
    }
    WatchKey key = service.poll(ms, TimeUnit.MILLISECONDS);
    if (key == null) {
      return false;
    }
    key.pollEvents();
    key.reset();
    return true;
  }

  /** Runs the callback of every group whose contents changed since last seen. */
  void check() {
    for (Group group : groups) {
      String now = digest(group.files);
      if (!now.equals(group.digest)) {
        group.digest = now;
        group.onChange.run();
      }
    }
  }

  /** A digest of the files' contents; a missing or unreadable file counts as such, so its return is a change too. */
  private static String digest(List<Path> files) {
    try {
      MessageDigest sha = MessageDigest.getInstance("SHA-256");
      for (Path file : files) {
        try {
          sha.update(Files.readAllBytes(file));
        } catch (IOException e) {
          sha.update(("missing " + file).getBytes(java.nio.charset.StandardCharsets.UTF_8));
        }
        sha.update((byte) 0);
      }
      return HexFormat.of().formatHex(sha.digest());
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JDK has SHA-256", e);
    }
  }

  /** The directories watched for events, for tests and the start-up log. */
  public synchronized List<Path> directories() {
    return new ArrayList<>(watchedDirs);
  }

  @Override
  public void close() {
    closed = true;
    thread.interrupt();
    if (service != null) {
      try {
        service.close();
      } catch (IOException e) {
        LOG.debug("file watch: closing: {}", e.toString());
      }
    }
  }
}
