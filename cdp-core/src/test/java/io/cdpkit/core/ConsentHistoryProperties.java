package io.cdpkit.core;

import static org.assertj.core.api.Assertions.assertThat;

import io.cdpkit.core.model.ConsentKey;
import io.cdpkit.core.model.ConsentRecord;
import io.cdpkit.core.model.ConsentStatus;
import io.cdpkit.core.model.Event;
import io.cdpkit.core.model.Identifier;
import io.cdpkit.core.model.Profile;
import io.cdpkit.core.model.ProfileState;
import io.cdpkit.core.testing.MutableClock;
import io.cdpkit.core.testing.TestEvents;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

/**
 * Laws of the consent history and of the restriction register, over the random events of
 * {@link ProfileLawsProperties} (whose consents carry evidence and expiries).
 */
class ConsentHistoryProperties {
  static final ConsentKey KEY = new ConsentKey("marketing", "email");
  /** After every generated event's time (at most 12 minutes after T0). */
  static final Instant LATER = ProfileLawsProperties.T0.plusSeconds(60 * 13);

  @Provide
  Arbitrary<List<Event>> events() {
    return new ProfileLawsProperties().events();
  }

  /** Every profile's consent history, by its identifiers. */
  static Map<List<Identifier>, List<ConsentRecord>> histories(Cdp cdp) {
    Map<List<Identifier>, List<ConsentRecord>> out = new HashMap<>();
    for (Identifier id : ProfileLawsProperties.UNIVERSE) {
      cdp.profiles().find(id).ifPresent(p ->
          out.put(p.identifiers(), cdp.profiles().consentHistory(p.id())));
    }
    return out;
  }

  @Property(tries = 150)
  void theHistoryIsTheSameForAnyIngestionOrder(@ForAll("events") List<Event> events,
      @ForAll Random random) {
    List<Event> shuffled = new ArrayList<>(events);
    Collections.shuffle(shuffled, random);
    Map<List<Identifier>, List<ConsentRecord>> expected;
    try (Cdp cdp = ProfileLawsProperties.newCdp()) {
      events.forEach(cdp::ingest);
      expected = histories(cdp);
    }
    try (Cdp cdp = ProfileLawsProperties.newCdp()) {
      shuffled.forEach(cdp::ingest);
      assertThat(histories(cdp)).isEqualTo(expected);
      // every decision is in some history, in (time, messageId) order
      long decisions = events.stream().filter(e -> e.type() != io.cdpkit.core.model.EventType
          .ALIAS).mapToLong(e -> e.consents().size()).sum();
      assertThat(expected.values().stream().mapToLong(List::size).sum()).isEqualTo(decisions);
      for (List<ConsentRecord> h : expected.values()) {
        assertThat(h).isSortedAccordingTo(ConsentRecord.ORDER);
      }
    }
  }

  @Property(tries = 150)
  void consentAtNowAgreesWithTheProfilesState(@ForAll("events") List<Event> events,
      @ForAll @IntRange(min = 0, max = 40) int minutesAfter) {
    Instant at = LATER.plusSeconds(60L * minutesAfter);
    try (Cdp cdp = ProfileLawsProperties.newCdp()) {
      events.forEach(cdp::ingest);
      for (Identifier id : ProfileLawsProperties.UNIVERSE) {
        Profile p = cdp.profiles().find(id).orElse(null);
        if (p == null) {
          continue;
        }
        ConsentRecord.ConsentInForce f = cdp.profiles().consentAt(p.id(), KEY.purpose(),
            KEY.channel(), at);
        ProfileState.ConsentValue v = p.state().consents().get(KEY);
        assertThat(f.status()).isEqualTo(p.consentStatus(KEY.purpose(), KEY.channel(), at));
        assertThat(f.decision() == null ? null : f.decision().value()).isEqualTo(v);
      }
    }
  }

  /** Events of one person (one identifier, so no merges), with the same kinds and times. */
  @Provide
  Arbitrary<List<Event>> onePerson() {
    Arbitrary<Event> event = Combinators.combine(
        Arbitraries.of(4, 6, 6, 1),                      // consent kinds, and a page
        Arbitraries.integers().between(0, 12),          // minute: ties happen
        Arbitraries.integers().between(0, 3),
        Arbitraries.of("crm", "pos", "web-shop"))
        .as((kind, minute, n, source) -> ProfileLawsProperties.event(kind, List.of(0), minute,
            n, source, 100));
    return event.list().ofMinSize(1).ofMaxSize(15).map(TestEvents::withUniqueIds);
  }

