package io.cdpkit.core.http;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import com.sun.net.httpserver.HttpServer;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link TrackingEndpoint} on the JDK's built-in HTTP server ({@code com.sun.net.httpserver}),
 * for hosts that have no server of their own or want the tracking API on a port of its own.
 *
 * <pre>{@code
 * try (TrackingServer server = TrackingServer.builder(endpoint).port(8080).start()) {
 *   ...   // clients send to server.baseUri()
 * }
 * }</pre>
 *
 * <h2>Limits</h2>
 * <ul>
 *   <li>{@link Builder#threads}: requests are answered by a fixed pool, by default twice the
 *       processors and at least 4; more requests wait for a thread (the OS's accept backlog
 *       holds further connections). The pool bounds the memory that bodies in flight take (see
 *       {@link TrackingEndpoint}, "Limits").
 *   <li>{@link Builder#bodyTimeout}: a request body must arrive whole within this time after
 *       the handler starts reading it, by default 60 seconds; a client that stalls has its
 *       connection closed and nothing of its body is stored. Deadlines are checked by a sweep
 *       every quarter of the timeout (at least every second, at most every 10 ms), so a
 *       stalled connection is closed up to that much after its deadline. The JDK server reads
 *       the request line and headers itself, and bounds them only when the system property
 *       {@code sun.net.httpserver.maxReqTime} (seconds) is set before the first server starts;
 *       hosts exposed to slow-header attacks set it, or put a proxy in front.
 *   <li>Latency: the JDK server sends an answer's headers and body in two writes, and with
 *       Nagle's algorithm on the body waits for the client's delayed acknowledgement (about 40
 *       ms per request). {@link Builder#start()} therefore sets the system property
 *       {@code sun.net.httpserver.nodelay} to {@code true} unless the host set it. The JDK reads
 *       it once, when the JVM's first {@code HttpServer} starts: a host that started one before
 *       (or mounts {@link TrackingEndpoint#httpHandler()} in its own) sets
 *       {@code -Dsun.net.httpserver.nodelay=true} itself. The property applies to every
 *       {@code HttpServer} of the JVM.
 *   <li>Plain HTTP. For TLS put a proxy in front, or mount {@link TrackingEndpoint#httpHandler()}
 *       in an {@code HttpsServer} of the host's own.
 * </ul>
 *
 * <p>Thread-safe. {@link #close()} stops accepting, lets requests in flight finish for up to a
 * second, and stops the threads; it does not close the {@code Cdp}.
 */
public final class TrackingServer implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(TrackingServer.class);

  /** The JDK server's switch for {@code TCP_NODELAY} on its connections. */
  static final String NODELAY = "sun.net.httpserver.nodelay";

  /** The default {@link Builder#bodyTimeout}: 60 seconds. */
  public static final Duration DEFAULT_BODY_TIMEOUT = Duration.ofSeconds(60);

  private final HttpServer server;
  private final ExecutorService executor;
  private final ScheduledExecutorService timer;

  private TrackingServer(HttpServer server, ExecutorService executor,
      ScheduledExecutorService timer) {
    this.server = server;
    this.executor = executor;
    this.timer = timer;
  }

  /** A builder for a server of {@code endpoint}. */
  public static Builder builder(TrackingEndpoint endpoint) {
    return new Builder(Objects.requireNonNull(endpoint, "endpoint"));
  }

  /** The address the server listens on (with the port it got when port 0 was asked for). */
  public InetSocketAddress address() {
    return server.getAddress();
  }

  /** The port the server listens on. */
  public int port() {
    return server.getAddress().getPort();
  }

  /**
   * {@code http://host:port}: what clients are given as their host ({@code host} of Segment's
   * libraries, {@code dataPlaneUrl} of RudderStack's). A wildcard address is given as the loopback
   * address.
   */
  public URI baseUri() {
    InetAddress a = server.getAddress().getAddress();
    String host = a.isAnyLocalAddress() ? InetAddress.getLoopbackAddress().getHostAddress()
        : a.getHostAddress();
    if (host.indexOf(':') >= 0) {
      host = "[" + host + "]";
    }
    return URI.create("http://" + host + ":" + port());
  }

  @Override
  public void close() {
    server.stop(1);
    executor.shutdown();
    timer.shutdownNow();
    try {
      executor.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /**
   * The body deadlines of the requests in flight, checked by one sweep every {@link #period}
   * on the server's timer thread. A request only adds its deadline to a set and removes it
   * when its body is in: no per-request task for the timer, whose queue operations would wake
   * that thread twice per request. A stalled body's connection is closed at the first sweep
   * after its deadline, so at most one period late.
   */
  private static final class Deadlines implements Runnable {
    private final Set<Deadline> open = ConcurrentHashMap.newKeySet();
    private final long timeoutNanos;
    /** The time between sweeps: a quarter of the timeout, within 10 ms and 1 s. */
    final long period;

    Deadlines(Duration timeout) {
      this.timeoutNanos = timeout.toNanos();
      this.period = Math.max(TimeUnit.MILLISECONDS.toNanos(10),
          Math.min(TimeUnit.SECONDS.toNanos(1), timeoutNanos / 4));
    }

    Deadline open(InputStream in, HttpExchange exchange) {
      Deadline d = new Deadline(in, exchange, this, System.nanoTime() + timeoutNanos);
      open.add(d);
      return d;
    }

    @Override
    public void run() {
      long now = System.nanoTime();
      for (Deadline d : open) {
        if (now - d.due >= 0 && open.remove(d)) {
          try {
            d.exchange.close();
          } catch (RuntimeException e) {
            // A periodic task that throws is never run again: the other deadlines still count.
            LOG.debug("closing a connection whose body timed out failed", e);
          }
        }
      }
    }
  }

  /**
   * The body of an exchange, closing the exchange's connection when the body has not been read
   * to its end by the deadline ({@link Deadlines}): the thread reading it gets an
   * {@link IOException}.
   */
  private static final class Deadline extends FilterInputStream {
    final HttpExchange exchange;
    final long due;
    private final Deadlines owner;

    Deadline(InputStream in, HttpExchange exchange, Deadlines owner, long due) {
      super(in);
      this.exchange = exchange;
      this.owner = owner;
      this.due = due;
    }

    @Override
    public int read() throws IOException {
      int b = super.read();
      if (b < 0) {
        done();
      }
      return b;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      int n = super.read(b, off, len);
      if (n < 0) {
        done();
      }
      return n;
    }

    void done() {
      owner.open.remove(this);
    }
  }

  /** Settings of a {@link TrackingServer}. Not thread-safe. */
  public static final class Builder {
    private final TrackingEndpoint endpoint;
    private InetSocketAddress address = new InetSocketAddress(8080);
    private int threads = Math.max(4, 2 * Runtime.getRuntime().availableProcessors());
    private Duration bodyTimeout = DEFAULT_BODY_TIMEOUT;
    private int backlog = 0;
    /** Handlers the host mounts beside the endpoint, by path prefix. */
    private final Map<String, HttpHandler> mounts = new LinkedHashMap<>();

    private Builder(TrackingEndpoint endpoint) {
      this.endpoint = endpoint;
    }

    /** Listen on every interface at {@code port} (0: any free port); default 8080. */
    public Builder port(int port) {
      return address(new InetSocketAddress(port));
    }

    /** Listen on {@code address}; default every interface at port 8080. */
    public Builder address(InetSocketAddress address) {
      this.address = Objects.requireNonNull(address, "address");
      return this;
    }

    /**
     * Threads answering requests; default twice the processors, at least 4.
     *
     * @throws IllegalArgumentException when not positive
     */
    public Builder threads(int threads) {
      if (threads <= 0) {
        throw new IllegalArgumentException("threads must be positive but was " + threads);
      }
      this.threads = threads;
      return this;
    }

    /**
     * How long a request body may take to arrive once the handler reads it; default 60
     * seconds.
     *
     * @throws IllegalArgumentException when not positive
     */
    public Builder bodyTimeout(Duration timeout) {
      Objects.requireNonNull(timeout, "timeout");
      if (timeout.isZero() || timeout.isNegative()) {
        throw new IllegalArgumentException("bodyTimeout must be positive");
      }
      this.bodyTimeout = timeout;
      return this;
    }

    /**
     * Serves another handler of the host's beside the tracking endpoint, on the same port and
     * threads, for every request whose path starts with {@code path} (the JDK server's longest
     * matching context wins): the read-only console
     * ({@code io.cdpkit.activation.console.Console}), say. Its request bodies get the same
     * {@link #bodyTimeout}.
     *
     * @param path an absolute path other than {@code /}, not under {@code /v1}, without a
     *     trailing slash, for example {@code /console}
     * @throws IllegalArgumentException when the path is malformed, taken by the endpoint, or
     *     already mounted
     */
    public Builder mount(String path, HttpHandler handler) {
      Objects.requireNonNull(path, "path");
      Objects.requireNonNull(handler, "handler");
      if (!path.matches("(/[A-Za-z0-9._~-]+)+")) {
        throw new IllegalArgumentException("mount path must be like /console (segments of"
            + " [A-Za-z0-9._~-], no trailing slash) but was " + path);
      }
      if (path.equals("/v1") || path.startsWith("/v1/")) {
        throw new IllegalArgumentException("mount path " + path
            + " is under /v1, which the tracking endpoint answers");
      }
      if (mounts.containsKey(path)) {
        throw new IllegalArgumentException("mount path " + path + " was already mounted");
      }
      mounts.put(path, handler);
      return this;
    }

    /** The OS accept backlog; 0 (the default) leaves it to the system. */
    public Builder backlog(int backlog) {
      this.backlog = backlog;
      return this;
    }

    /**
     * Binds and starts the server.
     *
     * @throws UncheckedIOException when the address cannot be bound
     */
    public TrackingServer start() {
      // The JDK server writes an answer's headers and its body apart; with Nagle's algorithm on,
      // the body waits for the client's delayed acknowledgement, about 40 ms per request on
      // Linux. The server reads this property once, when the JVM's first server starts.
      if (System.getProperty(NODELAY) == null) {
        System.setProperty(NODELAY, "true");
      }
      HttpServer server;
      try {
        server = HttpServer.create(address, backlog);
      } catch (IOException e) {
        throw new UncheckedIOException("cannot listen on " + address, e);
      }
      AtomicInteger n = new AtomicInteger();
      ExecutorService executor = Executors.newFixedThreadPool(threads, r -> {
        Thread t = new Thread(r, "cdp-tracking-" + n.incrementAndGet());
        t.setDaemon(true);
        return t;
      });
      ScheduledThreadPoolExecutor timer = new ScheduledThreadPoolExecutor(1, r -> {
        Thread t = new Thread(r, "cdp-tracking-timeouts");
        t.setDaemon(true);
        return t;
      });
      Deadlines deadlines = new Deadlines(bodyTimeout);
      timer.scheduleAtFixedRate(deadlines, deadlines.period, deadlines.period,
          TimeUnit.NANOSECONDS);
      server.createContext("/", guarded(endpoint.httpHandler(), deadlines));
      for (Map.Entry<String, HttpHandler> m : mounts.entrySet()) {
        server.createContext(m.getKey(), guarded(m.getValue(), deadlines));
      }
      server.setExecutor(executor);
      server.start();
      return new TrackingServer(server, executor, timer);
    }
  }

  /** {@code inner} with the body deadline, closing the exchange when the client goes away. */
  private static HttpHandler guarded(HttpHandler inner, Deadlines deadlines) {
    return exchange -> {
      Deadline body = deadlines.open(exchange.getRequestBody(), exchange);
      exchange.setStreams(body, null);
      try {
        inner.handle(exchange);
      } catch (IOException e) {
        exchange.close(); // the client went away, or its body timed out
      } finally {
        body.done();
      }
    };
  }

  @Override
  public String toString() {
    return "TrackingServer" + baseUri();
  }
}
