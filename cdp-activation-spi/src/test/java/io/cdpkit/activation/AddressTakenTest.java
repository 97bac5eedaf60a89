package io.cdpkit.activation;

import static org.assertj.core.api.Assertions.assertThat;

import io.cdpkit.core.Cdp;
import io.cdpkit.core.model.Event;
import io.cdpkit.core.model.Identifier;
import io.cdpkit.core.model.IdentifierType;
import io.cdpkit.core.model.ProfileId;
import io.cdpkit.core.testing.MutableClock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * A device handed on: Ann allowed pushes on her tablet's token, then Bob logs in on the tablet
 * and decides for it. The two accounts cannot merge (two customer ids), so the token stays on
 * Ann's profile; her old grant must not push her messages to Bob's tablet.
 */
class AddressTakenTest {
  static final Instant NOW = Instant.parse("2026-05-04T09:00:00Z");
  static final Identifier TABLET = new Identifier(IdentifierType.DEVICE_ID, "apns:0a1b2c3d4e5f");
  static final Identifier PHONE = new Identifier(IdentifierType.DEVICE_ID, "apns:99887766");

  final MutableClock clock = new MutableClock(NOW);
  final SpyProvider push = new SpyProvider("spy-push", "push", IdentifierType.DEVICE_ID);
  Cdp cdp;
  Activation activation;
  int messages;

  @BeforeEach
  void start() {
    activation = Activation.builder().channel("push", push, Map.of()).random(new Random(7))
        .rule(Rule.builder("offer").trigger(Trigger.event("Offer")).channel("push")
            .purpose("marketing").template(Template.parse("{\"title\": \"Sale\"}")).build())
        .build();
    cdp = Cdp.builder().clock(clock).extension(activation).build();
  }

  @AfterEach
  void stop() {
    activation.close();
    cdp.close();
  }

  void decide(String user, Identifier token, boolean granted) {
    clock.advance(Duration.ofMinutes(1));
    cdp.ingest(Event.identify().messageId("m" + messages++).userId(user).identifier(token)
        .consent("marketing", "push", granted).timestamp(clock.instant()).build());
  }

  ProfileId offer(String user) {
    clock.advance(Duration.ofMinutes(1));
    ProfileId p = cdp.ingest(Event.track("Offer").messageId("m" + messages++).userId(user)
        .timestamp(clock.instant()).build()).profile().orElseThrow();
    activation.drain();
    return p;
  }

  List<String> tokens() {
    return push.sent().stream().flatMap(m -> m.recipients().stream()).map(Identifier::value)
        .toList();
  }

  Optional<SuppressionReason> lastReason(ProfileId p) {
    var lines = activation.deliveries(p);
    return Activation.suppressionReason(lines.get(lines.size() - 1));
  }

  @Test
  @DisplayName("before anyone else uses the tablet, Ann's grant reaches it")
  void control() {
    decide("ann", TABLET, true);
    offer("ann");
    assertThat(tokens()).containsExactly(TABLET.value());
  }

  @Test
  @DisplayName("Bob refuses pushes on the tablet: Ann's offer is not pushed to it")
  void refusedByTheNewHolder() {
    decide("ann", TABLET, true);
    decide("bob", TABLET, false);
    assertThat(cdp.profiles().find(Identifier.customerId("ann")).orElseThrow()
        .identifiers(IdentifierType.DEVICE_ID)).containsExactly(TABLET);
    ProfileId ann = offer("ann");
    assertThat(tokens()).isEmpty();
    assertThat(lastReason(ann)).contains(new SuppressionReason.AddressTaken());
  }

  @Test
  @DisplayName("Bob allows pushes on the tablet for himself: Ann's offer is still not pushed "
      + "to it, while her phone gets it")
  void allowedByTheNewHolder() {
    decide("ann", TABLET, true);
    decide("ann", PHONE, true);
    decide("bob", TABLET, true);
    offer("ann");
    assertThat(tokens()).containsExactly(PHONE.value());
  }

  @Test
  @DisplayName("Ann decides again for the tablet after Bob: her newer grant reaches it")
  void newerDecisionOfTheHolder() {
    decide("ann", TABLET, true);
    decide("bob", TABLET, false);
    decide("ann", TABLET, true);
    offer("ann");
    assertThat(tokens()).containsExactly(TABLET.value());
  }

  @Test
  @DisplayName("decided between the decision and the hand-over: the check at hand-over stops it")
  void atHandover() {
    activation.close();
    cdp.close();
    activation = Activation.builder().channel("push", push, Map.of()).random(new Random(7))
        .rule(Rule.builder("offer").trigger(Trigger.event("Offer")).channel("push")
            .purpose("marketing").template(Template.parse("{\"title\": \"Sale\"}"))
            .delay(Duration.ofHours(1)).build())
        .build();
    cdp = Cdp.builder().clock(clock).extension(activation).build();
    decide("ann", TABLET, true);
    ProfileId ann = offer("ann"); // decided now, sent in an hour
    decide("bob", TABLET, false);
    clock.advance(Duration.ofHours(2));
    activation.drain();
    assertThat(tokens()).isEmpty();
    assertThat(lastReason(ann)).contains(new SuppressionReason.AddressTaken());
  }
}
