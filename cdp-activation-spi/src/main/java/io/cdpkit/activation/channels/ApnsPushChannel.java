package io.cdpkit.activation.channels;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.cdpkit.activation.spi.Channel;
import io.cdpkit.activation.spi.ChannelContext;
import io.cdpkit.activation.spi.DeliveryResult;
import io.cdpkit.activation.spi.Message;
import io.cdpkit.core.model.Identifier;
import io.cdpkit.core.model.IdentifierType;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.time.Clock;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Pattern;
import javax.net.ssl.SSLContext;
import org.jspecify.annotations.Nullable;
import org.slf4j.LoggerFactory;

/** The channel of {@link ApnsPushChannelProvider}. Thread-safe. */
final class ApnsPushChannel implements Channel {
  static final String DEFAULT_BASE_URL = "https://api.push.apple.com";
  /** APNs' limit on the payload of an alert. */
  static final int MAX_PAYLOAD_BYTES = 4096;
  private static final Pattern TEN = Pattern.compile("[A-Z0-9]{10}");
  private static final Pattern TOPIC = Pattern.compile("[A-Za-z0-9][A-Za-z0-9.-]{0,254}");
  /** Reasons that condemn the token, not the message. */
  private static final Set<String> TOKEN_REASONS =
      Set.of("BadDeviceToken", "Unregistered", "DeviceTokenNotForTopic");
  private static final ObjectMapper JSON = new ObjectMapper();

  private final String name;
  private final String base;
  private final String topic;
  private final int priority;
  private final Duration timeToLive;
  private final ApnsJwt jwt;
  private final Duration timeout;
  private final Clock clock;
  private final HttpChannels.Client client;
  private final AtomicBoolean closed = new AtomicBoolean();
  private final HttpChannels.RefusalLog refusals;

  ApnsPushChannel(ChannelContext context, @Nullable SSLContext ssl) {
    this.name = context.channelName();
    this.refusals = new HttpChannels.RefusalLog(
        LoggerFactory.getLogger(context.loggerName()), name);
    String teamId = context.required("team-id").strip();
    if (!TEN.matcher(teamId).matches()) {
      throw Configs.invalid(context, "team-id", "must be 10 of A-Z and 0-9");
    }
    String keyId = context.required("key-id").strip();
    if (!TEN.matcher(keyId).matches()) {
      throw Configs.invalid(context, "key-id", "must be 10 of A-Z and 0-9");
    }
    this.topic = context.required("topic").strip();
    if (!TOPIC.matcher(topic).matches()) {
      throw Configs.invalid(context, "topic", "must be the app's bundle id");
    }
    PrivateKey key = key(context);
    URI url = HttpChannels.url(context, "base-url",
        Configs.optional(context, "base-url").orElse(DEFAULT_BASE_URL));
    this.base = HttpChannels.base(url);
    this.priority = Configs.integer(context, "priority", 10, 1, 10);
    if (priority != 10 && priority != 5 && priority != 1) {
      throw Configs.invalid(context, "priority", "must be 10, 5 or 1");
    }
    this.timeToLive = duration(context, "time-to-live", Duration.ofDays(1));
    this.clock = context.clock();
    this.jwt = new ApnsJwt(teamId, keyId, key, clock);
    this.timeout = context.timeout();
    this.client = HttpChannels.client("cdpkit-apns-" + name, url, timeout,
        HttpClient.Version.HTTP_2, ssl);
  }

