package io.cdpkit.activation;

import static org.assertj.core.api.Assertions.assertThat;

import io.cdpkit.activation.spi.Message;
import io.cdpkit.core.Cdp;
import io.cdpkit.core.model.Event;
import io.cdpkit.core.model.Identifier;
import io.cdpkit.core.model.IdentifierType;
import io.cdpkit.core.spi.storage.Store;
import io.cdpkit.core.testing.MutableClock;
import io.cdpkit.core.traits.LoyaltyProgram;
import io.cdpkit.core.traits.LoyaltyTraits;
import io.cdpkit.segmentation.Segmentation;
import io.cdpkit.segmentation.definition.Conditions;
import io.cdpkit.segmentation.definition.SegmentDefinition;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** Loyalty traits in activation templates. */
class LoyaltyTemplateTest {
  static final Instant NOW = Instant.parse("2026-03-15T10:00:00Z");

  @Test
  @DisplayName("a gold welcome renders the balance and the points about to lapse")
  void rendersLoyaltyTraits() {
    SpyProvider email = new SpyProvider("spy-email", "email", IdentifierType.EMAIL);
    Activation activation = Activation.builder().channel("mail", email, Map.of())
        .rule(Rule.builder("gold-welcome").trigger(Trigger.segmentEntered("gold")).channel("mail")
            .purpose("marketing").template(Template.parse("{\"text\": \"You have"
                + " {{computed.loyalty_default_balance}} points; "
                + "{{computed.loyalty_default_next_expiry_points}} lapse at "
                + "{{computed.loyalty_default_next_expiry_at}}\"}")).build())
        .build();
    Segmentation segmentation = Segmentation.builder().build();
    try (Cdp cdp = Cdp.builder().store(Store.inMemory()).clock(new MutableClock(NOW))
        .computedTraits(LoyaltyTraits.of(LoyaltyProgram.builder("default").validityDays(30)
            .tier("gold", 1_000).build()))
        .extension(segmentation).extension(activation).build()) {
      segmentation.segments().save(SegmentDefinition.builder("gold")
          .where(Conditions.computed(LoyaltyTraits.tierTrait("default")).eq("gold")).build());
      cdp.ingest(Event.identify().messageId("c").userId("c1")
          .identifier(Identifier.email("c1@example.com")).consent("marketing", "email", true)
          .timestamp(NOW).build());
      cdp.ingest(Event.track(LoyaltyTraits.EARNED_EVENT).messageId("e1").userId("c1")
          .property("points", 1_200).timestamp(NOW).build());
      cdp.ingest(Event.track(LoyaltyTraits.REDEEMED_EVENT).messageId("r1").userId("c1")
          .property("points", 450).timestamp(NOW).build());
      assertThat(activation.drain()).isEqualTo(1);
      Message m = email.sent().get(0);
      // Entered on the earning (1,200 points); rendered when dispatched: 750 left.
      assertThat(m.payload()).containsExactly(Map.entry("text",
          "You have 750 points; 750 lapse at 2026-04-14T10:00:00Z"));
    } finally {
      activation.close();
    }
  }
}
