package io.cdpkit.examples.sms;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cdpkit.activation.spi.Channel;
import io.cdpkit.activation.spi.ChannelContext;
import io.cdpkit.activation.spi.DeliveryResult;
import io.cdpkit.activation.spi.Message;
import io.cdpkit.core.model.Identifier;
import io.cdpkit.core.model.IdentifierType;
import java.io.IOException;
import java.io.InputStream;
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
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Pattern;

/**
 * The channel of {@link SmsGatewayProvider}: posts
 * {@code {"to": "+31612345678", "text": "...", "reference": "<idempotency key>"}} to the
 * gateway with {@code Authorization: Bearer <api-key>}, and maps the answer to a
 * {@link DeliveryResult}:
 *
 * <ul>
 *   <li>2xx: delivered; the response's {@code "id"}, when it is a JSON object with one, becomes
 *       the delivery's reference;
 *   <li>408, 429 and 5xx: retryable, asking for the wait of a {@code Retry-After} header
 *       (seconds or an HTTP date, at most {@link #MAX_RETRY_AFTER});
 *   <li>any other status: permanent (a rejected number, a refused key, a wrong URL);
 *   <li>no answer within {@link ChannelContext#timeout()}, or an I/O error: retryable.
 * </ul>
 *
 * <p>Consent, the choice of address, caps and retries are the engine's: this class only sends.
 * The {@code reference} field lets the gateway drop a message it already accepted, since the
 * engine delivers at least once. Failure reasons name the status or the error's class, never
 * the phone number, the text or the API key.
 *
 * <p>Thread-safe: {@link #deliver} keeps no state between calls, and the JDK client it uses
 * is thread-safe, so the registration may set {@code concurrency} above 1.
 */
final class SmsGatewayChannel implements Channel {
  /** The longest wait a {@code Retry-After} may ask for; longer ones are cut to this. */
  static final Duration MAX_RETRY_AFTER = Duration.ofDays(1);
  /** The most of a response body read, looking for the message id. */
  static final int MAX_RESPONSE_BYTES = 16 * 1024;
  /** The longest reference kept; longer ids are cut. */
  static final int MAX_REFERENCE_LENGTH = 200;

  private static final Pattern E164 = Pattern.compile("\\+[1-9][0-9]{1,14}");
  private static final ObjectMapper JSON = new ObjectMapper();

  private final String name;
  private final URI url;
  /** {@code Bearer <api-key>}: a secret, never in a message or {@link #toString()}. */
  private final String authorization;
  private final Duration timeout;
  private final Clock clock;
  private final ExecutorService executor;
  private final HttpClient client;
  private final AtomicBoolean closed = new AtomicBoolean();

  /**
   * Reads and checks the configuration, and makes the HTTP client.
   *
   * @throws IllegalArgumentException naming the key when {@code url} or {@code api-key} is
   *     missing or unusable
   */
  SmsGatewayChannel(ChannelContext context) {
    this.name = context.channelName();
    this.url = url(context);
    this.authorization = "Bearer " + apiKey(context);
    this.timeout = context.timeout();
    this.clock = context.clock();
    AtomicInteger threads = new AtomicInteger();
    this.executor = Executors.newCachedThreadPool(r -> {
      Thread t = new Thread(r, "sms-gateway-" + name + "-" + threads.incrementAndGet());
      t.setDaemon(true);
      return t;
    });
    this.client = HttpClient.newBuilder()
        .connectTimeout(timeout)
        .followRedirects(HttpClient.Redirect.NEVER)
        // Plain http stays HTTP/1.1 (no h2c upgrade); https negotiates HTTP/2 where it can.
        .version(url.getScheme().equalsIgnoreCase("https")
            ? HttpClient.Version.HTTP_2 : HttpClient.Version.HTTP_1_1)
        .executor(executor)
        .build();
  }

  private static URI url(ChannelContext context) {
    String raw = context.required("url").strip();
    URI uri;
    try {
      uri = new URI(raw);
    } catch (URISyntaxException e) {
      // Without the value: a URL may carry a token in its query.
      throw invalid(context, "url", "is not a URL");
    }
    String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
    if (!scheme.equals("http") && !scheme.equals("https")) {
      throw invalid(context, "url", "must be an http or https URL");
    }
    if (uri.getHost() == null || uri.getHost().isEmpty()) {
      throw invalid(context, "url", "must name a host");
    }
    if (uri.getRawUserInfo() != null) {
      throw invalid(context, "url", "must not carry credentials; give the key as 'api-key'");
    }
    if (uri.getRawFragment() != null) {
      throw invalid(context, "url", "must not have a fragment");
    }
    return uri;
  }

  private static String apiKey(ChannelContext context) {
    String key = context.required("api-key").strip();
    for (int i = 0; i < key.length(); i++) {
      char c = key.charAt(i);
      if (c < 0x21 || c > 0x7e) {
        throw invalid(context, "api-key",
            "must be printable ASCII without spaces (it is sent in a header)");
      }
    }
    return key;
  }

  private static IllegalArgumentException invalid(ChannelContext context, String key,
      String reason) {
    return new IllegalArgumentException(
        "channel " + context.channelName() + ": config key '" + key + "' " + reason);
  }

