package io.cdpkit.core.traits;

import static org.assertj.core.api.Assertions.assertThat;

import io.cdpkit.core.Cdp;
import io.cdpkit.core.model.Event;
import io.cdpkit.core.model.Identifier;
import io.cdpkit.core.model.Profile;
import io.cdpkit.core.model.WorkspaceId;
import io.cdpkit.core.spi.storage.Store;
import io.cdpkit.core.testing.TestEvents;
import java.math.BigDecimal;
import java.math.MathContext;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * Computed traits always equal what a plain recomputation from the profile's events gives (an
 * oracle written here without partials or buckets), whatever the order events arrive in, across
 * late events, merges and unmerges, and for traits declared after the events were stored.
 */
class ComputedTraitsProperties {
  static final Instant NOW = Instant.parse("2026-06-10T12:00:00Z");
  static final Instant T0 = Instant.parse("2026-06-04T00:00:00Z");
  static final List<Identifier> UNIVERSE = List.of(
      Identifier.customerId("C0"), Identifier.customerId("C1"),
      Identifier.email("p0@example.org"), Identifier.email("p1@example.org"),
      Identifier.anonymousId("a0"), Identifier.anonymousId("a1"), Identifier.anonymousId("a2"),
      Identifier.loyaltyCard("770"));

  static final List<ComputedTrait> TRAITS = traits();

  static List<ComputedTrait> traits() {
    List<ComputedTrait> out = new ArrayList<>();
    EventFilter orders = EventFilter.named("Order Completed");
    EventFilter dresses = EventFilter.named("Order Completed").and(PropertyCondition.any(
        "products", PropertyCondition.of("category", Operator.EQ, "dresses"),
        PropertyCondition.of("size", Operator.IN, "M", "L")));
    int i = 0;
    for (Window w : List.of(Window.allTime(), Window.lastDays(2), Window.lastDays(5))) {
      out.add(ComputedTrait.builder("count_" + i, Aggregation.COUNT).filter(orders).window(w)
          .build());
      out.add(ComputedTrait.builder("dresses_" + i, Aggregation.COUNT).filter(dresses).window(w)
          .build());
      out.add(ComputedTrait.builder("sum_" + i, Aggregation.SUM).filter(orders)
          .property("products[].price").window(w).build());
      out.add(ComputedTrait.builder("avg_" + i, Aggregation.AVERAGE).filter(orders)
          .property("total").window(w).build());
      out.add(ComputedTrait.builder("min_" + i, Aggregation.MIN).property("size").window(w)
          .build());
      out.add(ComputedTrait.builder("max_" + i, Aggregation.MAX).window(w).build());
      out.add(ComputedTrait.builder("first_" + i, Aggregation.FIRST).property("$channel")
          .window(w).build());
      out.add(ComputedTrait.builder("last_" + i, Aggregation.LAST).property("products[].category")
          .window(w).build());
      out.add(ComputedTrait.builder("freq_" + i, Aggregation.MOST_FREQUENT)
          .property("products[].category").window(w).build());
      out.add(ComputedTrait.builder("distinct_" + i, Aggregation.DISTINCT_COUNT)
          .property("size").window(w).build());
      out.add(ComputedTrait.builder("list_" + i, Aggregation.UNIQUE_LIST).property("$event")
          .window(w).build());
      out.add(ComputedTrait.builder("recent_" + i, Aggregation.RECENT).property("size")
          .window(w).build());
      out.add(ComputedTrait.builder("timeline_" + i, Aggregation.TIMELINE).property("$channel")
          .window(w).build());
      i++;
    }
    return List.copyOf(out);
  }

  static Cdp newCdp(Store store, boolean withTraits) {
    Cdp.Builder b = Cdp.builder().clock(Clock.fixed(NOW, ZoneOffset.UTC)).store(store);
    if (withTraits) {
      TRAITS.forEach(b::computedTrait);
    }
    return b.build();
  }

  @Provide
  Arbitrary<List<Event>> events() {
    Arbitrary<Integer> ids = Arbitraries.integers().between(0, UNIVERSE.size() - 1);
    Arbitrary<Event> event = Combinators.combine(
        Arbitraries.integers().between(0, 4),              // kind
        ids.list().ofMinSize(1).ofMaxSize(3),                // identifiers
        Arbitraries.integers().between(0, 9 * 24 * 4),       // quarter hours from T0
        Arbitraries.of("dresses", "shoes", "bags"),
        Arbitraries.of("S", "M", "L"),
        Arbitraries.integers().between(0, 99_999))
        .as(ComputedTraitsProperties::event);
    return event.list().ofMinSize(1).ofMaxSize(30).map(TestEvents::withUniqueIds);
  }

