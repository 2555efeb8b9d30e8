package batcycle.fuzz;

import static org.assertj.core.api.Assertions.assertThat;

import batcycle.proxy.RequestTargetFuzzEntry;
import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import batcycle.pipeline.Protocol;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Request-target and Host validation (RFC 9112 §3.2, RFC 3986 §3.2.2): whatever is accepted is an origin-form
 * target of visible ASCII and a Host that is a plain authority, safe to forward; the rest is 400 (CONNECT 501).
 */
class RequestTargetFuzzTest {
  private static final HttpMethod[] METHODS = {HttpMethod.GET, HttpMethod.POST, HttpMethod.OPTIONS,
      HttpMethod.CONNECT, HttpMethod.HEAD};
  /** host[:port]: reg-name or IPv4 (unreserved characters), or a bracketed IPv6 literal; no userinfo. */
  private static final Pattern AUTHORITY =
      Pattern.compile("(\\[[0-9A-Fa-f:.]*\\]|[A-Za-z0-9._~-]*)(?::([0-9]{1,5}))?");
  private static final String[] TARGET_PARTS = {"/", "*", "http://", "https://", "ftp://", "?", "#", "@", ":", "[",
      "]", "%2F", "..", " ", "\t", "example.com", "[::1]", ":8080", ":99999"};

  @FuzzTest
  void acceptedTargetsAreOriginFormWithAPlainHost(FuzzedDataProvider data) {
    HttpMethod method = data.pickValue(METHODS);
    Protocol version = data.pickValue(Protocol.values());
    HttpHeaders headers = new DefaultHttpHeaders(false); // unvalidated: the fuzzer's names and values as they come
    int hosts = data.consumeInt(0, 2);
    for (int i = 0; i < hosts; i++) {
      headers.add("Host", data.consumeString(40));
    }
    int others = data.consumeInt(0, 2);
    for (int i = 0; i < others; i++) {
      headers.add(data.consumeString(10), data.consumeString(10));
    }
    String uri = data.consumeBoolean() ? data.pickValue(TARGET_PARTS) + data.consumeString(60)
        : data.consumeString(80);
    if (version == Protocol.HTTP_2 && data.consumeBoolean()) {
      headers.add("Host", data.consumeString(30)); // Netty's stream codec turns :authority into Host
    }

    RequestTargetFuzzEntry.Result result = RequestTargetFuzzEntry.check(method, version, headers, uri);

    if (method == HttpMethod.CONNECT) {
      assertThat(result.status()).isEqualTo(501);
      return;
    }
    if (result.problem() != null) {
      assertThat(result.status()).isEqualTo(400);
      assertThat(result.problem()).isNotBlank();
      return;
    }
    String target = result.uri();
    assertThat(target).isNotEmpty();
    assertThat(target.chars().allMatch(c -> c > 0x20 && c < 0x7f)).as("visible ASCII: %s", target).isTrue();
    assertThat(target.startsWith("/") || target.equals("*") && method == HttpMethod.OPTIONS).as(target).isTrue();
    if (version != Protocol.HTTP_2) {
      assertThat(headers.getAll("host")).hasSizeLessThanOrEqualTo(1);
      for (Map.Entry<String, String> field : headers) {
        assertThat(HopByHopFuzzTest.isToken(field.getKey())).as("field name %s", field.getKey()).isTrue();
      }
    }
    if (version == Protocol.HTTP_1_1) {
      assertThat(result.host()).isNotNull();
    }
    if (result.host() != null) {
      Matcher m = AUTHORITY.matcher(result.host());
      assertThat(m.matches()).as("plain authority: %s", result.host()).isTrue();
      assertThat(result.host().length()).isLessThanOrEqualTo(255);
      if (m.group(2) != null) {
        assertThat(Integer.parseInt(m.group(2))).isLessThanOrEqualTo(65535);
      }
    }
    if (uri.startsWith("/")) {
      assertThat(target).isEqualTo(uri); // origin form goes to the app as it came
    }
  }
}
