package io.cdpkit.activation.channels;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.cdpkit.activation.spi.Channel;
import io.cdpkit.activation.spi.DeliveryResult;
import io.cdpkit.activation.spi.Message;
import io.cdpkit.activation.testing.Messages;
import io.cdpkit.activation.testing.TestChannelContext;
import io.cdpkit.core.model.Identifier;
import io.cdpkit.core.model.IdentifierType;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("The FCM push channel")
class FcmPushChannelTest {
  static final String TOKEN_A = "dXk3Qm9:APA91bH-Z_xYqPq0WvTt6rLmNoP";
  static final String TOKEN_B = "eYl4Rn0:APA91bJ-A_bCdEfGhIjKlMnOpQr";
  static final ObjectMapper JSON = new ObjectMapper();

  FakeHttpServer fcm;
  final Set<String> registered = new java.util.HashSet<>(Set.of(TOKEN_A, TOKEN_B));
  final List<Channel> open = new java.util.ArrayList<>();

  /** A fake FCM: 401 without the expected bearer, 404 UNREGISTERED for unknown tokens. */
  static FakeHttpServer.Response answer(FakeHttpServer.Request r, Set<String> registered) {
    if (!"Bearer ya29.test-token".equals(r.headers().getFirst("Authorization"))) {
      return FakeHttpServer.Response.of(401, "{\"error\":{\"code\":401,\"status\":"
          + "\"UNAUTHENTICATED\"}}");
    }
    try {
      String token = JSON.readTree(r.body()).path("message").path("token").asText();
      if (!registered.contains(token)) {
        return FakeHttpServer.Response.of(404, unregistered());
      }
      return FakeHttpServer.Response.of(200, "{\"name\":\"projects/shop-app/messages/0:"
          + Math.abs(token.hashCode()) + "\"}");
    } catch (java.io.IOException e) {
      return FakeHttpServer.Response.of(400, "{}");
    }
  }

  static String unregistered() {
    return "{\"error\":{\"code\":404,\"message\":\"Requested entity was not found.\","
        + "\"status\":\"NOT_FOUND\",\"details\":[{\"@type\":"
        + "\"type.googleapis.com/google.firebase.fcm.v1.FcmError\","
        + "\"errorCode\":\"UNREGISTERED\"}]}}";
  }

  @BeforeEach
  void start() throws Exception {
    fcm = new FakeHttpServer(r -> answer(r, registered));
  }

  @AfterEach
  void stop() {
    open.forEach(Channel::close);
    fcm.close();
  }

  Channel channel(Map<String, String> extra, Supplier<String> tokens) {
    Map<String, String> config = new HashMap<>(Map.of("project", "shop-app",
        "base-url", fcm.url()));
    config.putAll(extra);
    Channel c = new FcmPushChannelProvider(tokens).create(TestChannelContext.of("push", config));
    open.add(c);
    return c;
  }

  Channel channel() {
    return channel(Map.of(), () -> "ya29.test-token");
  }

  static Message message(Identifier... recipients) {
    return Messages.builder().recipients(List.of(recipients)).put("title", "Sale")
        .put("body", "50% off dresses").put("data", Map.of("deeplink", "shop://sale",
            "count", 3L, "nested", Map.of("a", 1L))).build();
  }

  @Test
  @DisplayName("posts the v1 message to /v1/projects/{project}/messages:send with the bearer"
      + " token, the case-sensitive token restored, and data as strings")
  void requestShape() throws Exception {
    DeliveryResult r = channel().deliver(message(PushTokens.fcm(TOKEN_A)));
    assertThat(r.outcome()).isEqualTo(DeliveryResult.Outcome.DELIVERED);
    assertThat(r.reference()).hasValueSatisfying(v -> assertThat(v)
        .startsWith("projects/shop-app/messages/0:"));
    FakeHttpServer.Request req = fcm.requests().get(0);
    assertThat(req.method()).isEqualTo("POST");
    assertThat(req.path()).isEqualTo("/v1/projects/shop-app/messages:send");
    assertThat(req.headers().getFirst("Content-Type")).startsWith("application/json");
    JsonNode m = JSON.readTree(req.body()).path("message");
    assertThat(m.path("token").asText()).isEqualTo(TOKEN_A);
    assertThat(m.path("notification").path("title").asText()).isEqualTo("Sale");
    assertThat(m.path("notification").path("body").asText()).isEqualTo("50% off dresses");
    assertThat(m.path("data").path("deeplink").asText()).isEqualTo("shop://sale");
    assertThat(m.path("data").path("count").isTextual()).isTrue();
    assertThat(m.path("data").path("count").asText()).isEqualTo("3");
    assertThat(m.path("data").path("nested").asText()).isEqualTo("{\"a\":1}");
    assertThat(m.path("data").path("idempotency_key").asText()).isEqualTo("msg-0001");
  }

