package batcycle.testing;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioDatagramChannel;
import io.netty.handler.codec.dns.DatagramDnsQuery;
import io.netty.handler.codec.dns.DatagramDnsQueryDecoder;
import io.netty.handler.codec.dns.DatagramDnsResponse;
import io.netty.handler.codec.dns.DatagramDnsResponseEncoder;
import io.netty.handler.codec.dns.DefaultDnsQuestion;
import io.netty.handler.codec.dns.DefaultDnsRawRecord;
import io.netty.handler.codec.dns.DnsQuestion;
import io.netty.handler.codec.dns.DnsRecordType;
import io.netty.handler.codec.dns.DnsResponseCode;
import io.netty.handler.codec.dns.DnsSection;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A small authoritative DNS server for tests, on 127.0.0.1 UDP port 0: answers A (and AAAA) questions for the names
 * it was given, with the TTL given, NXDOMAIN for any other name, and counts the questions per name. Answers can be
 * changed while it runs, to see a resolver follow them.
 */
public final class TestDnsServer implements AutoCloseable {
  private record Answer(List<InetAddress> addresses, int ttlSeconds) {}

  private final EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
  private final Map<String, Answer> answers = new ConcurrentHashMap<>();
  private final Map<String, AtomicInteger> questions = new ConcurrentHashMap<>();
  private final Channel channel;

  private TestDnsServer() throws InterruptedException {
    channel = new Bootstrap().group(group).channel(NioDatagramChannel.class)
        .handler(new ChannelInitializer<NioDatagramChannel>() {
          @Override
          protected void initChannel(NioDatagramChannel ch) {
            ch.pipeline().addLast(new DatagramDnsQueryDecoder(), new DatagramDnsResponseEncoder(),
                new SimpleChannelInboundHandler<DatagramDnsQuery>() {
                  @Override
                  protected void channelRead0(ChannelHandlerContext ctx, DatagramDnsQuery query) {
                    ctx.writeAndFlush(answer(query));
                  }
                });
          }
        }).bind(new InetSocketAddress("127.0.0.1", 0)).sync().channel();
  }

  public static TestDnsServer start() {
    try {
      return new TestDnsServer();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** Answers {@code name} with these IP addresses from now on (none: the name exists but has no address). */
  public void answer(String name, int ttlSeconds, String... ips) {
    try {
      List<InetAddress> addresses = new java.util.ArrayList<>();
      for (String ip : ips) {
        addresses.add(InetAddress.getByName(ip)); // IP literals: no lookup
      }
      answers.put(key(name), new Answer(addresses, ttlSeconds));
    } catch (UnknownHostException e) {
      throw new IllegalArgumentException(e);
    }
  }

  /** {@code 127.0.0.1:PORT}, as {@code dns.servers} takes it. */
  public String address() {
    return "127.0.0.1:" + ((InetSocketAddress) channel.localAddress()).getPort();
  }

  /** Questions asked about {@code name} (any type). */
  public int questions(String name) {
    AtomicInteger count = questions.get(key(name));
    return count == null ? 0 : count.get();
  }

  private DatagramDnsResponse answer(DatagramDnsQuery query) {
    DatagramDnsResponse response = new DatagramDnsResponse(query.recipient(), query.sender(), query.id());
    response.setAuthoritativeAnswer(true).setRecursionAvailable(true);
    DnsQuestion question = query.recordAt(DnsSection.QUESTION);
    if (question == null) {
      return response.setCode(DnsResponseCode.FORMERR);
    }
    String name = key(question.name());
    questions.computeIfAbsent(name, n -> new AtomicInteger()).incrementAndGet();
    response.addRecord(DnsSection.QUESTION, new DefaultDnsQuestion(question.name(), question.type()));
    Answer answer = answers.get(name);
    if (answer == null) {
      return response.setCode(DnsResponseCode.NXDOMAIN);
    }
    for (InetAddress address : answer.addresses()) {
      boolean v4 = address.getAddress().length == 4;
      if (question.type() == (v4 ? DnsRecordType.A : DnsRecordType.AAAA)) {
        response.addRecord(DnsSection.ANSWER, new DefaultDnsRawRecord(question.name(), question.type(),
            answer.ttlSeconds(), Unpooled.wrappedBuffer(address.getAddress())));
      }
    }
    return response;
  }

  private static String key(String name) {
    String lower = name.toLowerCase(Locale.ROOT);
    return lower.endsWith(".") ? lower.substring(0, lower.length() - 1) : lower;
  }

  @Override
  public void close() {
    channel.close().syncUninterruptibly();
    group.shutdownGracefully(0, 0, java.util.concurrent.TimeUnit.SECONDS).syncUninterruptibly();
  }
}
