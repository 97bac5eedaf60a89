package io.cdpkit.activation.channels;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.cdpkit.activation.spi.Channel;
import io.cdpkit.activation.spi.ChannelContext;
import io.cdpkit.activation.spi.DeliveryResult;
import io.cdpkit.activation.spi.Message;
import io.cdpkit.core.model.IdentifierType;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.jspecify.annotations.Nullable;

/** The channel of {@link WebhookChannelProvider}. Thread-safe. */
final class WebhookChannel implements Channel {
  static final String HEADER_PREFIX = "header.";
  static final int MIN_SECRET_LENGTH = 16;
  private static final int MAX_REFERENCE_LENGTH = 200;
  /** Headers the JDK client refuses, and the ones this channel sets itself. */
  private static final Set<String> RESERVED = Set.of("connection", "content-length", "expect",
      "host", "upgrade", "content-type", "idempotency-key",
      WebhookSignature.HEADER.toLowerCase(Locale.ROOT));

  private final String name;
  private final List<IdentifierType> addresses;
  private final URI url;
  private final String secret;
  private final Map<String, String> headers;
  private final @Nullable String referenceHeader;
  private final Duration timeout;
  private final Clock clock;
  private final ExecutorService executor;
  private final HttpClient client;
  private final AtomicBoolean closed = new AtomicBoolean();

  WebhookChannel(ChannelContext context) {
    this.name = context.channelName();
    this.addresses = Configs.identifierTypes(context, "addresses");
    this.url = url(context);
    this.secret = context.required("secret");
    if (secret.length() < MIN_SECRET_LENGTH) {
      throw Configs.invalid(context, "secret",
          "must be at least " + MIN_SECRET_LENGTH + " characters");
    }
    this.headers = headers(context, url);
    this.referenceHeader = Configs.optional(context, "reference-header").map(String::strip)
        .orElse(null);
    if (referenceHeader != null && !isToken(referenceHeader)) {
      throw Configs.invalid(context, "reference-header", "must be a header name");
    }
    this.timeout = context.timeout();
    this.clock = context.clock();
    AtomicInteger threads = new AtomicInteger();
    ThreadPoolExecutor pool = new ThreadPoolExecutor(0, Integer.MAX_VALUE, 30, TimeUnit.SECONDS,
        new SynchronousQueue<>(), r -> {
          Thread t = new Thread(r, "cdpkit-webhook-" + name + "-" + threads.incrementAndGet());
          t.setDaemon(true);
          return t;
        });
    this.executor = pool;
    this.client = HttpClient.newBuilder()
        .connectTimeout(timeout)
        .followRedirects(HttpClient.Redirect.NEVER)
        // Plain http stays HTTP/1.1 (no h2c upgrade dance); https negotiates HTTP/2 by ALPN.
        .version(url.getScheme().equalsIgnoreCase("https")
            ? HttpClient.Version.HTTP_2 : HttpClient.Version.HTTP_1_1)
        .executor(pool)
        .build();
  }

  private static URI url(ChannelContext context) {
    String raw = context.required("url").strip();
    URI uri;
    try {
      uri = new URI(raw);
    } catch (URISyntaxException e) {
      // Without the cause: its message quotes the URL, which may carry a token.
      throw Configs.invalid(context, "url", "is not a valid URL");
    }
    String scheme = uri.getScheme();
    if (scheme == null || !(scheme.equalsIgnoreCase("http") || scheme.equalsIgnoreCase("https"))) {
      throw Configs.invalid(context, "url", "must be an http or https URL");
    }
    if (uri.getHost() == null || uri.getHost().isEmpty()) {
      throw Configs.invalid(context, "url", "must name a host");
    }
    if (uri.getRawUserInfo() != null) {
      throw Configs.invalid(context, "url",
          "must not carry user information; give credentials as header.Authorization");
    }
    if (uri.getRawFragment() != null) {
      throw Configs.invalid(context, "url", "must not have a fragment");
    }
    return uri;
  }

  private static Map<String, String> headers(ChannelContext context, URI url) {
    Map<String, String> headers = new LinkedHashMap<>();
    HttpRequest.Builder probe = HttpRequest.newBuilder(url);
    for (Map.Entry<String, String> e : context.config().entrySet()) {
      if (!e.getKey().startsWith(HEADER_PREFIX)) {
        continue;
      }
      String header = e.getKey().substring(HEADER_PREFIX.length());
      if (!isToken(header)) {
        throw Configs.invalid(context, e.getKey(), "does not name a valid header");
      }
      if (RESERVED.contains(header.toLowerCase(Locale.ROOT))) {
        throw Configs.invalid(context, e.getKey(), "names a header the channel sets itself");
      }
      try {
        probe.header(header, e.getValue());
      } catch (IllegalArgumentException bad) {
        // Without the cause: the value may be a credential.
        throw Configs.invalid(context, e.getKey(), "holds a value that cannot be sent");
      }
      headers.put(header, e.getValue());
    }
    return Map.copyOf(headers);
  }

