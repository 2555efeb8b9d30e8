package batcycle.pipeline;

import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.streams.ReadStream;
import java.util.function.Supplier;

/**
 * The app's response head with its body still paused, so a layer can still retry or replace it before
 * {@code ProxyServer} streams it to the client.
 *
 * @param trailers read once the body has ended (gRPC status travels there)
 * @param abort    resets the upstream exchange, e.g. when the client went away
 */
public record UpstreamResponse(int status, String statusMessage, MultiMap headers, ReadStream<Buffer> body,
                               Supplier<MultiMap> trailers, Runnable abort) {}
