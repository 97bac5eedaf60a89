package io.cdpkit.segmentation;

import static io.cdpkit.segmentation.definition.Conditions.and;
import static io.cdpkit.segmentation.definition.Conditions.computed;
import static io.cdpkit.segmentation.definition.Conditions.consent;
import static io.cdpkit.segmentation.definition.Conditions.events;
import static io.cdpkit.segmentation.definition.Conditions.hasIdentifier;
import static io.cdpkit.segmentation.definition.Conditions.inSegment;
import static io.cdpkit.segmentation.definition.Conditions.not;
import static io.cdpkit.segmentation.definition.Conditions.notFollowedBy;
import static io.cdpkit.segmentation.definition.Conditions.or;
import static io.cdpkit.segmentation.definition.Conditions.profile;
import static io.cdpkit.segmentation.definition.Conditions.trait;
import static org.assertj.core.api.Assertions.assertThat;

import io.cdpkit.core.Cdp;
import io.cdpkit.core.model.Event;
import io.cdpkit.core.model.Identifier;
import io.cdpkit.core.model.ProfileId;
import io.cdpkit.core.spi.storage.Store;
import io.cdpkit.core.testing.MutableClock;
import io.cdpkit.core.traits.Aggregation;
import io.cdpkit.core.traits.ComputedTrait;
import io.cdpkit.core.traits.ComputedTraits;
import io.cdpkit.core.traits.EventFilter;
import io.cdpkit.core.traits.LoyaltyProgram;
import io.cdpkit.core.traits.LoyaltyTraits;
import io.cdpkit.core.traits.Operator;
import io.cdpkit.core.traits.PropertyCondition;
import io.cdpkit.core.traits.Window;
import io.cdpkit.segmentation.definition.ProfileField;
import io.cdpkit.segmentation.definition.RelativeDate;
import io.cdpkit.segmentation.definition.SegmentDefinition;
import io.cdpkit.segmentation.definition.TimeUnitStart;
import io.cdpkit.segmentation.spi.storage.Membership;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.Period;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * The central law of segmentation: with random events (late ones too), random clock advances,
 * merges and unmerges, the memberships kept in real time (plus the scheduled checks run when
 * due) always equal a batch evaluation of every segment at the same instant, and the entries
 * and exits the listener heard add up to exactly those memberships.
 */
class RealTimeEqualsBatchProperties {
  static final Instant START = Instant.parse("2026-03-30T22:00:00Z");
  /** Points valid a day unless the event says; gold from 30 points earned in the last 2 days. */
  static final ComputedTraits LOYALTY = LoyaltyTraits.of(LoyaltyProgram.builder("default")
      .validityDays(1).tier("silver", 0).tier("gold", 30).tierPeriodDays(2).build());
  static final List<Identifier> UNIVERSE = List.of(
      Identifier.customerId("C0"), Identifier.customerId("C1"), Identifier.customerId("C2"),
      Identifier.email("p0@example.org"), Identifier.email("p1@example.org"),
      Identifier.anonymousId("a0"), Identifier.anonymousId("a1"), Identifier.anonymousId("a2"));

