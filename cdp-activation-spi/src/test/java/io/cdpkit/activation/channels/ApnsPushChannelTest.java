package io.cdpkit.activation.channels;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.cdpkit.activation.spi.Channel;
import io.cdpkit.activation.spi.DeliveryResult;
import io.cdpkit.activation.spi.Message;
import io.cdpkit.activation.testing.Messages;
import io.cdpkit.activation.testing.TestChannelContext;
import io.cdpkit.core.model.Identifier;
import io.cdpkit.core.testing.MutableClock;
import java.security.KeyPairGenerator;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("The APNs push channel")
class ApnsPushChannelTest {
  static final String TOKEN_A = "a1".repeat(32);
  static final String TOKEN_B = "b2".repeat(32);

  FakeApns apns;
  final MutableClock clock = new MutableClock(TestChannelContext.NOW);
  final List<Channel> open = new ArrayList<>();

  @BeforeEach
  void start() throws Exception {
    apns = new FakeApns();
    apns.registered.add(TOKEN_A);
    apns.registered.add(TOKEN_B);
  }

  @AfterEach
  void stop() throws Exception {
    open.forEach(Channel::close);
    apns.close();
  }

  Map<String, String> config() {
    return new HashMap<>(Map.of("team-id", FakeApns.TEAM, "key-id", FakeApns.KEY_ID,
        "private-key", apns.privateKeyPem(), "topic", "com.example.shop", "base-url",
        apns.url()));
  }

  Channel channel(Map<String, String> config) throws Exception {
    Channel c = new ApnsPushChannelProvider(FakeApns.clientTls()).create(
        TestChannelContext.of("push", config).withClock(clock));
    open.add(c);
    return c;
  }

  static Message message(Identifier... recipients) {
    return Messages.builder().recipients(List.of(recipients)).put("title", "Sale")
        .put("body", "50% off dresses").put("data", Map.of("deeplink", "shop://sale"))
        .build();
  }

  @Test
  @DisplayName("posts over HTTP/2 to /3/device/{token} with the APNs headers and an ES256"
      + " provider token that verifies with the team's public key")
  void requestShape() throws Exception {
    DeliveryResult r = channel(config()).deliver(message(PushTokens.apns(TOKEN_A
        .toUpperCase(java.util.Locale.ROOT))));
    assertThat(r.outcome()).isEqualTo(DeliveryResult.Outcome.DELIVERED);
    FakeApns.Received q = apns.received().get(0);
    assertThat(q.protocol()).isEqualTo("HTTP/2.0");
    assertThat(q.path()).isEqualTo("/3/device/" + TOKEN_A);
    assertThat(q.jwtVerified()).as("JWT signature verifies").isTrue();
    assertThat(q.iat()).isEqualTo(TestChannelContext.NOW.getEpochSecond());
    assertThat(q.headers()).containsEntry("apns-topic", "com.example.shop")
        .containsEntry("apns-push-type", "alert").containsEntry("apns-priority", "10")
        .containsEntry("apns-expiration", Long.toString(TestChannelContext.NOW
            .plus(Duration.ofDays(1)).getEpochSecond()));
    String id = q.headers().get("apns-id");
    assertThat(id).matches("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}");
    assertThat(r.reference()).hasValue(id);
    JsonNode body = FakeApns.JSON.readTree(q.body());
    assertThat(body.path("aps").path("alert").path("title").asText()).isEqualTo("Sale");
    assertThat(body.path("aps").path("alert").path("body").asText())
        .isEqualTo("50% off dresses");
    assertThat(body.path("deeplink").asText()).isEqualTo("shop://sale");
    assertThat(body.path("idempotency_key").asText()).isEqualTo("msg-0001");
  }

