package io.cdpkit.core.http;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.sun.net.httpserver.HttpHandler;
import io.cdpkit.core.BatchResult;
import io.cdpkit.core.Cdp;
import io.cdpkit.core.IngestResult;
import io.cdpkit.core.IngestWarning;
import io.cdpkit.core.InvalidEventException;
import io.cdpkit.core.StorageException;
import io.cdpkit.core.internal.json.BodyDecoder;
import io.cdpkit.core.json.DecodedBody;
import io.cdpkit.core.json.EventCodec;
import io.cdpkit.core.json.EventLimits;
import io.cdpkit.core.model.EventType;
import io.cdpkit.core.model.WorkspaceId;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A Segment- and RudderStack-compatible tracking endpoint: the HTTP API their client libraries
 * send to, answered by a {@link Cdp}. It is framework-neutral: a host's server hands it a
 * {@link TrackingRequest} (method, path, headers, body stream) and writes back the
 * {@link TrackingResponse}. {@link #httpHandler()} adapts it to the JDK's built-in server, and
 * {@link TrackingServer} runs it there.
 *
 * <pre>{@code
 * TrackingEndpoint endpoint = TrackingEndpoint.builder(cdp)
 *     .writeKey(System.getenv("SHOP_WRITE_KEY"), WorkspaceId.of("shop"))
 *     .build();
 * TrackingServer server = TrackingServer.builder(endpoint).port(8080).start();
 * // clients: host / dataPlaneUrl = http://<this host>:8080
 * }</pre>
 *
 * <h2>Paths</h2>
 * {@code POST} to a path ending in {@code /v1/} and one of: {@code batch}, {@code import},
 * {@code b} (a batch body, {@code {"batch": [...]}}); {@code track}, {@code identify},
 * {@code page}, {@code screen}, {@code group}, {@code alias} and analytics.js' short forms
 * {@code t}, {@code i}, {@code p}, {@code s}, {@code g}, {@code a} (one message; a message
 * without {@code type} takes the path's). The body decides its shape: a batch body sent to a
 * single-call path is read as a batch. Any prefix before {@code /v1/} is allowed, so the endpoint
 * can be mounted under a host's own path. {@code OPTIONS} answers CORS preflights.
 *
 * <h2>Write keys</h2>
 * Each write key names a workspace. The key is taken from HTTP Basic authentication (the key as
 * user name, an empty password: what the server libraries send) or else from the body's
 * {@code writeKey} (what analytics.js sends). Keys are compared as SHA-256 digests, in constant
 * time, against every configured key. A request with an Authorization header holding an unknown
 * key is refused without its body being parsed.
 *
 * <h2>Bodies</h2>
 * JSON whatever the {@code Content-Type} says ({@code application/json}; {@code text/plain} from
 * analytics.js and {@code navigator.sendBeacon}, which avoids a CORS preflight; a form type from
 * RudderStack's Node client), gzip-compressed or not ({@code Content-Encoding: gzip}, or just the
 * gzip magic bytes). Other content encodings are refused with 415. See {@link EventCodec} for the
 * mapping of messages to events.
 *
 * <h2>Answers</h2>
 * <ul>
 *   <li>{@code 200} once the body's events are committed to the store:
 *       {@code {"success": true, "stored": n, "duplicates": n, "rejected": n, "erased": n,
 *       "errors": [{"index", "messageId", "field", "reason"}],
 *       "warnings": [{"index", "messageId", "field", "kind"}]}}. A rejected message does not
 *       stop the others; {@code field} is a JSON pointer into the message.
 *   <li>{@code 400}: the body as a whole is unreadable (not JSON, not gzip although it says so,
 *       a batch-level field broken): {@code {"success": false, "error": {"field", "reason"}}}.
 *   <li>{@code 401}: no write key, or one that names no workspace. Nothing is read further.
 *   <li>{@code 403}: a browser request from an origin not allowed ({@link Builder#allowedOrigins}).
 *   <li>{@code 404} for other paths; {@code 405} for other methods; {@code 415} for a content
 *       encoding other than gzip.
 *   <li>{@code 413}: the body is over {@link Builder#maxRequestBytes} as sent, or over
 *       {@link EventLimits#maxBatchBytes()} after decompression.
 *   <li>{@code 503} with {@code Retry-After} when the store fails ({@link StorageException}):
 *       nothing of the body was stored, and the clients retry it. Since an event is answered
 *       only after its commit, no acknowledged event is lost, and a retried batch whose first
 *       attempt did commit finds its events as duplicates.
 * </ul>
 *
 * <h2>Limits</h2>
 * <ul>
 *   <li>{@link Builder#maxRequestBytes}: 4 MiB (4,194,304 bytes) as sent, before decompression.
 *       RudderStack's server accepts requests of 4 MB, and its Node client sends up to that. A
 *       body refused before its end (401 by its header, 413) is read on and discarded up to
 *       twice this size, so that the client receives the answer: a server that closes a
 *       connection with request bytes unread resets it, and the reset can destroy the answer.
 *       A client sending more than that may see a broken connection instead of the 413.
 *   <li>The {@link EventLimits} of {@link Builder#eventLimits}: by default 256 KB per message,
 *       4 MiB per body after decompression, 2,500 messages per batch (the excess is refused
 *       message by message), nesting depth 32.
 *   <li>Memory: a request holds its body as sent, decompressed and parsed at once; a server
 *       that runs {@code n} requests side by side needs about {@code n} times 10 times
 *       {@code maxBatchBytes} of heap at worst. {@link TrackingServer} bounds {@code n} with its
 *       thread count.
 * </ul>
 *
 * <p>Thread-safe: one endpoint serves every request.
 */
public final class TrackingEndpoint {
  /** The default {@link Builder#maxRequestBytes}: 4 MiB. */
  public static final int DEFAULT_MAX_REQUEST_BYTES = 4 * 1024 * 1024;
  /** The default {@link Builder#retryAfter}: 5 seconds. */
  public static final Duration DEFAULT_RETRY_AFTER = Duration.ofSeconds(5);

  private static final Logger LOG = LoggerFactory.getLogger(TrackingEndpoint.class);
  private static final JsonFactory JSON = new JsonFactory();
  private static final String JSON_TYPE = "application/json; charset=utf-8";

  /** Path names after {@code /v1/}: the type a message without one takes; BATCH for batches. */
  private static final Map<String, Route> ROUTES = routes();

  private final Cdp cdp;
  private final EventCodec codec;
  private final List<Key> keys;
  private final int maxRequestBytes;
  private final @Nullable Set<String> allowedOrigins;
  private final Duration retryAfter;

  private record Route(@Nullable EventType type) {}

  private record Key(byte[] digest, WorkspaceId workspace) {}

  private TrackingEndpoint(Builder b) {
    this.cdp = b.cdp;
    this.codec = EventCodec.create(b.limits);
    this.keys = List.copyOf(b.keys);
    this.maxRequestBytes = b.maxRequestBytes;
    this.allowedOrigins = b.allowedOrigins == null ? null : Set.copyOf(b.allowedOrigins);
    this.retryAfter = b.retryAfter;
  }

  /** A builder for an endpoint answered by {@code cdp}. */
  public static Builder builder(Cdp cdp) {
    return new Builder(Objects.requireNonNull(cdp, "cdp"));
  }

  /**
   * Answers one request. Never throws for what a client sent: every problem of the request is an
   * answer (see the class description). A failure of the engine itself that is not the store's
   * is answered {@code 500} and logged.
   */
  public TrackingResponse handle(TrackingRequest request) {
    Objects.requireNonNull(request, "request");
    Map<String, String> headers = new LinkedHashMap<>();
    String origin = request.header("Origin");
    boolean originAllowed = origin == null || allowedOrigins == null
        || allowedOrigins.contains(origin);
    if (origin != null && originAllowed) {
      headers.put("Access-Control-Allow-Origin", allowedOrigins == null ? "*" : origin);
      if (allowedOrigins != null) {
        headers.put("Vary", "Origin");
      }
    }
    Route route = route(request.path());
    if (route == null) {
      return error(404, headers, "", "is not a tracking path (POST /v1/batch, /v1/track, ...)");
    }
    String method = request.method().toUpperCase(Locale.ROOT);
    if (method.equals("OPTIONS")) {
      return preflight(request, headers, originAllowed);
    }
    if (!method.equals("POST")) {
      headers.put("Allow", "POST, OPTIONS");
      return error(405, headers, "", "method must be POST");
    }
    if (!originAllowed) {
      return error(403, headers, "", "origin is not allowed");
    }
    String encoding = request.header("Content-Encoding");
    if (encoding != null && !encoding.isBlank()
        && !encoding.strip().equalsIgnoreCase("gzip")
        && !encoding.strip().equalsIgnoreCase("identity")) {
      return error(415, headers, "", "Content-Encoding must be gzip or none");
    }
    WorkspaceId workspace = null;
    String authorization = request.header("Authorization");
    if (authorization != null) {
      String key = basicUser(authorization);
      workspace = key == null ? null : workspaceOf(key);
      if (workspace == null) {
        drain(request.body(), 0);
        return unauthorized(headers);
      }
    }
    String length = request.header("Content-Length");
    if (length != null && tooLong(length)) {
      drain(request.body(), 0);
      return error(413, headers, "", "is larger than " + maxRequestBytes + " bytes");
    }
    byte[] raw;
    try {
      raw = BodyDecoder.readAtMost(request.body(), maxRequestBytes, declaredLength(length));
    } catch (IOException e) {
      // The client went away or stalled past the server's read timeout: nothing was stored.
      LOG.debug("reading a tracking request failed", e);
      return error(400, headers, "", "could not be read to its end");
    }
    if (raw == null) {
      drain(request.body(), maxRequestBytes + 1L);
      return error(413, headers, "", "is larger than " + maxRequestBytes + " bytes");
    }
    DecodedBody body;
    try {
      body = codec.readBody(raw);
    } catch (InvalidEventException e) {
      return error(BodyDecoder.isBodyTooLarge(e) ? 413 : 400, headers, e.pointer(), e.reason());
    }
    if (workspace == null) {
      workspace = body.writeKey().map(this::workspaceOf).orElse(null);
      if (workspace == null) {
        return unauthorized(headers);
      }
    }
    if (route.type() != null) {
      body = body.withTypeIfMissing(route.type());
    }
    BatchResult result;
    try {
      result = cdp.workspace(workspace).ingest(body);
    } catch (InvalidEventException e) {
      return error(400, headers, e.pointer(), e.reason());
    } catch (StorageException e) {
      LOG.warn("the store failed a tracking request of workspace {}; answering 503", workspace, e);
      headers.put("Retry-After", Long.toString(Math.max(1, retryAfter.toSeconds())));
      return error(503, headers, "", "the store is unavailable; retry later");
    } catch (RuntimeException e) {
      LOG.error("a tracking request of workspace {} failed", workspace, e);
      return error(500, headers, "", "internal error");
    }
    return ok(headers, result);
  }

  /**
   * This endpoint as a handler of the JDK's built-in HTTP server, for a host that runs its own
   * {@code HttpServer}: {@code server.createContext("/v1/", endpoint.httpHandler())}. The
   * server's own settings (executor, timeouts) stay the host's; {@link TrackingServer} sets them
   * for a server of its own. Start the JVM with {@code -Dsun.net.httpserver.nodelay=true}:
   * without it every answer waits about 40 ms for the client's delayed acknowledgement (see
   * {@link TrackingServer}, "Limits").
   */
  public HttpHandler httpHandler() {
    return exchange -> {
      try (exchange) {
        TrackingResponse r = handle(new TrackingRequest(exchange.getRequestMethod(),
            exchange.getRequestURI().getRawPath(), exchange.getRequestHeaders(),
            exchange.getRequestBody()));
        r.headers().forEach((k, v) -> exchange.getResponseHeaders().set(k, v));
        exchange.sendResponseHeaders(r.status(), r.body().length == 0 ? -1 : r.body().length);
        if (r.body().length > 0) {
          exchange.getResponseBody().write(r.body());
        }
      }
    };
  }

  private static @Nullable Route route(String path) {
    int q = path.indexOf('?');
    String p = q < 0 ? path : path.substring(0, q);
    if (p.endsWith("/")) {
      p = p.substring(0, p.length() - 1);
    }
    int slash = p.lastIndexOf('/');
    if (slash < 3 || !p.regionMatches(slash - 3, "/v1", 0, 3)) {
      return null;
    }
    return ROUTES.get(p.substring(slash + 1));
  }

  private static Map<String, Route> routes() {
    Map<String, Route> m = new LinkedHashMap<>();
    for (String batch : List.of("batch", "import", "b")) {
      m.put(batch, new Route(null));
    }
    for (EventType t : EventType.values()) {
      m.put(t.wireName(), new Route(t));
      m.put(t.wireName().substring(0, 1), new Route(t));
    }
    return Map.copyOf(m);
  }

  private TrackingResponse preflight(TrackingRequest request, Map<String, String> headers,
      boolean originAllowed) {
    if (!originAllowed) {
      return error(403, headers, "", "origin is not allowed");
    }
    headers.put("Access-Control-Allow-Methods", "POST, OPTIONS");
    String asked = request.header("Access-Control-Request-Headers");
    headers.put("Access-Control-Allow-Headers",
        asked != null && !asked.isBlank() ? asked : "Content-Type, Authorization, Content-Encoding");
    headers.put("Access-Control-Max-Age", "600");
    return new TrackingResponse(204, headers, new byte[0]);
  }

  /** The user name of HTTP Basic credentials, or null when the header is not such. */
  private static @Nullable String basicUser(String authorization) {
    String a = authorization.strip();
    if (a.length() < 6 || !a.regionMatches(true, 0, "Basic ", 0, 6)) {
      return null;
    }
    byte[] decoded;
    try {
      decoded = Base64.getDecoder().decode(a.substring(6).strip());
    } catch (IllegalArgumentException e) {
      return null;
    }
    String credentials = new String(decoded, StandardCharsets.UTF_8);
    int colon = credentials.indexOf(':');
    return colon < 0 ? credentials : credentials.substring(0, colon);
  }

  /** The workspace of a key: compared as digests with every key, whatever matches first. */
  private @Nullable WorkspaceId workspaceOf(String key) {
    byte[] digest = sha256(key);
    WorkspaceId found = null;
    for (Key k : keys) {
      if (MessageDigest.isEqual(digest, k.digest()) && found == null) {
        found = k.workspace();
      }
    }
    return found;
  }

  /**
   * A SHA-256 digest to clone per request: {@code MessageDigest.getInstance} looks the
   * algorithm up among the providers each time (about 2% of a one-event request's server time).
   */
  private static final MessageDigest SHA_256 = newSha256();

  private static MessageDigest newSha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is required of every Java runtime", e);
    }
  }

  private static byte[] sha256(String s) {
    MessageDigest md;
    try {
      md = (MessageDigest) SHA_256.clone();
    } catch (CloneNotSupportedException e) {
      md = newSha256(); // a provider whose digests cannot be cloned
    }
    return md.digest(s.getBytes(StandardCharsets.UTF_8));
  }

  /** A {@code Content-Length}'s value, or -1 when there is none or it is not a number. */
  private static long declaredLength(@Nullable String contentLength) {
    if (contentLength == null) {
      return -1;
    }
    try {
      return Long.parseLong(contentLength.strip());
    } catch (NumberFormatException e) {
      return -1;
    }
  }

  private boolean tooLong(String contentLength) {
    try {
      return Long.parseLong(contentLength.strip()) > maxRequestBytes;
    } catch (NumberFormatException e) {
      return false; // the read below is bounded anyway
    }
  }

  /**
   * Reads and discards what is left of a body refused before its end, until the body has given
   * twice {@code maxRequestBytes} in all ({@code alreadyRead} counting). A server that closes a
   * connection with request bytes unread makes the socket reset, and the reset can destroy the
   * answer in flight: the client would see a broken connection, and retry, instead of the 401 or
   * 413. Bodies larger than that bound may still lose their answer; reading on costs nothing but
   * the transfer, and the server's body timeout bounds a client that sends slowly.
   */
  private void drain(InputStream in, long alreadyRead) {
    long budget = 2L * maxRequestBytes - alreadyRead;
    byte[] buf = new byte[16 * 1024];
    try {
      while (budget > 0) {
        int n = in.read(buf, 0, (int) Math.min(buf.length, budget));
        if (n < 0) {
          return;
        }
        budget -= n;
      }
    } catch (IOException e) {
      // The client went away: there is no one to answer.
    }
  }

  private static TrackingResponse unauthorized(Map<String, String> headers) {
    headers.put("WWW-Authenticate", "Basic realm=\"tracking\"");
    return error(401, headers, "", "write key is missing or unknown");
  }

  private static TrackingResponse error(int status, Map<String, String> headers, String field,
      String reason) {
    headers.put("Content-Type", JSON_TYPE);
    return new TrackingResponse(status, headers, json(g -> {
      g.writeBooleanField("success", false);
      g.writeObjectFieldStart("error");
      g.writeStringField("field", field);
      g.writeStringField("reason", reason);
      g.writeEndObject();
    }));
  }

  private static TrackingResponse ok(Map<String, String> headers, BatchResult result) {
    headers.put("Content-Type", JSON_TYPE);
    return new TrackingResponse(200, headers, json(g -> {
      g.writeBooleanField("success", true);
      g.writeNumberField("stored", result.stored());
      g.writeNumberField("duplicates", result.duplicates());
      g.writeNumberField("rejected", result.rejected());
      g.writeNumberField("erased", result.erased());
      g.writeArrayFieldStart("errors");
      for (IngestResult r : result.results()) {
        if (r.error() != null) {
          g.writeStartObject();
          g.writeNumberField("index", r.index());
          g.writeStringField("messageId", r.messageId());
          g.writeStringField("field", r.error().pointer());
          g.writeStringField("reason", r.error().reason());
          g.writeEndObject();
        }
      }
      g.writeEndArray();
      g.writeArrayFieldStart("warnings");
      for (IngestResult r : result.results()) {
        for (IngestWarning w : r.warnings()) {
          g.writeStartObject();
          g.writeNumberField("index", r.index());
          g.writeStringField("messageId", r.messageId());
          g.writeStringField("field", w.field());
          g.writeStringField("kind", w.kind().name());
          g.writeEndObject();
        }
      }
      g.writeEndArray();
    }));
  }

  private interface Fields {
    void write(JsonGenerator g) throws IOException;
  }

  private static byte[] json(Fields fields) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(128);
    try (JsonGenerator g = JSON.createGenerator(out)) {
      g.writeStartObject();
      fields.write(g);
      g.writeEndObject();
    } catch (IOException e) {
      throw new UncheckedIOException(e); // cannot happen writing to memory
    }
    return out.toByteArray();
  }

  /** Settings of a {@link TrackingEndpoint}. Not thread-safe. */
  public static final class Builder {
    private final Cdp cdp;
    private final List<Key> keys = new ArrayList<>();
    private final Set<String> plainKeys = new LinkedHashSet<>();
    private EventLimits limits = EventLimits.defaults();
    private int maxRequestBytes = DEFAULT_MAX_REQUEST_BYTES;
    private @Nullable Set<String> allowedOrigins;
    private Duration retryAfter = DEFAULT_RETRY_AFTER;

    private Builder(Cdp cdp) {
      this.cdp = cdp;
    }

    /**
     * A write key and the workspace its requests go to. Give each source (website, app, POS
     * integration) a key of its own; several keys may name one workspace.
     *
     * @throws IllegalArgumentException when the key is blank or holds a colon (HTTP Basic could
     *     not carry it), or was already given
     */
    public Builder writeKey(String writeKey, WorkspaceId workspace) {
      Objects.requireNonNull(writeKey, "writeKey");
      Objects.requireNonNull(workspace, "workspace");
      if (writeKey.isBlank() || writeKey.indexOf(':') >= 0) {
        throw new IllegalArgumentException("writeKey must not be blank or hold a colon");
      }
      if (!plainKeys.add(writeKey)) {
        throw new IllegalArgumentException("writeKey was already given");
      }
      keys.add(new Key(sha256(writeKey), workspace));
      return this;
    }

    /**
     * The largest request body as sent (before decompression); default
     * {@value #DEFAULT_MAX_REQUEST_BYTES} bytes. A larger one is answered 413 without being read
     * past the limit.
     *
     * @throws IllegalArgumentException when not positive
     */
    public Builder maxRequestBytes(int bytes) {
      if (bytes <= 0) {
        throw new IllegalArgumentException("maxRequestBytes must be positive but was " + bytes);
      }
      this.maxRequestBytes = bytes;
      return this;
    }

    /** The limits of bodies and messages after decompression; default {@link EventLimits#defaults()}. */
    public Builder eventLimits(EventLimits limits) {
      this.limits = Objects.requireNonNull(limits, "limits");
      return this;
    }

    /**
     * The origins (as browsers send them: {@code https://shop.example}) whose pages may post to
     * the endpoint; by default any. A request whose {@code Origin} header names another is
     * answered 403, preflight or not; requests without an {@code Origin} (server and app
     * clients) are not affected.
     *
     * @throws IllegalArgumentException when none is given
     */
    public Builder allowedOrigins(String... origins) {
      if (origins.length == 0) {
        throw new IllegalArgumentException("give at least one origin");
      }
      Set<String> s = new LinkedHashSet<>();
      for (String o : origins) {
        s.add(Objects.requireNonNull(o, "origin"));
      }
      this.allowedOrigins = s.contains("*") ? null : s;
      return this;
    }

    /**
     * What {@code Retry-After} tells clients when the store fails; default 5 seconds, rounded
     * to whole seconds, at least 1.
     */
    public Builder retryAfter(Duration retryAfter) {
      Objects.requireNonNull(retryAfter, "retryAfter");
      if (retryAfter.isNegative()) {
        throw new IllegalArgumentException("retryAfter must not be negative");
      }
      this.retryAfter = retryAfter;
      return this;
    }

    /**
     * The endpoint.
     *
     * @throws IllegalStateException when no write key was given
     */
    public TrackingEndpoint build() {
      if (keys.isEmpty()) {
        throw new IllegalStateException("give at least one writeKey");
      }
      return new TrackingEndpoint(this);
    }
  }
}
