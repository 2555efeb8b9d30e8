package batcycle.pipeline;

import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.streams.ReadStream;
import java.util.function.Supplier;

/**
 * The app's response head with its body still paused, so a layer can still retry or replace it before
 * {@code ProxyServer} streams it to the client. Whoever consumes it calls exactly one of {@code finished} (the
 * body was read to the end) or {@code abort} (it is abandoned; the exchange with the app is reset).
 *
 * @param trailers read once the body has ended (gRPC status travels there)
 */
public record UpstreamResponse(int status, String statusMessage, MultiMap headers, ReadStream<Buffer> body,
                               Supplier<MultiMap> trailers, Runnable finished, Runnable abort) {}
