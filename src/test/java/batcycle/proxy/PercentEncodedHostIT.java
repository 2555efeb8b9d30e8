package batcycle.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import batcycle.testing.ProxyHarness;
import batcycle.testing.RawHttp;
import batcycle.testing.RecordingOrigin;
import java.io.IOException;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A Host or absolute-form authority with percent-encoding is answered 400 by batcycle. Found by fuzzing: such a
 * Host passed validation and then made Vert.x's authority parser throw inside the pipeline (502, a WARN with a
 * stack trace per request).
 */
class PercentEncodedHostIT {
  private final RecordingOrigin origin = RecordingOrigin.start((request, body) -> request.response().end("ok"));
  @RegisterExtension
  final ProxyHarness proxy = ProxyHarness.forUpstream(origin::port).thenClose(origin).build();

  @ParameterizedTest
  @ValueSource(strings = {"GET /x HTTP/1.1\r\nHost: a%6c\r\n\r\n", "GET /x HTTP/1.1\r\nHost: %6x:80\r\n\r\n",
      "GET http://a%6c/x HTTP/1.1\r\nHost: h\r\n\r\n"})
  void isRefusedWith400BeforeTheApp(String raw) throws IOException {
    try (RawHttp client = RawHttp.connect(proxy.port())) {
      assertThat(client.send(raw).readResponse().status()).isEqualTo(400);
    }
    assertThat(origin.received()).isEmpty();
  }
}