  private static PrivateKey key(ChannelContext context) {
    Optional<String> pem = Configs.optional(context, "private-key");
    Optional<String> file = Configs.optional(context, "private-key-file");
    if (pem.isPresent() && file.isPresent()) {
      throw Configs.invalid(context, "private-key-file",
          "must not be given with private-key: give one of them");
    }
    if (pem.isEmpty() && file.isEmpty()) {
      throw Configs.invalid(context, "private-key", "is required (or private-key-file)");
    }
    String keyName = pem.isPresent() ? "private-key" : "private-key-file";
    String text;
    if (pem.isPresent()) {
      text = pem.get();
    } else {
      try {
        text = Files.readString(Path.of(file.get().strip()), StandardCharsets.US_ASCII);
      } catch (IOException | RuntimeException e) {
        throw Configs.invalid(context, keyName, "names a file that cannot be read ("
            + e.getClass().getSimpleName() + ")");
      }
    }
    try {
      return ApnsJwt.readP8(text);
    } catch (IllegalArgumentException e) {
      throw Configs.invalid(context, keyName, e.getMessage());
    }
  }

  private static Duration duration(ChannelContext context, String key, Duration dflt) {
    Optional<String> v = Configs.optional(context, key);
    if (v.isEmpty()) {
      return dflt;
    }
    try {
      Duration d = Duration.parse(v.get().strip());
      if (d.isNegative() || d.compareTo(Duration.ofDays(30)) > 0) {
        throw Configs.invalid(context, key, "must be from PT0S to P30D");
      }
      return d;
    } catch (DateTimeParseException e) {
      throw Configs.invalid(context, key, "must be an ISO-8601 duration such as PT12H", e);
    }
  }

  @Override
  public List<IdentifierType> addresses() {
    return List.of(IdentifierType.DEVICE_ID);
  }

  @Override
  public DeliveryResult deliver(Message message) {
    if (closed.get()) {
      return DeliveryResult.retryable("channel is closed");
    }
    List<String> tokens = new ArrayList<>();
    for (Identifier i : message.recipients()) {
      PushTokens.apnsToken(i).filter(t -> !tokens.contains(t)).ifPresent(tokens::add);
    }
    if (tokens.isEmpty()) {
      return DeliveryResult.permanent("no APNs device token among the recipients");
    }
    byte[] body;
    try {
      body = body(message);
    } catch (IllegalArgumentException | JsonProcessingException e) {
      return DeliveryResult.permanent(e instanceof IllegalArgumentException ? e.getMessage()
          : "payload cannot be written as JSON");
    }
    if (body.length > MAX_PAYLOAD_BYTES) {
      return DeliveryResult.permanent("payload is over APNs' " + MAX_PAYLOAD_BYTES + " bytes");
    }
    PushFanOut fan = new PushFanOut();
    for (String token : tokens) {
      if (Thread.currentThread().isInterrupted()) {
        fan.retryable("interrupted", null);
        break;
      }
      String bearer;
      try {
        bearer = jwt.token();
      } catch (GeneralSecurityException e) {
        return DeliveryResult.permanent("cannot sign the APNs token ("
            + e.getClass().getSimpleName() + ")");
      }
      Sent sent = send(token, body, bearer, message.idempotencyKey());
      if (sent.stopAll) {
        return sent.result;
      }
      fan.add(sent.result);
    }
    return fan.result();
  }

  /**
   * The APNs payload: {@code aps.alert} of the payload's {@code title} and {@code body}, the
   * payload's {@code data} entries beside {@code aps}, and {@code idempotency_key}.
   */
  static byte[] body(Message message) throws JsonProcessingException {
    Optional<String> title = message.text("title");
    Optional<String> text = message.text("body");
    if (title.isEmpty() && text.isEmpty()) {
      throw new IllegalArgumentException("payload has neither 'title' nor 'body'");
    }
    Map<String, Object> alert = new LinkedHashMap<>();
    title.ifPresent(t -> alert.put("title", t));
    text.ifPresent(t -> alert.put("body", t));
    Map<String, Object> root = new LinkedHashMap<>();
    root.put("aps", Map.of("alert", alert));
    Object data = message.payload().get("data");
    if (data != null && !(data instanceof Map)) {
      throw new IllegalArgumentException("payload key 'data' must be an object");
    }
    if (data != null) {
      for (Map.Entry<?, ?> e : ((Map<?, ?>) data).entrySet()) {
        String k = String.valueOf(e.getKey());
        if (k.equals("aps")) {
          throw new IllegalArgumentException("payload key 'data' must not hold 'aps'");
        }
        root.put(k, e.getValue());
      }
    }
    root.put("idempotency_key", message.idempotencyKey());
    return JSON.writeValueAsBytes(root);
  }

