package batcycle.testing;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ProtocolException;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A blocking raw-socket HTTP/1.1 conversation with a server on 127.0.0.1, for tests that must send bytes no real
 * client would (request smuggling, malformed framing) and see exactly what comes back.
 *
 * <p>Not thread-safe; use it from the test thread only. A read that waits longer than the read timeout throws
 * {@link SocketTimeoutException}: the peer stalled, which is neither a complete nor a truncated response.
 */
public final class RawHttp implements AutoCloseable {
  /** Read timeout of {@link #connect(int)}. */
  public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(10);
  private static final int MAX_LINE = 64 * 1024;
  private static final int MAX_BODY = Integer.MAX_VALUE - 8; // the largest byte[] a JVM reliably allocates

  private final Socket socket;
  private final BufferedInputStream in;
  private final OutputStream out;
  private final Duration timeout;

  private RawHttp(Socket socket, Duration timeout) throws IOException {
    this.socket = socket;
    this.in = new BufferedInputStream(socket.getInputStream());
    this.out = socket.getOutputStream();
    this.timeout = timeout;
  }

  /** Connects to 127.0.0.1:{@code port} with the {@link #DEFAULT_TIMEOUT} for connecting and for each read. */
  public static RawHttp connect(int port) throws IOException {
    return connect(port, DEFAULT_TIMEOUT);
  }

  public static RawHttp connect(int port, Duration timeout) throws IOException {
    var socket = new Socket();
    try {
      socket.setTcpNoDelay(true); // so each send() leaves as written, which split-request tests rely on
      socket.connect(new InetSocketAddress(InetAddress.getByAddress(new byte[] {127, 0, 0, 1}), port), millis(timeout));
      socket.setSoTimeout(millis(timeout));
      return new RawHttp(socket, timeout);
    } catch (IOException e) {
      socket.close();
      throw e;
    }
  }

  /** Writes {@code raw} as ISO-8859-1, one byte per char, with no normalisation of line endings or spacing. */
  public RawHttp send(String raw) throws IOException {
    byte[] bytes = new byte[raw.length()];
    for (int i = 0; i < raw.length(); i++) {
      char c = raw.charAt(i);
      if (c > 0xFF) { // getBytes would silently write '?'
        throw new IllegalArgumentException("char " + (int) c + " at index " + i + " is not ISO-8859-1; use send(byte[])");
      }
      bytes[i] = (byte) c;
    }
    return send(bytes);
  }

  public RawHttp send(byte[] raw) throws IOException {
    out.write(raw);
    out.flush();
    return this;
  }

  /** Half-closes the connection: the server sees end-of-stream but can still answer. */
  public void shutdownOutput() throws IOException {
    socket.shutdownOutput();
  }

  /**
   * Reads one response: status line, headers, then a body framed by chunked coding, Content-Length or, with
   * neither, the end of the connection. A 1xx, 204 or 304 has no body; after a 1xx call again for the final one.
   */
  public RawResponse readResponse() throws IOException {
    return read(false);
  }

  /** Reads the response to a HEAD request, which never has a body whatever its headers say. */
  public RawResponse readHeadResponse() throws IOException {
    return read(true);
  }

  /**
   * Waits up to the read timeout for the peer to close; true on end-of-stream or reset, false if data arrives (it
   * stays readable) or nothing happens in time.
   */
  public boolean isClosedByPeer() throws IOException {
    return isClosedByPeer(timeout);
  }

  /** Like {@link #isClosedByPeer()} with a custom wait, so asserting "still open" need not take the full timeout. */
  public boolean isClosedByPeer(Duration wait) throws IOException {
    if (in.available() > 0) {
      return false;
    }
    socket.setSoTimeout(millis(wait));
    in.mark(1);
    try {
      if (in.read() == -1) {
        return true;
      }
      in.reset();
      return false;
    } catch (SocketTimeoutException e) {
      return false;
    } catch (SocketException e) {
      return true; // a reset ("Connection reset") is the peer closing abortively
    } finally {
      socket.setSoTimeout(millis(timeout));
    }
  }

  @Override
  public void close() throws IOException {
    socket.close();
  }

  private RawResponse read(boolean headRequest) throws IOException {
    String statusLine = readLine();
    if (statusLine == null) {
      throw new EOFException("connection closed before a status line");
    }
    String[] parts = statusLine.split(" ", 3);
    if (parts.length < 2 || !parts[0].startsWith("HTTP/")) {
      throw new ProtocolException("malformed status line: " + statusLine);
    }
    int status = parseStatus(statusLine, parts[1]);
    String reason = parts.length == 3 ? parts[2] : "";
    RawHeaders headers = readFields();
    if (headers == null) {
      throw new EOFException("connection closed inside the head of: " + statusLine);
    }
    if (headRequest || status < 200 || status == 204 || status == 304) {
      return new RawResponse(status, reason, headers, new byte[0], true, RawHeaders.EMPTY);
    }
    if (isChunked(headers)) {
      return readChunked(status, reason, headers);
    }
    List<String> lengths = headers.all("Content-Length");
    if (!lengths.isEmpty()) {
      long length = contentLength(lengths);
      if (length > MAX_BODY) {
        throw new ProtocolException("Content-Length " + length + " is too large for a byte[] body");
      }
      byte[] body = in.readNBytes((int) length);
      return new RawResponse(status, reason, headers, body, body.length == length, RawHeaders.EMPTY);
    }
    // RFC 9112 §6.3 rule 8: no framing, so the body ends when the connection does.
    return new RawResponse(status, reason, headers, in.readAllBytes(), true, RawHeaders.EMPTY);
  }

