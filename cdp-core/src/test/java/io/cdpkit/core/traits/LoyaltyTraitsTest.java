package io.cdpkit.core.traits;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cdpkit.core.BatchResult;
import io.cdpkit.core.Cdp;
import io.cdpkit.core.IngestResult;
import io.cdpkit.core.InvalidEventException;
import io.cdpkit.core.model.Event;
import io.cdpkit.core.model.Identifier;
import io.cdpkit.core.testing.MutableClock;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/** {@link LoyaltyTraits} over small stories with values worked out by hand. */
class LoyaltyTraitsTest {
  static final Identifier C1 = Identifier.customerId("C-1");
  static final String BALANCE = LoyaltyTraits.balanceTrait("default");
  static final String LIFETIME = LoyaltyTraits.lifetimeEarnedTrait("default");
  static final String TIER = LoyaltyTraits.tierTrait("default");
  static final String TIER_POINTS = LoyaltyTraits.tierPointsTrait("default");
  static final String EXPIRY_AT = LoyaltyTraits.nextExpiryAtTrait("default");
  static final String EXPIRY_POINTS = LoyaltyTraits.nextExpiryPointsTrait("default");
  static final String NEXT_CHANGE = LoyaltyTraits.nextChangeAtTrait("default");

  /** 90-day validity; silver from 0, gold from 250 points earned in the last 30 days. */
  static final LoyaltyProgram DEFAULT = LoyaltyProgram.builder("default").validityDays(90)
      .tier("silver", 0).tier("gold", 250).tierPeriodDays(30).build();
  static final LoyaltyProgram CLUB = LoyaltyProgram.of("club");

  final MutableClock clock = new MutableClock(Instant.parse("2026-01-01T00:00:00Z"));
  Cdp cdp;

  @BeforeEach
  void open() {
    cdp = Cdp.builder().clock(clock).store(io.cdpkit.core.spi.storage.Store.inMemory())
        .computedTraits(LoyaltyTraits.of(DEFAULT, CLUB)).build();
  }

  @AfterEach
  void close() {
    cdp.close();
  }

  static Instant at(String iso) {
    return Instant.parse(iso);
  }

  static Event.Builder loyalty(String name, String messageId, String time, Object points) {
    return Event.track(name).messageId(messageId).userId("C-1").timestamp(at(time))
        .property("points", points);
  }

  /** Ingests with the clock at the event's time at least, then puts it back. */
  IngestResult ingest(Event e) {
    Instant back = clock.instant();
    if (e.eventTime().isAfter(back)) {
      clock.set(e.eventTime());
    }
    try {
      return cdp.ingest(e);
    } finally {
      clock.set(back);
    }
  }

  Optional<Object> trait(String name) {
    return cdp.profiles().find(C1).orElseThrow().computedTrait(name);
  }

  Optional<Object> traitAt(String name, String now) {
    clock.set(at(now));
    return trait(name);
  }

  @Nested
  @DisplayName("a story worked by hand")
  class Story {
    @BeforeEach
    void story() {
      // m1: 100 points that lapse 2026-03-01; m2: 200 points, 90 days' validity -> 2026-04-20.
      ingest(loyalty(LoyaltyTraits.EARNED_EVENT, "m1", "2026-01-10T10:00:00Z", 100)
          .property("expires_at", "2026-03-01T00:00:00Z").property("order_id", "POS-1")
          .channel("pos").build());
      ingest(loyalty(LoyaltyTraits.EARNED_EVENT, "m2", "2026-01-20T10:00:00Z", 200)
          .channel("web").build());
      // Takes the 100 of m1 (lapses first), then 50 of m2.
      ingest(loyalty(LoyaltyTraits.REDEEMED_EVENT, "m3", "2026-02-01T12:00:00Z", 150)
          .property("order_id", "W-9").channel("web").build());
    }

    @Test
    @DisplayName("redemption takes the earliest-expiring points first")
    void earliestExpiringFirst() {
      clock.set(at("2026-02-15T00:00:00Z"));
      assertThat(trait(BALANCE)).contains(150L);
      assertThat(trait(LIFETIME)).contains(300L);
      // m1 (2026-03-01) is used up, so nothing lapses on 2026-03-01: the next is m2's rest.
      assertThat(trait(EXPIRY_AT)).contains(at("2026-04-20T10:00:00Z"));
      assertThat(trait(EXPIRY_POINTS)).contains(150L);
    }