  @Test
  @DisplayName("every attempt of a message to a device carries the same apns-id; another"
      + " device or message another")
  void stableApnsId() throws Exception {
    Channel c = channel(config());
    c.deliver(message(PushTokens.apns(TOKEN_A), PushTokens.apns(TOKEN_B)));
    c.deliver(message(PushTokens.apns(TOKEN_A)));
    c.deliver(Messages.builder().idempotencyKey("msg-0002").recipient(PushTokens.apns(TOKEN_A))
        .put("body", "x").build());
    List<String> ids = apns.received().stream().map(q -> q.headers().get("apns-id")).toList();
    assertThat(ids.get(0)).isEqualTo(ids.get(2)).isNotEqualTo(ids.get(1))
        .isNotEqualTo(ids.get(3));
  }

  @Test
  @DisplayName("410 Unregistered and 400 BadDeviceToken fail that token for good; another"
      + " token of the person still gets it")
  void badTokens() throws Exception {
    apns.registered.remove(TOKEN_A);
    Channel c = channel(config());
    DeliveryResult gone = c.deliver(message(PushTokens.apns(TOKEN_A)));
    assertThat(gone.outcome()).isEqualTo(DeliveryResult.Outcome.PERMANENT);
    assertThat(gone.reason().orElseThrow()).startsWith("APNs HTTP 410 Unregistered");
    apns.then(new FakeApns.Answer(400, Map.of(), "{\"reason\":\"BadDeviceToken\"}"));
    DeliveryResult mixed = c.deliver(message(PushTokens.apns(TOKEN_B),
        PushTokens.apns(TOKEN_A)));
    assertThat(mixed.outcome()).isEqualTo(DeliveryResult.Outcome.PERMANENT);
    assertThat(mixed.reason().orElseThrow()).contains("400 BadDeviceToken")
        .contains("410 Unregistered");
    DeliveryResult one = c.deliver(message(PushTokens.apns(TOKEN_A), PushTokens.apns(TOKEN_B)));
    assertThat(one.outcome()).isEqualTo(DeliveryResult.Outcome.DELIVERED);
  }

  @Test
  @DisplayName("429, 500 and 503 are retryable, with Retry-After passed on")
  void retryable() throws Exception {
    apns.then(new FakeApns.Answer(429, Map.of("retry-after", "120"),
        "{\"reason\":\"TooManyRequests\"}"),
        new FakeApns.Answer(500, Map.of(), "{\"reason\":\"InternalServerError\"}"),
        new FakeApns.Answer(503, Map.of(), "{\"reason\":\"ServiceUnavailable\"}"));
    Channel c = channel(config());
    DeliveryResult busy = c.deliver(message(PushTokens.apns(TOKEN_A)));
    assertThat(busy.outcome()).isEqualTo(DeliveryResult.Outcome.RETRYABLE);
    assertThat(busy.reason()).hasValue("APNs HTTP 429 TooManyRequests");
    assertThat(busy.retryAfter()).hasValue(Duration.ofMinutes(2));
    assertThat(c.deliver(message(PushTokens.apns(TOKEN_A))).outcome())
        .isEqualTo(DeliveryResult.Outcome.RETRYABLE);
    assertThat(c.deliver(message(PushTokens.apns(TOKEN_A))).outcome())
        .isEqualTo(DeliveryResult.Outcome.RETRYABLE);
  }

  @Test
  @DisplayName("reuses its JWT, and makes a new one at 50 minutes (before APNs' 60)")
  void jwtRefresh() throws Exception {
    Channel c = channel(config());
    c.deliver(message(PushTokens.apns(TOKEN_A)));
    clock.advance(Duration.ofMinutes(49));
    c.deliver(message(PushTokens.apns(TOKEN_A)));
    clock.advance(Duration.ofMinutes(1));
    c.deliver(message(PushTokens.apns(TOKEN_A)));
    List<FakeApns.Received> q = apns.received();
    assertThat(q).allSatisfy(r -> assertThat(r.jwtVerified()).isTrue());
    assertThat(q.get(1).headers().get("authorization"))
        .isEqualTo(q.get(0).headers().get("authorization"));
    assertThat(q.get(2).headers().get("authorization"))
        .isNotEqualTo(q.get(0).headers().get("authorization"));
    assertThat(q.get(2).iat() - q.get(0).iat()).isEqualTo(Duration.ofMinutes(50).toSeconds());
  }

