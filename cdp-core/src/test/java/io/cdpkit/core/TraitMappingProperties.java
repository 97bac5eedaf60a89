package io.cdpkit.core;

import static org.assertj.core.api.Assertions.assertThat;

import io.cdpkit.core.model.Event;
import io.cdpkit.core.model.Identifier;
import io.cdpkit.core.model.IdentifierType;
import io.cdpkit.core.model.ProfileState;
import io.cdpkit.core.spi.storage.Store;
import io.cdpkit.core.testing.TestEvents;
import io.cdpkit.core.traits.TraitMapping;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;

/**
 * The profile laws with nested traits ({@code address} maps, whole and partial, and a poisoned
 * non-map {@code address}) and with a trait mapping (track properties and {@code context.traits}
 * that set the same traits identify sets): any ingestion order gives the same profiles, a
 * recomputation from events gives what incremental ingestion gave, and merge then unmerge
 * restores the separate profiles.
 */
class TraitMappingProperties {
  static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
  static final List<Identifier> UNIVERSE = List.of(Identifier.customerId("C0"),
      Identifier.customerId("C1"), Identifier.email("p0@example.org"),
      Identifier.anonymousId("a0"), Identifier.anonymousId("a1"), Identifier.anonymousId("a2"));

  static final TraitMapping MAPPING = TraitMapping.builder()
      .property("Order Completed", "shipping.country", "country")
      .property("Order Completed", "locale", "language")
      .property("Order Completed", "shipping", "address")
      .contextTraits("country", "language")
      .build();

  static Cdp newCdp(TraitMapping mapping, Store store) {
    return Cdp.builder().store(store)
        .clock(Clock.fixed(Instant.parse("2026-06-01T00:00:00Z"), ZoneOffset.UTC))
        .sourcePriority("crm", 10).traitMapping(mapping).build();
  }

  static Set<Map.Entry<List<Identifier>, ProfileState>> canonical(Cdp cdp,
      List<Identifier> universe) {
    Set<Map.Entry<List<Identifier>, ProfileState>> out = new HashSet<>();
    for (Identifier id : universe) {
      cdp.profiles().find(id).ifPresent(p -> out.add(Map.entry(p.identifiers(), p.state())));
    }
    return out;
  }

  static Set<Map.Entry<List<Identifier>, ProfileState>> ingested(List<Event> events) {
    try (Cdp cdp = newCdp(MAPPING, Store.inMemory())) {
      events.forEach(cdp::ingest);
      return canonical(cdp, UNIVERSE);
    }
  }

  static Map<String, Object> address(int n, boolean whole) {
    Map<String, Object> a = new LinkedHashMap<>();
    if (whole) {
      a.put("street", "Street " + n);
      a.put("postalCode", "100" + n + "AB");
      a.put("country", n % 2 == 0 ? "NL" : "BE");
    }
    a.put("city", "City " + n);
    return a;
  }

  @Provide
  Arbitrary<List<Event>> events() {
    Arbitrary<Integer> ids = Arbitraries.integers().between(0, UNIVERSE.size() - 1);
    Arbitrary<Event> event = Combinators.combine(
        Arbitraries.integers().between(0, 7),
        ids.list().ofMinSize(1).ofMaxSize(2),
        Arbitraries.integers().between(0, 6),            // minute: ties happen
        Arbitraries.integers().between(0, 3),
        Arbitraries.of("crm", "web-shop"))
        .as(TraitMappingProperties::event);
    return event.list().ofMinSize(1).ofMaxSize(20).map(TestEvents::withUniqueIds);
  }

  static Event event(int kind, List<Integer> idx, int minute, int n, String source) {
    Map<String, Object> ctx = new LinkedHashMap<>();
    Event.Builder b = switch (kind) {
      case 0 -> Event.identify().trait("address", address(n, true));
      case 1 -> Event.identify().trait("address", address(n, false)); // only a city
      case 2 -> Event.identify().trait("address", "Street " + n + " (one line)"); // not a map
      case 3 -> {
        ctx.put("language", "ctx-" + n);
        yield Event.track("Order Completed").property("order_id", "O" + n)
            .property("shipping", address(n, true)).property("locale", "nl-" + n);
      }
      case 4 -> {
        ctx.put("country", "C" + n);
        ctx.put("language", "L" + n);
        ctx.put("tier", "not listed");
        yield Event.page("Home");
      }
      case 5 -> {
        ctx.put("country", "X" + n);
        yield Event.identify().trait("country", "I" + n);
      }
      case 6 -> Event.track("Order Completed").property("order_id", "O" + n)
          .property("locale", null);
      default -> Event.identify().trait("country", null); // an unset
    };
    idx.stream().distinct().map(UNIVERSE::get).forEach(b::identifier);
    Event e = b.source(source).timestamp(T0.plusSeconds(60L * minute)).messageId("tmp").build();
    return ctx.isEmpty() ? e : withContextTraits(e, ctx);
  }

