package batcycle.proxy;

import io.vertx.core.http.HttpServerRequest;

/** Lets the fuzz tests in {@code batcycle.fuzz} call the package-private {@link RequestTarget} check. */
public final class RequestTargetFuzzEntry {
  private RequestTargetFuzzEntry() {}

  /** What {@link RequestTarget#check} decided: {@code problem} and {@code status}, or {@code uri} and {@code host}. */
  public record Result(String uri, String host, String problem, int status) {}

  public static Result check(HttpServerRequest request) {
    RequestTarget.Checked checked = RequestTarget.check(request);
    return new Result(checked.uri(), checked.host(), checked.problem(), checked.status());
  }

  public static boolean validAuthority(String authority) {
    return RequestTarget.validAuthority(authority);
  }
}