  @Override
  public List<IdentifierType> addresses() {
    return List.of(IdentifierType.PHONE);
  }

  @Override
  public DeliveryResult deliver(Message message) {
    if (closed.get()) {
      return DeliveryResult.retryable("channel is closed");
    }
    Optional<Identifier> phone = message.recipient(IdentifierType.PHONE);
    if (phone.isEmpty()) {
      return DeliveryResult.permanent("no phone number among the recipients");
    }
    String to = phone.get().value();
    if (!E164.matcher(to).matches()) {
      return DeliveryResult.permanent("the phone number is not in E.164 form");
    }
    Optional<String> text = message.text("text");
    if (text.isEmpty() || text.get().isBlank()) {
      return DeliveryResult.permanent("the payload has no 'text'");
    }
    ObjectNode body = JSON.createObjectNode();
    body.put("to", to);
    body.put("text", text.get());
    body.put("reference", message.idempotencyKey());
    byte[] bytes;
    try {
      bytes = JSON.writeValueAsBytes(body);
    } catch (JsonProcessingException e) {
      return DeliveryResult.permanent("the body cannot be written as JSON");
    }
    HttpRequest request = HttpRequest.newBuilder(url)
        .timeout(timeout)
        .header("Content-Type", "application/json")
        .header("Accept", "application/json")
        .header("Authorization", authorization)
        .POST(HttpRequest.BodyPublishers.ofByteArray(bytes))
        .build();
    HttpResponse<InputStream> response;
    try {
      response = client.send(request, HttpResponse.BodyHandlers.ofInputStream());
    } catch (HttpTimeoutException e) {
      return DeliveryResult.retryable("no answer within " + timeout);
    } catch (IOException e) {
      return DeliveryResult.retryable("I/O error (" + e.getClass().getSimpleName() + ")");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return DeliveryResult.retryable("interrupted");
    }
    int status = response.statusCode();
    Optional<String> reference = Optional.empty();
    try (InputStream in = response.body()) {
      if (status >= 200 && status < 300) {
        reference = reference(in.readNBytes(MAX_RESPONSE_BYTES));
      }
    } catch (IOException e) {
      // The status says what happened; a body cut short only loses the reference.
    }
    return result(status, response.headers().firstValue("Retry-After"), reference,
        clock.instant());
  }

  /** The gateway's message id: the {@code "id"} of a JSON object, cut to a sane length. */
  static Optional<String> reference(byte[] body) {
    if (body.length == 0) {
      return Optional.empty();
    }
    JsonNode tree;
    try {
      tree = JSON.readTree(body);
    } catch (IOException e) {
      return Optional.empty();
    }
    JsonNode id = tree == null ? null : tree.get("id");
    if (id == null || !(id.isTextual() || id.isIntegralNumber())) {
      return Optional.empty();
    }
    String ref = id.asText().strip();
    if (ref.isEmpty()) {
      return Optional.empty();
    }
    return Optional.of(ref.length() > MAX_REFERENCE_LENGTH
        ? ref.substring(0, MAX_REFERENCE_LENGTH) : ref);
  }

  /** Maps an HTTP status, a {@code Retry-After} and a reference to a result. */
  static DeliveryResult result(int status, Optional<String> retryAfter,
      Optional<String> reference, Instant now) {
    if (status >= 200 && status < 300) {
      return reference.map(DeliveryResult::delivered).orElseGet(DeliveryResult::delivered);
    }
    String reason = "HTTP " + status;
    if (status == 408 || status == 429 || (status >= 500 && status < 600)) {
      Optional<Duration> wait = retryAfter.flatMap(v -> retryAfter(v, now));
      return wait.isPresent() ? DeliveryResult.retryable(reason, wait.get())
          : DeliveryResult.retryable(reason);
    }
    return DeliveryResult.permanent(reason);
  }

  /**
   * A {@code Retry-After} value, delay-seconds or an HTTP date, as a wait from {@code now}:
   * never negative, at most {@link #MAX_RETRY_AFTER}; empty when it is neither form.
   */
  static Optional<Duration> retryAfter(String value, Instant now) {
    String v = value.strip();
    Duration wait;
    if (!v.isEmpty() && v.chars().allMatch(c -> c >= '0' && c <= '9')) {
      wait = v.length() > 9 ? MAX_RETRY_AFTER : Duration.ofSeconds(Long.parseLong(v));
    } else {
      try {
        wait = Duration.between(now,
            ZonedDateTime.parse(v, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant());
      } catch (DateTimeParseException e) {
        return Optional.empty();
      }
    }
    if (wait.isNegative()) {
      return Optional.of(Duration.ZERO);
    }
    return Optional.of(wait.compareTo(MAX_RETRY_AFTER) > 0 ? MAX_RETRY_AFTER : wait);
  }

  /** Stops the client's threads; calls after it answer "retryable". */
  @Override
  public void close() {
    if (closed.compareAndSet(false, true)) {
      executor.shutdownNow();
    }
  }

  @Override
  public String toString() {
    return "SmsGatewayChannel[" + name + "]";
  }
}
