package batcycle.config;

/**
 * The {@code buffer:} section: what batcycle holds in memory on a request's behalf.
 *
 * @param requestBody request body bytes read before the request takes a permit or an app connection; 0: none
 */
@Section("buffer")
public record BufferConfig(int requestBody) {
  public BufferConfig {
    Violations.of(BufferConfig.class, requestBody).throwIfAny();
  }
}
