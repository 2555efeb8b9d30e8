package batcycle.proxy;

import batcycle.pipeline.Protocol;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;

/** Lets the fuzz tests in {@code batcycle.fuzz} call the package-private {@link RequestTarget} check. */
public final class RequestTargetFuzzEntry {
  private RequestTargetFuzzEntry() {}

  /** What {@link RequestTarget#check} decided: {@code problem} and {@code status}, or {@code uri} and {@code host}. */
  public record Result(String uri, String host, String problem, int status) {}

  public static Result check(HttpMethod method, Protocol protocol, HttpHeaders headers, String uri) {
    RequestTarget.Checked checked = RequestTarget.check(method, protocol, headers, uri);
    return new Result(checked.uri(), checked.host(), checked.problem(), checked.status());
  }

  public static boolean validAuthority(String authority) {
    return RequestTarget.validAuthority(authority);
  }
}
