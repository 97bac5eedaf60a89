package io.cdpkit.activation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cdpkit.activation.spi.DeliveryResult;
import io.cdpkit.activation.spi.Message;
import io.cdpkit.activation.spi.storage.Delivery;
import io.cdpkit.activation.spi.storage.OutboxEntry;
import io.cdpkit.core.Cdp;
import io.cdpkit.core.model.Event;
import io.cdpkit.core.model.Identifier;
import io.cdpkit.core.model.IdentifierType;
import io.cdpkit.core.model.ProfileId;
import io.cdpkit.core.model.WorkspaceId;
import io.cdpkit.core.spi.storage.MetadataStorage;
import io.cdpkit.core.spi.storage.Store;
import io.cdpkit.core.testing.MutableClock;
import io.cdpkit.segmentation.Segmentation;
import io.cdpkit.segmentation.definition.Conditions;
import io.cdpkit.segmentation.definition.SegmentDefinition;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/** The engine end to end on the in-memory store, one behaviour per test. */
class ActivationTest {
  static final Instant NOW = Instant.parse("2026-03-15T10:00:00Z");

  final MutableClock clock = new MutableClock(NOW);
  final SpyProvider email = new SpyProvider("spy-email", "email", IdentifierType.EMAIL);
  final SpyProvider hook = new SpyProvider("spy-hook", "web");
  Cdp cdp;
  Activation activation;
  Segmentation segmentation;
  int messages;

  /** Builds a Cdp with segment "gold" (trait tier = gold) and the rules given. */
  void start(Consumer<Activation.Builder> config) {
    Activation.Builder b = Activation.builder()
        .channel("mail", email, Map.of())
        .channel("hook", hook, Map.of("timeout", "PT2S"))
        .random(new Random(7));
    config.accept(b);
    activation = b.build();
    segmentation = Segmentation.builder().build();
    store = Store.inMemory();
    cdp = Cdp.builder().store(store).clock(clock).extension(segmentation)
        .extension(activation).build();
    segmentation.segments().save(SegmentDefinition.builder("gold")
        .where(Conditions.trait("tier").eq("gold")).build());
  }

  @AfterEach
  void stop() {
    if (activation != null) {
      activation.close();
    }
    if (cdp != null) {
      cdp.close();
    }
  }

  static Rule.Builder welcome() {
    return Rule.builder("welcome").trigger(Trigger.segmentEntered("gold")).channel("mail")
        .purpose("marketing").template(Template.parse(
            "{\"subject\": \"Welcome {{trait.firstName|friend}}\", \"tier\": \"{{trait.tier}}\"}"));
  }

  Store store;

  Store storeOf(Cdp cdp) {
    return store;
  }

  ProfileId identify(String customer, Map<String, Object> traits) {
    Event.Builder e = Event.identify().messageId("m" + messages++).userId(customer)
        .identifier(Identifier.email(customer + "@example.com")).timestamp(clock.instant());
    traits.forEach(e::trait);
    return cdp.ingest(e.build()).profile().orElseThrow();
  }

  void consent(String customer, String purpose, String channel, boolean granted) {
    cdp.ingest(Event.track("Consent Changed").messageId("m" + messages++).userId(customer)
        .consent(purpose, channel, granted).timestamp(clock.instant()).build());
  }

  List<String> outcomes(ProfileId p) {
    return activation.deliveries(p).stream()
        .map(d -> d.outcome() + (d.reason() == null ? "" : ":" + d.reason())).toList();
  }

