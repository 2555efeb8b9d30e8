package batcycle.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class RawHttpTest {
  private static final String REQUEST = "GET / HTTP/1.1\r\nHost: test\r\n\r\n";

  @Test
  void readsContentLengthBodyAndMultiValuedHeaders() throws Exception {
    try (var server = new CannedServer("HTTP/1.1 200 OK\r\nContent-Length: 5\r\nX-Multi: a\r\nx-multi: b\r\n\r\nhello");
         var http = RawHttp.connect(server.port())) {
      var response = http.send(REQUEST).readResponse();
      assertThat(response.status()).isEqualTo(200);
      assertThat(response.reason()).isEqualTo("OK");
      assertThat(response.header("content-length")).isEqualTo("5");
      assertThat(response.headers().all("X-MULTI")).containsExactly("a", "b");
      assertThat(response.bodyText()).isEqualTo("hello");
      assertThat(response.complete()).isTrue();
      assertThat(http.isClosedByPeer()).isTrue();
    }
  }

  @Test
  void decodesChunkedBodyAndTrailers() throws Exception {
    String canned = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
        + "5;ext=1\r\nhello\r\n6\r\n world\r\n0\r\nX-Checksum: abc\r\n\r\n";
    try (var server = new CannedServer(canned); var http = RawHttp.connect(server.port())) {
      var response = http.send(REQUEST).readResponse();
      assertThat(response.bodyText()).isEqualTo("hello world");
      assertThat(response.complete()).isTrue();
      assertThat(response.trailers().first("x-checksum")).hasValue("abc");
    }
  }

  @Test
  void marksTruncatedContentLengthBodyIncomplete() throws Exception {
    try (var server = new CannedServer("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nhello");
         var http = RawHttp.connect(server.port())) {
      var response = http.send(REQUEST).readResponse();
      assertThat(response.bodyText()).isEqualTo("hello");
      assertThat(response.complete()).isFalse();
    }
  }

  @Test
  void marksChunkedBodyWithoutLastChunkIncomplete() throws Exception {
    try (var server = new CannedServer("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n");
         var http = RawHttp.connect(server.port())) {
      var response = http.send(REQUEST).readResponse();
      assertThat(response.bodyText()).isEqualTo("hello");
      assertThat(response.complete()).isFalse();
    }
  }

  @Test
  void marksChunkedBodyCutInsideAChunkIncomplete() throws Exception {
    try (var server = new CannedServer("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\na\r\nhel");
         var http = RawHttp.connect(server.port())) {
      var response = http.send(REQUEST).readResponse();
      assertThat(response.bodyText()).isEqualTo("hel");
      assertThat(response.complete()).isFalse();
    }
  }

  @Test
  void readsUnframedBodyUntilClose() throws Exception {
    try (var server = new CannedServer("HTTP/1.1 200 OK\r\nConnection: close\r\n\r\nuntil the end");
         var http = RawHttp.connect(server.port())) {
      var response = http.send(REQUEST).readResponse();
      assertThat(response.bodyText()).isEqualTo("until the end");
      assertThat(response.complete()).isTrue();
    }
  }

  @Test
  void readsPipelinedResponsesOneAtATime() throws Exception {
    String canned = "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\na"
        + "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n";
    try (var server = new CannedServer(canned); var http = RawHttp.connect(server.port())) {
      http.send(REQUEST);
      assertThat(http.readResponse().status()).isEqualTo(100);
      assertThat(http.readResponse().bodyText()).isEqualTo("a");
      var second = http.readResponse();
      assertThat(second.status()).isEqualTo(404);
      assertThat(second.reason()).isEqualTo("Not Found");
      assertThat(second.body()).isEmpty();
    }
  }

  @Test
  void sendsBytesExactlyAsGiven() throws Exception {
    String odd = "GET /x HTTP/1.1\nHost:  spaced \r\nX-Latin: caf\u00e9\r\nTransfer-Encoding : chunked\r\n\r\n";
    try (var server = new CannedServer("HTTP/1.1 204 No Content\r\n\r\n"); var http = RawHttp.connect(server.port())) {
      assertThat(http.send(odd).readResponse().status()).isEqualTo(204);
      assertThat(server.received()).isEqualTo(odd.getBytes(StandardCharsets.ISO_8859_1));
      assertThatThrownBy(() -> http.send("snow \u2603")).isInstanceOf(IllegalArgumentException.class);
    }
  }

  @Test
  void tellsAnOpenConnectionFromAClosedOne() throws Exception {
    try (var server = new CannedServer("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok", false);
         var http = RawHttp.connect(server.port())) {
      assertThat(http.send(REQUEST).readResponse().bodyText()).isEqualTo("ok");
      assertThat(http.isClosedByPeer(Duration.ofMillis(200))).isFalse();
      server.closeConnection();
      assertThat(http.isClosedByPeer()).isTrue();
    }
  }

  /** Accepts one connection on 127.0.0.1, reads one request head, writes a canned reply and then closes. */
  private static final class CannedServer implements AutoCloseable {
    private final ServerSocket server;
    private final ExecutorService thread = Executors.newSingleThreadExecutor();
    private final CountDownLatch closeConnection = new CountDownLatch(1);
    private final Future<byte[]> received;

    CannedServer(String reply) throws IOException {
      this(reply, true);
    }

    CannedServer(String reply, boolean closeAfterReply) throws IOException {
      server = new ServerSocket(0, 1, InetAddress.getByAddress(new byte[] {127, 0, 0, 1}));
      if (closeAfterReply) {
        closeConnection.countDown();
      }
      received = thread.submit(() -> serve(reply.getBytes(StandardCharsets.ISO_8859_1)));
    }

    int port() {
      return server.getLocalPort();
    }

    byte[] received() throws Exception {
      return received.get(10, TimeUnit.SECONDS);
    }

    void closeConnection() {
      closeConnection.countDown();
    }

    private byte[] serve(byte[] reply) throws Exception {
      try (Socket socket = server.accept()) {
        socket.setSoTimeout(10_000);
        byte[] head = readHead(socket.getInputStream());
        OutputStream out = socket.getOutputStream();
        out.write(reply);
        out.flush();
        if (!closeConnection.await(10, TimeUnit.SECONDS)) {
          throw new IllegalStateException("test never released the connection");
        }
        return head;
      }
    }

    private static byte[] readHead(InputStream in) throws IOException {
      var head = new ByteArrayOutputStream();
      int lastFour = 0;
      for (int b = in.read(); b != -1; b = in.read()) {
        head.write(b);
        lastFour = lastFour << 8 | b;
        if (lastFour == 0x0D0A0D0A) { // CR LF CR LF ends the head
          break;
        }
      }
      return head.toByteArray();
    }

    @Override
    public void close() throws IOException {
      closeConnection.countDown(); // lets serve() return, which closes the accepted socket
      server.close();
      thread.shutdown();
    }
  }
}