  static Event event(int kind, List<Integer> idx, int quarters, String category, String size,
      int cents) {
    Instant t = T0.plusSeconds(900L * quarters);
    Event.Builder b = switch (kind) {
      case 0, 1 -> Event.track("Order Completed").property("order_id", "O" + cents % 7)
          .property("total", cents % 3 == 0 ? (Object) (long) (cents / 100)
              : BigDecimal.valueOf(cents, 2))
          .property("products", List.of(
              Map.of("category", category, "size", size, "price", BigDecimal.valueOf(cents, 2)),
              Map.of("category", cents % 2 == 0 ? "dresses" : "shoes", "price", (long) kind)));
      case 2 -> Event.track("Product Viewed").property("size", size)
          .property("products", List.of(Map.of("category", category)));
      case 3 -> Event.identify().trait("size", size);
      default -> Event.page("Home").property("size", cents % 5 == 0 ? 42L : size);
    };
    for (int i : new HashSet<>(idx)) {
      b.identifier(UNIVERSE.get(i));
    }
    return b.channel(cents % 4 == 0 ? "pos" : cents % 4 == 1 ? "web" : null).timestamp(t)
        .messageId("tmp").build();
  }

  @Property(tries = 200)
  void incrementalValuesEqualRecomputationInAnyOrder(@ForAll("events") List<Event> events,
      @ForAll Random random) {
    List<Event> shuffled = new ArrayList<>(events);
    Collections.shuffle(shuffled, random);
    try (Cdp cdp = newCdp(Store.inMemory(), true)) {
      shuffled.forEach(cdp::ingest);
      checkAgainstOracle(cdp);
    }
  }

  @Property(tries = 100)
  void valuesStayExactAcrossMergeAndUnmerge(@ForAll("events") List<Event> events,
      @ForAll Random random) {
    try (Cdp cdp = newCdp(Store.inMemory(), true)) {
      cdp.ingest(events);
      Identifier a = UNIVERSE.get(random.nextInt(UNIVERSE.size()));
      Identifier b = UNIVERSE.get(random.nextInt(UNIVERSE.size()));
      cdp.ingest(Event.track("Order Completed").messageId("late-link").identifier(a)
          .identifier(b).property("total", 5L).property("products", List.of(
              Map.of("category", "dresses", "size", "M", "price", 7L)))
          .timestamp(T0.plusSeconds(3600)).build());
      checkAgainstOracle(cdp);
      if (!a.equals(b)) {
        cdp.profiles().unmerge(a, b);
        checkAgainstOracle(cdp);
      }
    }
  }

  @Property(tries = 60)
  void traitsDeclaredLaterAreRecomputedFromStoredEvents(@ForAll("events") List<Event> events) {
    Store store = Store.inMemory();
    try (Cdp before = newCdp(store, false)) {
      before.ingest(events);
    }
    try (Cdp after = newCdp(store, true)) {
      checkAgainstOracle(after);
    }
    // Reopening with the traits finds them kept and changes nothing.
    try (Cdp again = newCdp(store, true)) {
      checkAgainstOracle(again);
    }
  }

  static void checkAgainstOracle(Cdp cdp) {
    Set<String> seen = new HashSet<>();
    for (Identifier id : UNIVERSE) {
      Optional<Profile> p = cdp.profiles().find(id);
      if (p.isEmpty() || !seen.add(p.get().id().value())) {
        continue;
      }
      List<Event> evs = cdp.profiles().events(p.get().id());
      Map<String, Object> expected = new TreeMap<>();
      for (ComputedTrait t : TRAITS) {
        oracle(t, evs).ifPresent(v -> expected.put(t.name(), v));
      }
      assertThat(p.get().computedTraits()).as("profile with %s", p.get().identifiers())
          .isEqualTo(expected);
    }
  }

