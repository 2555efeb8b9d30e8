package batcycle.limits;

import static org.assertj.core.api.Assertions.assertThat;

import batcycle.config.BatcycleConfig;
import batcycle.config.Key;
import batcycle.errors.FailureKind;
import batcycle.errors.ProxyFailure;
import batcycle.pipeline.Next;
import batcycle.pipeline.UpstreamResponse;
import batcycle.testing.Failures;
import batcycle.testing.FakeExchanges.Response;
import batcycle.testing.FakeExchanges;
import io.netty.handler.codec.http.HttpMethod;
import io.vertx.core.Future;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class RateLimitLayerTest {
  private final AtomicLong nanos = new AtomicLong();
  private final Next app = exchange -> new Response(200).future();

  private RateLimitLayer layer(String limit, String period) {
    var config = BatcycleConfig.defaults().with(Map.of(Key.RATE_LIMIT_LIMIT, limit, Key.RATE_LIMIT_PERIOD, period))
        .rateLimit();
    return new RateLimitLayer(RateLimitLayer.limiter(config, nanos::get));
  }

  private Future<UpstreamResponse> call(RateLimitLayer layer) {
    return layer.handle(FakeExchanges.exchange(HttpMethod.GET, "/"), app);
  }

  @Test
  void refusesBeyondTheLimitWith429UntilTheNextPeriod() {
    RateLimitLayer layer = layer("2", "10s");
    assertThat(call(layer).succeeded()).isTrue();
    assertThat(call(layer).succeeded()).isTrue();
    Future<UpstreamResponse> refused = call(layer);
    assertThat(Failures.kindOf(refused.cause())).isEqualTo(FailureKind.RATE_LIMITED);
    ProxyFailure limited = (ProxyFailure) refused.cause();
    assertThat(limited.status()).isEqualTo(429);
    assertThat(limited.code()).isEqualTo("rate_limited");
    assertThat(limited.retryAfterSeconds()).isBetween(1L, 10L);
    nanos.addAndGet(10_000_000_000L);
    assertThat(call(layer).succeeded()).as("a new period brings new permits").isTrue();
  }

  @Test
  void isOffByDefault() {
    assertThat(BatcycleConfig.defaults().rateLimit().enabled()).isFalse();
  }
}