  @Nested
  @DisplayName("a segment entry")
  class SegmentEntry {
    @Test
    @DisplayName("sends the rendered template to the person's address, with the consent in the history")
    void delivers() {
      start(b -> b.rule(welcome().build()));
      consent("c1", "marketing", "email", true);
      ProfileId p = identify("c1", Map.of("tier", "gold", "firstName", "Ada"));
      assertThat(email.sent()).isEmpty(); // decided, not sent, until dispatch
      assertThat(activation.drain()).isEqualTo(1);
      assertThat(email.sent()).hasSize(1);
      Message m = email.sent().get(0);
      assertThat(m.payload()).containsExactly(Map.entry("subject", "Welcome Ada"),
          Map.entry("tier", "gold"));
      assertThat(m.recipients()).containsExactly(Identifier.email("c1@example.com"));
      assertThat(m.trigger()).isEqualTo("segment.entered:gold");
      assertThat(m.purpose()).isEqualTo("marketing");
      assertThat(m.attempt()).isEqualTo(1);
      assertThat(outcomes(p)).containsExactly("delivered");
      Delivery d = activation.deliveries(p).get(0);
      assertThat(d.detail()).contains("\"basis\":\"consent\"").contains("\"granted\":true")
          .contains("\"purpose\":\"marketing\"");
      assertThat(activation.outbox(WorkspaceId.DEFAULT, m.idempotencyKey()).orElseThrow()
          .status()).isEqualTo(OutboxEntry.Status.DONE);
      assertThat(activation.deliveriesJson(WorkspaceId.DEFAULT, p))
          .contains("\"outcome\":\"delivered\"").contains("\"rule\":\"welcome\"")
          .contains("\"consent\":{\"granted\":true");
    }

    @Test
    @DisplayName("is decided once: staying in the segment or ingesting again sends nothing more")
    void once() {
      start(b -> b.rule(welcome().build()));
      consent("c1", "marketing", "email", true);
      identify("c1", Map.of("tier", "gold"));
      identify("c1", Map.of("tier", "gold", "firstName", "Ada"));
      activation.drain();
      activation.drain();
      assertThat(email.sent()).hasSize(1);
    }

    @Test
    @DisplayName("a second entry after an exit is a new trigger with a new key")
    void reentry() {
      start(b -> b.rule(welcome().build()));
      consent("c1", "marketing", "email", true);
      identify("c1", Map.of("tier", "gold"));
      clock.advance(Duration.ofDays(1));
      identify("c1", Map.of("tier", "silver"));
      clock.advance(Duration.ofDays(1));
      identify("c1", Map.of("tier", "gold"));
      activation.drain();
      assertThat(email.sent()).hasSize(2);
      assertThat(email.sent().get(0).idempotencyKey())
          .isNotEqualTo(email.sent().get(1).idempotencyKey());
    }
  }

  @Nested
  @DisplayName("the consent gate")
  class ConsentGate {
    @Test
    @DisplayName("suppresses without consent, after a denial and after a withdrawal")
    void noConsent() {
      start(b -> b.rule(welcome().build()));
      ProfileId none = identify("c1", Map.of("tier", "gold"));
      consent("c2", "marketing", "email", false);
      ProfileId denied = identify("c2", Map.of("tier", "gold"));
      consent("c3", "marketing", "sms", true); // another channel does not count
      consent("c3", "analytics", "email", true); // nor another purpose
      ProfileId other = identify("c3", Map.of("tier", "gold"));
      activation.drain();
      assertThat(email.sent()).isEmpty();
      assertThat(outcomes(none)).containsExactly("suppressed:no-consent");
      assertThat(outcomes(denied)).containsExactly("suppressed:consent-denied");
      assertThat(outcomes(other)).containsExactly("suppressed:no-consent");
    }

    @Test
    @DisplayName("looks at consent when sending: a withdrawal during the delay suppresses")
    void withdrawnDuringDelay() {
      start(b -> b.rule(welcome().delay(Duration.ofHours(1)).build()));
      consent("c1", "marketing", "email", true);
      ProfileId p = identify("c1", Map.of("tier", "gold"));
      activation.drain();
      assertThat(email.sent()).isEmpty(); // not due yet
      consent("c1", "marketing", "email", false);
      clock.advance(Duration.ofHours(1));
      activation.drain();
      assertThat(email.sent()).isEmpty();
      assertThat(outcomes(p)).containsExactly("suppressed:consent-denied");
    }

    @Test
    @DisplayName("treats a grant older than the policy's maximum age as expired")
    void expired() {
      start(b -> b.rule(welcome().build())
          .consentPolicy(ConsentPolicy.STRICT.withMaxAge(Duration.ofDays(365))));
      consent("c1", "marketing", "email", true);
      clock.advance(Duration.ofDays(366));
      ProfileId p = identify("c1", Map.of("tier", "gold"));
      activation.drain();
      assertThat(outcomes(p)).containsExactly("suppressed:consent-expired");
    }

