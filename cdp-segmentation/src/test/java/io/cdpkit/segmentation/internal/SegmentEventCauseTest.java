package io.cdpkit.segmentation.internal;

import static io.cdpkit.segmentation.definition.Conditions.events;
import static io.cdpkit.segmentation.definition.Conditions.trait;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cdpkit.core.Cdp;
import io.cdpkit.core.RetentionPolicy;
import io.cdpkit.core.model.Event;
import io.cdpkit.core.model.Identifier;
import io.cdpkit.core.model.ProfileId;
import io.cdpkit.core.spi.extension.CdpExtension;
import io.cdpkit.core.spi.extension.ExtensionContext;
import io.cdpkit.core.spi.extension.ProfileChanges;
import io.cdpkit.core.testing.MutableClock;
import io.cdpkit.segmentation.SegmentEvent;
import io.cdpkit.segmentation.SegmentEvent.Cause;
import io.cdpkit.segmentation.Segmentation;
import io.cdpkit.segmentation.Segments;
import io.cdpkit.segmentation.definition.SegmentDefinition;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** Every cause of a segment entry or exit has a type; none is an untyped string. */
class SegmentEventCauseTest {
  static final Instant NOW = Instant.parse("2026-03-15T10:00:00Z");

  @Test
  @DisplayName("the text form reads back to the same cause, and a text that names no type is"
      + " refused")
  void textForm() {
    for (Cause.Type t : Cause.Type.values()) {
      Cause c = t == Cause.Type.EVENT ? Cause.event("m:1")
          : t == Cause.Type.MERGE ? Cause.merge(ProfileId.of("p-1")) : Cause.of(t);
      assertThat(Cause.parse(c.toString())).isEqualTo(c);
    }
    assertThat(Cause.parse("event:m:1").messageId()).contains("m:1");
    assertThatThrownBy(() -> Cause.parse("teleport")).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> Cause.of(Cause.Type.EVENT))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  @DisplayName("driving every operation: each cause the core reports and each cause of a"
      + " segment event maps to a type, and every type is seen")
  void everyEmittedCauseIsTyped() {
    MutableClock clock = new MutableClock(NOW);
    List<SegmentEvent> heard = new CopyOnWriteArrayList<>();
    Set<String> coreCauses = ConcurrentHashMap.newKeySet();
    Segmentation seg = Segmentation.builder().listener(heard::add).build();
    CdpExtension spy = new CdpExtension() {
      @Override
      public void attach(ExtensionContext context) {
        context.observe((ProfileChanges pc) -> coreCauses.add(pc.cause()));
      }
    };
    Identifier jane = Identifier.customerId("jane");
    try (Cdp cdp = Cdp.builder().clock(clock).extension(seg).extension(spy).build()) {
      Segments segments = seg.segments();
      segments.save(SegmentDefinition.builder("gold").where(trait("tier").eq("gold")).build());
      // event
      cdp.ingest(Event.identify().messageId("m1").userId("jane").anonymousId("kiosk")
          .trait("tier", "gold").timestamp(NOW).build());
      cdp.ingest(Event.identify().messageId("m2").anonymousId("kiosk-2")
          .trait("tier", "gold").timestamp(NOW).build());
      // merge: kiosk-2's profile joins jane's
      cdp.ingest(Event.identify().messageId("m3").anonymousId("kiosk-2").userId("jane")
          .timestamp(NOW).build());
      // unmerge
      cdp.profiles().unmerge(jane, Identifier.anonymousId("kiosk-2"));
      // restrict and lift
      cdp.profiles().restrict(jane, "objection");
      clock.advance(Duration.ofSeconds(1));
      cdp.profiles().liftRestriction(jane, "objection-rejected");
      // rectify
      clock.advance(Duration.ofSeconds(1));
      cdp.profiles().rectify(jane, Map.of("tier", "silver"), "wrong-tier");
      // definition (save and delete), and a recompute for the aggregates it needs
      cdp.ingest(Event.track("Page Viewed").messageId("m4").userId("jane")
          .property("path", "/sale").timestamp(clock.instant()).build());
      segments.save(SegmentDefinition.builder("recent").where(
          events("Page Viewed").where(io.cdpkit.core.traits.PropertyCondition.of("path",
              io.cdpkit.core.traits.Operator.EQ, "/sale")).atLeast(1).inLastDays(1)).build());
      segments.save(SegmentDefinition.builder("silver").where(trait("tier").eq("silver"))
          .build());
      segments.delete("silver");
      // time
      clock.advance(Duration.ofDays(2));
      segments.runDue();
      // purge
      cdp.privacy().purge(RetentionPolicy.builder().otherwise(Duration.ofDays(1)).build(),
          (p, e) -> { });
      // erase
      cdp.ingest(Event.identify().messageId("m5").userId("jane").trait("tier", "gold")
          .timestamp(clock.instant()).build());
      cdp.privacy().erase(jane);
    }

    EnumSet<Cause.Type> seen = EnumSet.noneOf(Cause.Type.class);
    for (SegmentEvent e : heard) {
      assertThat(Cause.parse(e.cause().toString())).isEqualTo(e.cause());
      seen.add(e.cause().type());
    }
    for (String c : coreCauses) {
      Cause typed = Engine.cause(changes(c));
      seen.add(typed.type());
    }
    assertThat(coreCauses).as("causes the core reported").contains("event", "unmerge",
        "recompute", "restrict", "unrestrict", "rectify", "purge", "erase");
    assertThat(seen).as("every type is emitted by some operation")
        .containsExactlyInAnyOrder(Cause.Type.values());
  }

  @Test
  @DisplayName("a cause the core reports without a type is refused loudly, not passed on as"
      + " text")
  void untypedCoreCause() {
    assertThatThrownBy(() -> Engine.cause(changes("teleport")))
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("teleport");
    assertThatThrownBy(() -> Engine.cause(changes("time")))
        .isInstanceOf(IllegalStateException.class);
  }

  static ProfileChanges changes(String cause) {
    return new ProfileChanges() {
      @Override
      public io.cdpkit.core.model.WorkspaceId workspace() {
        return io.cdpkit.core.model.WorkspaceId.DEFAULT;
      }

      @Override
      public io.cdpkit.core.spi.storage.WriteTransaction transaction() {
        throw new UnsupportedOperationException();
      }

      @Override
      public List<io.cdpkit.core.spi.extension.ProfileChange> changes() {
        return List.of();
      }

      @Override
      public String cause() {
        return cause;
      }

      @Override
      public @Nullable String messageId() {
        return cause.equals("event") ? "m-1" : null;
      }

      @Override
      public Instant now() {
        return NOW;
      }

      @Override
      public void afterCommit(Runnable action) {}
    };
  }
}
