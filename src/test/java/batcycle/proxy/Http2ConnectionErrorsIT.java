package batcycle.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import batcycle.testing.Closing;
import batcycle.testing.ProxyHarness;
import batcycle.testing.RawH2;
import batcycle.testing.RawH2.Frame;
import batcycle.testing.RecordingOrigin;
import io.netty.handler.codec.http2.Http2Error;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Frames a client may not send, on raw HTTP/2 connections, answered as RFC 9113 §5.1 and §5.1.1 require (the cases
 * h2spec checks in its sections 3.5, 5.1 and 5.1.1): a stream error where only that stream is broken, a connection
 * error (GOAWAY) where the client lost track of the connection's state, and no HTTP/1 answer to a broken preface.
 */
class Http2ConnectionErrorsIT {
  private static final Duration WAIT = Duration.ofSeconds(10);

  private RecordingOrigin origin;
  @RegisterExtension
  final ProxyHarness proxy = ProxyHarness.startedByEachTest();
  private RawH2 client;

  @AfterEach
  void close() {
    Closing.all(client); // before the proxy, which the extension closes after this
  }

  private void start(long responseDelayMs) {
    RecordingOrigin[] self = new RecordingOrigin[1];
    origin = proxy.closesAfter(RecordingOrigin.start((request, body) -> {
      if (responseDelayMs == 0) {
        request.response().end("ok");
      } else {
        self[0].vertx().setTimer(responseDelayMs, t -> request.response().end("ok"));
      }
    }));
    self[0] = origin;
    proxy.start(ProxyHarness.forUpstream(origin.port()));
    client = RawH2.connect(proxy.port()).preface();
  }

  @Test
  void headersOnAStreamTheClientHalfClosedIsAStreamErrorStreamClosed() {
    start(2000); // the response to stream 1 is still coming when the second HEADERS arrives
    client.request(1, "GET", "/slow", true).request(1, "GET", "/slow", true);

    Frame answer = client.await("RST_STREAM", WAIT);
    assertThat(answer.type()).isEqualTo("RST_STREAM");
    assertThat(answer.streamId()).isEqualTo(1);
    assertThat(answer.errorCode()).isEqualTo(Http2Error.STREAM_CLOSED.code());
    // Only that stream is gone: the connection serves the next one.
    client.request(3, "GET", "/next", true);
    assertThat(client.await("HEADERS", WAIT).streamId()).isEqualTo(3);
  }

  @Test
  void headersOnAClosedStreamIsAConnectionErrorStreamClosed() {
    start(0);
    client.request(1, "GET", "/done", true);
    Frame head = client.await("HEADERS", WAIT);
    assertThat(head.status()).isEqualTo(200);
    Frame body = client.next(WAIT);
    assertThat(body.endStream()).as("stream 1 complete: %s", body).isTrue();

    client.request(1, "GET", "/again", true);

    Frame goAway = client.await("GOAWAY", WAIT);
    assertThat(goAway.type()).isEqualTo("GOAWAY");
    assertThat(goAway.errorCode()).isEqualTo(Http2Error.STREAM_CLOSED.code());
    assertThat(client.closedWithin(WAIT)).isTrue();
    assertThat(origin.received()).extracting(RecordingOrigin.Received::uri).containsExactly("/done");
  }

  @Test
  void headersOpeningAStreamBelowOneAlreadyUsedIsAConnectionErrorProtocolError() {
    start(0);
    client.request(5, "GET", "/five", true).request(3, "GET", "/three", true);

    Frame goAway = client.await("GOAWAY", WAIT);
    assertThat(goAway.type()).isEqualTo("GOAWAY");
    assertThat(goAway.errorCode()).isEqualTo(Http2Error.PROTOCOL_ERROR.code());
    assertThat(client.closedWithin(WAIT)).isTrue();
    assertThat(origin.received()).extracting(RecordingOrigin.Received::uri).doesNotContain("/three");
  }

  @Test
  void anInvalidPrefaceClosesTheConnectionWithoutAnHttp1Answer() {
    origin = proxy.closesAfter(RecordingOrigin.start());
    proxy.start(ProxyHarness.forUpstream(origin.port()));
    client = RawH2.connect(proxy.port()).raw("INVALID CONNECTION PREFACE\r\n\r\n");

    Frame first = client.next(WAIT);
    assertThat(first.type()).as("%s: %s", first, first.data()).isIn(Frame.END, "GOAWAY");
    assertThat(client.closedWithin(WAIT)).isTrue();
  }

  @Test
  void aPrefaceBrokenAfterItsFirstBytesClosesTheConnectionToo() {
    origin = proxy.closesAfter(RecordingOrigin.start());
    proxy.start(ProxyHarness.forUpstream(origin.port()));
    client = RawH2.connect(proxy.port()).raw("PRI * HTTP/2.0\r\n\r\nSM\r\n\rQ");

    assertThat(client.next(WAIT).type()).isIn(Frame.END, "GOAWAY");
    assertThat(client.closedWithin(WAIT)).isTrue();
  }
}
