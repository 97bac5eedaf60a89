package io.cdpkit.segmentation;

import static io.cdpkit.segmentation.definition.Conditions.consent;
import static io.cdpkit.segmentation.definition.Conditions.inSegment;
import static io.cdpkit.segmentation.definition.Conditions.trait;
import static org.assertj.core.api.Assertions.assertThat;

import io.cdpkit.core.Cdp;
import io.cdpkit.core.model.ConsentChange;
import io.cdpkit.core.model.Event;
import io.cdpkit.core.model.Identifier;
import io.cdpkit.core.model.ProfileId;
import io.cdpkit.core.testing.MutableClock;
import io.cdpkit.segmentation.definition.SegmentDefinition;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** A restricted profile is a member of no segment; an expiring consent leaves on time. */
class RestrictionAndConsentExpiryTest {
  static final Instant NOW = Instant.parse("2026-03-15T10:00:00Z");
  static final Identifier JANE = Identifier.customerId("jane");

  MutableClock clock;
  List<SegmentEvent> heard;
  Cdp cdp;
  Segments segments;

  @BeforeEach
  void start() {
    clock = new MutableClock(NOW);
    heard = new CopyOnWriteArrayList<>();
    Segmentation seg = Segmentation.builder().listener(heard::add).build();
    cdp = Cdp.builder().clock(clock).extension(seg).build();
    segments = seg.segments();
    segments.save(SegmentDefinition.builder("gold").where(trait("tier").eq("gold")).build());
    segments.save(SegmentDefinition.builder("gold-reader").where(inSegment("gold")).build());
    segments.save(SegmentDefinition.builder("mailable").where(consent("marketing", "email"))
        .build());
  }

  @AfterEach
  void stop() {
    cdp.close();
  }

  ProfileId jane() {
    return cdp.profiles().find(JANE).orElseThrow().id();
  }

  List<String> heard() {
    List<String> out = new ArrayList<>();
    for (SegmentEvent e : heard) {
      out.add(e.kind() + " " + e.segment() + " " + e.cause().type().text());
    }
    heard.clear();
    return out;
  }

  @Test
  @DisplayName("a restricted profile leaves every segment with exit signals, enters none while"
      + " restricted, and re-enters after the lift")
  void restriction() {
    cdp.ingest(Event.identify().messageId("m1").userId("jane").trait("tier", "gold")
        .consent("marketing", "email", true).timestamp(NOW).build());
    assertThat(segments.memberships(jane())).containsExactlyInAnyOrder("gold", "gold-reader",
        "mailable");
    heard();

    cdp.profiles().restrict(JANE, "objection");
    assertThat(segments.memberships(jane())).isEmpty();
    assertThat(heard()).containsExactlyInAnyOrder("EXITED gold restrict",
        "EXITED gold-reader restrict", "EXITED mailable restrict");
    assertThat(segments.explain(jane(), "gold").orElseThrow().held()).isFalse();
    assertThat(segments.evaluate(List.of("gold", "mailable"), io.cdpkit.core.ProgressListener.none()).count("gold"))
        .isZero();

    // still restricted: a change that would make it a member does not
    cdp.ingest(Event.identify().messageId("m2").userId("jane").trait("tier", "gold")
        .timestamp(NOW.plusSeconds(1)).build());
    assertThat(segments.memberships(jane())).isEmpty();
    assertThat(heard()).isEmpty();

    clock.advance(Duration.ofMinutes(1));
    cdp.profiles().liftRestriction(JANE, "objection-rejected");
    assertThat(segments.memberships(jane())).containsExactlyInAnyOrder("gold", "gold-reader",
        "mailable");
    assertThat(heard()).containsExactlyInAnyOrder("ENTERED gold unrestrict",
        "ENTERED gold-reader unrestrict", "ENTERED mailable unrestrict");
    assertThat(segments.explain(jane(), "gold").orElseThrow().held()).isTrue();
  }

  @Test
  @DisplayName("a consent with an expiry makes the profile a member until then, and it leaves at"
      + " the expiry by the schedule")
  void consentExpiry() {
    Instant expiry = NOW.plus(Duration.ofDays(30));
    cdp.ingest(Event.identify().messageId("m1").userId("jane")
        .consent(ConsentChange.builder("marketing", "email", true).expiresAt(expiry).build())
        .timestamp(NOW).build());
    assertThat(segments.isMember(jane(), "mailable")).isTrue();
    assertThat(segments.nextCheck(jane())).contains(expiry);
    clock.set(expiry.minusNanos(1));
    segments.runDue();
    assertThat(segments.isMember(jane(), "mailable")).isTrue();
    clock.set(expiry);
    segments.runDue();
    assertThat(segments.isMember(jane(), "mailable")).isFalse();
    assertThat(heard()).containsExactly("ENTERED mailable event", "EXITED mailable time");
  }
}
