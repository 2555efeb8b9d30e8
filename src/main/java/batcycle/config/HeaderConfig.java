package batcycle.config;

/** Switches of the header policy (the rules themselves live in {@code batcycle.headers}). */
public record HeaderConfig(boolean preserveHost, boolean trustForwarded, boolean forwarded, boolean via) {}
