package batcycle.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import org.junit.jupiter.api.Test;

class KeepAliveHintTest {
  private static HttpResponse rewritten(int poolIdleSeconds, String keepAlive) {
    HttpResponse response = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
    if (keepAlive != null) {
      response.headers().set("keep-alive", keepAlive);
    }
    new KeepAliveHint(poolIdleSeconds).rewrite(response);
    return response;
  }

  @Test
  void keepsAConnectionOneSecondLessThanTheAppAnnounces() {
    assertThat(rewritten(4, "timeout=5").headers().get("keep-alive")).isEqualTo("timeout=4");
    assertThat(rewritten(4, "timeout=3, max=100").headers().get("keep-alive")).isEqualTo("timeout=2");
  }

  @Test
  void neverKeepsItLongerThanThePoolIdleTimeout() {
    assertThat(rewritten(4, "timeout=60").headers().get("keep-alive")).isEqualTo("timeout=4");
  }

  @Test
  void closesAfterTheResponseWhenLessThanASecondWouldBeLeft() {
    HttpResponse response = rewritten(4, "timeout=1");
    assertThat(response.headers().get("connection")).isEqualTo("close");
    assertThat(response.headers().contains("keep-alive")).isFalse();
    assertThat(rewritten(4, "timeout=0").headers().get("connection")).isEqualTo("close");
  }

  @Test
  void leavesResponsesWithoutAReadableHintAlone() {
    assertThat(rewritten(4, null).headers().isEmpty()).isTrue();
    assertThat(rewritten(4, "max=5").headers().get("keep-alive")).isEqualTo("max=5");
    assertThat(rewritten(4, "timeout=abc").headers().get("keep-alive")).isEqualTo("timeout=abc");
  }
}
