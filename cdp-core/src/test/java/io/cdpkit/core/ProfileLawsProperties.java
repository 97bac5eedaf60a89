package io.cdpkit.core;

import static org.assertj.core.api.Assertions.assertThat;

import io.cdpkit.core.model.Channels;
import io.cdpkit.core.model.ConsentChange;
import io.cdpkit.core.model.ConsentProof;
import io.cdpkit.core.model.LawfulBasis;
import io.cdpkit.core.model.Event;
import io.cdpkit.core.model.Identifier;
import io.cdpkit.core.model.IdentifierType;
import io.cdpkit.core.model.Profile;
import io.cdpkit.core.model.ProfileState;
import io.cdpkit.core.testing.TestEvents;
import java.math.BigDecimal;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;

/**
 * The engine's laws, over random events drawn from a small universe of identifiers so that links,
 * limit conflicts, late events, ties of event time and shared orders happen often.
 */
class ProfileLawsProperties {
  static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
  static final List<Identifier> UNIVERSE = universe();

  static List<Identifier> universe() {
    List<Identifier> u = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      u.add(Identifier.customerId("C" + i));
      u.add(Identifier.email("p" + i + "@example.org"));
      u.add(Identifier.loyaltyCard("77" + i));
    }
    for (int i = 0; i < 5; i++) {
      u.add(Identifier.anonymousId("a" + i));
    }
    u.add(Identifier.phone("+31612345670"));
    return List.copyOf(u);
  }

  static Cdp newCdp() {
    return Cdp.builder()
        .clock(Clock.fixed(Instant.parse("2026-06-01T00:00:00Z"), ZoneOffset.UTC))
        .sourcePriority("crm", 10)
        .build();
  }

  /** Every profile as (identifiers, state), independent of profile ids. */
  static Set<Map.Entry<List<Identifier>, ProfileState>> canonical(Cdp cdp) {
    Set<Map.Entry<List<Identifier>, ProfileState>> out = new HashSet<>();
    for (Identifier id : UNIVERSE) {
      cdp.profiles().find(id).ifPresent(p -> out.add(Map.entry(p.identifiers(), p.state())));
    }
    return out;
  }

  static Set<Map.Entry<List<Identifier>, ProfileState>> ingestedInOrder(List<Event> events) {
    try (Cdp cdp = newCdp()) {
      events.forEach(cdp::ingest);
      return canonical(cdp);
    }
  }

  @Provide
  Arbitrary<List<Event>> events() {
    Arbitrary<Integer> ids = Arbitraries.integers().between(0, UNIVERSE.size() - 1);
    Arbitrary<Event> event = Combinators.combine(
        Arbitraries.integers().between(0, 6),          // kind
        ids.list().ofMinSize(1).ofMaxSize(3),            // identifiers
        Arbitraries.integers().between(0, 12),          // minute: ties happen
        Arbitraries.integers().between(0, 3),           // order id / trait value
        Arbitraries.of("crm", "pos", "web-shop"),       // source
        Arbitraries.integers().between(1, 9999))        // amount in cents
        .as(ProfileLawsProperties::event);
    return event.list().ofMinSize(1).ofMaxSize(25).map(TestEvents::withUniqueIds);
  }


  static Event event(int kind, List<Integer> idx, int minute, int n, String source,
      int cents) {
    List<Identifier> ids = idx.stream().distinct().map(UNIVERSE::get).toList();
    Instant t = T0.plusSeconds(60L * minute);
    Event.Builder b = switch (kind) {
      case 0 -> Event.identify().trait("tier", "t" + n).trait("nick", n % 2 == 0 ? null : "x");
      case 1 -> Event.page("Home");
      case 2 -> Event.track("Order Completed").property("order_id", "O" + n)
          .property("total", BigDecimal.valueOf(cents, 2)).property("currency", "EUR");
      case 3 -> Event.track("Order Refunded").property("order_id", "O" + n)
          .property("total", n == 0 ? null : BigDecimal.valueOf(cents / 3, 2))
          .property("currency", "EUR");
      case 4 -> Event.track("Newsletter Opened " + n)
          .consent("marketing", "email", n % 2 == 0);
      case 5 -> Event.track("Product Viewed").property("category", "dresses");
      default -> Event.identify().consent(evidence(n, source, t))
          .consent("marketing", "email", n % 2 == 1)
          .trait("tier", "t" + (n + 1));
    };
    for (Identifier id : ids) {
      b.identifier(id);
    }
    b.channel(n % 2 == 0 ? Channels.WEB : Channels.POS).storeId(n == 3 ? "s1" : null);
    return b.source(source).timestamp(t).messageId("tmp").build();
  }

  /**
   * A marketing/email decision with evidence that varies with {@code n}: ties of time between
   * decisions that differ only in evidence happen, so the register's order must be total.
   */
  static ConsentChange evidence(int n, String source, Instant t) {
    ConsentChange.Builder b = ConsentChange.builder("marketing", "email", n % 2 == 1)
        .source(source);
    if (n >= 2) {
      b.expiresAt(t.plusSeconds(60L * n)).policyVersion("v" + n)
          .basis(n == 3 ? LawfulBasis.LEGITIMATE_INTERESTS : LawfulBasis.CONSENT)
          .proof(new ConsentProof("form-" + n, null, null));
    }
    return b.build();
  }

  @Property(tries = 300)
  void anyIngestionOrderGivesTheSameProfiles(@ForAll("events") List<Event> events,
      @ForAll Random random) {
    List<Event> shuffled = new ArrayList<>(events);
    Collections.shuffle(shuffled, random);
    List<Event> sorted = new ArrayList<>(events);
    sorted.sort((a, b) -> a.key().compareTo(b.key()));
    Set<Map.Entry<List<Identifier>, ProfileState>> expected = ingestedInOrder(sorted);
    assertThat(ingestedInOrder(shuffled)).isEqualTo(expected);
    assertThat(ingestedInOrder(events)).isEqualTo(expected);
  }

  @Property(tries = 60)
  void anySplitAcrossThreadsGivesTheSameProfiles(@ForAll("events") List<Event> events,
      @ForAll Random random, @ForAll @IntRange(min = 2, max = 4) int threads) throws Exception {
    Set<Map.Entry<List<Identifier>, ProfileState>> expected = ingestedInOrder(events);
    List<List<Event>> parts = new ArrayList<>();
    for (int i = 0; i < threads; i++) {
      parts.add(new ArrayList<>());
    }
    for (Event e : events) {
      parts.get(random.nextInt(threads)).add(e);
    }
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try (Cdp cdp = newCdp()) {
      List<Future<?>> done = new ArrayList<>();
      for (int i = 0; i < threads; i++) {
        List<Event> part = parts.get(i);
        boolean batch = i % 2 == 0;
        done.add(pool.submit(() -> {
          if (batch) {
            cdp.ingest(part);
          } else {
            part.forEach(cdp::ingest);
          }
        }));
      }
      for (Future<?> f : done) {
        f.get();
      }
      assertThat(canonical(cdp)).isEqualTo(expected);
    } finally {
      pool.shutdownNow();
    }
  }

  @Property(tries = 150)
  void reIngestingAnySubsetChangesNothing(@ForAll("events") List<Event> events,
      @ForAll Random random) {
    try (Cdp cdp = newCdp()) {
      events.forEach(cdp::ingest);
      Set<Map.Entry<List<Identifier>, ProfileState>> before = canonical(cdp);
      List<Event> subset = events.stream().filter(e -> random.nextBoolean()).toList();
      BatchResult r = cdp.ingest(subset);
      assertThat(r.duplicates()).isEqualTo(subset.size());
      subset.forEach(e -> assertThat(cdp.ingest(e).status())
          .isEqualTo(IngestResult.Status.DUPLICATE));
      assertThat(canonical(cdp)).isEqualTo(before);
    }
  }

  @Property(tries = 200)
  void mergeThenUnmergeRestoresTheSeparateProfiles(@ForAll("events") List<Event> left,
      @ForAll("events") List<Event> right, @ForAll @IntRange(min = 0, max = 4) int anon) {
    // Left events use the universe as is; right events get their own identifiers, so the two
    // sides share nothing until the alias.
    List<Event> all = new ArrayList<>(left);
    for (Event e : right) {
      List<Identifier> ids = e.identifiers().stream()
          .map(i -> Identifier.of(i.type(), i.type().equals(IdentifierType.EMAIL)
              ? "r" + i.value() : i.type().equals(IdentifierType.PHONE)
              ? "+31612345679" : "R" + i.value()))
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
    try (Cdp cdp = newCdp()) {
      all.forEach(cdp::ingest);
      Set<Map.Entry<List<Identifier>, ProfileState>> before = canonicalWithRight(cdp, right);

      cdp.ingest(Event.alias(leftAnon.value()).messageId("link").userId(rightCustomer.value())
          .timestamp(T0.plusSeconds(300)).build());
      cdp.profiles().unmerge(leftAnon, rightCustomer);

      assertThat(canonicalWithRight(cdp, right)).isEqualTo(before);
      Profile l = cdp.profiles().find(leftAnon).orElseThrow();
      assertThat(l.identifiers()).doesNotContain(rightCustomer);
    }
  }

  static Set<Map.Entry<List<Identifier>, ProfileState>> canonicalWithRight(Cdp cdp,
      List<Event> right) {
    Set<Map.Entry<List<Identifier>, ProfileState>> out = new HashSet<>(canonical(cdp));
    Set<Identifier> rightIds = new HashSet<>();
    rightIds.add(Identifier.customerId("RC0"));
    for (Event e : right) {
      for (Identifier i : e.identifiers()) {
        rightIds.add(Identifier.of(i.type(), i.type().equals(IdentifierType.EMAIL)
            ? "r" + i.value() : i.type().equals(IdentifierType.PHONE)
            ? "+31612345679" : "R" + i.value()));
      }
    }
    for (Identifier id : rightIds) {
      cdp.profiles().find(id).ifPresent(p -> out.add(Map.entry(p.identifiers(), p.state())));
    }
    return out;
  }
}
