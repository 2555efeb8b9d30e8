package batcycle.reload;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import batcycle.testing.TestCertificates;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Changes noticed the ways Kubernetes and people make them, and only real changes. */
class FileWatchTest {
  @TempDir
  Path dir;

  @Test
  void noticesAKubeletSymlinkSwapByTheDirectorysEvents() throws Exception {
    TestCertificates.SecretVolume volume = new TestCertificates.SecretVolume(dir);
    volume.publish("cert one", "key one");
    AtomicInteger changes = new AtomicInteger();
    try (FileWatch watch = new FileWatch(Duration.ZERO)) { // no polling at all: events only
      watch.watch(List.of(volume.certFile(), volume.keyFile()), changes::incrementAndGet);
      watch.start();
      volume.publish("cert two", "key two");
      await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(changes).hasValue(1));
      assertThat(watch.directories()).containsExactly(dir.toAbsolutePath());
    }
  }

  @Test
  void pollingFindsAChangeWhereNoEventArrives() throws Exception {
    Path file = dir.resolve("batcycle.yaml");
    Files.writeString(file, "retry:\n  maxAttempts: 2\n");
    AtomicInteger changes = new AtomicInteger();
    try (FileWatch watch = new FileWatch(Duration.ofMillis(50), false)) {
      watch.watch(List.of(file), changes::incrementAndGet);
      watch.start();
      Files.writeString(file, "retry:\n  maxAttempts: 3\n");
      await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(changes).hasValue(1));
    }
  }

  @Test
  void aTouchOrRewriteWithTheSameContentsIsNoChange() throws Exception {
    Path file = dir.resolve("batcycle.yaml");
    Files.writeString(file, "a: 1\n");
    AtomicInteger changes = new AtomicInteger();
    try (FileWatch watch = new FileWatch(Duration.ofHours(1), false)) {
      watch.watch(List.of(file), changes::incrementAndGet);
      Files.writeString(file, "a: 1\n");
      Files.setLastModifiedTime(file, FileTime.from(Instant.now().plusSeconds(60)));
      watch.check();
      assertThat(changes).hasValue(0);
      Files.delete(file);
      watch.check();
      assertThat(changes).as("a file that went away is a change (its reload will say what is wrong)").hasValue(1);
    }
  }
}