  private RawResponse readChunked(int status, String reason, RawHeaders headers) throws IOException {
    var body = new ByteArrayOutputStream();
    while (true) {
      String sizeLine = readLine();
      if (sizeLine == null) {
        return new RawResponse(status, reason, headers, body.toByteArray(), false, RawHeaders.EMPTY);
      }
      long size = chunkSize(sizeLine);
      if (size == 0) {
        RawHeaders trailers = readFields();
        boolean complete = trailers != null;
        return new RawResponse(status, reason, headers, body.toByteArray(), complete,
            complete ? trailers : RawHeaders.EMPTY);
      }
      byte[] chunk = in.readNBytes((int) size);
      body.write(chunk);
      String end = chunk.length < size ? null : readLine();
      if (end == null) {
        return new RawResponse(status, reason, headers, body.toByteArray(), false, RawHeaders.EMPTY);
      }
      if (!end.isEmpty()) {
        throw new ProtocolException("chunk data not followed by CRLF but by: " + end);
      }
    }
  }

  /** Reads field lines up to the empty line; null if the connection ends first. */
  private RawHeaders readFields() throws IOException {
    var fields = new ArrayList<Map.Entry<String, String>>();
    for (String line = readLine(); line != null; line = readLine()) {
      if (line.isEmpty()) {
        return new RawHeaders(fields);
      }
      int colon = line.indexOf(':');
      if (colon <= 0) {
        throw new ProtocolException("malformed field line: " + line);
      }
      fields.add(Map.entry(line.substring(0, colon), line.substring(colon + 1).strip()));
    }
    return null;
  }

  /** Reads up to LF, dropping the LF and one preceding CR; null if the connection ends before the LF. */
  private String readLine() throws IOException {
    var line = new ByteArrayOutputStream();
    for (int b = in.read(); b != -1; b = in.read()) {
      if (b == '\n') {
        byte[] bytes = line.toByteArray();
        int length = bytes.length > 0 && bytes[bytes.length - 1] == '\r' ? bytes.length - 1 : bytes.length;
        return new String(bytes, 0, length, StandardCharsets.ISO_8859_1);
      }
      if (line.size() == MAX_LINE) {
        throw new ProtocolException("line longer than " + MAX_LINE + " bytes");
      }
      line.write(b);
    }
    return null;
  }

  private static boolean isChunked(RawHeaders headers) {
    // RFC 9112 §6.1: chunked counts only as the final coding; any other Transfer-Encoding means read until close.
    List<String> values = headers.all("Transfer-Encoding");
    if (values.isEmpty()) {
      return false;
    }
    String[] codings = values.get(values.size() - 1).split(",");
    return codings[codings.length - 1].strip().equalsIgnoreCase("chunked");
  }

  private static long contentLength(List<String> values) throws ProtocolException {
    long length = -1;
    for (String value : values) {
      for (String item : value.split(",")) {
        long parsed = parseNonNegative(item.strip(), 10, "Content-Length " + values);
        if (length != -1 && parsed != length) {
          throw new ProtocolException("conflicting Content-Length " + values);
        }
        length = parsed;
      }
    }
    return length;
  }

  private static long chunkSize(String line) throws ProtocolException {
    int extension = line.indexOf(';');
    String size = (extension == -1 ? line : line.substring(0, extension)).strip();
    long parsed = parseNonNegative(size, 16, "chunk size line: " + line);
    if (parsed > MAX_BODY) {
      throw new ProtocolException("chunk size " + parsed + " is too large for a byte[] body");
    }
    return parsed;
  }

  private static long parseNonNegative(String digits, int radix, String context) throws ProtocolException {
    // Long.parseLong would also accept a sign, which no length or chunk size may carry.
    if (digits.isEmpty() || Character.digit(digits.charAt(0), radix) < 0) {
      throw new ProtocolException("malformed " + context);
    }
    try {
      return Long.parseLong(digits, radix);
    } catch (NumberFormatException e) {
      throw new ProtocolException("malformed " + context + " (" + e.getMessage() + ")");
    }
  }

  private static int parseStatus(String statusLine, String code) throws ProtocolException {
    if (code.length() != 3 || !code.chars().allMatch(Character::isDigit)) {
      throw new ProtocolException("malformed status line: " + statusLine);
    }
    return Integer.parseInt(code);
  }

  private static int millis(Duration duration) {
    return (int) Math.min(Integer.MAX_VALUE, Math.max(1, duration.toMillis()));
  }
}
