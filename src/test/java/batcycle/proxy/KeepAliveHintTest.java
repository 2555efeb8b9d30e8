package batcycle.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class KeepAliveHintTest {
  private static final long POOL_IDLE = TimeUnit.SECONDS.toNanos(4);

  private static long keptSeconds(String keepAlive, String connection) {
    HttpResponse response = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
    if (keepAlive != null) {
      response.headers().set("keep-alive", keepAlive);
    }
    if (connection != null) {
      response.headers().set("connection", connection);
    }
    return TimeUnit.NANOSECONDS.toSeconds(KeepAliveHint.keepNanos(response, POOL_IDLE));
  }

  @Test
  void keepsAConnectionOneSecondLessThanTheAppAnnounces() {
    assertThat(keptSeconds("timeout=3", null)).isEqualTo(2);
    assertThat(keptSeconds("timeout=3, max=100", null)).isEqualTo(2);
  }

  @Test
  void neverKeepsItLongerThanThePoolIdleTimeout() {
    assertThat(keptSeconds("timeout=60", null)).isEqualTo(4);
    assertThat(keptSeconds("timeout=5", null)).isEqualTo(4);
  }

  @Test
  void closesAfterTheResponseWhenLessThanASecondWouldBeLeft() {
    assertThat(keptSeconds("timeout=1", null)).isZero();
    assertThat(keptSeconds("timeout=0", null)).isZero();
  }

  @Test
  void closesWhenTheAppSaysSo() {
    assertThat(keptSeconds(null, "close")).isZero();
    assertThat(keptSeconds("timeout=60", "close")).isZero();
  }

  @Test
  void keepsThePoolIdleTimeoutWithoutAReadableHint() {
    assertThat(keptSeconds(null, null)).isEqualTo(4);
    assertThat(keptSeconds("max=5", null)).isEqualTo(4);
    assertThat(keptSeconds("timeout=abc", null)).isEqualTo(4);
  }
}
