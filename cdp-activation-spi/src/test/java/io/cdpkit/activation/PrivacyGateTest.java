package io.cdpkit.activation;

import static org.assertj.core.api.Assertions.assertThat;

import io.cdpkit.activation.spi.storage.Delivery;
import io.cdpkit.core.Cdp;
import io.cdpkit.core.model.ConsentChange;
import io.cdpkit.core.model.ConsentProof;
import io.cdpkit.core.model.Event;
import io.cdpkit.core.model.Identifier;
import io.cdpkit.core.model.IdentifierType;
import io.cdpkit.core.model.LawfulBasis;
import io.cdpkit.core.model.ProfileId;
import io.cdpkit.core.testing.MutableClock;
import io.cdpkit.segmentation.Segmentation;
import io.cdpkit.segmentation.definition.Conditions;
import io.cdpkit.segmentation.definition.SegmentDefinition;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The gate and the privacy controls: restriction, consent expiry, the evidence recorded. */
class PrivacyGateTest {
  static final Instant NOW = Instant.parse("2026-03-15T10:00:00Z");

  final MutableClock clock = new MutableClock(NOW);
  final SpyProvider email = new SpyProvider("spy-email", "email", IdentifierType.EMAIL);
  Cdp cdp;
  Activation activation;
  int messages;

  void start(Consumer<Activation.Builder> config) {
    Activation.Builder b = Activation.builder().channel("mail", email, Map.of())
        .random(new Random(7));
    config.accept(b);
    activation = b.build();
    Segmentation segmentation = Segmentation.builder().build();
    cdp = Cdp.builder().clock(clock).extension(segmentation).extension(activation).build();
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
        .purpose("marketing").template(Template.parse("{\"subject\": \"Welcome\"}"));
  }

  ProfileId gold(String customer) {
    return cdp.ingest(Event.identify().messageId("m" + messages++).userId(customer)
        .identifier(Identifier.email(customer + "@example.com")).trait("tier", "gold")
        .timestamp(clock.instant()).build()).profile().orElseThrow();
  }

  void consent(String customer, ConsentChange c) {
    cdp.ingest(Event.track("Consent Changed").messageId("m" + messages++).userId(customer)
        .consent(c).timestamp(clock.instant()).build());
  }

  List<String> outcomes(ProfileId p) {
    return activation.deliveries(p).stream()
        .map(d -> d.outcome() + (d.reason() == null ? "" : ":" + d.reason())).toList();
  }

  @Test
  @DisplayName("a restricted profile gets nothing: an entry decided before the restriction is"
      + " suppressed at send time with reason restricted, whatever the basis")
  void restricted() {
    start(b -> b.rule(welcome().delay(Duration.ofHours(1)).build())
        .rule(Rule.builder("service").trigger(Trigger.segmentEntered("gold")).channel("mail")
            .purpose("service").template(Template.parse("{\"subject\": \"Your order\"}"))
            .delay(Duration.ofHours(1)).build())
        .consentPolicy(ConsentPolicy.STRICT.withContractBasis("service")));
    consent("c1", new ConsentChange("marketing", "email", true));
    ProfileId p = gold("c1");
    cdp.profiles().restrict(Identifier.customerId("c1"), "objection");
    clock.advance(Duration.ofHours(2));
    activation.drain();
    assertThat(email.sent()).isEmpty();
    assertThat(outcomes(p)).containsExactly("suppressed:restricted", "suppressed:restricted");
    assertThat(activation.deliveries(p).get(0).detail())
        .contains("\"restrictionReason\":\"objection\"");
  }

  @Test
  @DisplayName("after the lift the profile re-enters its segment and gets the message")
  void lifted() {
    start(b -> b.rule(welcome().build()));
    consent("c1", new ConsentChange("marketing", "email", true));
    cdp.profiles().restrict(Identifier.customerId("c1"), "objection");
    ProfileId p = gold("c1");
    activation.drain();
    assertThat(email.sent()).isEmpty();
    clock.advance(Duration.ofMinutes(1));
    cdp.profiles().liftRestriction(Identifier.customerId("c1"), "objection-rejected");
    activation.drain();
    assertThat(email.sent()).hasSize(1);
    assertThat(outcomes(p)).containsExactly("delivered");
  }

  @Test
  @DisplayName("a grant past the expiry it was recorded with suppresses with consent-expired")
  void expiredConsent() {
    start(b -> b.rule(welcome().delay(Duration.ofDays(2)).build()));
    consent("c1", ConsentChange.builder("marketing", "email", true)
        .expiresAt(NOW.plus(Duration.ofDays(1))).build());
    ProfileId p = gold("c1");
    clock.advance(Duration.ofDays(3));
    activation.drain();
    assertThat(email.sent()).isEmpty();
    assertThat(outcomes(p)).containsExactly("suppressed:consent-expired");
    assertThat(activation.deliveries(p).get(0).detail())
        .contains("\"expiresAt\":\"2026-03-16T10:00:00Z\"");
  }

  @Test
  @DisplayName("the delivery detail records the decision's basis, source, policy version and"
      + " proof references")
  void evidenceInTheDetail() {
    start(b -> b.rule(welcome().build()));
    consent("c1", ConsentChange.builder("marketing", "email", true)
        .basis(LawfulBasis.LEGITIMATE_INTERESTS).source("webshop-checkout")
        .policyVersion("2026-01").proof(new ConsentProof("checkout-optin-v2", "doi-7f3a9c",
            NOW)).expiresAt(NOW.plus(Duration.ofDays(700))).build());
    ProfileId p = gold("c1");
    activation.drain();
    assertThat(email.sent()).hasSize(1);
    Delivery d = activation.deliveries(p).get(0);
    assertThat(d.detail()).contains("\"basis\":\"legitimate_interests\"")
        .contains("\"source\":\"webshop-checkout\"").contains("\"policyVersion\":\"2026-01\"")
        .contains("\"formId\":\"checkout-optin-v2\"").contains("\"reference\":\"doi-7f3a9c\"");
  }
}