    @Test
    @DisplayName("sends contract-basis purposes without consent, and records the basis")
    void contract() {
      start(b -> b.rule(welcome().purpose("service").build())
          .consentPolicy(ConsentPolicy.STRICT.withContractBasis("service")));
      ProfileId p = identify("c1", Map.of("tier", "gold"));
      activation.drain();
      assertThat(email.sent()).hasSize(1);
      assertThat(activation.deliveries(p).get(0).detail()).contains("\"basis\":\"contract\"");
    }
  }

  @Test
  @DisplayName("a person without an address of the channel's kind is not sent to")
  void noAddress() {
    start(b -> b.rule(welcome().build()));
    cdp.ingest(Event.track("Consent Changed").messageId("x1").userId("c9")
        .consent("marketing", "email", true).timestamp(NOW).build());
    ProfileId p = cdp.ingest(Event.identify().messageId("x2").userId("c9").trait("tier", "gold")
        .timestamp(NOW).build()).profile().orElseThrow();
    activation.drain();
    assertThat(email.sent()).isEmpty();
    assertThat(outcomes(p)).containsExactly("suppressed:no-address:[email]");
  }

  @Test
  @DisplayName("a placeholder without a value and without a fallback suppresses the message")
  void missingField() {
    start(b -> b.rule(welcome().template(Template.parse("{\"text\": \"Hi {{trait.firstName}}\"}"))
        .build()));
    consent("c1", "marketing", "email", true);
    ProfileId p = identify("c1", Map.of("tier", "gold"));
    activation.drain();
    assertThat(outcomes(p)).containsExactly("suppressed:missing-field:trait.firstName");
  }

  @Test
  @DisplayName("a frequency cap suppresses what would exceed it, and a new window allows again")
  void cap() {
    start(b -> b.rule(Rule.builder("clicks").trigger(Trigger.event("Product Viewed"))
            .channel("mail").purpose("marketing").build())
        .cap(new FrequencyCap("mail", 2, Duration.ofDays(7))));
    consent("c1", "marketing", "email", true);
    ProfileId p = identify("c1", Map.of());
    for (int i = 0; i < 3; i++) {
      cdp.ingest(Event.track("Product Viewed").messageId("v" + i).userId("c1")
          .timestamp(clock.instant()).build());
      clock.advance(Duration.ofMinutes(1));
    }
    activation.drain();
    // The first two decided are sent (claims go by due time); the third is over the cap.
    assertThat(email.sent()).extracting(Message::decidedAt)
        .containsExactly(NOW, NOW.plus(Duration.ofMinutes(1)));
    assertThat(outcomes(p)).containsExactlyInAnyOrder("delivered", "delivered",
        "suppressed:frequency-cap:2/PT168H");
    clock.advance(Duration.ofDays(7));
    cdp.ingest(Event.track("Product Viewed").messageId("v9").userId("c1")
        .timestamp(clock.instant()).build());
    activation.drain();
    assertThat(email.sent()).hasSize(3);
  }

  @Test
  @DisplayName("a product bought in the last 30 days is not promoted; another one is")
  void boughtRecently() {
    start(b -> b.rule(Rule.builder("promo").trigger(Trigger.event("Product Viewed"))
        .channel("mail").purpose("marketing")
        .template(Template.parse("{\"productId\": \"{{event.properties.productId}}\"}"))
        .suppress(Suppression.boughtRecently(Duration.ofDays(30))).build()));
    consent("c1", "marketing", "email", true);
    ProfileId p = identify("c1", Map.of());
    cdp.ingest(Event.track("Order Completed").messageId("o1").userId("c1")
        .property("order_id", "O1").property("total", 10).property("currency", "EUR")
        .property("products", List.of(Map.of("productId", "P1")))
        .timestamp(clock.instant().minus(Duration.ofDays(3))).build());
    cdp.ingest(Event.track("Product Viewed").messageId("v1").userId("c1")
        .property("productId", "P1").timestamp(clock.instant()).build());
    cdp.ingest(Event.track("Product Viewed").messageId("v2").userId("c1")
        .property("productId", "P2").timestamp(clock.instant()).build());
    activation.drain();
    assertThat(email.sent()).extracting(m -> m.payload().get("productId")).containsExactly("P2");
    assertThat(outcomes(p)).contains("suppressed:suppression:bought-recently");
  }

