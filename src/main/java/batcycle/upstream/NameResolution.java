package batcycle.upstream;

import batcycle.config.DnsConfig;
import batcycle.config.HostPort;
import io.netty.buffer.ByteBuf;
import io.netty.channel.EventLoop;
import io.netty.channel.socket.DatagramChannel;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.dns.DefaultDnsQuestion;
import io.netty.handler.codec.dns.DnsRawRecord;
import io.netty.handler.codec.dns.DnsRecord;
import io.netty.handler.codec.dns.DnsRecordType;
import io.netty.resolver.dns.DnsNameResolver;
import io.netty.resolver.dns.DnsNameResolverBuilder;
import io.netty.resolver.dns.DnsServerAddressStreamProviders;
import io.netty.resolver.dns.NoopDnsCache;
import io.netty.resolver.dns.SequentialDnsServerAddressStreamProvider;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.Future;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BiConsumer;
import java.util.function.Supplier;

/**
 * Asynchronous DNS for remotes' names, on one event loop and never blocking it: the hosts file first, then the
 * configured servers (or those of {@code /etc/resolv.conf}, with its search list and ndots, as Kubernetes needs for
 * names such as {@code logs.observability}). Unlike the JDK's resolver it reports each answer's TTL, which decides
 * when the name is asked again (kept within {@code dns.minTtl..dns.maxTtl}). IPv4 addresses are preferred; IPv6 are
 * used when a name has no IPv4 address.
 */
public final class NameResolution implements AutoCloseable {
  /** What a name resolved to, and for how long the answer holds. */
  public record Answer(List<InetAddress> addresses, long ttlSeconds) {}

  private final DnsNameResolver resolver;
  private final EventLoop loop;
  private final DnsConfig config;

  public NameResolution(EventLoop loop, Supplier<DatagramChannel> udp, Supplier<SocketChannel> tcp,
                        DnsConfig config) {
    this.loop = loop;
    this.config = config;
    DnsNameResolverBuilder builder = new DnsNameResolverBuilder(loop)
        .datagramChannelFactory(udp::get)
        .socketChannelFactory(tcp::get) // answers too large for UDP are asked again over TCP
        .resolveCache(NoopDnsCache.INSTANCE) // the endpoint sets keep answers themselves, for their TTL
        .queryTimeoutMillis(5_000);
    if (!config.servers().isEmpty()) {
      List<InetSocketAddress> servers = new ArrayList<>();
      for (HostPort server : config.servers()) {
        servers.add(new InetSocketAddress(literal(server.host()), server.port()));
      }
      builder.nameServerProvider(new SequentialDnsServerAddressStreamProvider(servers));
    } else {
      builder.nameServerProvider(DnsServerAddressStreamProviders.platformDefault());
    }
    this.resolver = builder.build();
  }

  /** The loop resolution runs on; {@code done} is called there. */
  public EventLoop loop() {
    return loop;
  }

  /** How long to keep an answer of {@code ttlSeconds} before asking again, in nanoseconds. */
  public long refreshNanos(long ttlSeconds) {
    long min = config.minTtl().toNanos();
    long max = config.maxTtl().toNanos();
    return Math.max(min, Math.min(max, ttlSeconds * 1_000_000_000L));
  }

  /** The delay before asking again after a failure. */
  public long retryNanos() {
    return config.minTtl().toNanos();
  }

  /** Resolves {@code name}; calls {@code done} on the resolution loop with the answer or the failure. */
  public void resolve(String name, BiConsumer<Answer, Throwable> done) {
    loop.execute(() -> {
      Future<List<DnsRecord>> v4 = resolver.resolveAll(new DefaultDnsQuestion(name, DnsRecordType.A));
      v4.addListener(ignored -> {
        Answer a = answer(v4);
        if (a != null) {
          done.accept(a, null);
          return;
        }
        Future<List<DnsRecord>> v6 = resolver.resolveAll(new DefaultDnsQuestion(name, DnsRecordType.AAAA));
        v6.addListener(ignored6 -> {
          Answer aaaa = answer(v6);
          if (aaaa != null) {
            done.accept(aaaa, null);
          } else {
            Throwable cause = v4.cause() != null ? v4.cause() : v6.cause();
            done.accept(null, cause != null ? cause : new UnknownHostException(name + ": no address"));
          }
        });
      });
    });
  }

  /** The addresses in a successful answer (records released), or null if it failed or held none. */
  private static Answer answer(Future<List<DnsRecord>> future) {
    if (!future.isSuccess()) {
      return null;
    }
    List<InetAddress> addresses = new ArrayList<>();
    long ttl = Long.MAX_VALUE;
    for (DnsRecord record : future.getNow()) {
      try {
        if (record instanceof DnsRawRecord raw && (raw.type() == DnsRecordType.A || raw.type() == DnsRecordType.AAAA)) {
          ByteBuf content = raw.content();
          byte[] bytes = new byte[content.readableBytes()];
          content.getBytes(content.readerIndex(), bytes);
          if (bytes.length == 4 || bytes.length == 16) {
            InetAddress address = InetAddress.getByAddress(bytes);
            if (!addresses.contains(address)) {
              addresses.add(address);
            }
            ttl = Math.min(ttl, record.timeToLive());
          }
        }
      } catch (UnknownHostException e) {
        // getByAddress only throws for a length other than 4 or 16, which is checked above
      } finally {
        ReferenceCountUtil.release(record);
      }
    }
    return addresses.isEmpty() ? null : new Answer(addresses, ttl);
  }

  private static InetAddress literal(String ip) {
    try {
      return InetAddress.getByName(ip); // an IP literal (checked by the configuration): no lookup
    } catch (UnknownHostException e) {
      throw new IllegalArgumentException("not an IP address: " + ip, e);
    }
  }

  @Override
  public void close() {
    resolver.close();
  }
}
