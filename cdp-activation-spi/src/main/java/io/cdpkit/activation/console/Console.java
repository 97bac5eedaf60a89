package io.cdpkit.activation.console;

import com.sun.net.httpserver.HttpHandler;
import com.sun.net.httpserver.HttpServer;
import io.cdpkit.activation.Activation;
import io.cdpkit.core.Cdp;
import io.cdpkit.core.model.WorkspaceId;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.jspecify.annotations.Nullable;

/**
 * The read-only customer-360 console: find a person by any identifier and see her identifiers,
 * traits, consents with their history and evidence, orders and refunds on a timeline, computed
 * traits (loyalty, predictions), segments with their explanations, deliveries and the merge
 * ledger; segment sizes with a chart of entries and exits per day; the outbox's health.
 *
 * <pre>{@code
 * Console console = Console.builder(cdp)
 *     .basicAuth("ops", System.getenv("CONSOLE_PASSWORD"))
 *     .workspace(WorkspaceId.of("shop"))
 *     .segmentation(segmentation).activation(activation)
 *     .build();
 * TrackingServer server = TrackingServer.builder(endpoint).port(8080)
 *     .mount(console.pathPrefix(), console.httpHandler()).start();   // http://host:8080/console/
 * }</pre>
 *
 * <p>Off by default: nothing is served unless the host builds a console and mounts its
 * {@link #httpHandler()} or calls {@link #start}. Every request needs the credential the host
 * set (HTTP Basic, a bearer token, or either); pages and API answer only {@code GET}
 * ({@code HEAD}), and {@code POST} for the search, so an identifier searched for travels in a
 * body, never in a URL. Profiles are addressed by their opaque ids. Every answer carries a
 * Content-Security-Policy without inline script or style, {@code frame-ancestors 'none'} and
 * {@code X-Frame-Options: DENY}, {@code nosniff}, {@code Referrer-Policy: no-referrer} and
 * {@code Cache-Control: no-store}. The page renders data as text only. Logs name the route and
 * status, never an identifier, trait or profile id. Limits: see the module's README.
 *
 * <p>Thread-safe.
 */
public final class Console {
  /** The default path prefix: {@code /console}. */
  public static final String DEFAULT_PREFIX = "/console";
  /** The shortest password or token accepted, in characters. */
  public static final int MIN_SECRET_LENGTH = 12;

  private final ConsoleHandler handler;
  private final String prefix;

  private Console(Builder b) {
    this.prefix = b.prefix;
    this.handler = new ConsoleHandler(b.cdp, List.copyOf(b.workspaces), b.prefix,
        new Credentials(b.user, b.password, b.token),
        b.segmentation == null ? null : new SegmentsView(b.segmentation),
        b.activation, b.progress, b.clock);
  }

  /** A builder for a console over {@code cdp}. */
  public static Builder builder(Cdp cdp) {
    return new Builder(Objects.requireNonNull(cdp, "cdp"));
  }

  /** The path the console is served under, for example {@code /console}. */
  public String pathPrefix() {
    return prefix;
  }

  /**
   * The console as a JDK {@link HttpHandler}, to mount under {@link #pathPrefix()} in a server
   * of the host's ({@code TrackingServer.Builder.mount}, or {@code HttpServer.createContext}).
   * Requests outside the prefix get 404.
   */
  public HttpHandler httpHandler() {
    return handler;
  }

