package batcycle.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import batcycle.errors.FailureKind;
import io.netty.channel.ConnectTimeoutException;
import io.netty.handler.codec.DecoderException;
import java.io.IOException;
import java.net.ConnectException;
import org.junit.jupiter.api.Test;

class UpstreamFailuresTest {
  @Test
  void aRefusedOrTimedOutConnectReachedNothingOfTheApp() {
    assertThat(UpstreamFailures.connectFailure(new ConnectException("refused"), 1000).kind())
        .isEqualTo(FailureKind.CONNECT_REFUSED);
    assertThat(UpstreamFailures.connectFailure(new ConnectTimeoutException("slow"), 1000).kind())
        .isEqualTo(FailureKind.CONNECT_TIMEOUT);
    assertThat(FailureKind.CONNECT_REFUSED.neverReachedApp()).isTrue();
    assertThat(FailureKind.CONNECT_TIMEOUT.neverReachedApp()).isTrue();
  }

  @Test
  void aRefusedHttp2StreamWasNotProcessedLikeARefusedConnection() {
    assertThat(FailureKind.STREAM_REFUSED.neverReachedApp()).isTrue();
    assertThat(FailureKind.STREAM_REFUSED.code()).isEqualTo(FailureKind.CONNECT_REFUSED.code());
  }

  @Test
  void anythingBrokenAfterTheRequestStartedMayHaveBeenProcessed() {
    assertThat(UpstreamFailures.exchangeFailure(new IOException("reset by peer")).kind())
        .isEqualTo(FailureKind.RESET);
    assertThat(UpstreamFailures.exchangeFailure(new DecoderException("garbage")).kind())
        .isEqualTo(FailureKind.PROTOCOL_ERROR);
    assertThat(FailureKind.RESET.neverReachedApp()).isFalse();
    assertThat(FailureKind.PROTOCOL_ERROR.neverReachedApp()).isFalse();
  }
}
