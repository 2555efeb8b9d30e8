package batcycle.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2Exception;
import java.io.IOException;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/** A hostile client cannot flood the log: each kind of client error is counted, and logged once a second at most. */
class ClientErrorsTest {
  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  private final ListAppender<ILoggingEvent> lines = new ListAppender<>();
  private final Logger logger = (Logger) LoggerFactory.getLogger(ClientErrors.class);

  @BeforeEach
  void capture() {
    lines.start();
    logger.addAppender(lines);
  }

  @AfterEach
  void release() {
    logger.detachAppender(lines);
  }

  private double count(String reason) {
    return registry.get("batcycle.client.errors").tag("reason", reason).counter().count();
  }

  @Test
  void aFloodOfProtocolErrorsIsCountedWholeAndLoggedOnceWithoutAStackTrace() {
    ClientErrors errors = new ClientErrors(registry, io.micrometer.core.instrument.Tags.empty());
    for (int i = 0; i < 500; i++) {
      errors.record(Http2Exception.connectionError(Http2Error.PROTOCOL_ERROR, "broken frame %d", i));
      errors.record(new IOException("Connection reset by peer"));
    }

    assertThat(count("http2_protocol")).isEqualTo(500);
    assertThat(count("reset")).isEqualTo(500);
    assertThat(lines.list).filteredOn(line -> line.getMessage().contains("protocol error")).singleElement()
        .satisfies(line -> {
          assertThat(line.getThrowableProxy()).as("no stack trace").isNull();
          assertThat(line.getFormattedMessage()).contains("broken frame 0").doesNotContain("\n");
        });
  }

  @Test
  void theNextLineSaysHowManyWereLeftOut() {
    ClientErrors errors = new ClientErrors(registry, io.micrometer.core.instrument.Tags.empty());
    for (int i = 0; i < 50; i++) {
      errors.record(Http2Exception.connectionError(Http2Error.PROTOCOL_ERROR, "broken frame"));
    }
    // Bounded: about a second, one error each poll, until the next line is due.
    await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(50)).until(() -> {
      errors.record(Http2Exception.connectionError(Http2Error.PROTOCOL_ERROR, "broken frame"));
      return lines.list.size() >= 2;
    });
    assertThat(lines.list.get(1).getFormattedMessage()).containsPattern("\\(\\d+ more in the last second not logged\\)");
  }
}