    @Test
    @DisplayName("tier points are earned points of the last 30 days")
    void tiers() {
      // 2026-01-25: both earnings (01-10, 01-20) are within 30 days: 300 -> gold.
      assertThat(traitAt(TIER_POINTS, "2026-01-25T00:00:00Z")).contains(300L);
      assertThat(trait(TIER)).contains("gold");
      // The redemption dated 2026-02-01T12:00Z comes due first; then m1 leaves the period at
      // 2026-02-09T10:00Z: 200 -> silver, exactly then.
      assertThat(traitAt(NEXT_CHANGE, "2026-01-25T00:00:00Z"))
          .contains(at("2026-02-01T12:00:00Z"));
      assertThat(traitAt(BALANCE, "2026-02-01T11:59:59Z")).contains(300L);
      assertThat(traitAt(NEXT_CHANGE, "2026-02-01T12:00:00Z"))
          .contains(at("2026-02-09T10:00:00Z"));
      assertThat(traitAt(TIER, "2026-02-09T09:59:59.999999999Z")).contains("gold");
      assertThat(traitAt(TIER, "2026-02-09T10:00:00Z")).contains("silver");
      assertThat(trait(TIER_POINTS)).contains(200L);
      // Redemptions do not lower tier points; after 2026-02-19T10:00Z no earning is left.
      assertThat(traitAt(TIER_POINTS, "2026-02-19T10:00:00Z")).contains(0L);
      assertThat(trait(TIER)).contains("silver");
    }

    @Test
    @DisplayName("points lapse at their expiry; a reported expiry settles them and takes no more")
    void lapses() {
      ingest(loyalty(LoyaltyTraits.ADJUSTED_EVENT, "m4", "2026-02-20T00:00:00Z", -30)
          .property("reason", "goodwill reversed").build());
      ingest(loyalty(LoyaltyTraits.EARNED_EVENT, "m5", "2026-03-10T00:00:00Z", 50)
          .property("expires_at", "2026-03-15T00:00:00Z").build());
      // 150 - 30 + 50.
      assertThat(traitAt(BALANCE, "2026-03-14T00:00:00Z")).contains(170L);
      assertThat(trait(EXPIRY_AT)).contains(at("2026-03-15T00:00:00Z"));
      assertThat(trait(EXPIRY_POINTS)).contains(50L);
      assertThat(trait(NEXT_CHANGE)).contains(at("2026-03-15T00:00:00Z"));
      assertThat(traitAt(BALANCE, "2026-03-14T23:59:59.999999999Z")).contains(170L);
      assertThat(traitAt(BALANCE, "2026-03-15T00:00:00Z")).contains(120L);
      assertThat(trait(EXPIRY_AT)).contains(at("2026-04-20T10:00:00Z"));
      assertThat(trait(EXPIRY_POINTS)).contains(120L);
      // The program reports m5's lapse: it settles the lapsed 50, the balance stays.
      ingest(loyalty(LoyaltyTraits.EXPIRED_EVENT, "m6", "2026-03-16T00:00:00Z", 50).build());
      assertThat(traitAt(BALANCE, "2026-03-17T00:00:00Z")).contains(120L);
      // A second report finds nothing lapsed to settle: it takes 20 valid points.
      ingest(loyalty(LoyaltyTraits.EXPIRED_EVENT, "m7", "2026-03-18T00:00:00Z", 20).build());
      assertThat(traitAt(BALANCE, "2026-03-19T00:00:00Z")).contains(100L);
      assertThat(traitAt(BALANCE, "2026-04-20T10:00:00Z")).contains(0L);
      assertThat(trait(EXPIRY_AT)).isEmpty();
      assertThat(trait(NEXT_CHANGE)).isEmpty();
      assertThat(trait(LIFETIME)).contains(350L);
    }

    @Test
    @DisplayName("a resent event (same messageId) changes nothing")
    void resent() {
      ingest(loyalty(LoyaltyTraits.REDEEMED_EVENT, "m3", "2026-02-01T12:00:00Z", 150).build());
      assertThat(traitAt(BALANCE, "2026-02-15T00:00:00Z")).contains(150L);
    }
  }

