package batcycle.fuzz;

import static org.assertj.core.api.Assertions.assertThat;

import batcycle.config.BatcycleConfig;
import batcycle.config.HeaderConfig;
import batcycle.config.UpstreamConfig;
import batcycle.headers.ForwardedHeadersLayer;
import batcycle.pipeline.Exchange;
import batcycle.proxy.RequestTargetFuzzEntry;
import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import batcycle.pipeline.Protocol;
import batcycle.testing.FakeBody;
import batcycle.testing.TestLoop;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpVersion;
import io.vertx.core.Future;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * X-Forwarded-* and Forwarded building for any client-sent values: the client address is appended last (earlier
 * hops kept), values from a trusted front proxy are kept and untrusted ones overwritten, the Forwarded element is
 * well-formed (RFC 7239 §4), and no header outside this set is touched.
 */
class ForwardedHeadersFuzzTest {
  private static final UpstreamConfig UPSTREAM = BatcycleConfig.defaults().upstream();
  private static final Set<String> WRITTEN = Set.of("x-forwarded-for", "x-forwarded-proto", "x-forwarded-host",
      "x-forwarded-port", "forwarded", "via", "host");
  private static final String[] NAMES = {"X-Forwarded-For", "X-Forwarded-Proto", "X-Forwarded-Host",
      "X-Forwarded-Port", "Forwarded", "Via", "X-Custom", "Authorization"};
  private static final String TOKEN = "[!#$%&'*+.^_`|~0-9A-Za-z-]+";
  private static final String QUOTED = "\"(?:[\\t !#-\\[\\]-~\\x80-\\xff]|\\\\[\\t -~\\x80-\\xff])*\"";
  /** forwarded-element = [ forwarded-pair ] *( ";" [ forwarded-pair ] ), pair = token "=" value. */
  private static final Pattern ELEMENT =
      Pattern.compile("(" + TOKEN + "=(" + TOKEN + "|" + QUOTED + "))(;" + TOKEN + "=(" + TOKEN + "|" + QUOTED + "))*");

  @FuzzTest
  void forwardedHeadersNameTheClientAndKeepEverythingElse(FuzzedDataProvider data) throws UnknownHostException {
    HeaderConfig config = new HeaderConfig(data.consumeBoolean(), data.consumeBoolean(), data.consumeBoolean(),
        data.consumeBoolean(), "");
    String scheme = data.pickValue(new String[] {"http", "https"});
    InetAddress client = InetAddress.getByAddress(address(data, data.consumeBoolean() ? 4 : 16));
    HttpHeaders headers = new DefaultHttpHeaders();
    String host = data.consumeString(30);
    if (RequestTargetFuzzEntry.validAuthority(host)) { // the proxy answers 400 to any other Host
      headers.set("host", host);
    } else {
      host = null;
    }
    int count = data.consumeInt(0, 6);
    for (int i = 0; i < count; i++) {
      String name = data.pickValue(NAMES);
      String value = data.consumeString(30);
      if (HopByHopFuzzTest.isFieldValue(value)) {
        headers.add(name, value);
      }
    }
    List<String> before = lines(headers);
    HttpHeaders original = new DefaultHttpHeaders().add(headers);
    var request = new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, "/", headers);
    Exchange exchange = new Exchange(request, Protocol.HTTP_1_1, client.getHostAddress(), 8000, new TestLoop(),
        "fuzz", new FakeBody().end());
    exchange.secure(scheme.equals("https"));

    new ForwardedHeadersLayer(config, UPSTREAM).handle(exchange, e -> Future.succeededFuture(null));

    String ip = client.getHostAddress();
    assertThat(headers.getAll("x-forwarded-for")).as("from %s", before)
        .containsExactly(appended(original.getAll("x-forwarded-for"), ip));
    assertSetUnlessTrusted(config, original, headers, "x-forwarded-proto", scheme);
    if (host != null) {
      assertSetUnlessTrusted(config, original, headers, "x-forwarded-host", host);
    } else {
      assertThat(headers.getAll("x-forwarded-host")).isEqualTo(original.getAll("x-forwarded-host"));
    }
    if (!config.trustForwarded() || !original.contains("x-forwarded-port")) {
      assertThat(headers.getAll("x-forwarded-port")).as("the listener's port").containsExactly("8000");
    }
    if (config.forwarded()) {
      String forwarded = headers.get("forwarded");
      String ours = forwarded.substring(forwarded.lastIndexOf(", ") < 0 ? 0 : forwarded.lastIndexOf(", ") + 2);
      assertThat(forwarded).isEqualTo(appended(original.getAll("forwarded"), ours));
      assertThat(ours).matches(ELEMENT).contains("for=").contains(";proto=" + scheme);
      if (host != null) {
        assertThat(ours).endsWith(";host=\"" + host + "\"");
      }
    } else {
      assertThat(headers.getAll("forwarded")).isEqualTo(original.getAll("forwarded"));
    }
    if (config.via()) {
      assertThat(headers.get("via")).endsWith("1.1 batcycle");
    } else {
      assertThat(headers.getAll("via")).isEqualTo(original.getAll("via"));
    }
    if (!config.preserveHost()) {
      assertThat(headers.getAll("host")).containsExactly(UPSTREAM.authority());
    } else {
      assertThat(headers.getAll("host")).isEqualTo(original.getAll("host"));
    }
    List<String> untouched = before.stream().filter(l -> !WRITTEN.contains(name(l))).toList();
    assertThat(lines(headers).stream().filter(l -> !WRITTEN.contains(name(l))).toList()).isEqualTo(untouched);
  }

  private static void assertSetUnlessTrusted(HeaderConfig config, HttpHeaders original, HttpHeaders headers, String name,
                                             String value) {
    if (config.trustForwarded() && original.contains(name)) {
      assertThat(headers.getAll(name)).isEqualTo(original.getAll(name));
    } else {
      assertThat(headers.getAll(name)).containsExactly(value);
    }
  }

  /** Earlier lines joined into one list, then ours (RFC 9110 §5.3). */
  private static String appended(List<String> earlier, String ours) {
    return earlier.isEmpty() ? ours : String.join(", ", earlier) + ", " + ours;
  }

  /** An IPv4 or IPv6 client address of exactly {@code length} bytes. */
  private static byte[] address(FuzzedDataProvider data, int length) {
    byte[] address = new byte[length];
    byte[] given = data.consumeBytes(length);
    System.arraycopy(given, 0, address, 0, given.length);
    return address;
  }

  private static List<String> lines(HttpHeaders headers) {
    List<String> out = new ArrayList<>();
    for (Map.Entry<String, String> field : headers) {
      out.add(field.getKey().toLowerCase(Locale.ROOT) + ": " + field.getValue());
    }
    return out;
  }

  private static String name(String line) {
    return line.substring(0, line.indexOf(": "));
  }
}