  static Event withContextTraits(Event e, Map<String, ?> traits) {
    return e.withContext(e.context().toBuilder().traits(traits).build());
  }

  @Property(tries = 200)
  void anyIngestionOrderGivesTheSameProfiles(@ForAll("events") List<Event> events,
      @ForAll Random random) {
    List<Event> shuffled = new ArrayList<>(events);
    Collections.shuffle(shuffled, random);
    List<Event> sorted = new ArrayList<>(events);
    sorted.sort((a, b) -> a.key().compareTo(b.key()));
    Set<Map.Entry<List<Identifier>, ProfileState>> expected = ingested(sorted);
    assertThat(ingested(shuffled)).isEqualTo(expected);
    try (Cdp cdp = newCdp(MAPPING, Store.inMemory())) {
      cdp.ingest(shuffled); // one batch
      assertThat(canonical(cdp, UNIVERSE)).isEqualTo(expected);
    }
  }

  @Property(tries = 100)
  void recomputationEqualsIncrementalIngestion(@ForAll("events") List<Event> events) {
    Set<Map.Entry<List<Identifier>, ProfileState>> incremental = ingested(events);
    Store store = Store.inMemory();
    try {
      // Built without a mapping, then opened with one: the profiles are recomputed from their
      // events under the new mapping.
      try (Cdp before = newCdp(TraitMapping.NONE, store)) {
        events.forEach(before::ingest);
      }
      try (Cdp after = newCdp(MAPPING, store)) {
        assertThat(canonical(after, UNIVERSE)).isEqualTo(incremental);
      }
      // And back: the mapped traits leave again.
      try (Cdp none = newCdp(TraitMapping.NONE, store)) {
        Set<Map.Entry<List<Identifier>, ProfileState>> plain;
        try (Cdp fresh = newCdp(TraitMapping.NONE, Store.inMemory())) {
          events.forEach(fresh::ingest);
          plain = canonical(fresh, UNIVERSE);
        }
        assertThat(canonical(none, UNIVERSE)).isEqualTo(plain);
      }
    } finally {
      store.close();
    }
  }

  @Property(tries = 100)
  void mergeThenUnmergeRestoresTheSeparateProfiles(@ForAll("events") List<Event> left,
      @ForAll("events") List<Event> right, @ForAll @IntRange(min = 0, max = 2) int anon) {
    List<Event> all = new ArrayList<>(left);
    List<Identifier> rightUniverse = new ArrayList<>();
    for (Identifier i : UNIVERSE) {
      rightUniverse.add(renamed(i));
    }
    for (Event e : right) {
      List<Identifier> ids = e.identifiers().stream().map(TraitMappingProperties::renamed)
          .toList();
      all.add(new Event(e.type(), "r-" + e.messageId(), null, null, null, null, e.name(),
          ids, e.properties(), e.traits(), e.context(), e.consents(), e.timestamp(), null,
          null, null, Map.of()));
    }
    Identifier leftAnon = Identifier.anonymousId("a" + anon);
    Identifier rightCustomer = Identifier.customerId("RC0");
    all.add(Event.identify().messageId("seed-l").anonymousId(leftAnon.value())
        .timestamp(T0).build());
    all.add(Event.identify().messageId("seed-r").userId(rightCustomer.value())
        .timestamp(T0).build());
    List<Identifier> both = new ArrayList<>(UNIVERSE);
    both.addAll(rightUniverse);
    try (Cdp cdp = newCdp(MAPPING, Store.inMemory())) {
      all.forEach(cdp::ingest);
      Set<Map.Entry<List<Identifier>, ProfileState>> before = canonical(cdp, both);
      cdp.ingest(Event.alias(leftAnon.value()).messageId("link").userId(rightCustomer.value())
          .timestamp(T0.plusSeconds(300)).build());
      cdp.profiles().unmerge(leftAnon, rightCustomer);
      assertThat(canonical(cdp, both)).isEqualTo(before);
    }
  }

  static Identifier renamed(Identifier i) {
    return Identifier.of(i.type(), i.type().equals(IdentifierType.EMAIL) ? "r" + i.value()
        : "R" + i.value());
  }
}