  @Test
  @DisplayName("an order written to the Segment e-commerce spec (products[].product_id) "
      + "suppresses the promotion of what it bought, also with a payload key of the host's")
  void boughtRecentlySpecShape() {
    start(b -> b.rule(Rule.builder("promo").trigger(Trigger.event("Product Viewed"))
        .channel("mail").purpose("marketing")
        .template(Template.parse("{\"product_id\": \"{{event.properties.product_id}}\"}"))
        .suppress(Suppression.boughtRecently(Duration.ofDays(30), "product_id")).build()));
    consent("c1", "marketing", "email", true);
    ProfileId p = identify("c1", Map.of());
    cdp.ingest(Event.track("Order Completed").messageId("o1").userId("c1")
        .property("order_id", "O1").property("total", 10).property("currency", "EUR")
        .property("products", List.of(Map.of("product_id", "P1", "sku", "S-1"),
            Map.of("product_id", "P3")))
        .timestamp(clock.instant().minus(Duration.ofDays(3))).build());
    // Bought 40 days ago: outside the window, promoted again.
    cdp.ingest(Event.track("Order Completed").messageId("o0").userId("c1")
        .property("order_id", "O0").property("total", 10).property("currency", "EUR")
        .property("products", List.of(Map.of("product_id", "P4")))
        .timestamp(clock.instant().minus(Duration.ofDays(40))).build());
    for (String product : List.of("P1", "P2", "P3", "P4")) {
      cdp.ingest(Event.track("Product Viewed").messageId("v-" + product).userId("c1")
          .property("product_id", product).timestamp(clock.instant()).build());
    }
    activation.drain();
    assertThat(email.sent()).extracting(m -> m.payload().get("product_id"))
        .containsExactlyInAnyOrder("P2", "P4");
    assertThat(outcomes(p)).contains("suppressed:suppression:bought-recently");
  }

  @Nested
  @DisplayName("a delayed rule with a recheck (cart abandoned: wait an hour, send if still no order)")
  class Delay {
    void cartRule(Activation.Builder b) {
      b.rule(Rule.builder("cart").trigger(Trigger.event("Checkout Started"))
          .delay(Duration.ofHours(1)).recheck(Recheck.noEventSince("Order Completed"))
          .channel("mail").purpose("marketing")
          .template(Template.parse("{\"cart\": \"{{event.properties.cartId}}\"}")).build());
    }

    void checkout(String customer) {
      cdp.ingest(Event.track("Checkout Started").messageId("m" + messages++).userId(customer)
          .property("cartId", "K-" + customer).timestamp(clock.instant()).build());
    }

    @Test
    @DisplayName("sends after the delay when no order came")
    void sends() {
      start(this::cartRule);
      consent("c1", "marketing", "email", true);
      identify("c1", Map.of());
      checkout("c1");
      clock.advance(Duration.ofMinutes(59));
      activation.drain();
      assertThat(email.sent()).isEmpty();
      clock.advance(Duration.ofMinutes(1));
      activation.drain();
      assertThat(email.sent()).extracting(m -> m.payload().get("cart")).containsExactly("K-c1");
    }

    @Test
    @DisplayName("does not send when an order came during the delay")
    void ordered() {
      start(this::cartRule);
      consent("c1", "marketing", "email", true);
      ProfileId p = identify("c1", Map.of());
      checkout("c1");
      clock.advance(Duration.ofMinutes(20));
      cdp.ingest(Event.track("Order Completed").messageId("o1").userId("c1")
          .property("order_id", "O1").property("total", 10).property("currency", "EUR")
          .timestamp(clock.instant()).build());
      clock.advance(Duration.ofHours(1));
      activation.drain();
      assertThat(email.sent()).isEmpty();
      assertThat(outcomes(p)).containsExactly("suppressed:recheck:event-since:Order Completed");
    }

    @Test
    @DisplayName("an old event (a backfill) does not fire the rule")
    void backfill() {
      start(this::cartRule);
      consent("c1", "marketing", "email", true);
      identify("c1", Map.of());
      cdp.ingest(Event.track("Checkout Started").messageId("old").userId("c1")
          .property("cartId", "K").timestamp(NOW.minus(Duration.ofDays(30))).build());
      clock.advance(Duration.ofHours(2));
      activation.drain();
      assertThat(email.sent()).isEmpty();
    }
  }

