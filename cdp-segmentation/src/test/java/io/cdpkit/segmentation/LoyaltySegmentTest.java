package io.cdpkit.segmentation;

import static io.cdpkit.segmentation.definition.Conditions.and;
import static io.cdpkit.segmentation.definition.Conditions.computed;
import static org.assertj.core.api.Assertions.assertThat;

import io.cdpkit.core.Cdp;
import io.cdpkit.core.model.Event;
import io.cdpkit.core.model.Identifier;
import io.cdpkit.core.model.ProfileId;
import io.cdpkit.core.testing.MutableClock;
import io.cdpkit.core.traits.LoyaltyProgram;
import io.cdpkit.core.traits.LoyaltyTraits;
import io.cdpkit.segmentation.definition.SegmentDefinition;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** Segments on loyalty traits follow points lapsing and tier periods with time alone. */
class LoyaltySegmentTest {
  static final Instant NOW = Instant.parse("2026-03-15T10:00:00Z");

  @Test
  @DisplayName("gold members with more than 500 points: a member leaves when points lapse, with"
      + " no new event, and not a nanosecond early")
  void goldWithMoreThan500Points() {
    List<String> heard = new ArrayList<>();
    MutableClock clock = new MutableClock(NOW);
    Segmentation seg = Segmentation.builder()
        .listener(e -> heard.add(e.kind() + " " + e.segment())).build();
    LoyaltyProgram program = LoyaltyProgram.builder("default").validityDays(365)
        .tier("silver", 0).tier("gold", 500).build();
    try (Cdp cdp = Cdp.builder().clock(clock).computedTraits(LoyaltyTraits.of(program))
        .extension(seg).build()) {
      Segments segments = seg.segments();
      segments.save(SegmentDefinition.builder("gold-500")
          .where(and(computed(LoyaltyTraits.tierTrait("default")).eq("gold"),
              computed(LoyaltyTraits.balanceTrait("default")).gt(500)))
          .build());
      Instant lapse = NOW.plus(Duration.ofDays(10));
      // 400 points from the till that lapse in 10 days, 300 from the webshop (365 days' validity).
      cdp.ingest(Event.track(LoyaltyTraits.EARNED_EVENT).messageId("pos-1").userId("c1")
          .property("points", 400).property("expires_at", lapse.toString()).channel("pos")
          .timestamp(NOW.minus(Duration.ofDays(1))).build());
      ProfileId id = cdp.profiles().find(Identifier.customerId("c1")).orElseThrow().id();
      assertThat(segments.isMember(id, "gold-500")).isFalse(); // 400 points: silver
      cdp.ingest(Event.track(LoyaltyTraits.EARNED_EVENT).messageId("web-1").userId("c1")
          .property("points", 300).channel("web").timestamp(NOW).build());
      assertThat(segments.isMember(id, "gold-500")).isTrue(); // 700 points, gold
      assertThat(segments.nextCheck(id)).contains(lapse);

      clock.set(lapse.minusNanos(1));
      segments.runDue();
      assertThat(segments.isMember(id, "gold-500")).isTrue();
      clock.set(lapse);
      segments.runDue();
      // 300 points left: still gold (700 earned over the lifetime), but not above 500.
      assertThat(segments.isMember(id, "gold-500")).isFalse();
      assertThat(cdp.profiles().find(Identifier.customerId("c1")).orElseThrow()
          .computedTrait(LoyaltyTraits.balanceTrait("default"))).contains(300L);
      assertThat(heard).containsExactly("ENTERED gold-500", "EXITED gold-500");

      // Earning again brings the member back at once; a redemption takes them out again.
      clock.advance(Duration.ofDays(1));
      cdp.ingest(Event.track(LoyaltyTraits.EARNED_EVENT).messageId("pos-2").userId("c1")
          .property("points", 250).channel("pos").timestamp(clock.instant()).build());
      assertThat(segments.isMember(id, "gold-500")).isTrue();
      cdp.ingest(Event.track(LoyaltyTraits.REDEEMED_EVENT).messageId("web-2").userId("c1")
          .property("points", 100).property("order_id", "W-1").channel("web")
          .timestamp(clock.instant()).build());
      assertThat(segments.isMember(id, "gold-500")).isFalse();
      assertThat(heard).containsExactly("ENTERED gold-500", "EXITED gold-500",
          "ENTERED gold-500", "EXITED gold-500");
    }
  }
}
