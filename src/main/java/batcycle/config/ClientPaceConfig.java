package batcycle.config;

import java.time.Duration;

/**
 * How fast a client must send its request body and take its response, gathered by
 * {@link BatcycleConfig#clientPace()} from {@code buffer}, {@code timeouts} and {@code limits} (declared in
 * {@link Key}, validated there). Zero switches each off.
 *
 * @param requestBodyBuffer  body bytes read ahead before the app is involved
 * @param requestBodyIdle    longest wait for the next piece of a body being read
 * @param minRequestBodyRate bytes a second a body must average while read, once past {@code rateGrace}
 * @param rateGrace          reading time before the minimum rate applies
 * @param responseSend       longest time a client may take none of a response that is waiting for it
 */
public record ClientPaceConfig(int requestBodyBuffer, Duration requestBodyIdle, int minRequestBodyRate,
                               Duration rateGrace, Duration responseSend) {}