  @Nested
  @DisplayName("failures")
  class Failures {
    @Test
    @DisplayName("a retryable failure is tried again after a backoff, with the same key")
    void retries() {
      AtomicInteger calls = new AtomicInteger();
      start(b -> b.rule(welcome().build())
          .retry(new RetryPolicy(5, Duration.ofMinutes(1), Duration.ofHours(1))));
      email.answer = m -> calls.incrementAndGet() < 3 ? DeliveryResult.retryable("503")
          : DeliveryResult.delivered("ref-1");
      consent("c1", "marketing", "email", true);
      ProfileId p = identify("c1", Map.of("tier", "gold"));
      activation.drain();
      assertThat(calls).hasValue(1);
      clock.advance(Duration.ofSeconds(29)); // the first backoff is 30 to 60 s
      activation.drain();
      assertThat(calls).hasValue(1);
      clock.advance(Duration.ofSeconds(31));
      activation.drain();
      assertThat(calls).hasValue(2);
      clock.advance(Duration.ofMinutes(2));
      activation.drain();
      assertThat(calls).hasValue(3);
      assertThat(email.sent()).extracting(Message::attempt).containsExactly(1, 2, 3);
      assertThat(email.sent()).extracting(Message::idempotencyKey).containsOnly(
          email.sent().get(0).idempotencyKey());
      assertThat(outcomes(p)).containsExactly("failed:503", "failed:503", "delivered");
      assertThat(activation.deliveries(p).get(2).detail()).contains("\"reference\":\"ref-1\"");
    }

    @Test
    @DisplayName("after the last attempt the message is a dead letter, and can be requeued")
    void deadLetter() {
      start(b -> b.rule(welcome().build())
          .retry(new RetryPolicy(2, Duration.ofMinutes(1), Duration.ofMinutes(1))));
      email.answer = m -> DeliveryResult.retryable("down");
      consent("c1", "marketing", "email", true);
      ProfileId p = identify("c1", Map.of("tier", "gold"));
      activation.drain();
      clock.advance(Duration.ofMinutes(1));
      activation.drain();
      clock.advance(Duration.ofHours(1));
      activation.drain();
      assertThat(email.sent()).hasSize(2);
      assertThat(outcomes(p)).containsExactly("failed:down", "dead:down");
      List<OutboxEntry> dead = activation.deadLetters(WorkspaceId.DEFAULT, null, 10);
      assertThat(dead).hasSize(1);
      assertThat(dead.get(0).lastError()).isEqualTo("down");
      email.answer = m -> DeliveryResult.delivered();
      assertThat(activation.requeue(WorkspaceId.DEFAULT, dead.get(0).key())).isTrue();
      activation.drain();
      assertThat(email.sent()).hasSize(3);
      assertThat(activation.deadLetters(WorkspaceId.DEFAULT, null, 10)).isEmpty();
    }

    @Test
    @DisplayName("a permanent failure is a dead letter at once")
    void permanent() {
      start(b -> b.rule(welcome().build()));
      email.answer = m -> DeliveryResult.permanent("mailbox unknown");
      consent("c1", "marketing", "email", true);
      ProfileId p = identify("c1", Map.of("tier", "gold"));
      activation.drain();
      clock.advance(Duration.ofDays(1));
      activation.drain();
      assertThat(email.sent()).hasSize(1);
      assertThat(outcomes(p)).containsExactly("dead:mailbox unknown");
    }

    @Test
    @DisplayName("a channel that throws counts as a retryable failure")
    void throwing() {
      start(b -> b.rule(welcome().build()));
      email.answer = m -> {
        throw new IllegalStateException("boom c1@example.com");
      };
      consent("c1", "marketing", "email", true);
      ProfileId p = identify("c1", Map.of("tier", "gold"));
      activation.drain();
      assertThat(outcomes(p)).containsExactly(
          "failed:channel threw java.lang.IllegalStateException");
    }

