package batcycle.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class TraceContextTest {
  @Test
  void parsesAValidTraceparent() {
    TraceContext trace = TraceContext.parse("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01");
    assertThat(trace.traceId()).isEqualTo("4bf92f3577b34da6a3ce929d0e0e4736");
    assertThat(trace.spanId()).isEqualTo("00f067aa0ba902b7");
    assertThat(trace.sampled()).isTrue();
    assertThat(trace.startedHere()).isFalse();
  }

  @Test
  void acceptsAFutureVersionWithExtraFields() {
    assertThat(TraceContext.parse("01-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-00-extra")).isNotNull();
  }

  @ParameterizedTest
  @ValueSource(strings = {
      "", "garbage",
      "00-00000000000000000000000000000000-00f067aa0ba902b7-01",
      "00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01",
      "00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01",
      "ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
      "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-extra",
      "00_4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"})
  void rejectsInvalidTraceparents(String header) {
    assertThat(TraceContext.parse(header)).isNull();
  }

  @Test
  void startsAValidTraceThatParsesBack() {
    TraceContext started = TraceContext.start(true);
    assertThat(started.startedHere()).isTrue();
    TraceContext parsed = TraceContext.parse(started.header());
    assertThat(parsed.traceId()).isEqualTo(started.traceId()).hasSize(32);
    assertThat(parsed.spanId()).isEqualTo(started.spanId()).hasSize(16);
    assertThat(parsed.sampled()).isTrue();
  }
}