  @Property(tries = 200)
  void aDecisionRecordedLaterButStampedEarlierLandsWhereItBelongs(
      @ForAll("onePerson") List<Event> events, @ForAll Random random,
      @ForAll @IntRange(min = 0, max = 14) int minute, @ForAll @IntRange(min = 0, max = 59)
      int second) {
    Instant at = ProfileLawsProperties.T0.plusSeconds(60L * minute + second);
    Identifier person = ProfileLawsProperties.UNIVERSE.get(0);
    List<Event> shuffled = new ArrayList<>(events);
    Collections.shuffle(shuffled, random);
    ConsentRecord.ConsentInForce actual;
    try (Cdp cdp = ProfileLawsProperties.newCdp()) {
      shuffled.forEach(cdp::ingest);
      actual = cdp.profiles().consentAt(cdp.profiles().find(person).orElseThrow().id(),
          KEY.purpose(), KEY.channel(), at);
    }
    // Oracle: a CDP that only ever saw the events stamped by then.
    ProfileState.ConsentValue expected = null;
    try (Cdp cdp = ProfileLawsProperties.newCdp()) {
      for (Event e : events) {
        if (!e.eventTime().isAfter(at)) {
          cdp.ingest(e);
        }
      }
      Profile p = cdp.profiles().find(person).orElse(null);
      if (p != null) {
        expected = p.state().consents().get(KEY);
      }
    }
    assertThat(actual.decision() == null ? null : actual.decision().value()).isEqualTo(expected);
    assertThat(actual.status()).isEqualTo(expected == null ? ConsentStatus.NONE
        : expected.statusAt(at));
  }

  // ------------------------------------------------------------------ restriction

  /** The register as a model: (time, restricted), applied as the calls stamp their events. */
  record Reg(Instant time, boolean restricted) {
    Reg apply(boolean restrict, Instant now) {
      Instant floor = restrict ? time : time.plusNanos(1);
      return new Reg(now.isAfter(floor) ? now : floor, restrict);
    }

    static Reg join(Reg a, Reg b) {
      if (a == null || b == null) {
        return a == null ? b : a;
      }
      int c = a.time.compareTo(b.time);
      return c > 0 ? a : c < 0 ? b : a.restricted ? a : b;
    }
  }

  @Property(tries = 150)
  void restrictionJoinsLikeARegisterAndSurvivesMergeAndUnmerge(
      @ForAll @Size(max = 8) List<@IntRange(min = 0, max = 3) Integer> ops) {
    // op: bit 0 = restrict (1) or lift (0); bit 1 = profile A (0) or B (1); the clock moves
    // by 0 or 1 seconds between ops, so equal instants happen.
    MutableClock clock = new MutableClock(Instant.parse("2026-06-01T00:00:00Z"));
    Identifier a = Identifier.customerId("A");
    Identifier b = Identifier.anonymousId("b");
    try (Cdp cdp = Cdp.builder().clock(clock).build()) {
      cdp.ingest(Event.identify().messageId("a").userId("A").timestamp(clock.instant()).build());
      cdp.ingest(Event.identify().messageId("b").anonymousId("b").timestamp(clock.instant())
          .build());
      Reg ra = null;
      Reg rb = null;
      int i = 0;
      for (int op : ops) {
        boolean restrict = (op & 1) == 1;
        boolean onA = (op & 2) == 0;
        if (restrict) {
          cdp.profiles().restrict(onA ? a : b, "r" + i);
        } else {
          cdp.profiles().liftRestriction(onA ? a : b, "l" + i);
        }
        Instant now = clock.instant();
        Reg start = new Reg(Instant.MIN, false);
        if (onA) {
          ra = (ra == null ? start : ra).apply(restrict, now);
        } else {
          rb = (rb == null ? start : rb).apply(restrict, now);
        }
        if (i++ % 2 == 0) {
          clock.advance(java.time.Duration.ofSeconds(1));
        }
      }
      boolean aBefore = ra != null && ra.restricted();
      boolean bBefore = rb != null && rb.restricted();
      assertThat(cdp.profiles().find(a).orElseThrow().restricted()).isEqualTo(aBefore);
      assertThat(cdp.profiles().find(b).orElseThrow().restricted()).isEqualTo(bBefore);

      cdp.ingest(Event.alias("b").messageId("link").userId("A").timestamp(clock.instant())
          .build());
      Reg merged = Reg.join(ra, rb);
      assertThat(cdp.profiles().find(a).orElseThrow().restricted())
          .isEqualTo(merged != null && merged.restricted());

      cdp.profiles().unmerge(a, b);
      assertThat(cdp.profiles().find(a).orElseThrow().restricted()).isEqualTo(aBefore);
      assertThat(cdp.profiles().find(b).orElseThrow().restricted()).isEqualTo(bBefore);
    }
  }
}