    @Test
    @DisplayName("a hanging channel times out without holding up ingestion or other channels")
    void hanging() throws Exception {
      CountDownLatch release = new CountDownLatch(1);
      start(b -> b.rule(welcome().build())
          .rule(Rule.builder("hook").trigger(Trigger.segmentEntered("gold")).channel("hook")
              .purpose("marketing").build()));
      hook.answer = m -> {
        try {
          release.await(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
        return DeliveryResult.delivered();
      };
      consent("c1", "marketing", "email", true);
      consent("c1", "marketing", "web", true);
      ProfileId p = identify("c1", Map.of("tier", "gold"));
      Thread dispatcher = new Thread(activation::dispatch);
      dispatcher.start();
      // Ingestion goes on while the hook hangs.
      long t0 = System.nanoTime();
      identify("c2", Map.of("tier", "silver"));
      assertThat(System.nanoTime() - t0).isLessThan(TimeUnit.MILLISECONDS.toNanos(1_500));
      assertThat(dispatcher.isAlive()).as("the hook still hangs").isTrue();
      dispatcher.join(10_000);
      assertThat(dispatcher.isAlive()).isFalse();
      release.countDown();
      assertThat(email.sent()).hasSize(1);
      assertThat(activation.deliveries(p)).extracting(d -> d.channel() + ":" + d.outcome()
          + ":" + d.reason()).containsExactlyInAnyOrder("mail:delivered:null",
          "hook:failed:timeout after PT2S");
    }
  }

  @Test
  @DisplayName("a decision for a profile merged away before sending goes to the survivor")
  void merged() {
    start(b -> b.rule(welcome().delay(Duration.ofMinutes(5)).build()));
    consent("c1", "marketing", "email", true);
    ProfileId a = identify("c1", Map.of("tier", "gold"));
    // An anonymous visitor later identified as c1: its profile merges into c1's (or c1's into it).
    cdp.ingest(Event.track("Page Viewed").messageId("a1").anonymousId("anon-1")
        .timestamp(clock.instant()).build());
    cdp.ingest(Event.identify().messageId("a2").anonymousId("anon-1").userId("c1")
        .timestamp(clock.instant()).build());
    ProfileId survivor = cdp.profiles().find(Identifier.customerId("c1")).orElseThrow().id();
    clock.advance(Duration.ofMinutes(5));
    activation.drain();
    assertThat(email.sent()).hasSize(1);
    assertThat(email.sent().get(0).profile()).isEqualTo(survivor);
    assertThat(activation.deliveries(survivor)).extracting(Delivery::outcome)
        .containsExactly("delivered");
    assertThat(a).isNotNull();
  }

  @Test
  @DisplayName("a merge is not an exit: the merged-away profile leaving its segments fires no exit rule")
  void mergeIsNoExit() {
    start(b -> b.rule(Rule.builder("bye").trigger(Trigger.segmentExited("gold")).channel("mail")
        .purpose("marketing").build()));
    consent("c1", "marketing", "email", true);
    consent("c2", "marketing", "email", true);
    identify("c1", Map.of("tier", "gold"));
    // An anonymous gold member, then recognised as c1: one of the two profiles merges away.
    cdp.ingest(Event.identify().messageId("g1").anonymousId("anon-9").trait("tier", "gold")
        .timestamp(clock.instant()).build());
    cdp.ingest(Event.identify().messageId("g2").anonymousId("anon-9").userId("c1")
        .timestamp(clock.instant()).build());
    identify("c2", Map.of("tier", "gold"));
    identify("c2", Map.of("tier", "silver")); // a real exit
    activation.drain();
    assertThat(email.sent()).extracting(Message::profile).containsExactly(
        cdp.profiles().find(Identifier.customerId("c2")).orElseThrow().id());
  }

  @Test
  @DisplayName("a daily schedule sends once per member per tick, starting with the next tick")
  void schedule() {
    start(b -> b.rule(Rule.builder("digest")
        .trigger(Trigger.daily("gold", java.time.LocalTime.of(12, 0))).channel("mail")
        .purpose("marketing").build()));
    consent("c1", "marketing", "email", true);
    consent("c2", "marketing", "email", true);
    identify("c1", Map.of("tier", "gold"));
    identify("c2", Map.of("tier", "gold"));
    identify("c3", Map.of("tier", "silver"));
    activation.drain(); // 10:00: the first run records where it starts
    assertThat(email.sent()).isEmpty();
    clock.set(Instant.parse("2026-03-15T12:00:00Z"));
    activation.drain();
    activation.drain();
    assertThat(email.sent()).hasSize(2);
    assertThat(email.sent()).extracting(Message::trigger).containsOnly("schedule:gold");
    clock.set(Instant.parse("2026-03-17T13:00:00Z")); // two ticks missed: one run
    activation.drain();
    assertThat(email.sent()).hasSize(4);
  }

  @Test
  @DisplayName("two nodes running one schedule tick decide each member once (idempotency keys)")
  void twoNodesOneTick() {
    Rule digest = Rule.builder("digest").trigger(Trigger.daily("gold", java.time.LocalTime.NOON))
        .channel("mail").purpose("marketing").build();
    start(b -> b.rule(digest));
    consent("c1", "marketing", "email", true);
    consent("c2", "marketing", "email", true);
    identify("c1", Map.of("tier", "gold"));
    identify("c2", Map.of("tier", "gold"));
    SpyProvider other = new SpyProvider("spy-email", "email", IdentifierType.EMAIL);
    Activation second = Activation.builder().channel("mail", other, Map.of())
        .channel("hook", new SpyProvider("spy-hook", "web"), Map.of()).rule(digest).build();
    try (Cdp node2 = Cdp.builder().store(storeOf(cdp)).clock(clock).extension(second).build()) {
      activation.runSchedules();
      second.runSchedules();
      clock.set(Instant.parse("2026-03-15T12:00:00Z"));
      assertThat(activation.runSchedules()).isEqualTo(2);
      // The second node read the schedule's mark before the first moved it on (a race): it
      // decides for every member too, and the idempotency keys make each decision once.
      store.write(WorkspaceId.DEFAULT, tx -> {
        tx.require(MetadataStorage.class).putMetadata("activation.schedule.digest",
            Long.toString(Instant.parse("2026-03-14T12:00:00Z").toEpochMilli()));
        return null;
      });
      assertThat(second.runSchedules()).isZero();
      activation.drain();
      second.drain();
      assertThat(email.sent().size() + other.sent().size()).isEqualTo(2);
    } finally {
      second.close();
    }
  }

  @Nested
  @DisplayName("registration")
  class Registration {
    @Test
    @DisplayName("refuses a rule whose channel is not registered")
    void unknownChannel() {
      assertThatThrownBy(() -> Activation.builder().rule(welcome().build()))
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("channel 'mail'");
    }

    @Test
    @DisplayName("refuses two providers with one id, and a provider of another SPI major")
    void providers() {
      assertThatThrownBy(() -> Activation.builder().provider(email)
          .provider(new SpyProvider("spy-email", "sms")))
          .isInstanceOf(IllegalStateException.class).hasMessageContaining("spy-email");
      SpyProvider old = new SpyProvider("old", "email") {
        @Override
        public int spiMajorVersion() {
          return 0;
        }
      };
      assertThatThrownBy(() -> Activation.builder().provider(old))
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("SPI major 0");
    }

    @Test
    @DisplayName("refuses a channel without a consent channel, and bad engine keys, naming the key")
    void badConfig() {
      SpyProvider none = new SpyProvider("none", null);
      Activation a = Activation.builder().channel("x", none, Map.of()).build();
      assertThatThrownBy(() -> Cdp.builder().extension(a).build())
          .hasMessageContaining("consent-channel");
      Activation b = Activation.builder().channel("x", email, Map.of("concurrency", "0")).build();
      assertThatThrownBy(() -> Cdp.builder().extension(b).build())
          .hasMessageContaining("concurrency");
      Activation c = Activation.builder().channel("x", email, Map.of("timeout", "5s")).build();
      assertThatThrownBy(() -> Cdp.builder().extension(c).build())
          .hasMessageContaining("timeout");
    }

    @Test
    @DisplayName("refuses a template reading event fields for a segment trigger")
    void eventFieldsNeedEventTrigger() {
      assertThatThrownBy(() -> welcome().template(Template.parse(
          "{\"x\": \"{{event.properties.cartId}}\"}")).build())
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("event.properties.cartId");
      assertThatThrownBy(() -> Template.parse("{\"x\": \"{{profile.shoeSize}}\"}"))
          .hasMessageContaining("/x").hasMessageContaining("profile.shoeSize");
      assertThatThrownBy(() -> Template.parse("{\"x\": \"{{cart.total}}\"}"))
          .hasMessageContaining("unknown field 'cart.total'");
    }

    @Test
    @DisplayName("refuses a template naming an undeclared computed trait when attached")
    void computed() {
      Activation a = Activation.builder().channel("mail", email, Map.of())
          .rule(welcome().template(Template.parse("{\"x\": \"{{computed.ltv}}\"}")).build())
          .build();
      assertThatThrownBy(() -> Cdp.builder().extension(a).build())
          .hasMessageContaining("computed.ltv");
    }
  }
}
