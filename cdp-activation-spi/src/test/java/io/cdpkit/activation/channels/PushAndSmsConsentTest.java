package io.cdpkit.activation.channels;

import static org.assertj.core.api.Assertions.assertThat;

import io.cdpkit.activation.Activation;
import io.cdpkit.activation.RetryPolicy;
import io.cdpkit.activation.Rule;
import io.cdpkit.activation.Template;
import io.cdpkit.activation.Trigger;
import io.cdpkit.activation.spi.storage.Delivery;
import io.cdpkit.core.Cdp;
import io.cdpkit.core.model.Event;
import io.cdpkit.core.model.Identifier;
import io.cdpkit.core.model.ProfileId;
import io.cdpkit.core.testing.MutableClock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The built-in push and SMS channels behind the engine's consent gate: consent belongs to the
 * token or number it was given for.
 */
@DisplayName("Push and SMS through the engine")
class PushAndSmsConsentTest {
  static final String A = "tokA:APA91b-Upper_Case_A";
  static final String B = "tokB:APA91b-Upper_Case_B";
  static final String C = "tokC:APA91b-Upper_Case_C";
  static final String D = "tokD:APA91b-Upper_Case_D";

  final MutableClock clock = new MutableClock(Instant.parse("2026-03-01T10:00:00Z"));
  FakeHttpServer fcm;
  FakeHttpServer sms;
  Activation activation;
  Cdp cdp;
  int messages;

  @BeforeEach
  void start() throws Exception {
    fcm = new FakeHttpServer(r -> FcmPushChannelTest.answer(r, Set.of(A, B, C, D)));
    sms = new FakeHttpServer(r -> FakeHttpServer.Response.of(201, "{\"sid\":\"SM1\"}"));
    activation = Activation.builder()
        .channel("push", new FcmPushChannelProvider(() -> "ya29.test-token"),
            Map.of("project", "shop-app", "base-url", fcm.url()))
        .channel("sms", new HttpSmsChannelProvider(),
            Map.of("url", sms.url() + "/Messages.json", "from", "+3197010000001"))
        .rule(Rule.builder("sale-push").trigger(Trigger.event("Sale Started")).channel("push")
            .purpose("marketing").template(Template.parse(
                "{\"title\": \"Sale\", \"body\": \"50% off\"}")).build())
        .rule(Rule.builder("sale-sms").trigger(Trigger.event("Sale Texted")).channel("sms")
            .purpose("marketing").template(Template.parse("{\"text\": \"50% off\"}")).build())
        .retry(new RetryPolicy(3, Duration.ofMinutes(1), Duration.ofMinutes(10)))
        .build();
    cdp = Cdp.builder().clock(clock).extension(activation).build();
  }

  @AfterEach
  void stop() {
    cdp.close();
    fcm.close();
    sms.close();
  }

  void consent(String user, Identifier address, String channel, boolean granted) {
    clock.advance(Duration.ofSeconds(1));
    cdp.ingest(Event.identify().messageId("m" + messages++).userId(user).identifier(address)
        .consent("marketing", channel, granted).timestamp(clock.instant()).build());
  }

  ProfileId trigger(String user, String event) {
    clock.advance(Duration.ofSeconds(1));
    return cdp.ingest(Event.track(event).messageId("m" + messages++).userId(user)
        .timestamp(clock.instant()).build()).profile().orElseThrow();
  }

  List<String> pushedTokens() {
    return fcm.requests().stream().map(FcmPushChannelTest::readToken).toList();
  }

  @Test
  @DisplayName("a token without consent gets nothing while another token of the same person"
      + " with consent gets the push, case-sensitive token intact; another person's token"
      + " gets nothing")
  void perToken() {
    consent("u1", PushTokens.fcm(A), "push", true);
    consent("u1", PushTokens.fcm(B), "push", false);
    consent("u2", PushTokens.fcm(C), "push", true);
    ProfileId p = trigger("u1", "Sale Started");
    activation.drain();
    assertThat(pushedTokens()).containsExactly(A);
    assertThat(activation.deliveries(p)).extracting(Delivery::outcome)
        .containsExactly("delivered");
  }

