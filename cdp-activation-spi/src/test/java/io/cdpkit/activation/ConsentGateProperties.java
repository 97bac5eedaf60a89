package io.cdpkit.activation;

import static org.assertj.core.api.Assertions.assertThat;

import io.cdpkit.activation.spi.DeliveryResult;
import io.cdpkit.activation.spi.Message;
import io.cdpkit.core.Cdp;
import io.cdpkit.core.model.ConsentChange;
import io.cdpkit.core.model.ConsentKey;
import io.cdpkit.core.model.Event;
import io.cdpkit.core.model.Identifier;
import io.cdpkit.core.model.IdentifierType;
import io.cdpkit.core.model.Profile;
import io.cdpkit.core.spi.storage.Store;
import io.cdpkit.core.testing.MutableClock;
import io.cdpkit.segmentation.Segmentation;
import io.cdpkit.segmentation.definition.Conditions;
import io.cdpkit.segmentation.definition.SegmentDefinition;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.statistics.Statistics;

/**
 * The consent law: no message reaches a channel unless, when it is handed over, the person's
 * profile holds a granted consent for the rule's purpose on the channel's consent channel (or
 * the purpose is on the contract basis), that consent has not expired, and processing of the
 * person is not restricted. Random consents (some with an expiry) and withdrawals, restrictions
 * and lifts, segment entries and exits, events, merges of anonymous visitors into customers,
 * clock advances and dispatches;
 * every channel checks each message it is handed against the profile as the core reads it.
 */
class ConsentGateProperties {
  static final Instant START = Instant.parse("2026-05-01T08:00:00Z");
  /** The purpose/channel pairs the rules need, and one they do not. */
  static final List<List<String>> CONSENTS = List.of(List.of("marketing", "email"),
      List.of("marketing", "sms"), List.of("analytics", "web"), List.of("marketing", "web"));

  static final Duration MAX_AGE = Duration.ofHours(6);

  /** One step of a story. */
  record Step(int kind, int customer, int a, int b, boolean flag) {}

  @Provide
  Arbitrary<List<Step>> stories() {
    Arbitrary<Step> step = Combinators.combine(Arbitraries.integers().between(0, 7),
        Arbitraries.integers().between(0, 3), Arbitraries.integers().between(0, 2),
        Arbitraries.integers().between(0, 2), Arbitraries.of(true, false)).as(Step::new);
    return step.list().ofMinSize(10).ofMaxSize(80);
  }

