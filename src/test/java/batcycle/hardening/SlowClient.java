package batcycle.hardening;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * A slow HTTP/1.1 client on a raw socket to 127.0.0.1: it can trickle bytes one at a time and, between two bytes,
 * waits up to a gap for the server to answer or close. The wait is for the server's reaction, so the pace needs no
 * sleep; every trickle is bounded by its bytes and by a time limit. Reads only Content-Length or close-delimited
 * responses, which is all these tests get. Test thread only.
 */
final class SlowClient implements AutoCloseable {
  /** What the server did while the client trickled. */
  enum Reaction { ANSWERED, CLOSED, ALL_SENT }

  /** A response; header names lower-cased. */
  record Response(int status, Map<String, String> headers, String body) {}

  private final Socket socket;
  private final BufferedInputStream in;
  private final OutputStream out;
  private final int readTimeoutMillis;

  private SlowClient(Socket socket, Duration readTimeout) throws IOException {
    this.socket = socket;
    this.in = new BufferedInputStream(socket.getInputStream());
    this.out = socket.getOutputStream();
    this.readTimeoutMillis = (int) readTimeout.toMillis();
  }

  static SlowClient connect(int port, Duration readTimeout) throws IOException {
    Socket socket = new Socket();
    try {
      socket.setTcpNoDelay(true);
      socket.connect(new InetSocketAddress(InetAddress.getByAddress(new byte[] {127, 0, 0, 1}), port),
          (int) readTimeout.toMillis());
      socket.setSoTimeout((int) readTimeout.toMillis());
      return new SlowClient(socket, readTimeout);
    } catch (IOException e) {
      socket.close();
      throw e;
    }
  }

  SlowClient send(String text) throws IOException {
    out.write(text.getBytes(StandardCharsets.ISO_8859_1));
    out.flush();
    return this;
  }

  /** Sends {@code text} a byte at a time until the server reacts, everything is sent, or {@code limit} passes. */
  Reaction trickle(String text, Duration gap, Duration limit) throws IOException {
    byte[] bytes = text.getBytes(StandardCharsets.ISO_8859_1);
    long deadline = System.nanoTime() + limit.toNanos();
    socket.setSoTimeout((int) gap.toMillis());
    try {
      for (int i = 0; i < bytes.length && System.nanoTime() < deadline; i++) {
        try {
          out.write(bytes[i]);
          out.flush();
        } catch (SocketException e) {
          return Reaction.CLOSED;
        }
        Reaction reaction = reaction();
        if (reaction != null) {
          return reaction;
        }
      }
      return Reaction.ALL_SENT;
    } finally {
      socket.setSoTimeout(readTimeoutMillis);
    }
  }

  /** ANSWERED if data is readable (left unread), CLOSED on end or reset, null if nothing within the timeout. */
  private Reaction reaction() throws IOException {
    in.mark(1);
    try {
      if (in.read() == -1) {
        return Reaction.CLOSED;
      }
      in.reset();
      return Reaction.ANSWERED;
    } catch (SocketTimeoutException e) {
      return null;
    } catch (SocketException e) {
      return Reaction.CLOSED;
    }
  }

  /** Waits up to {@code wait} for the server to close; false if it stays open (or sends data). */
  boolean isClosedByPeer(Duration wait) throws IOException {
    socket.setSoTimeout((int) wait.toMillis());
    try {
      return reaction() == Reaction.CLOSED;
    } finally {
      socket.setSoTimeout(readTimeoutMillis);
    }
  }

  Response readResponse() throws IOException {
    String statusLine = readLine();
    if (statusLine == null) {
      throw new EOFException("connection closed before a status line");
    }
    int status = Integer.parseInt(statusLine.split(" ", 3)[1]);
    Map<String, String> headers = new TreeMap<>();
    for (String line = readLine(); ; line = readLine()) {
      if (line == null) {
        throw new EOFException("connection closed inside the head");
      }
      if (line.isEmpty()) {
        break;
      }
      int colon = line.indexOf(':');
      headers.put(line.substring(0, colon).trim().toLowerCase(Locale.ROOT), line.substring(colon + 1).trim());
    }
    String length = headers.get("content-length");
    byte[] body = length != null ? in.readNBytes(Integer.parseInt(length)) : in.readAllBytes();
    return new Response(status, headers, new String(body, StandardCharsets.ISO_8859_1));
  }

  private String readLine() throws IOException {
    var line = new ByteArrayOutputStream();
    for (int b = in.read(); b != -1; b = in.read()) {
      if (b == '\n') {
        String text = line.toString(StandardCharsets.ISO_8859_1);
        return text.endsWith("\r") ? text.substring(0, text.length() - 1) : text;
      }
      line.write(b);
    }
    return null;
  }

  @Override
  public void close() throws IOException {
    socket.close();
  }
}
