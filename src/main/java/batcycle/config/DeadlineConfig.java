package batcycle.config;

import java.time.Duration;

/**
 * How long a request may wait for the app's response head: per attempt, and in total across attempts and
 * back-offs, gathered by {@link BatcycleConfig#deadline()} from {@code timeouts}. A request's
 * {@code X-Batcycle-Timeout} header may shorten both, never lengthen them.
 *
 * @param request the whole-request deadline, counted from the request's arrival; zero means none
 * @param perTry  the per-attempt timeout ({@code timeouts.response})
 */
public record DeadlineConfig(Duration request, Duration perTry) {}