  @Test
  @DisplayName("consent withdrawn for one token only stops that token, not the other")
  void withdrawnForOne() {
    consent("u1", PushTokens.fcm(A), "push", true);
    consent("u1", PushTokens.fcm(B), "push", true);
    trigger("u1", "Sale Started");
    activation.drain();
    assertThat(pushedTokens()).containsExactlyInAnyOrder(A, B);
    consent("u1", PushTokens.fcm(B), "push", false);
    trigger("u1", "Sale Started");
    activation.drain();
    assertThat(pushedTokens()).hasSize(3);
    assertThat(pushedTokens().get(2)).isEqualTo(A);
  }

  @Test
  @DisplayName("a profile-level grant (no token named) does not open a token that was denied")
  void profileGrantDoesNotReopen() {
    consent("u1", PushTokens.fcm(A), "push", false);
    clock.advance(Duration.ofSeconds(1));
    cdp.ingest(Event.track("Consent Changed").messageId("m" + messages++).userId("u1")
        .consent("marketing", "push", true).timestamp(clock.instant()).build());
    ProfileId p = trigger("u1", "Sale Started");
    activation.drain();
    assertThat(fcm.requests()).isEmpty();
    assertThat(activation.deliveries(p)).extracting(Delivery::outcome)
        .doesNotContain("delivered");
  }

  @Test
  @DisplayName("a person erased after the push was decided gets nothing")
  void erased() {
    consent("u3", PushTokens.fcm(D), "push", true);
    trigger("u3", "Sale Started");
    cdp.privacy().erase(Identifier.customerId("u3"));
    activation.drain();
    assertThat(fcm.requests()).isEmpty();
  }

  @Test
  @DisplayName("an FCM 503 is retried by the retry policy with the same key, and then"
      + " delivered")
  void retried() {
    consent("u1", PushTokens.fcm(A), "push", true);
    fcm.then(new FakeHttpServer.Response(503, Map.of("Retry-After", "90"), "{}"));
    ProfileId p = trigger("u1", "Sale Started");
    activation.drain();
    assertThat(activation.deliveries(p)).extracting(Delivery::outcome)
        .containsExactly("failed");
    clock.advance(Duration.ofSeconds(60));
    activation.drain();
    assertThat(fcm.requests()).hasSize(1); // Retry-After of 90 s outweighs the backoff
    clock.advance(Duration.ofSeconds(60));
    activation.drain();
    assertThat(fcm.requests()).hasSize(2);
    List<String> keys = fcm.requests().stream().map(r -> r.bodyText().replaceAll(
        ".*\"idempotency_key\":\"([^\"]+)\".*", "$1")).toList();
    assertThat(keys.get(0)).isNotBlank().isEqualTo(keys.get(1));
    assertThat(activation.deliveries(p)).extracting(Delivery::outcome)
        .containsExactly("failed", "delivered");
  }

  /** An identify giving {@code number} as the person's phone, a second after the last event. */
  void givePhone(String user, String number) {
    clock.advance(Duration.ofSeconds(1));
    cdp.ingest(Event.identify().messageId("m" + messages++).userId(user).trait("phone", number)
        .timestamp(clock.instant()).build());
  }

  @Test
  @DisplayName("an SMS goes to the person's current number when its consent allows it, never to"
      + " an older number instead")
  void smsPerNumber() {
    givePhone("u1", "+31612345678");
    consent("u1", Identifier.phone("+31612345678"), "sms", false);
    givePhone("u1", "+31687654321");
    consent("u1", Identifier.phone("+31687654321"), "sms", true);
    trigger("u1", "Sale Texted");
    activation.drain();
    assertThat(sms.requests()).singleElement().satisfies(r -> assertThat(
        HttpSmsChannelTest.form(r.bodyText())).containsEntry("To", "+31687654321"));
  }

  @Test
  @DisplayName("a current number that refused gets nothing, and the older number that allowed"
      + " is not texted instead")
  void noFallbackToAnOlderNumber() {
    givePhone("u1", "+31612345678");
    consent("u1", Identifier.phone("+31612345678"), "sms", true);
    givePhone("u1", "+31687654321");
    consent("u1", Identifier.phone("+31687654321"), "sms", false);
    trigger("u1", "Sale Texted");
    activation.drain();
    assertThat(sms.requests()).isEmpty();
  }
}