  /** An RFC 9110 token: what a header name is made of. */
  private static boolean isToken(String s) {
    if (s.isEmpty()) {
      return false;
    }
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
          || "!#$%&'*+-.^_`|~".indexOf(c) >= 0;
      if (!ok) {
        return false;
      }
    }
    return true;
  }

  @Override
  public List<IdentifierType> addresses() {
    return addresses;
  }

  @Override
  public DeliveryResult deliver(Message message) {
    if (closed.get()) {
      return DeliveryResult.retryable("channel is closed");
    }
    byte[] body;
    try {
      body = MessageJson.bytes(message);
    } catch (JsonProcessingException e) {
      return DeliveryResult.permanent(
          "payload cannot be written as JSON (" + e.getClass().getSimpleName() + ")");
    }
    Instant now = clock.instant();
    HttpRequest.Builder request = HttpRequest.newBuilder(url)
        .timeout(timeout)
        .POST(HttpRequest.BodyPublishers.ofByteArray(body))
        .header("Content-Type", "application/json")
        .header(WebhookSignature.HEADER, WebhookSignature.sign(secret, now, body));
    try {
      request.header("Idempotency-Key", message.idempotencyKey());
    } catch (IllegalArgumentException e) {
      return DeliveryResult.permanent("idempotency key cannot be sent as a header");
    }
    headers.forEach(request::header);
    HttpResponse<Void> response;
    try {
      response = client.send(request.build(), HttpResponse.BodyHandlers.discarding());
    } catch (HttpTimeoutException e) {
      return DeliveryResult.retryable("timed out after " + timeout);
    } catch (IOException e) {
      return DeliveryResult.retryable("I/O error: " + describe(e));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return DeliveryResult.retryable("interrupted");
    }
    return result(response.statusCode(), response.headers().firstValue("Retry-After"),
        referenceHeader == null ? Optional.empty() : response.headers()
            .firstValue(referenceHeader), clock.instant());
  }

  /** Maps a status to an outcome. Package-private for tests. */
  static DeliveryResult result(int status, Optional<String> retryAfter,
      Optional<String> reference, Instant now) {
    if (status >= 200 && status < 300) {
      Optional<String> ref = reference.map(String::strip).filter(r -> !r.isEmpty())
          .map(r -> r.length() > MAX_REFERENCE_LENGTH ? r.substring(0, MAX_REFERENCE_LENGTH) : r);
      return ref.isPresent() ? DeliveryResult.delivered(ref.get()) : DeliveryResult.delivered();
    }
    String reason = "HTTP " + status;
    if (status == 408 || status == 429 || (status >= 500 && status < 600)) {
      Optional<Duration> after = retryAfter.flatMap(v -> retryAfter(v, now));
      return after.isPresent() ? DeliveryResult.retryable(reason, after.get())
          : DeliveryResult.retryable(reason);
    }
    return DeliveryResult.permanent(reason);
  }

  /** A Retry-After value: delay-seconds or an HTTP date; empty when it is neither. */
  static Optional<Duration> retryAfter(String value, Instant now) {
    String v = value.strip();
    if (!v.isEmpty() && v.chars().allMatch(c -> c >= '0' && c <= '9')) {
      try {
        return Optional.of(Duration.ofSeconds(Long.parseLong(v)));
      } catch (NumberFormatException e) {
        return Optional.empty();
      }
    }
    try {
      Instant at = ZonedDateTime.parse(v, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant();
      Duration d = Duration.between(now, at);
      return Optional.of(d.isNegative() ? Duration.ZERO : d);
    } catch (DateTimeParseException e) {
      return Optional.empty();
    }
  }

  private static String describe(IOException e) {
    String m = e.getMessage();
    String s = e.getClass().getSimpleName();
    if (m == null || m.isBlank()) {
      return s;
    }
    return s + ": " + (m.length() > 200 ? m.substring(0, 200) : m);
  }

  @Override
  public void close() {
    if (closed.compareAndSet(false, true)) {
      executor.shutdownNow();
    }
  }

  @Override
  public String toString() {
    return "WebhookChannel[" + name + "]";
  }
}
