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
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;
import org.slf4j.LoggerFactory;

/** The channel of {@link FcmPushChannelProvider}. Thread-safe. */
final class FcmPushChannel implements Channel {
  static final String DEFAULT_BASE_URL = "https://fcm.googleapis.com";
  /** FCM's limit on a message's payload. */
  static final int MAX_MESSAGE_BYTES = 4096;
  private static final Pattern PROJECT = Pattern.compile("[a-z][a-z0-9-]{4,61}[a-z0-9]");
  private static final ObjectMapper JSON = new ObjectMapper();

  private final String name;
  private final URI sendUrl;
  private final Supplier<String> accessTokens;
  private final Duration timeout;
  private final Clock clock;
  private final HttpChannels.Client client;
  private final AtomicBoolean closed = new AtomicBoolean();
  private final HttpChannels.RefusalLog refusals;

  FcmPushChannel(ChannelContext context, @Nullable Supplier<String> accessTokens) {
    this.name = context.channelName();
    this.refusals = new HttpChannels.RefusalLog(
        LoggerFactory.getLogger(context.loggerName()), name);
    String project = context.required("project").strip();
    if (!PROJECT.matcher(project).matches()) {
      throw Configs.invalid(context, "project",
          "must be a Firebase project id (6 to 63 of a-z, 0-9 and -)");
    }
    URI base = HttpChannels.url(context, "base-url",
        Configs.optional(context, "base-url").orElse(DEFAULT_BASE_URL));
    this.sendUrl = URI.create(HttpChannels.base(base) + "/v1/projects/" + project
        + "/messages:send");
    if (accessTokens != null) {
      if (Configs.optional(context, "access-token").isPresent()) {
        throw Configs.invalid(context, "access-token",
            "must not be given: the provider was made with an access token supplier");
      }
      this.accessTokens = accessTokens;
    } else {
      String fixed = context.required("access-token").strip();
      this.accessTokens = () -> fixed;
    }
    this.timeout = context.timeout();
    this.clock = context.clock();
    this.client = HttpChannels.client("cdpkit-fcm-" + name, base, timeout,
        java.net.http.HttpClient.Version.HTTP_2, null);
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
      PushTokens.fcmToken(i).filter(t -> !tokens.contains(t)).ifPresent(tokens::add);
    }
    if (tokens.isEmpty()) {
      return DeliveryResult.permanent("no FCM push token among the recipients");
    }
    Optional<String> title = message.text("title");
    Optional<String> body = message.text("body");
    if (title.isEmpty() && body.isEmpty()) {
      return DeliveryResult.permanent("payload has neither 'title' nor 'body'");
    }
    Map<String, String> data;
    try {
      data = data(message);
    } catch (IllegalArgumentException | JsonProcessingException e) {
      return DeliveryResult.permanent("payload key 'data' " + e.getMessage());
    }
    String bearer;
    try {
      bearer = accessTokens.get();
    } catch (RuntimeException e) {
      return DeliveryResult.retryable(
          "access token supplier failed: " + e.getClass().getSimpleName());
    }
    if (bearer == null || bearer.isBlank() || !bearer.strip().chars()
        .allMatch(c -> c > 0x20 && c < 0x7f)) {
      return DeliveryResult.retryable("access token supplier gave no usable token");
    }
    PushFanOut fan = new PushFanOut();
    for (String token : tokens) {
      if (Thread.currentThread().isInterrupted()) {
        fan.retryable("interrupted", null);
        break;
      }
      byte[] json;
      try {
        json = JSON.writeValueAsBytes(Map.of("message", message(token, title, body, data)));
      } catch (JsonProcessingException e) {
        return DeliveryResult.permanent("payload cannot be written as JSON");
      }
      if (json.length - token.length() > MAX_MESSAGE_BYTES) {
        return DeliveryResult.permanent("payload is over FCM's " + MAX_MESSAGE_BYTES
            + " bytes");
      }
      Sent sent = send(json, bearer.strip(), message.idempotencyKey());
      if (sent.stopAll) {
        return sent.result;
      }
      fan.add(sent.result);
    }
    return fan.result();
  }

  private Map<String, Object> message(String token, Optional<String> title,
      Optional<String> body, Map<String, String> data) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("token", token);
    Map<String, Object> n = new LinkedHashMap<>();
    title.ifPresent(t -> n.put("title", t));
    body.ifPresent(b -> n.put("body", b));
    m.put("notification", n);
    m.put("data", data);
    return m;
  }

  /**
   * The {@code data} map: the payload's {@code data} object with every value as text (FCM
   * takes strings only; nested values as JSON), plus {@code idempotency_key}.
   */
  static Map<String, String> data(Message message) throws JsonProcessingException {
    Map<String, String> out = new LinkedHashMap<>();
    Object d = message.payload().get("data");
    if (d != null && !(d instanceof Map)) {
      throw new IllegalArgumentException("must be an object");
    }
    if (d != null) {
      for (Map.Entry<?, ?> e : ((Map<?, ?>) d).entrySet()) {
        Object v = e.getValue();
        String key = String.valueOf(e.getKey());
        if (key.equals("from") || key.startsWith("google.") || key.startsWith("gcm.")) {
          throw new IllegalArgumentException("holds a key FCM reserves");
        }
        if (v == null) {
          continue;
        }
        out.put(key, v instanceof Map || v instanceof List ? MessageJson.text(v)
            : String.valueOf(v));
      }
    }
    out.put("idempotency_key", message.idempotencyKey());
    return out;
  }

  private record Sent(DeliveryResult result, boolean stopAll) {}

  private Sent send(byte[] json, String bearer, String key) {
    HttpRequest request;
    try {
      request = HttpRequest.newBuilder(sendUrl)
          .timeout(timeout)
          .POST(HttpRequest.BodyPublishers.ofByteArray(json))
          .header("Content-Type", "application/json; charset=UTF-8")
          .header("Authorization", "Bearer " + bearer)
          .build();
    } catch (IllegalArgumentException e) {
      return new Sent(DeliveryResult.retryable("access token cannot be sent as a header"),
          true);
    }
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
    return result(response.statusCode(), response.body(),
        response.headers().firstValue("Retry-After"));
  }

  private Sent result(int status, byte[] body, Optional<String> retryAfter) {
    if (status >= 200 && status < 300) {
      String ref = null;
      try {
        JsonNode n = JSON.readTree(body);
        if (n != null && n.path("name").isTextual()) {
          ref = HttpChannels.clip(n.path("name").asText(), DeliveryResult.MAX_REFERENCE_LENGTH);
        }
      } catch (IOException e) {
        // A 2xx is delivered whatever its body says.
      }
      return new Sent(ref == null || ref.isEmpty() ? DeliveryResult.delivered()
          : DeliveryResult.delivered(ref), false);
    }
    String code = errorCode(body);
    String reason = "FCM HTTP " + status + (code == null ? "" : " " + code);
    if (status == 401 || (status == 403 && !"SENDER_ID_MISMATCH".equals(code))) {
      refusals.refused(reason);
      return new Sent(DeliveryResult.permanent(reason + ": FCM refused the access token;"
          + " check the token supplier and that its service account may send messages"
          + " (role Firebase Cloud Messaging API Admin)"), true);
    }
    if ("UNREGISTERED".equals(code) || status == 404) {
      return new Sent(DeliveryResult.permanent(reason + ": the token is no longer registered"),
          false);
    }
    if (HttpChannels.retryable(status) || "UNAVAILABLE".equals(code)
        || "INTERNAL".equals(code) || "QUOTA_EXCEEDED".equals(code)) {
      return new Sent(HttpChannels.retry(reason, retryAfter, clock.instant()), false);
    }
    return new Sent(DeliveryResult.permanent(reason), false);
  }

  /**
   * The most specific error code of an FCM error body: {@code details[].errorCode} of the
   * {@code FcmError} detail, else {@code error.status}; null when there is none.
   */
  static @Nullable String errorCode(byte[] body) {
    try {
      JsonNode error = JSON.readTree(body).path("error");
      for (JsonNode d : error.path("details")) {
        if (d.path("errorCode").isTextual()) {
          return HttpChannels.clip(d.path("errorCode").asText(), 40);
        }
      }
      if (error.path("status").isTextual()) {
        return HttpChannels.clip(error.path("status").asText(), 40);
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
    return "FcmPushChannel[" + name + "]";
  }
}
