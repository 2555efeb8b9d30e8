package batcycle.lifecycle;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import batcycle.config.ConfigException;
import batcycle.config.IoTransport;
import batcycle.config.Key;
import batcycle.testing.ProxyHarness;
import batcycle.testing.RecordingOrigin;
import io.vertx.core.transport.Transport;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Every transport batcycle can pick proxies requests with bodies both ways; auto prefers epoll. */
class TransportIT {
  private RecordingOrigin origin;
  @RegisterExtension
  final ProxyHarness proxy = ProxyHarness.startedByEachTest();

  @ParameterizedTest
  @ValueSource(strings = {"nio", "epoll", "io_uring"})
  void proxiesOnEachTransport(String name) {
    Transport transport = switch (name) {
      case "epoll" -> Transport.EPOLL;
      case "io_uring" -> Transport.IO_URING;
      default -> Transport.NIO;
    };
    // Native transports depend on the kernel and its sandbox; the default suite already runs on what auto picks.
    assumeTrue(transport != null && transport.available(), name + " is not available on this host");
    origin = proxy.closesAfter(RecordingOrigin.start((request, body) -> request.response().end("echo:" + body)));
    proxy.start(ProxyHarness.forUpstream(origin.port()).with(Key.TRANSPORT, name));

    String large = "x".repeat(300_000);
    HttpResponse<String> response = proxy.send(HttpRequest.newBuilder(proxy.uri("/upload"))
        .POST(HttpRequest.BodyPublishers.ofString(large)).build());

    assertThat(proxy.batcycle().transport()).isEqualTo(name);
    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.body()).isEqualTo("echo:" + large);
    assertThat(proxy.get("/again").statusCode()).isEqualTo(200);
    assertThat(origin.received()).hasSize(2);
  }

  @Test
  void autoTakesEpollThenIoUringThenNio() {
    Transports.Choice choice = Transports.choose(IoTransport.AUTO);

    String expected = Transport.EPOLL != null && Transport.EPOLL.available() ? "epoll"
        : Transport.IO_URING != null && Transport.IO_URING.available() ? "io_uring" : "nio";
    assertThat(choice.name()).isEqualTo(expected);
    // Each preferred transport passed over is explained in the start-up log.
    int passedOver = expected.equals("epoll") ? 0 : expected.equals("io_uring") ? 1 : 2;
    assertThat(choice.skipped()).hasSize(passedOver);
  }

  @Test
  void anUnavailableTransportNamedExplicitlyIsAConfigurationError() {
    Transport refused = new Transport() {
      @Override
      public String name() {
        return "io_uring";
      }

      @Override
      public boolean available() {
        return false;
      }

      @Override
      public Throwable unavailabilityCause() {
        return new UnsupportedOperationException("io_uring_setup: Operation not permitted");
      }

      @Override
      public io.vertx.core.spi.transport.Transport implementation() {
        throw new UnsupportedOperationException();
      }
    };

    assertThatThrownBy(() -> Transports.required(refused, "io_uring")).isInstanceOf(ConfigException.class)
        .hasMessage("transport: 'io_uring' is not available on this host (io_uring_setup: Operation not "
            + "permitted); use auto or nio");
    assertThatThrownBy(() -> Transports.required(null, "epoll")).isInstanceOf(ConfigException.class)
        .hasMessageContaining("not built into this jar");
  }
}