  @Test
  @DisplayName("a redemption above the balance leaves a debt that later points pay first")
  void debt() {
    ingest(loyalty(LoyaltyTraits.EARNED_EVENT, "a", "2026-01-01T00:00:00Z", 50).build());
    ingest(loyalty(LoyaltyTraits.REDEEMED_EVENT, "b", "2026-01-02T00:00:00Z", 70).build());
    assertThat(traitAt(BALANCE, "2026-01-03T00:00:00Z")).contains(-20L);
    assertThat(trait(EXPIRY_AT)).isEmpty();
    // 100 earned: 20 pay the debt, a lot of 80 lapses 90 days later.
    ingest(loyalty(LoyaltyTraits.EARNED_EVENT, "c", "2026-01-05T00:00:00Z", 100).build());
    assertThat(traitAt(BALANCE, "2026-01-06T00:00:00Z")).contains(80L);
    assertThat(trait(EXPIRY_POINTS)).contains(80L);
    assertThat(trait(EXPIRY_AT)).contains(at("2026-04-05T00:00:00Z"));
    assertThat(traitAt(BALANCE, "2026-04-05T00:00:00Z")).contains(0L);
  }

  @Test
  @DisplayName("a debit dated before any earning is a debt, whatever order the events came in")
  void debitBeforeEarning() {
    ingest(loyalty(LoyaltyTraits.EARNED_EVENT, "late", "2026-01-05T00:00:00Z", 100).build());
    ingest(loyalty(LoyaltyTraits.REDEEMED_EVENT, "early", "2026-01-01T00:00:00Z", 30).build());
    // Replayed by event time: -30, then 100 pays 30 and leaves 70.
    assertThat(traitAt(BALANCE, "2026-01-06T00:00:00Z")).contains(70L);
    assertThat(trait(EXPIRY_POINTS)).contains(70L);
    assertThat(traitAt(BALANCE, "2026-01-02T00:00:00Z")).contains(-30L);
    assertThat(trait(LIFETIME)).contains(0L);
    assertThat(trait(NEXT_CHANGE)).contains(at("2026-01-05T00:00:00Z"));
  }

  @Test
  @DisplayName("programs are kept apart; a missing program is the default one; names ignore case")
  void programs() {
    ingest(loyalty(LoyaltyTraits.EARNED_EVENT, "a", "2026-01-01T00:00:00Z", 10).build());
    ingest(loyalty(LoyaltyTraits.EARNED_EVENT, "b", "2026-01-01T00:00:00Z", 7)
        .property("program", "  Club ").build());
    ingest(loyalty(LoyaltyTraits.EARNED_EVENT, "c", "2026-01-01T00:00:00Z", 5)
        .property("program", "unknown").build());
    clock.set(at("2026-01-02T00:00:00Z"));
    assertThat(trait(BALANCE)).contains(10L);
    assertThat(trait(LoyaltyTraits.balanceTrait("club"))).contains(7L);
    // club has no tiers, so no tier trait; the undeclared program's points are kept unseen.
    assertThat(cdp.computedTraits().contains(LoyaltyTraits.tierTrait("club"))).isFalse();
    assertThat(trait(LoyaltyTraits.LEDGER)).contains(3L);
    // Without validity, club points never lapse.
    assertThat(trait(LoyaltyTraits.nextExpiryAtTrait("club"))).isEmpty();
    assertThat(trait(LoyaltyTraits.nextChangeAtTrait("club"))).isEmpty();
  }

  @Test
  @DisplayName("equal expiries: the lot credited first is taken first; same instant: by messageId")
  void ties() {
    // Two lots lapsing at the same instant, credited at the same instant: x before y.
    ingest(loyalty(LoyaltyTraits.EARNED_EVENT, "y", "2026-01-01T00:00:00Z", 40)
        .property("expires_at", "2026-02-01T00:00:00Z").build());
    ingest(loyalty(LoyaltyTraits.EARNED_EVENT, "x", "2026-01-01T00:00:00Z", 60)
        .property("expires_at", "2026-02-01T00:00:00Z").build());
    ingest(loyalty(LoyaltyTraits.REDEEMED_EVENT, "z", "2026-01-02T00:00:00Z", 70).build());
    assertThat(traitAt(BALANCE, "2026-01-03T00:00:00Z")).contains(30L);
    assertThat(trait(EXPIRY_POINTS)).contains(30L);
    // A credit whose expiry is not after its time lapses at once and pays no debt.
    ingest(loyalty(LoyaltyTraits.REDEEMED_EVENT, "r", "2026-01-04T00:00:00Z", 50).build());
    ingest(loyalty(LoyaltyTraits.EARNED_EVENT, "s", "2026-01-05T00:00:00Z", 500)
        .property("expires_at", "2026-01-05T00:00:00Z").build());
    assertThat(traitAt(BALANCE, "2026-01-06T00:00:00Z")).contains(-20L);
    assertThat(trait(LIFETIME)).contains(600L);
  }