  /**
   * Starts the console on a JDK server of its own at {@code address} (port 0: any free port),
   * with a small pool of daemon threads.
   *
   * @throws UncheckedIOException when the address cannot be bound
   */
  public Server start(InetSocketAddress address) {
    Objects.requireNonNull(address, "address");
    HttpServer server;
    try {
      server = HttpServer.create(address, 0);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot listen on " + address, e);
    }
    AtomicInteger n = new AtomicInteger();
    ExecutorService executor = Executors.newFixedThreadPool(4, r -> {
      Thread t = new Thread(r, "cdp-console-" + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    });
    server.createContext("/", handler);
    server.setExecutor(executor);
    server.start();
    return new Server(server, executor, prefix);
  }

  /** A console on a JDK server of its own; {@link #close()} stops it. Thread-safe. */
  public static final class Server implements AutoCloseable {
    private final HttpServer server;
    private final ExecutorService executor;
    private final String prefix;

    private Server(HttpServer server, ExecutorService executor, String prefix) {
      this.server = server;
      this.executor = executor;
      this.prefix = prefix;
    }

    /** {@code http://host:port/prefix/}: the page to open. */
    public URI uri() {
      InetAddress a = server.getAddress().getAddress();
      String host = a.isAnyLocalAddress() ? InetAddress.getLoopbackAddress().getHostAddress()
          : a.getHostAddress();
      if (host.indexOf(':') >= 0) {
        host = "[" + host + "]";
      }
      return URI.create("http://" + host + ":" + server.getAddress().getPort() + prefix + "/");
    }

    /** Stops accepting, lets requests in flight finish for up to a second. */
    @Override
    public void close() {
      server.stop(1);
      executor.shutdown();
      try {
        executor.awaitTermination(5, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  /** Settings of a {@link Console}. Not thread-safe. */
  public static final class Builder {
    private final Cdp cdp;
    private final Set<WorkspaceId> workspaces = new LinkedHashSet<>();
    private String prefix = DEFAULT_PREFIX;
    private @Nullable String user;
    private @Nullable String password;
    private @Nullable String token;
    private io.cdpkit.segmentation.@Nullable Segmentation segmentation;
    private @Nullable Activation activation;
    private io.cdpkit.core.@Nullable ProgressBoard progress;
    private java.time.Clock clock = java.time.Clock.systemUTC();

    private Builder(Cdp cdp) {
      this.cdp = cdp;
    }

    /**
     * Accepts HTTP Basic with this user and password (the browser asks for them).
     *
     * @throws IllegalArgumentException when the user is empty or holds a colon or a control
     *     character, or the password is shorter than {@value #MIN_SECRET_LENGTH} characters,
     *     or Basic was already set
     */
    public Builder basicAuth(String user, String password) {
      Objects.requireNonNull(user, "user");
      Objects.requireNonNull(password, "password");
      if (this.user != null) {
        throw new IllegalArgumentException("basicAuth was already set");
      }
      if (user.isEmpty() || user.indexOf(':') >= 0 || user.chars().anyMatch(Character::isISOControl)) {
        throw new IllegalArgumentException(
            "basicAuth user must be non-empty, without ':' or control characters");
      }
      if (password.length() < MIN_SECRET_LENGTH) {
        throw new IllegalArgumentException("basicAuth password must be at least "
            + MIN_SECRET_LENGTH + " characters");
      }
      this.user = user;
      this.password = password;
      return this;
    }

    /**
     * Accepts {@code Authorization: Bearer <token>} (for scripts; a browser cannot send it to
     * the page itself, so set {@link #basicAuth} too for people).
     *
     * @throws IllegalArgumentException when shorter than {@value #MIN_SECRET_LENGTH}
     *     characters, not printable ASCII without spaces, or a token was already set
     */
    public Builder bearerToken(String token) {
      Objects.requireNonNull(token, "token");
      if (this.token != null) {
        throw new IllegalArgumentException("bearerToken was already set");
      }
      if (token.length() < MIN_SECRET_LENGTH || !token.matches("[\\x21-\\x7e]+")) {
        throw new IllegalArgumentException("bearerToken must be at least " + MIN_SECRET_LENGTH
            + " printable ASCII characters without spaces");
      }
      this.token = token;
      return this;
    }

    /** A workspace the console may show; call once per workspace (at least one). */
    public Builder workspace(WorkspaceId workspace) {
      Objects.requireNonNull(workspace, "workspace");
      if (!workspaces.add(workspace)) {
        throw new IllegalArgumentException("workspace " + workspace.value()
            + " was already added");
      }
      return this;
    }

    /**
     * The path the console is served under; default {@value #DEFAULT_PREFIX}.
     *
     * @throws IllegalArgumentException unless like {@code /console} or {@code /ops/console}
     *     (segments of {@code [A-Za-z0-9._~-]}, no trailing slash), or under {@code /v1}
     */
    public Builder pathPrefix(String prefix) {
      Objects.requireNonNull(prefix, "prefix");
      if (!prefix.matches("(/[A-Za-z0-9._~-]+)+")) {
        throw new IllegalArgumentException("pathPrefix must be like /console (segments of"
            + " [A-Za-z0-9._~-], no trailing slash) but was " + prefix);
      }
      if (prefix.equals("/v1") || prefix.startsWith("/v1/")) {
        throw new IllegalArgumentException("pathPrefix " + prefix
            + " is under /v1, which the tracking endpoint answers");
      }
      this.prefix = prefix;
      return this;
    }

    /** Shows segments (memberships with explanations, sizes, the chart); optional. */
    public Builder segmentation(io.cdpkit.segmentation.Segmentation segmentation) {
      this.segmentation = Objects.requireNonNull(segmentation, "segmentation");
      return this;
    }

    /** Shows deliveries and the outbox's health; optional. */
    public Builder activation(Activation activation) {
      this.activation = Objects.requireNonNull(activation, "activation");
      return this;
    }

    /**
     * Shows the long jobs of a {@link io.cdpkit.core.ProgressBoard} on a jobs page (name,
     * phase, done of total, started, last report, finished): the host starts its jobs on the
     * board (a duplicate detection, a refit, a batch evaluation). Without one, the page is not
     * offered.
     */
    public Builder progress(io.cdpkit.core.ProgressBoard board) {
      this.progress = Objects.requireNonNull(board, "board");
      return this;
    }

    /**
     * The clock that says which day is today for the segment chart; the system's by default.
     * Give the {@code Cdp}'s clock when it has one of its own.
     */
    public Builder clock(java.time.Clock clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /**
     * Builds the console (it serves nothing until mounted or started).
     *
     * @throws IllegalStateException when no credential or no workspace was set
     */
    public Console build() {
      if (user == null && token == null) {
        throw new IllegalStateException(
            "a console needs a credential: set basicAuth(...) or bearerToken(...)");
      }
      if (workspaces.isEmpty()) {
        throw new IllegalStateException("a console needs at least one workspace(...)");
      }
      return new Console(this);
    }
  }
}