  @Test
  @DisplayName("403 ExpiredProviderToken is retryable and the next attempt signs anew; other"
      + " 403s fail the message for good, saying what to check")
  void forbidden() throws Exception {
    Channel c = channel(config());
    apns.then(new FakeApns.Answer(403, Map.of(), "{\"reason\":\"ExpiredProviderToken\"}"));
    DeliveryResult expired = c.deliver(message(PushTokens.apns(TOKEN_A)));
    assertThat(expired.outcome()).isEqualTo(DeliveryResult.Outcome.RETRYABLE);
    assertThat(c.deliver(message(PushTokens.apns(TOKEN_A))).outcome())
        .isEqualTo(DeliveryResult.Outcome.DELIVERED);
    List<FakeApns.Received> q = apns.received();
    assertThat(q.get(1).headers().get("authorization"))
        .isNotEqualTo(q.get(0).headers().get("authorization"));

    Map<String, String> otherKey = config();
    KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
    g.initialize(256);
    otherKey.put("private-key", "-----BEGIN PRIVATE KEY-----\n" + Base64.getEncoder()
        .encodeToString(g.generateKeyPair().getPrivate().getEncoded())
        + "\n-----END PRIVATE KEY-----");
    DeliveryResult refused = channel(otherKey).deliver(message(PushTokens.apns(TOKEN_A),
        PushTokens.apns(TOKEN_B)));
    assertThat(refused.outcome()).isEqualTo(DeliveryResult.Outcome.PERMANENT);
    assertThat(refused.reason().orElseThrow()).contains("403 InvalidProviderToken")
        .contains("key-id");
    assertThat(apns.received()).hasSize(3); // stopped at the first token
  }

  @Test
  @DisplayName("a message with no APNs token, or without title and body, fails for good"
      + " without a request")
  void nothingToSend() throws Exception {
    Channel c = channel(config());
    assertThat(c.deliver(message(PushTokens.fcm("abc:DEF"))).reason())
        .hasValue("no APNs device token among the recipients");
    assertThat(c.deliver(Messages.builder().recipient(PushTokens.apns(TOKEN_A)).build())
        .reason()).hasValue("payload has neither 'title' nor 'body'");
    assertThat(c.deliver(Messages.builder().recipient(PushTokens.apns(TOKEN_A))
        .put("body", "x").put("data", Map.of("aps", "y")).build()).outcome())
        .isEqualTo(DeliveryResult.Outcome.PERMANENT);
    assertThat(apns.received()).isEmpty();
  }

  @Test
  @DisplayName("configuration errors name the key and never quote the private key")
  void configErrors() throws Exception {
    Map<String, String> c = config();
    c.put("private-key", "-----BEGIN PRIVATE KEY-----\nnot-a-key\n-----END PRIVATE KEY-----");
    assertThatThrownBy(() -> channel(c)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'private-key'").hasMessageNotContaining("not-a-key");
    KeyPairGenerator rsa = KeyPairGenerator.getInstance("RSA");
    rsa.initialize(2048);
    c.put("private-key", "-----BEGIN PRIVATE KEY-----\n" + Base64.getEncoder()
        .encodeToString(rsa.generateKeyPair().getPrivate().getEncoded())
        + "\n-----END PRIVATE KEY-----");
    assertThatThrownBy(() -> channel(c)).hasMessageContaining("'private-key'")
        .hasMessageContaining("EC");
    Map<String, String> d = config();
    d.put("team-id", "team");
    assertThatThrownBy(() -> channel(d)).hasMessageContaining("'team-id'");
    Map<String, String> e = config();
    e.put("private-key-file", "/nonexistent.p8");
    assertThatThrownBy(() -> channel(e)).hasMessageContaining("'private-key-file'");
    Map<String, String> f = config();
    f.put("priority", "7");
    assertThatThrownBy(() -> channel(f)).hasMessageContaining("'priority'");
    Map<String, String> h = config();
    h.put("time-to-live", "PT0S");
    channel(h).deliver(message(PushTokens.apns(TOKEN_A)));
    assertThat(apns.received().get(0).headers()).containsEntry("apns-expiration", "0");
  }
}