  /**
   * The {@code apns-id}: the same for every attempt of a message to a token, so APNs and the
   * history name one notification.
   */
  static String apnsId(String idempotencyKey, String token) {
    return UUID.nameUUIDFromBytes((idempotencyKey + "\n" + token)
        .getBytes(StandardCharsets.UTF_8)).toString();
  }

  private record Sent(DeliveryResult result, boolean stopAll) {}

  private Sent send(String token, byte[] body, String bearer, String key) {
    long expiration = timeToLive.isZero() ? 0
        : clock.instant().plus(timeToLive).getEpochSecond();
    HttpRequest request = HttpRequest.newBuilder(URI.create(base + "/3/device/" + token))
        .timeout(timeout)
        .POST(HttpRequest.BodyPublishers.ofByteArray(body))
        .header("authorization", "bearer " + bearer)
        .header("apns-topic", topic)
        .header("apns-push-type", "alert")
        .header("apns-priority", Integer.toString(priority))
        .header("apns-expiration", Long.toString(expiration))
        .header("apns-id", apnsId(key, token))
        .header("content-type", "application/json")
        .build();
    HttpResponse<byte[]> response;
    try {
      response = client.http().send(request, HttpResponse.BodyHandlers.ofByteArray());
    } catch (HttpTimeoutException e) {
      return new Sent(DeliveryResult.retryable("timed out after " + timeout), false);
    } catch (IOException e) {
      return new Sent(DeliveryResult.retryable("I/O error: " + HttpChannels.describe(e)),
          false);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return new Sent(DeliveryResult.retryable("interrupted"), true);
    }
    int status = response.statusCode();
    if (status == 200) {
      String id = response.headers().firstValue("apns-id").map(v -> HttpChannels.clip(v, 64))
          .filter(v -> !v.isBlank()).orElse(apnsId(key, token));
      return new Sent(DeliveryResult.delivered(id), false);
    }
    String why = reason(response.body());
    String reason = "APNs HTTP " + status + (why == null ? "" : " " + why);
    if (status == 410 || (why != null && TOKEN_REASONS.contains(why))) {
      return new Sent(DeliveryResult.permanent(reason + ": the token is no longer valid"),
          false);
    }
    if (status == 403 && "ExpiredProviderToken".equals(why)) {
      jwt.invalidate(bearer);
      return new Sent(DeliveryResult.retryable(reason), false);
    }
    if (status == 403) {
      refusals.refused(reason);
      return new Sent(DeliveryResult.permanent(reason + ": APNs refused the provider token;"
          + " check team-id, key-id, private-key and that the key is enabled for APNs"), true);
    }
    if (HttpChannels.retryable(status)) {
      return new Sent(HttpChannels.retry(reason, response.headers().firstValue("Retry-After"),
          clock.instant()), false);
    }
    // 400 reasons other than a bad token (BadTopic, PayloadTooLarge, ...) condemn the message.
    return new Sent(DeliveryResult.permanent(reason), true);
  }

  /** The {@code reason} of an APNs error body, or null. */
  static @Nullable String reason(byte[] body) {
    try {
      JsonNode n = JSON.readTree(body);
      if (n != null && n.path("reason").isTextual()) {
        return HttpChannels.clip(n.path("reason").asText(), 40);
      }
    } catch (IOException | RuntimeException e) {
      return null;
    }
    return null;
  }

  @Override
  public void close() {
    if (closed.compareAndSet(false, true)) {
      client.executor().shutdownNow();
    }
  }

  @Override
  public String toString() {
    return "ApnsPushChannel[" + name + "]";
  }
}
