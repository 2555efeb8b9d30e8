package batcycle.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import batcycle.errors.UpstreamReset;
import batcycle.errors.UpstreamUnavailable;
import io.vertx.core.http.StreamResetException;
import org.junit.jupiter.api.Test;

class UpstreamFailuresTest {
  @Test
  void aRefusedHttp2StreamWasNotProcessedLikeARefusedConnection() {
    assertThat(UpstreamFailures.exchangeFailure(new StreamResetException(0x7), 1000))
        .isInstanceOf(UpstreamUnavailable.class);
  }

  @Test
  void anyOtherStreamResetMayHaveBeenProcessed() {
    assertThat(UpstreamFailures.exchangeFailure(new StreamResetException(0x8), 1000))
        .isInstanceOf(UpstreamReset.class);
  }
}
