package batcycle.connection;

import io.netty.channel.Channel;
import io.vertx.core.Future;
import io.vertx.core.http.HttpServer;
import java.lang.reflect.Field;
import java.util.Optional;

/**
 * Finds the listening socket behind a Vert.x {@link HttpServer}, the only place a connection can be seen the
 * moment it is accepted. Vert.x 5.0.7 shows a cleartext connection to its public connection handler only once the
 * first request head is complete (its h2c upgrade check holds it until then), too late for a connection cap or a
 * head timeout on the first request, and it has no public accessor for the socket. So this reads three private
 * fields (HttpServerImpl.tcpServer, NetServerImpl.actualServer and its bindFuture); when a Vert.x upgrade renames
 * them, it finds nothing, batcycle logs a warning and falls back to the connection handler, and ConnectionCapIT and
 * SlowClientIT fail.
 */
final class ListeningChannel {
  private ListeningChannel() {}

  /** The bound server channel shared by every instance listening on the port, if it can be found. */
  static Optional<Channel> of(HttpServer server) {
    try {
      Object tcpServer = field(server, "tcpServer");
      Object actualServer = field(tcpServer, "actualServer");
      if (field(actualServer, "bindFuture") instanceof Future<?> bound && bound.result() instanceof Channel channel) {
        return Optional.of(channel);
      }
      return Optional.empty();
    } catch (ReflectiveOperationException | RuntimeException e) {
      return Optional.empty();
    }
  }

  private static Object field(Object target, String name) throws ReflectiveOperationException {
    if (target == null) {
      throw new NoSuchFieldException(name + " (on null)");
    }
    for (Class<?> type = target.getClass(); type != null; type = type.getSuperclass()) {
      try {
        Field field = type.getDeclaredField(name);
        field.setAccessible(true);
        return field.get(target);
      } catch (NoSuchFieldException e) {
        // declared on a superclass, if anywhere: keep looking
      }
    }
    throw new NoSuchFieldException(target.getClass().getName() + "." + name);
  }
}
