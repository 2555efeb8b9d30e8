package batcycle.config;

import java.time.Duration;
import java.util.List;

/**
 * The {@code dns:} section: how outbound remotes' names are resolved. Resolution is asynchronous and repeated while
 * batcycle runs: a name is resolved again when its records' TTL runs out, kept within {@code minTtl..maxTtl}.
 *
 * @param servers DNS servers to ask; empty: those of {@code /etc/resolv.conf}
 */
@Section("dns")
public record DnsConfig(List<HostPort> servers, Duration minTtl, Duration maxTtl) {
  public DnsConfig {
    Violations.of(DnsConfig.class, servers, minTtl, maxTtl)
        .require(minTtl == null || maxTtl == null || maxTtl.compareTo(minTtl) >= 0, Key.DNS_MAX_TTL, maxTtl,
            "at least dns.minTtl (" + (minTtl == null ? "?" : Values.format(minTtl)) + ")", Key.DNS_MIN_TTL)
        .throwIfAny();
    servers = List.copyOf(servers);
  }
}