  static List<SegmentDefinition> segments() {
    EventFilter orders = EventFilter.named("Order Completed");
    return List.of(
        SegmentDefinition.builder("vip").where(profile(ProfileField.TOTAL_SPEND, "EUR").gte(50))
            .build(),
        SegmentDefinition.builder("recent").where(events("Order Completed").atLeast(1)
            .inLastDays(3)).build(),
        SegmentDefinition.builder("quiet").where(and(profile(ProfileField.ORDER_COUNT).gte(1),
            events("Order Completed").none().inLastDays(2))).build(),
        SegmentDefinition.builder("cart").where(notFollowedBy(EventFilter.named("Product Added"),
            orders, Duration.ofHours(6)).withinDays(3)).build(),
        SegmentDefinition.builder("new-today").where(and(
            profile(ProfileField.CUSTOMER_SINCE).gte(RelativeDate.startOf(TimeUnitStart.DAY,
                ZoneOffset.UTC)),
            profile(ProfileField.LAST_SEEN).gt(RelativeDate.ago(Duration.ofHours(12)))))
            .build(),
        SegmentDefinition.builder("reachable").where(and(hasIdentifier("email"),
            consent("marketing", "email"))).build(),
        SegmentDefinition.builder("vip-lapsing").where(and(inSegment("vip"),
            not(inSegment("recent")))).build(),
        SegmentDefinition.builder("gold-or-busy").where(or(trait("tier").eq("gold"),
            computed("orders_2d").gte(2))).build(),
        SegmentDefinition.builder("dresses").where(events("Order Completed")
            .where(PropertyCondition.any("products",
                PropertyCondition.of("category", Operator.EQ, "dresses")))
            .atLeast(1).between(LocalDate.parse("2026-03-29"), LocalDate.parse("2026-04-02")))
            .build(),
        SegmentDefinition.builder("month-old").where(profile(ProfileField.FIRST_SEEN)
            .lt(RelativeDate.ago(Period.ofDays(2)))).build(),
        // Favourites count orders net of full refunds: a refund moves them.
        SegmentDefinition.builder("fav-s1").where(profile(ProfileField.FAVOURITE_STORE).eq("s1"))
            .build(),
        SegmentDefinition.builder("fav-pos").where(profile(ProfileField.FAVOURITE_CHANNEL)
            .eq("pos")).build(),
        // Loyalty: points lapse and tier periods end with time alone.
        SegmentDefinition.builder("loyal-gold").where(and(
            computed(LoyaltyTraits.tierTrait("default")).eq("gold"),
            computed(LoyaltyTraits.balanceTrait("default")).gt(20))).build());
  }

  sealed interface Step permits Ingest, Advance, Unmerge {}

  record Ingest(int kind, List<Integer> ids, int minutesBack, int n) implements Step {}

  record Advance(int minutes) implements Step {}

  record Unmerge(int a, int b) implements Step {}

  @Provide
  Arbitrary<List<Step>> steps() {
    Arbitrary<Integer> id = Arbitraries.integers().between(0, UNIVERSE.size() - 1);
    Arbitrary<Step> ingest = Combinators.combine(Arbitraries.integers().between(0, 7),
        id.list().ofMinSize(1).ofMaxSize(3), Arbitraries.integers().between(0, 3 * 24 * 60),
        Arbitraries.integers().between(0, 9)).as(Ingest::new);
    Arbitrary<Step> advance = Arbitraries.integers().between(1, 40 * 60).map(Advance::new);
    Arbitrary<Step> unmerge = Combinators.combine(id, id).as(Unmerge::new);
    return Arbitraries.frequencyOf(
        net.jqwik.api.Tuple.of(6, ingest), net.jqwik.api.Tuple.of(3, advance),
        net.jqwik.api.Tuple.of(1, unmerge)).list().ofMinSize(1).ofMaxSize(40);
  }