  @Test
  @DisplayName("sends to each FCM token of the recipients, and to nothing else among them")
  void onlyFcmTokens() {
    DeliveryResult r = channel().deliver(message(PushTokens.fcm(TOKEN_A),
        PushTokens.apns("ab".repeat(32)), Identifier.of(IdentifierType.DEVICE_ID, "idfa-123"),
        PushTokens.fcm(TOKEN_B)));
    assertThat(r.outcome()).isEqualTo(DeliveryResult.Outcome.DELIVERED);
    assertThat(r.reference().orElseThrow()).endsWith("(2 of 2 devices)");
    assertThat(fcm.requests()).extracting(q -> readToken(q)).containsExactly(TOKEN_A, TOKEN_B);
  }

  @Test
  @DisplayName("a message with no FCM token fails for good without a request")
  void noToken() {
    DeliveryResult r = channel().deliver(message(PushTokens.apns("ab".repeat(32))));
    assertThat(r.outcome()).isEqualTo(DeliveryResult.Outcome.PERMANENT);
    assertThat(r.reason()).hasValue("no FCM push token among the recipients");
    assertThat(fcm.requests()).isEmpty();
  }

  @Test
  @DisplayName("404 UNREGISTERED fails that token for good; another token still gets it")
  void unregisteredToken() {
    registered.remove(TOKEN_A);
    DeliveryResult alone = channel().deliver(message(PushTokens.fcm(TOKEN_A)));
    assertThat(alone.outcome()).isEqualTo(DeliveryResult.Outcome.PERMANENT);
    assertThat(alone.reason().orElseThrow()).contains("404").contains("UNREGISTERED");
    DeliveryResult both = channel().deliver(message(PushTokens.fcm(TOKEN_A),
        PushTokens.fcm(TOKEN_B)));
    assertThat(both.outcome()).isEqualTo(DeliveryResult.Outcome.DELIVERED);
    assertThat(both.reference().orElseThrow()).endsWith("(1 of 2 devices)");
  }

  @Test
  @DisplayName("400 INVALID_ARGUMENT fails for good")
  void invalidArgument() {
    fcm.then(FakeHttpServer.Response.of(400, "{\"error\":{\"code\":400,\"status\":"
        + "\"INVALID_ARGUMENT\",\"details\":[{\"errorCode\":\"INVALID_ARGUMENT\"}]}}"));
    DeliveryResult r = channel().deliver(message(PushTokens.fcm(TOKEN_A)));
    assertThat(r.outcome()).isEqualTo(DeliveryResult.Outcome.PERMANENT);
    assertThat(r.reason().orElseThrow()).isEqualTo("FCM HTTP 400 INVALID_ARGUMENT");
  }

  @Test
  @DisplayName("401 and 403 fail the message for good with what to check, and stop at the"
      + " first token")
  void refusedCredentials() {
    DeliveryResult r = channel(Map.of(), () -> "ya29.stale").deliver(
        message(PushTokens.fcm(TOKEN_A), PushTokens.fcm(TOKEN_B)));
    assertThat(r.outcome()).isEqualTo(DeliveryResult.Outcome.PERMANENT);
    assertThat(r.reason().orElseThrow()).contains("401").contains("access token")
        .doesNotContain("ya29");
    assertThat(fcm.requests()).hasSize(1);
    fcm.then(FakeHttpServer.Response.of(403, "{\"error\":{\"code\":403,\"status\":"
        + "\"PERMISSION_DENIED\"}}"));
    DeliveryResult forbidden = channel().deliver(message(PushTokens.fcm(TOKEN_A)));
    assertThat(forbidden.outcome()).isEqualTo(DeliveryResult.Outcome.PERMANENT);
    assertThat(forbidden.reason().orElseThrow()).contains("403 PERMISSION_DENIED")
        .contains("Firebase Cloud Messaging API Admin");
  }

  @Test
  @DisplayName("429 and 5xx are retryable, and Retry-After (seconds or a date) is passed on")
  void retryable() {
    fcm.then(new FakeHttpServer.Response(429, Map.of("Retry-After", "30"),
        "{\"error\":{\"code\":429,\"status\":\"RESOURCE_EXHAUSTED\",\"details\":"
            + "[{\"errorCode\":\"QUOTA_EXCEEDED\"}]}}"),
        new FakeHttpServer.Response(503, Map.of("Retry-After",
            "Sun, 01 Mar 2026 10:17:00 GMT"), "{\"error\":{\"status\":\"UNAVAILABLE\"}}"),
        FakeHttpServer.Response.of(500, ""));
    Channel c = channel();
    DeliveryResult quota = c.deliver(message(PushTokens.fcm(TOKEN_A)));
    assertThat(quota.outcome()).isEqualTo(DeliveryResult.Outcome.RETRYABLE);
    assertThat(quota.reason()).hasValue("FCM HTTP 429 QUOTA_EXCEEDED");
    assertThat(quota.retryAfter()).hasValue(Duration.ofSeconds(30));
    DeliveryResult down = c.deliver(message(PushTokens.fcm(TOKEN_A)));
    assertThat(down.outcome()).isEqualTo(DeliveryResult.Outcome.RETRYABLE);
    assertThat(down.retryAfter()).hasValue(Duration.ofMinutes(2)); // the clock stands at 10:15
    DeliveryResult internal = c.deliver(message(PushTokens.fcm(TOKEN_A)));
    assertThat(internal.outcome()).isEqualTo(DeliveryResult.Outcome.RETRYABLE);
    assertThat(internal.retryAfter()).isEmpty();
  }

