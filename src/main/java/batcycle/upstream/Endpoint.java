package batcycle.upstream;

import batcycle.pipeline.UpstreamHost;
import java.net.Inet6Address;
import java.net.InetSocketAddress;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One address of an upstream (the app, or one of a remote's addresses): where to connect, the name to expect there
 * (SNI and certificate verification), the Host to send, and its passive health, shared by every event loop: failures
 * in a row, and whether it is ejected from balancing and until when. Resolving the same name to the same address
 * again keeps the same endpoint, so its pools and health survive a DNS refresh.
 */
public final class Endpoint implements UpstreamHost {
  private final InetSocketAddress address;
  private final String serverName;
  private final String authority;
  private final String text;
  private final AtomicInteger failuresInARow = new AtomicInteger();
  private volatile long ejectedUntilNanos;
  private int ejections; // guarded by the EndpointSet's monitor

  /**
   * {@code address}: resolved; {@code serverName}: the name TLS sends and verifies; {@code authority}: the Host
   * header for this endpoint.
   */
  public Endpoint(InetSocketAddress address, String serverName, String authority) {
    this.address = address;
    this.serverName = serverName;
    this.authority = authority;
    String ip = address.getAddress().getHostAddress();
    this.text = (address.getAddress() instanceof Inet6Address ? "[" + ip + "]" : ip) + ":" + address.getPort();
  }

  public InetSocketAddress socketAddress() {
    return address;
  }

  public String serverName() {
    return serverName;
  }

  /** The Host header that names this endpoint's service. */
  public String authority() {
    return authority;
  }

  @Override
  public String address() {
    return text;
  }

  /** True while ejected from balancing. */
  public boolean ejected(long nowNanos) {
    long until = ejectedUntilNanos;
    return until != 0 && nowNanos - until < 0;
  }

  /** Records a success; returns true if the endpoint was coming back from an ejection. */
  boolean succeeded() {
    if (failuresInARow.get() != 0) {
      failuresInARow.set(0); // written only when it changes: most attempts succeed, from every loop
    }
    return ejectedUntilNanos != 0;
  }

  /** Records a failure; returns the failures in a row. */
  int failed() {
    return failuresInARow.incrementAndGet();
  }

  int ejections() {
    return ejections;
  }

  void eject(long untilNanos) {
    ejections++;
    failuresInARow.set(0);
    ejectedUntilNanos = untilNanos;
  }

  /** Back in rotation for good: its next ejection counts from one again. */
  void recovered() {
    ejections = 0;
    ejectedUntilNanos = 0;
  }

  @Override
  public String toString() {
    return text;
  }
}
