package batcycle.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import batcycle.testing.FakeExchanges;
import io.vertx.core.Future;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class PipelineTest {
  private static final UpstreamResponse OK = new FakeExchanges.Response(200);

  @Test
  void runsLayersOutermostFirstThenTheTerminal() {
    List<String> calls = new ArrayList<>();
    Pipeline pipeline = Pipeline.of(exchange -> {
      calls.add("terminal");
      return Future.succeededFuture(OK);
    }, (exchange, next) -> {
      calls.add("outer");
      return next.proceed(exchange);
    }, (exchange, next) -> {
      calls.add("inner");
      return next.proceed(exchange);
    });
    assertThat(pipeline.handle(null).result()).isSameAs(OK);
    assertThat(calls).containsExactly("outer", "inner", "terminal");
  }

  @Test
  void letsALayerEnterTheRestOfTheChainAgain() {
    List<String> calls = new ArrayList<>();
    Pipeline pipeline = Pipeline.of(exchange -> {
      calls.add("attempt");
      return calls.size() < 2 ? Future.failedFuture(new IllegalStateException("first")) : Future.succeededFuture(OK);
    }, (exchange, next) -> next.proceed(exchange).recover(failure -> next.proceed(exchange)));
    assertThat(pipeline.handle(null).result()).isSameAs(OK);
    assertThat(calls).containsExactly("attempt", "attempt");
  }

  @Test
  void turnsALayerThatThrowsIntoAFailedRequest() {
    Pipeline pipeline = Pipeline.of(exchange -> Future.succeededFuture(OK), (exchange, next) -> {
      throw new IllegalStateException("bug");
    });
    Future<UpstreamResponse> result = pipeline.handle(null);
    assertThat(result.failed()).isTrue();
    assertThat(result.cause()).hasMessage("bug");
  }
}