  @Test
  @DisplayName("no profile without loyalty events has loyalty values")
  void nonMember() {
    ingest(Event.track("Order Completed").messageId("o").userId("C-1")
        .timestamp(at("2026-01-01T00:00:00Z")).build());
    Map<String, Object> values = cdp.profiles().find(C1).orElseThrow().computedTraits();
    assertThat(values).doesNotContainKeys(BALANCE, TIER, LIFETIME, NEXT_CHANGE);
    assertThat(values).containsEntry(LoyaltyTraits.LEDGER, 0L);
  }

  @Nested
  @DisplayName("the door refuses unusable loyalty events, naming the property")
  class Door {
    void refused(Event e, String pointer, String reason) {
      assertThatThrownBy(() -> ingest(e)).isInstanceOf(InvalidEventException.class)
          .satisfies(x -> {
            assertThat(((InvalidEventException) x).pointer()).isEqualTo(pointer);
            assertThat(((InvalidEventException) x).reason()).contains(reason);
          });
      assertThat(cdp.profiles().find(C1)).isEmpty(); // nothing of it stored
    }

    @Test
    void nonIntegerPoints() {
      refused(loyalty(LoyaltyTraits.EARNED_EVENT, "a", "2026-01-01T00:00:00Z",
          new BigDecimal("2.5")).build(), "/properties/points", "whole number");
    }

    @Test
    void negativeEarn() {
      refused(loyalty(LoyaltyTraits.EARNED_EVENT, "a", "2026-01-01T00:00:00Z", -5).build(),
          "/properties/points", "must not be negative");
      refused(loyalty(LoyaltyTraits.REDEEMED_EVENT, "a", "2026-01-01T00:00:00Z", -5).build(),
          "/properties/points", "must not be negative");
    }

    @Test
    void missingOrMistypedPoints() {
      refused(Event.track(LoyaltyTraits.REDEEMED_EVENT).messageId("a").userId("C-1")
          .timestamp(at("2026-01-01T00:00:00Z")).build(),
          "/properties/points", "is required");
      refused(loyalty(LoyaltyTraits.EARNED_EVENT, "a", "2026-01-01T00:00:00Z", "100").build(),
          "/properties/points", "whole number");
      refused(loyalty(LoyaltyTraits.EARNED_EVENT, "a", "2026-01-01T00:00:00Z", true).build(),
          "/properties/points", "whole number");
    }

    @Test
    void hugeNumbers() {
      refused(loyalty(LoyaltyTraits.EARNED_EVENT, "a", "2026-01-01T00:00:00Z",
          LoyaltyTraits.MAX_POINTS + 1).build(), "/properties/points", "whole number");
      refused(loyalty(LoyaltyTraits.ADJUSTED_EVENT, "a", "2026-01-01T00:00:00Z",
          Long.MIN_VALUE).build(), "/properties/points", "whole number");
      refused(loyalty(LoyaltyTraits.EARNED_EVENT, "a", "2026-01-01T00:00:00Z",
          new BigDecimal("1E+400")).build(), "/properties/points", "whole number");
      refused(loyalty(LoyaltyTraits.EARNED_EVENT, "a", "2026-01-01T00:00:00Z",
          new BigDecimal(BigInteger.TEN.pow(40))).build(), "/properties/points",
          "whole number");
    }

    @Test
    void badProgram() {
      refused(loyalty(LoyaltyTraits.EARNED_EVENT, "a", "2026-01-01T00:00:00Z", 5)
          .property("program", 42).build(), "/properties/program", "must be a string");
      refused(loyalty(LoyaltyTraits.EARNED_EVENT, "a", "2026-01-01T00:00:00Z", 5)
          .property("program", " ").build(), "/properties/program", "must match");
      // Control characters are refused by the event itself already.
      assertThatThrownBy(() -> loyalty(LoyaltyTraits.EARNED_EVENT, "a", "2026-01-01T00:00:00Z",
          5).property("program", "club\u0000").build())
          .isInstanceOf(InvalidEventException.class).hasMessageContaining("/properties/program");
      refused(loyalty(LoyaltyTraits.EARNED_EVENT, "a", "2026-01-01T00:00:00Z", 5)
          .property("program", "clüb").build(), "/properties/program", "must match");
    }

