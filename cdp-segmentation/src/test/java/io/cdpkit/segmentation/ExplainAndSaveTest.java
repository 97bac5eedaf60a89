package io.cdpkit.segmentation;

import static io.cdpkit.segmentation.definition.Conditions.and;
import static io.cdpkit.segmentation.definition.Conditions.computed;
import static io.cdpkit.segmentation.definition.Conditions.events;
import static io.cdpkit.segmentation.definition.Conditions.inSegment;
import static io.cdpkit.segmentation.definition.Conditions.profile;
import static io.cdpkit.segmentation.definition.Conditions.trait;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cdpkit.core.Cdp;
import io.cdpkit.core.model.Event;
import io.cdpkit.core.model.Identifier;
import io.cdpkit.core.model.ProfileId;
import io.cdpkit.core.spi.storage.Store;
import io.cdpkit.core.testing.MutableClock;
import io.cdpkit.segmentation.definition.ProfileField;
import io.cdpkit.segmentation.definition.SegmentDefinition;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ExplainAndSaveTest {
  static final Instant NOW = Instant.parse("2026-03-15T10:00:00Z");

  @Test
  void explainShowsEveryNodeWithTheValuesSeen() {
    Segmentation seg = Segmentation.builder().build();
    try (Cdp cdp = Cdp.builder().clock(new MutableClock(NOW)).extension(seg).build()) {
      Segments segments = seg.segments();
      segments.save(SegmentDefinition.builder("vip-gold").where(and(
          profile(ProfileField.TOTAL_SPEND, "EUR").gte(100),
          trait("tier").eq("gold"),
          events("Order Completed").atLeast(2).inLastDays(30))).build());
      cdp.ingest(Event.identify().messageId("i").userId("c1").trait("tier", "silver")
          .timestamp(NOW).build());
      cdp.ingest(Event.track("Order Completed").messageId("o").userId("c1")
          .property("total", new BigDecimal("150.00")).property("currency", "EUR")
          .timestamp(NOW).build());
      ProfileId id = cdp.profiles().find(Identifier.customerId("c1")).orElseThrow().id();

      Explanation e = segments.explain(id, "vip-gold").orElseThrow();
      assertThat(e.held()).isFalse();
      assertThat(e.pointer()).isEqualTo("/condition");
      assertThat(e.children()).extracting(Explanation::pointer).containsExactly(
          "/condition/conditions/0", "/condition/conditions/1", "/condition/conditions/2");
      assertThat(e.children()).extracting(Explanation::held).containsExactly(true, false,
          false);
      assertThat(e.children()).extracting(Explanation::seen).containsExactly("150.00",
          "silver", "1 events");
      assertThat(e.render()).contains("[ ] and", "[x] totalSpend EUR >= 100",
          "[ ] trait tier = \"gold\"");
      assertThatThrownBy(() -> segments.explain(id, "nope"))
          .isInstanceOf(IllegalArgumentException.class);
    }
  }

  @Test
  void savingRefusesUnknownTraitsSegmentsAndCyclesAndStoresNothing() {
    Segmentation seg = Segmentation.builder().build();
    try (Cdp cdp = Cdp.builder().clock(new MutableClock(NOW)).extension(seg).build()) {
      Segments segments = seg.segments();
      assertThatThrownBy(() -> segments.save(SegmentDefinition.builder("a")
          .where(computed("nope").gte(1)).build()))
          .isInstanceOfSatisfying(DefinitionValidationException.class, ex ->
              assertThat(ex.violations()).extracting(v -> v.pointer())
                  .containsExactly("/condition/name"));
      assertThatThrownBy(() -> segments.save(SegmentDefinition.builder("a")
          .where(inSegment("b")).build()))
          .isInstanceOf(DefinitionValidationException.class);
      segments.save(SegmentDefinition.builder("b").where(trait("x").exists()).build());
      segments.save(SegmentDefinition.builder("a").where(inSegment("b")).build());
      assertThatThrownBy(() -> segments.save(SegmentDefinition.builder("b")
          .where(inSegment("a")).build()))
          .isInstanceOf(DefinitionValidationException.class)
          .hasMessageContaining("a -> b");
      assertThat(segments.get("b").orElseThrow().condition().toString()).contains("x");
      assertThatThrownBy(() -> segments.delete("b"))
          .isInstanceOf(DefinitionValidationException.class);
      assertThat(segments.delete("a")).isTrue();
      assertThat(segments.delete("b")).isTrue();
      assertThat(segments.list()).isEmpty();
    }
  }

  @Test
  void aNodeReloadsDefinitionsSavedThroughAnother() {
    Store shared = Store.inMemory();
    Segmentation a = Segmentation.builder().build();
    Segmentation b = Segmentation.builder().build();
    try (Cdp nodeA = Cdp.builder().store(shared).clock(new MutableClock(NOW)).extension(a)
            .build();
        Cdp nodeB = Cdp.builder().store(shared).clock(new MutableClock(NOW)).extension(b)
            .build()) {
      a.segments().save(SegmentDefinition.builder("gold").where(trait("tier").eq("gold"))
          .build());
      // Node B does not know the segment yet: what it ingests is not evaluated against it.
      nodeB.ingest(Event.identify().messageId("i").userId("c1").trait("tier", "gold")
          .timestamp(NOW).build());
      ProfileId id = nodeB.profiles().find(Identifier.customerId("c1")).orElseThrow().id();
      assertThat(b.segments().memberships(id)).isEmpty();
      assertThat(b.segments().reload(io.cdpkit.core.ProgressListener.none())).containsExactly("gold");
      assertThat(b.segments().memberships(id)).containsExactly("gold");
      assertThat(b.segments().reload(io.cdpkit.core.ProgressListener.none())).isEmpty();
      nodeB.ingest(Event.identify().messageId("j").userId("c1").trait("tier", "silver")
          .timestamp(NOW.plusSeconds(1)).build());
      assertThat(a.segments().memberships(id)).isEmpty();
      a.segments().delete("gold");
      assertThat(b.segments().reload(io.cdpkit.core.ProgressListener.none())).containsExactly("gold");
      assertThat(b.segments().list()).isEmpty();
    }
  }

  @Test
  void definitionsAndMembershipsSurviveARestartOnTheSameStore() {
    Store store = Store.inMemory();
    List<SegmentEvent> heard = new ArrayList<>();
    Segmentation first = Segmentation.builder().listener(heard::add).build();
    try (Cdp cdp = Cdp.builder().store(store).clock(new MutableClock(NOW)).extension(first)
        .build()) {
      first.segments().save(SegmentDefinition.builder("two-orders")
          .where(events("Order Completed").atLeast(2).inLastDays(30)).build());
      cdp.ingest(Event.track("Order Completed").messageId("o1").userId("c1").timestamp(NOW)
          .build());
    }
    Segmentation second = Segmentation.builder().listener(heard::add).build();
    try (Cdp cdp = Cdp.builder().store(store).clock(new MutableClock(NOW)).extension(second)
        .build()) {
      assertThat(second.segments().list()).extracting(SegmentDefinition::id)
          .containsExactly("two-orders");
      cdp.ingest(Event.track("Order Completed").messageId("o2").userId("c1").timestamp(NOW)
          .build());
      ProfileId id = cdp.profiles().find(Identifier.customerId("c1")).orElseThrow().id();
      assertThat(second.segments().memberships(id)).containsExactly("two-orders");
      assertThat(heard).extracting(SegmentEvent::kind).containsExactly(
          SegmentEvent.Kind.ENTERED);
    }
  }
}
