package io.cdpkit.activation;

import static org.assertj.core.api.Assertions.assertThat;

import io.cdpkit.activation.spi.Message;
import io.cdpkit.core.Cdp;
import io.cdpkit.core.model.ConsentChange;
import io.cdpkit.core.model.Event;
import io.cdpkit.core.model.Identifier;
import io.cdpkit.core.model.IdentifierType;
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
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Messages go to the person's current address (the one an {@code identify} gave last), never to
 * an older one she keeps as an identifier, whatever order the events arrived in.
 */
class CurrentAddressTest {
  static final Instant NOW = Instant.parse("2026-03-15T10:00:00Z");

  final MutableClock clock = new MutableClock(NOW);
  final SpyProvider email = new SpyProvider("spy-email", "email", IdentifierType.EMAIL);
  Cdp cdp;
  Activation activation;
  int messages;

  @BeforeEach
  void start() {
    activation = Activation.builder().channel("mail", email, Map.of()).random(new Random(7))
        .rule(Rule.builder("welcome").trigger(Trigger.segmentEntered("gold")).channel("mail")
            .purpose("marketing").template(Template.parse("{\"subject\": \"Welcome\"}"))
            .delay(Duration.ofHours(1)).build())
        .build();
    Segmentation segmentation = Segmentation.builder().build();
    cdp = Cdp.builder().clock(clock).extension(segmentation).extension(activation).build();
    segmentation.segments().save(SegmentDefinition.builder("gold")
        .where(Conditions.trait("tier").eq("gold")).build());
  }

  @AfterEach
  void stop() {
    activation.close();
    cdp.close();
  }

  /** An identify of customer c1 giving an e-mail address, dated {@code at}. */
  ProfileId giveEmail(String address, Instant at) {
    return cdp.ingest(Event.identify().messageId("m" + messages++).userId("c1")
        .trait("email", address).timestamp(at).build()).profile().orElseThrow();
  }

  void consent(ConsentChange c, Identifier address) {
    cdp.ingest(Event.track("Consent Changed").messageId("m" + messages++).userId("c1")
        .identifier(address).consent(c).timestamp(clock.instant()).build());
  }

  void enterGold() {
    cdp.ingest(Event.identify().messageId("m" + messages++).userId("c1").trait("tier", "gold")
        .timestamp(clock.instant()).build());
  }

  List<Identifier> recipients() {
    return email.sent().stream().flatMap(m -> m.recipients().stream()).toList();
  }

  @Test
  @DisplayName("after a change of address the mail goes to the new address only, in whatever "
      + "order the two identifies arrived")
  void newAddressWins() {
    Instant earlier = NOW.minus(Duration.ofDays(30));
    // The newer identify arrives first, the older one late (an import of old data).
    giveEmail("New@Example.com", NOW.minus(Duration.ofDays(1)));
    ProfileId p = giveEmail("old@example.com", earlier);
    cdp.ingest(Event.track("Consent Changed").messageId("c").userId("c1")
        .consent(new ConsentChange("marketing", "email", true)).timestamp(clock.instant())
        .build());
    assertThat(cdp.profiles().find(Identifier.customerId("c1")).orElseThrow()
        .identifiers(IdentifierType.EMAIL)).hasSize(2);
    enterGold();
    clock.advance(Duration.ofHours(2));
    activation.drain();
    assertThat(recipients()).containsExactly(Identifier.email("new@example.com"));
    assertThat(activation.deliveries(p)).extracting(d -> d.outcome().toString())
        .containsExactly("delivered");
  }

  @Test
  @DisplayName("consent given for the old address only does not reach the new one, and the old "
      + "one is not written to instead")
  void oldAddressConsentDoesNotCarryOver() {
    giveEmail("old@example.com", NOW.minus(Duration.ofDays(30)));
    consent(new ConsentChange("marketing", "email", true), Identifier.email("old@example.com"));
    giveEmail("new@example.com", NOW.minus(Duration.ofDays(1)));
    enterGold();
    clock.advance(Duration.ofHours(2));
    activation.drain();
    assertThat(email.sent()).isEmpty();
  }

  @Test
  @DisplayName("an address changed between the decision and the hand-over: the mail goes to the "
      + "address current at hand-over, judged on its own consent")
  void changedBeforeHandover() {
    giveEmail("old@example.com", NOW.minus(Duration.ofDays(30)));
    consent(new ConsentChange("marketing", "email", true), Identifier.email("old@example.com"));
    consent(new ConsentChange("marketing", "email", true), Identifier.email("new@example.com"));
    enterGold(); // decided now for old@, sent in an hour
    clock.advance(Duration.ofMinutes(30));
    giveEmail("new@example.com", clock.instant());
    clock.advance(Duration.ofHours(1));
    activation.drain();
    assertThat(recipients()).containsExactly(Identifier.email("new@example.com"));
    List<Message> sent = email.sent();
    assertThat(sent).hasSize(1);
  }
}