  /** The value recomputed from the events directly. */
  static Optional<Object> oracle(ComputedTrait t, List<Event> events) {
    long today = LocalDate.ofInstant(NOW, ZoneOffset.UTC).toEpochDay();
    List<Event> in = new ArrayList<>();
    for (Event e : events) {
      long day = LocalDate.ofInstant(e.eventTime(), ZoneOffset.UTC).toEpochDay();
      if (t.filter().test(e)
          && (t.window().isAllTime() || day >= today - t.window().days() + 1)) {
        in.add(e);
      }
    }
    in.sort((x, y) -> x.key().compareTo(y.key()));
    Map<Event, List<Object>> values = new HashMap<>();
    List<Object> all = new ArrayList<>();
    for (Event e : in) {
      List<Object> vs = new ArrayList<>();
      if (t.property() == null) {
        vs.add(e.eventTime());
      } else {
        for (Object v : t.property().values(e)) {
          if (Values.isScalar(v)) {
            vs.add(Values.canonical(v));
          }
        }
      }
      values.put(e, vs);
      all.addAll(vs);
    }
    switch (t.aggregation()) {
      case COUNT:
        return Optional.of((long) in.size());
      case SUM:
      case AVERAGE: {
        BigDecimal sum = BigDecimal.ZERO;
        long n = 0;
        for (Object v : all) {
          if (Values.number(v) != null) {
            sum = sum.add(Values.number(v));
            n++;
          }
        }
        if (t.aggregation() == Aggregation.SUM) {
          return Optional.of(sum);
        }
        return n == 0 ? Optional.empty()
            : Optional.of(sum.divide(BigDecimal.valueOf(n), MathContext.DECIMAL64));
      }
      case MIN:
        return all.stream().min(Values.ORDER);
      case MAX:
        return all.stream().max(Values.ORDER);
      case FIRST:
        for (Event e : in) {
          if (!values.get(e).isEmpty()) {
            return Optional.of(values.get(e).get(0));
          }
        }
        return Optional.empty();
      case LAST:
        for (int i = in.size() - 1; i >= 0; i--) {
          List<Object> vs = values.get(in.get(i));
          if (!vs.isEmpty()) {
            return Optional.of(vs.get(vs.size() - 1));
          }
        }
        return Optional.empty();
      case MOST_FREQUENT: {
        Map<Object, Long> count = new HashMap<>();
        Map<Object, Instant> last = new HashMap<>();
        for (Event e : in) {
          for (Object v : values.get(e)) {
            count.merge(v, 1L, Long::sum);
            last.merge(v, e.eventTime(), (a, b) -> a.isAfter(b) ? a : b);
          }
        }
        return count.keySet().stream().max((a, b) -> {
          int c = Long.compare(count.get(a), count.get(b));
          if (c != 0) {
            return c;
          }
          c = last.get(a).compareTo(last.get(b));
          return c != 0 ? c : Values.ORDER.compare(b, a);
        });
      }
      case DISTINCT_COUNT:
        return Optional.of((long) new HashSet<>(all).size());
      case UNIQUE_LIST: {
        List<Object> l = new ArrayList<>(new HashSet<>(all));
        l.sort(Values.ORDER);
        return Optional.of(l);
      }
      case TIMELINE:
        return Optional.of((long) in.size());
      case RECENT: {
        Map<Object, Instant> latest = new HashMap<>();
        for (Event e : in) {
          for (Object v : values.get(e)) {
            latest.merge(v, e.eventTime(), (a, b) -> a.isAfter(b) ? a : b);
          }
        }
        List<Object> l = new ArrayList<>(latest.keySet());
        l.sort((a, b) -> {
          int c = latest.get(b).compareTo(latest.get(a));
          return c != 0 ? c : Values.ORDER.compare(a, b);
        });
        return Optional.of(l.subList(0, Math.min(Partial.Recent.MAX_VALUES, l.size())));
      }
      default:
        throw new AssertionError(t.aggregation());
    }
  }

  @Property(tries = 1)
  void workspacesOtherThanTheDefaultAreCheckedWhenOpened() {
    Store store = Store.inMemory();
    WorkspaceId shop2 = WorkspaceId.of("shop-2");
    try (Cdp before = newCdp(store, false)) {
      before.workspace(shop2).ingest(Event.track("Order Completed").messageId("x").userId("C0")
          .property("total", 3L).timestamp(NOW).build());
    }
    try (Cdp after = newCdp(store, true)) {
      Profile p = after.workspace(shop2).profiles().find(Identifier.customerId("C0"))
          .orElseThrow();
      assertThat(p.computedTraits()).containsEntry("count_0", 1L).containsEntry("avg_1",
          new BigDecimal("3"));
    }
  }
}