    @Test
    void badExpiry() {
      refused(loyalty(LoyaltyTraits.EARNED_EVENT, "a", "2026-01-01T00:00:00Z", 5)
          .property("expires_at", "next year").build(), "/properties/expires_at", "ISO-8601");
      refused(loyalty(LoyaltyTraits.EARNED_EVENT, "a", "2026-01-01T00:00:00Z", 5)
          .property("expires_at", 1767225600L).build(), "/properties/expires_at", "as text");
      refused(loyalty(LoyaltyTraits.EARNED_EVENT, "a", "2026-01-01T00:00:00Z", 5)
          .property("expires_at", "+10000-01-01T00:00:00Z").build(), "/properties/expires_at",
          "1970 to 9999");
    }

    @Test
    @DisplayName("a bad event costs no other event of its batch")
    void batch() {
      BatchResult r = cdp.ingest(List.of(
          loyalty(LoyaltyTraits.EARNED_EVENT, "ok", "2026-01-01T00:00:00Z", 5).build(),
          loyalty(LoyaltyTraits.EARNED_EVENT, "bad", "2026-01-01T00:00:00Z", 2.5).build()));
      assertThat(r.results().get(0).status()).isEqualTo(IngestResult.Status.STORED);
      assertThat(r.results().get(1).status()).isEqualTo(IngestResult.Status.REJECTED);
      assertThat(r.results().get(1).error().pointer()).isEqualTo("/properties/points");
      assertThat(traitAt(BALANCE, "2026-01-02T00:00:00Z")).contains(5L);
    }

    @Test
    @DisplayName("zero points, 120.0 points and expires_at on a debit are accepted")
    void accepted() {
      ingest(loyalty(LoyaltyTraits.EARNED_EVENT, "a", "2026-01-01T00:00:00Z",
          new BigDecimal("120.0")).build());
      ingest(loyalty(LoyaltyTraits.REDEEMED_EVENT, "b", "2026-01-01T01:00:00Z", 0)
          .property("expires_at", "whatever: not read on a debit").build());
      assertThat(traitAt(BALANCE, "2026-01-02T00:00:00Z")).contains(120L);
    }
  }

  @Test
  @DisplayName("declared late: stored loyalty events are replayed, and ones that break the rules"
      + " (accepted before the pack checked them) add nothing")
  void declaredLate() {
    io.cdpkit.core.spi.storage.Store store = io.cdpkit.core.spi.storage.Store.inMemory();
    MutableClock late = new MutableClock(at("2026-02-01T00:00:00Z"));
    try (Cdp plain = Cdp.builder().clock(late).store(store).build()) {
      plain.ingest(loyalty(LoyaltyTraits.EARNED_EVENT, "a", "2026-01-01T00:00:00Z", 100).build());
      plain.ingest(loyalty(LoyaltyTraits.EARNED_EVENT, "b", "2026-01-02T00:00:00Z", -40).build());
      plain.ingest(loyalty(LoyaltyTraits.REDEEMED_EVENT, "c", "2026-01-03T00:00:00Z", "30")
          .build());
      plain.ingest(loyalty(LoyaltyTraits.REDEEMED_EVENT, "d", "2026-01-04T00:00:00Z", 25)
          .build());
    }
    try (Cdp withPack = Cdp.builder().clock(late).store(store)
        .computedTraits(LoyaltyTraits.of(DEFAULT)).build()) {
      Map<String, Object> values = withPack.profiles().find(C1).orElseThrow().computedTraits();
      // Only a (100) and d (-25) are usable: 75 left, lapsing 90 days after a.
      assertThat(values).containsEntry(BALANCE, 75L).containsEntry(LoyaltyTraits.LEDGER, 2L)
          .containsEntry(EXPIRY_AT, at("2026-04-01T00:00:00Z"));
    }
  }

  @Test
  @DisplayName("settings are checked at once, naming what is wrong")
  void settings() {
    assertThatThrownBy(() -> LoyaltyProgram.builder("Gold Club").build())
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("must match");
    assertThatThrownBy(() -> LoyaltyProgram.builder("x").tier("gold", 500).tier("silver", 100))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("ascending");
    assertThatThrownBy(() -> LoyaltyProgram.builder("x").validityDays(30).validityDays(40))
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("already set to 30");
    assertThatThrownBy(() -> LoyaltyProgram.builder("x").validityDays(0))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("1 to");
    assertThatThrownBy(() -> LoyaltyTraits.of(CLUB, CLUB))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("declared twice");
    assertThatThrownBy(() -> ComputedTrait.builder("l", Aggregation.LEDGER).property("points")
        .build()).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("takes no property");
  }
}