  @Property(tries = 150)
  void realTimeMembershipAlwaysEqualsBatchEvaluation(@ForAll("steps") List<Step> steps) {
    MutableClock clock = new MutableClock(START);
    Map<String, Set<ProfileId>> heard = new HashMap<>();
    Segmentation seg = Segmentation.builder().listener(e -> {
      Set<ProfileId> s = heard.computeIfAbsent(e.segment(), k -> new HashSet<>());
      if (e.kind() == SegmentEvent.Kind.ENTERED) {
        assertThat(s.add(e.profile())).as("entered twice: %s", e).isTrue();
      } else {
        assertThat(s.remove(e.profile())).as("exited without entering: %s", e).isTrue();
      }
    }).build();
    try (Cdp cdp = Cdp.builder().store(Store.inMemory()).clock(clock)
        .computedTrait(ComputedTrait.builder("orders_2d", Aggregation.COUNT)
            .filter(EventFilter.named("Order Completed")).window(Window.lastDays(2)).build())
        .computedTraits(LOYALTY)
        .extension(seg).build()) {
      Segments segments = seg.segments();
      // Half the definitions before any event, half after some: both paths must agree.
      List<SegmentDefinition> defs = segments();
      int half = steps.size() / 2;
      for (int i = 0; i < defs.size() / 2; i++) {
        segments.save(defs.get(i));
      }
      int m = 0;
      for (int i = 0; i < steps.size(); i++) {
        if (i == half) {
          for (int j = defs.size() / 2; j < defs.size(); j++) {
            segments.save(defs.get(j));
          }
        }
        Step s = steps.get(i);
        if (s instanceof Ingest in) {
          cdp.ingest(event(in, "m" + m++, clock.instant()));
        } else if (s instanceof Advance a) {
          clock.advance(Duration.ofMinutes(a.minutes()));
          segments.runDue();
        } else if (s instanceof Unmerge u && u.a() != u.b()) {
          try {
            cdp.profiles().unmerge(UNIVERSE.get(u.a()), UNIVERSE.get(u.b()));
          } catch (IllegalArgumentException unknown) {
            // an identifier not seen yet
          }
        }
        check(segments, heard);
      }
      // Far in the future, every window has slid past every event.
      clock.advance(Duration.ofDays(30));
      segments.runDue();
      check(segments, heard);
    }
  }

  static void check(Segments segments, Map<String, Set<ProfileId>> heard) {
    List<String> ids = segments.list().stream().map(SegmentDefinition::id).toList();
    SegmentSnapshot batch = segments.evaluate(ids, io.cdpkit.core.ProgressListener.none());
    for (String id : ids) {
      Set<ProfileId> stored = new TreeSet<>((a, b) -> a.value().compareTo(b.value()));
      for (Membership mb : segments.members(id, null, 10_000)) {
        stored.add(mb.profile());
      }
      Set<ProfileId> expected = new TreeSet<>((a, b) -> a.value().compareTo(b.value()));
      expected.addAll(batch.members(id));
      assertThat(stored).as("segment %s at %s", id, batch.at()).isEqualTo(expected);
      assertThat(heard.getOrDefault(id, Set.of())).as("heard of segment %s", id)
          .containsExactlyInAnyOrderElementsOf(expected);
    }
  }

  static Event event(Ingest in, String messageId, Instant now) {
    Instant t = now.minus(Duration.ofMinutes(in.minutesBack()));
    Event.Builder b = switch (in.kind()) {
      case 0, 1 -> Event.track("Order Completed").property("order_id", "O" + in.n())
          .property("total", BigDecimal.valueOf(10L * in.n() + 5)).property("currency", "EUR")
          .property("products", List.of(Map.of("category",
              in.n() % 3 == 0 ? "dresses" : "shoes")))
          .channel(in.n() % 2 == 0 ? "pos" : "web").storeId(in.n() % 2 == 0 ? "s1" : "s2");
      case 2 -> Event.track("Product Added").property("product_id", "P" + in.n());
      case 3 -> Event.identify().trait("tier", in.n() % 2 == 0 ? "gold" : "silver")
          .consent("marketing", "email", in.n() % 3 != 0);
      case 4 -> Event.track("Order Refunded").property("order_id", "O" + in.n());
      case 6 -> Event.track(LoyaltyTraits.EARNED_EVENT).property("points", 5L * in.n())
          .property("expires_at", in.n() % 2 == 0 ? null
              : t.plus(Duration.ofHours(3L * in.n())).toString());
      case 7 -> Event.track(in.n() < 5 ? LoyaltyTraits.REDEEMED_EVENT
          : LoyaltyTraits.EXPIRED_EVENT).property("points", 3L * in.n());
      default -> Event.page("Home").channel("web");
    };
    for (int i : new HashSet<>(in.ids())) {
      b.identifier(UNIVERSE.get(i));
    }
    return b.timestamp(t).messageId(messageId).build();
  }
}