  @Property(tries = 150)
  void noMessageWithoutConsent(@ForAll("stories") List<Step> story,
      @ForAll boolean delayed) {
    MutableClock clock = new MutableClock(START);
    List<String> violations = new CopyOnWriteArrayList<>();
    AtomicInteger handed = new AtomicInteger();
    Cdp[] cdp = new Cdp[1];
    SpyProvider mail = new SpyProvider("mail", "email", IdentifierType.EMAIL);
    SpyProvider sms = new SpyProvider("sms", "sms", IdentifierType.PHONE);
    SpyProvider hook = new SpyProvider("hook", "web");
    for (SpyProvider p : List.of(mail, sms, hook)) {
      p.answer = m -> {
        handed.incrementAndGet();
        check(cdp[0], clock.instant(), p.consentChannel, m, violations);
        return DeliveryResult.delivered();
      };
    }
    Duration delay = delayed ? Duration.ofMinutes(30) : Duration.ZERO;
    Activation activation = Activation.builder()
        .channel("mail", mail, Map.of())
        .channel("sms", sms, Map.of())
        .channel("hook", hook, Map.of())
        .consentPolicy(ConsentPolicy.STRICT.withContractBasis("service")
            .withMaxAge(MAX_AGE))
        .rule(Rule.builder("welcome").trigger(Trigger.segmentEntered("gold")).delay(delay)
            .channel("mail").purpose("marketing").build())
        .rule(Rule.builder("bye").trigger(Trigger.segmentExited("gold")).channel("hook")
            .purpose("analytics").build())
        .rule(Rule.builder("viewed").trigger(Trigger.event("Product Viewed")).delay(delay)
            .channel("sms").purpose("marketing").build())
        .rule(Rule.builder("receipt").trigger(Trigger.event("Order Completed"))
            .channel("mail").purpose("service").build())
        .build();
    Segmentation segmentation = Segmentation.builder().build();
    cdp[0] = Cdp.builder().store(Store.inMemory()).clock(clock).extension(segmentation)
        .extension(activation).build();
    try {
      segmentation.segments().save(SegmentDefinition.builder("gold")
          .where(Conditions.trait("tier").eq("gold")).build());
      int n = 0;
      for (Step s : story) {
        String c = "c" + s.customer();
        Event.Builder e;
        switch (s.kind()) {
          case 0:
            List<String> k = CONSENTS.get((s.a() + s.b()) % 4);
            ConsentChange.Builder cb = ConsentChange.builder(k.get(0), k.get(1), s.flag())
                .source("cmp");
            if (s.b() == 2) {
              cb.expiresAt(clock.instant().plus(Duration.ofMinutes(40)));
            }
            e = Event.track("Consent Changed").userId(c).consent(cb.build());
            break;
          case 1:
            e = Event.identify().userId(c).trait("tier", s.flag() ? "gold" : "silver")
                .identifier(Identifier.email(c + "@example.com"));
            if (s.a() == 0) {
              e.identifier(Identifier.phone("+3161234567" + s.customer()));
            }
            break;
          case 2:
            e = Event.track("Product Viewed").userId(c);
            break;
          case 3:
            // An anonymous visitor consents, then is recognised: the profiles merge.
            String anon = "anon-" + s.customer() + "-" + s.a();
            List<String> ka = CONSENTS.get((s.a() + s.b()) % 4);
            cdp[0].ingest(Event.track("Consent Changed").messageId("m" + n++).anonymousId(anon)
                .consent(ka.get(0), ka.get(1), s.flag())
                .timestamp(clock.instant()).build());
            e = Event.identify().userId(c).anonymousId(anon);
            break;
          case 4:
            e = Event.track("Order Completed").userId(c).property("order_id", "O" + n)
                .property("total", 10).property("currency", "EUR");
            break;
          case 5:
            clock.advance(Duration.ofMinutes(17L * (s.a() + 1) * (s.flag() ? 10 : 1)));
            continue;
          case 7:
            // Restriction of processing, and its lifting.
            if (s.a() != 0 && cdp[0].profiles().find(Identifier.customerId(c)).isPresent()) {
              if (s.flag()) {
                cdp[0].profiles().restrict(Identifier.customerId(c), "objection");
              } else {
                cdp[0].profiles().liftRestriction(Identifier.customerId(c), "objection-lifted");
              }
            }
            continue;
          default:
            activation.drain();
            continue;
        }
        cdp[0].ingest(e.messageId("m" + n++).timestamp(clock.instant()).build());
      }
      clock.advance(Duration.ofHours(1));
      activation.drain();
      assertThat(violations).isEmpty();
      // Everything handed over is in the history as delivered, and only that.
      assertThat(mail.sent().size() + sms.sent().size() + hook.sent().size())
          .isEqualTo(handed.get());
      Statistics.label("handed over").collect(handed.get() > 0);
      Statistics.label("suppressed for consent").collect(suppressedForConsent(activation, cdp[0]));
    } finally {
      activation.close();
      cdp[0].close();
    }
  }

  /** Whether some message was suppressed for a consent reason (so the gate was exercised). */
  static boolean suppressedForConsent(Activation activation, Cdp cdp) {
    for (int i = 0; i < 4; i++) {
      Optional<Profile> p = cdp.profiles().find(Identifier.customerId("c" + i));
      if (p.isPresent() && activation.deliveries(p.get().id()).stream()
          .anyMatch(d -> d.reason() != null && d.reason().startsWith("consent-"))) {
        return true;
      }
    }
    return false;
  }

  /** The independent check: the core's view of the profile when the message is handed over. */
  static void check(Cdp cdp, Instant now, String consentChannel, Message m, List<String> violations) {
    Optional<Profile> p = cdp.profiles().get(m.profile());
    if (p.isEmpty()) {
      violations.add(m.idempotencyKey() + ": profile " + m.profile() + " is not live");
      return;
    }
    for (Identifier r : m.recipients()) {
      if (!p.get().identifiers().contains(r)) {
        violations.add(m.idempotencyKey() + ": recipient not the profile's");
      }
    }
    if (p.get().restricted()) {
      violations.add(m.idempotencyKey() + ": processing is restricted");
    }
    if (m.purpose().equals("service")) {
      return;
    }
    if (!p.get().consent(m.purpose(), consentChannel).orElse(false)) {
      violations.add(m.idempotencyKey() + ": no consent for " + m.purpose() + "/"
          + consentChannel);
    }
    Instant granted = p.get().state().consents()
        .get(new ConsentKey(m.purpose(), consentChannel)).time();
    if (granted.plus(MAX_AGE).isBefore(now)) {
      violations.add(m.idempotencyKey() + ": consent expired");
    }
  }
}