  @Test
  @DisplayName("with one token delivered and one failing for now, it is delivered (no second"
      + " push to the first device on a retry)")
  void partialRetryable() {
    fcm.then(FakeHttpServer.Response.of(200, "{\"name\":\"projects/shop-app/messages/1\"}"),
        FakeHttpServer.Response.of(503, "{}"));
    DeliveryResult r = channel().deliver(message(PushTokens.fcm(TOKEN_A),
        PushTokens.fcm(TOKEN_B)));
    assertThat(r.outcome()).isEqualTo(DeliveryResult.Outcome.DELIVERED);
    assertThat(r.reference()).hasValue("projects/shop-app/messages/1 (1 of 2 devices)");
    fcm.then(FakeHttpServer.Response.of(404, unregistered()), FakeHttpServer.Response.of(503,
        "{}"));
    DeliveryResult none = channel().deliver(message(PushTokens.fcm(TOKEN_A),
        PushTokens.fcm(TOKEN_B)));
    assertThat(none.outcome()).isEqualTo(DeliveryResult.Outcome.RETRYABLE);
  }

  @Test
  @DisplayName("asks the supplier for a token on every delivery; a failing supplier is"
      + " retryable and sends nothing")
  void supplier() {
    AtomicInteger calls = new AtomicInteger();
    Channel c = channel(Map.of(), () -> {
      if (calls.incrementAndGet() == 2) {
        throw new IllegalStateException("metadata server down");
      }
      return "ya29.test-token";
    });
    assertThat(c.deliver(message(PushTokens.fcm(TOKEN_A))).outcome())
        .isEqualTo(DeliveryResult.Outcome.DELIVERED);
    DeliveryResult failed = c.deliver(message(PushTokens.fcm(TOKEN_A)));
    assertThat(failed.outcome()).isEqualTo(DeliveryResult.Outcome.RETRYABLE);
    assertThat(failed.reason()).hasValue("access token supplier failed: IllegalStateException");
    assertThat(c.deliver(message(PushTokens.fcm(TOKEN_A))).outcome())
        .isEqualTo(DeliveryResult.Outcome.DELIVERED);
    assertThat(calls).hasValue(3);
    assertThat(fcm.requests()).hasSize(2);
  }

  @Test
  @DisplayName("refuses a payload without title and body, a data that is not an object or"
      + " uses FCM's reserved keys")
  void badPayload() {
    Channel c = channel();
    assertThat(c.deliver(Messages.builder().recipient(PushTokens.fcm(TOKEN_A)).build())
        .reason()).hasValue("payload has neither 'title' nor 'body'");
    assertThat(c.deliver(Messages.builder().recipient(PushTokens.fcm(TOKEN_A))
        .put("body", "x").put("data", "text").build()).reason())
        .hasValue("payload key 'data' must be an object");
    assertThat(c.deliver(Messages.builder().recipient(PushTokens.fcm(TOKEN_A))
        .put("body", "x").put("data", Map.of("google.foo", "1")).build()).outcome())
        .isEqualTo(DeliveryResult.Outcome.PERMANENT);
    assertThat(c.deliver(Messages.builder().recipient(PushTokens.fcm(TOKEN_A))
        .put("body", "x".repeat(5000)).build()).reason().orElseThrow()).contains("4096");
    assertThat(fcm.requests()).isEmpty();
  }

  @Test
  @DisplayName("configuration errors name the key")
  void config() {
    FcmPushChannelProvider plain = new FcmPushChannelProvider();
    assertThatThrownBy(() -> plain.create(TestChannelContext.of("push", Map.of("project",
        "shop-app")))).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'access-token'");
    assertThatThrownBy(() -> plain.create(TestChannelContext.of("push", Map.of("project",
        "Shop App", "access-token", "t")))).hasMessageContaining("'project'");
    assertThatThrownBy(() -> new FcmPushChannelProvider(() -> "t").create(TestChannelContext
        .of("push", Map.of("project", "shop-app", "access-token", "t"))))
        .hasMessageContaining("'access-token'").hasMessageContaining("supplier");
    assertThatThrownBy(() -> plain.create(TestChannelContext.of("push", Map.of("project",
        "shop-app", "access-token", "t", "base-url", "ftp://x")))).hasMessageContaining(
        "'base-url'");
    try (Channel c = plain.create(TestChannelContext.of("push", Map.of("project", "shop-app",
        "access-token", "ya29.test-token", "base-url", fcm.url())))) {
      assertThat(c.deliver(message(PushTokens.fcm(TOKEN_A))).outcome())
          .isEqualTo(DeliveryResult.Outcome.DELIVERED);
    }
  }

  static String readToken(FakeHttpServer.Request r) {
    try {
      return JSON.readTree(r.body()).path("message").path("token").asText();
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }
}
