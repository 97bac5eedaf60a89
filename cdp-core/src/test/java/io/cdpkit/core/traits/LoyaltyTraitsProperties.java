package io.cdpkit.core.traits;

import static org.assertj.core.api.Assertions.assertThat;

import io.cdpkit.core.Cdp;
import io.cdpkit.core.model.Event;
import io.cdpkit.core.model.Identifier;
import io.cdpkit.core.model.ProfileState;
import io.cdpkit.core.spi.storage.Store;
import io.cdpkit.core.testing.MutableClock;
import io.cdpkit.core.testing.TestEvents;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.TreeMap;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import org.jspecify.annotations.Nullable;

/**
 * Laws of {@link LoyaltyTraits}: every value equals a recomputation written here another way
 * (point by point rather than lot by lot), for any arrival order; merging two profiles gives what
 * one profile with all the events gives; no value changes before the next change reported.
 */
class LoyaltyTraitsProperties {
  static final Instant BASE = Instant.parse("2026-01-01T00:00:00Z");
  static final LoyaltyProgram DEFAULT = LoyaltyProgram.builder("default").validityDays(60)
      .tier("basic", 0).tier("silver", 100).tier("gold", 300).tierPeriodDays(30).build();
  static final LoyaltyProgram CLUB = LoyaltyProgram.builder("club").tier("member", 1).build();
  static final ComputedTraits PACK = LoyaltyTraits.of(DEFAULT, CLUB);
  static final String[] NAMES = {LoyaltyTraits.EARNED_EVENT, LoyaltyTraits.REDEEMED_EVENT,
      LoyaltyTraits.EXPIRED_EVENT, LoyaltyTraits.ADJUSTED_EVENT};

  @Provide
  Arbitrary<List<Event>> stories() {
    Arbitrary<Event> event = Combinators.combine(
        Arbitraries.integers().between(0, 5),                      // kind (earned twice as often)
        Arbitraries.integers().between(0, 200 * 24),               // hours from BASE
        Arbitraries.integers().between(-60, 60),                   // points
        Arbitraries.of("default", " DEFAULT", "club", "other").injectNull(0.4),
        Arbitraries.integers().between(-48, 90 * 24).injectNull(0.5), // expiry, hours after
        Arbitraries.of("pos", "web"))
        .as(LoyaltyTraitsProperties::event);
    return event.list().ofMaxSize(20).map(TestEvents::withUniqueIds);
  }

  static Event event(int kind, int hours, int points, @Nullable String program,
      @Nullable Integer expiryHours, String channel) {
    String name = NAMES[Math.max(0, kind - 2)];
    long p = name.equals(LoyaltyTraits.ADJUSTED_EVENT) ? points : Math.abs(points);
    Instant t = BASE.plus(Duration.ofHours(hours));
    Event.Builder b = Event.track(name).userId("C-1").channel(channel).timestamp(t)
        .messageId("tmp").property("points", p);
    if (program != null) {
      b.property("program", program);
    }
    if (expiryHours != null) {
      b.property("expires_at", t.plus(Duration.ofHours(expiryHours)).toString());
    }
    return b.build();
  }

  static ProfileState fold(List<Event> events) {
    ProfileState s = ProfileState.EMPTY;
    for (Event e : events) {
      s = s.join(ProfileState.EMPTY.withComputed(PACK.contributions(e, e.eventTime())));
    }
    return s;
  }

  /** The values of one program's traits. */
  static Map<String, Object> ofProgram(Map<String, Object> values, LoyaltyProgram p) {
    Map<String, Object> out = new TreeMap<>();
    values.forEach((k, v) -> {
      if (k.startsWith("loyalty_" + p.name() + "_")) {
        out.put(k, v);
      }
    });
    return out;
  }

  @Property(tries = 400)
  void valuesEqualAPointByPointRecomputation(@ForAll("stories") List<Event> events,
      @ForAll @IntRange(min = -24, max = 300 * 24) int nowHours, @ForAll Random random) {
    List<Event> shuffled = new ArrayList<>(events);
    Collections.shuffle(shuffled, random);
    ProfileState state = fold(shuffled);
    Instant now = BASE.plus(Duration.ofHours(nowHours)).plusSeconds(random.nextInt(3600));
    Map<String, Object> values = PACK.values(state, now);
    Map<String, Object> expected = new TreeMap<>();
    expected.putAll(oracle(events, DEFAULT, now));
    expected.putAll(oracle(events, CLUB, now));
    expected.put(LoyaltyTraits.LEDGER, (long) events.size());
    assertThat(values).isEqualTo(expected);
    assertThat(state).isEqualTo(fold(events));
  }

  @Property(tries = 300)
  void noValueChangesBeforeTheNextChange(@ForAll("stories") List<Event> events,
      @ForAll @IntRange(min = -24, max = 300 * 24) int nowHours, @ForAll Random random) {
    ProfileState state = fold(events);
    Instant now = BASE.plus(Duration.ofHours(nowHours));
    Map<String, Object> values = PACK.values(state, now);
    for (LoyaltyProgram p : List.of(DEFAULT, CLUB)) {
      String name = LoyaltyTraits.balanceTrait(p.name());
      Optional<Instant> next = PACK.nextChange(name, state, now);
      assertThat(Optional.ofNullable(values.get(LoyaltyTraits.nextChangeAtTrait(p.name()))))
          .isEqualTo(next.map(i -> (Object) i));
      Instant end = next.orElse(now.plus(Duration.ofDays(400)));
      assertThat(end).isAfter(now);
      List<Instant> probes = new ArrayList<>(List.of(end.minusNanos(1)));
      long span = Duration.between(now, end).getSeconds();
      for (int i = 0; i < 6; i++) {
        probes.add(now.plusSeconds((long) (random.nextDouble() * span)));
      }
      for (Instant at : probes) {
        Map<String, Object> later = PACK.values(state, at);
        assertThat(ofProgram(later, p)).as("at %s, next %s", at, next)
            .isEqualTo(ofProgram(values, p));
      }
      for (String derived : List.of(LoyaltyTraits.tierTrait(p.name()),
          LoyaltyTraits.nextExpiryAtTrait(p.name()), LoyaltyTraits.tierPointsTrait(p.name()))) {
        if (PACK.contains(derived)) {
          Optional<Instant> n = PACK.nextChange(derived, state, now);
          assertThat(n.isEmpty() || !n.get().isAfter(end)).as(derived).isTrue();
        }
      }
    }
  }

  @Property(tries = 60)
  void mergingTwoProfilesEqualsOneProfileWithAllEvents(@ForAll("stories") List<Event> events,
      @ForAll Random random, @ForAll @IntRange(min = 0, max = 300 * 24) int nowHours) {
    Instant now = BASE.plus(Duration.ofHours(nowHours));
    MutableClock clock = new MutableClock(BASE.plus(Duration.ofDays(400)));
    Map<String, Object> merged;
    Map<String, Object> single;
    try (Cdp cdp = Cdp.builder().clock(clock).store(Store.inMemory())
        .computedTraits(PACK).build()) {
      List<Event> shuffled = new ArrayList<>(events);
      Collections.shuffle(shuffled, random);
      // Half the events go to an anonymous visitor, the rest to the customer; then a login
      // links them.
      for (Event e : shuffled) {
        boolean anon = random.nextBoolean();
        cdp.ingest(anon ? asAnonymous(e) : e);
      }
      cdp.ingest(Event.identify().messageId("login").userId("C-1").anonymousId("a-1")
          .timestamp(BASE).build());
      merged = PACK.values(cdp.profiles().find(Identifier.customerId("C-1")).orElseThrow()
          .state(), now);
    }
    try (Cdp cdp = Cdp.builder().clock(clock).store(Store.inMemory())
        .computedTraits(PACK).build()) {
      cdp.ingest(events);
      cdp.ingest(Event.identify().messageId("login").userId("C-1").anonymousId("a-1")
          .timestamp(BASE).build());
      single = PACK.values(cdp.profiles().find(Identifier.customerId("C-1")).orElseThrow()
          .state(), now);
    }
    assertThat(merged).isEqualTo(single);
    Map<String, Object> expected = new HashMap<>(oracle(events, DEFAULT, now));
    expected.putAll(oracle(events, CLUB, now));
    for (Map.Entry<String, Object> e : expected.entrySet()) {
      assertThat(merged.get(e.getKey())).as(e.getKey()).isEqualTo(e.getValue());
    }
  }

  @Property(tries = 40)
  void unmergeGivesWhatEachPersonsOwnEventsGive(@ForAll("stories") List<Event> events,
      @ForAll Random random, @ForAll @IntRange(min = 0, max = 300 * 24) int nowHours) {
    Instant now = BASE.plus(Duration.ofHours(nowHours));
    List<Event> customer = new ArrayList<>();
    List<Event> visitor = new ArrayList<>();
    for (Event e : events) {
      if (random.nextBoolean()) {
        visitor.add(asAnonymous(e));
      } else {
        customer.add(e);
      }
    }
    try (Cdp cdp = Cdp.builder().clock(new MutableClock(BASE.plus(Duration.ofDays(400))))
        .store(Store.inMemory()).computedTraits(PACK).build()) {
      List<Event> all = new ArrayList<>(customer);
      all.addAll(visitor);
      Collections.shuffle(all, random);
      all.add(random.nextInt(all.size() + 1), Event.identify().messageId("login")
          .userId("C-1").anonymousId("a-1").timestamp(BASE).build());
      cdp.ingest(all);
      Identifier c = Identifier.customerId("C-1");
      Identifier a = Identifier.anonymousId("a-1");
      assertThat(cdp.profiles().find(c).orElseThrow().id())
          .isEqualTo(cdp.profiles().find(a).orElseThrow().id());
      cdp.profiles().unmerge(c, a);
      assertThat(cdp.profiles().find(c).orElseThrow().id())
          .isNotEqualTo(cdp.profiles().find(a).orElseThrow().id());
      for (Map.Entry<Identifier, List<Event>> side : Map.of(c, customer, a, visitor).entrySet()) {
        Map<String, Object> values = PACK.values(cdp.profiles().find(side.getKey())
            .orElseThrow().state(), now);
        Map<String, Object> expected = new TreeMap<>(oracle(side.getValue(), DEFAULT, now));
        expected.putAll(oracle(side.getValue(), CLUB, now));
        expected.put(LoyaltyTraits.LEDGER, (long) side.getValue().size());
        assertThat(values).as("%s", side.getKey()).isEqualTo(expected);
      }
    }
  }

  static Event asAnonymous(Event e) {
    return new Event(e.type(), e.messageId(), null, "a-1", e.previousId(), e.groupId(),
        e.name(), e.identifiers(), e.properties(), e.traits(), e.context(), e.consents(),
        e.timestamp(), e.originalTimestamp(), e.sentAt(), e.receivedAt(), e.extra());
  }

  // -------------------------------------------------------------------------------------------
  // The oracle: one point at a time.

  /** One point of a credit. */
  record Unit(@Nullable Instant expiry, Instant time, String messageId) {}

  static final Comparator<Unit> SPEND = Comparator
      .comparing(Unit::expiry, Comparator.nullsLast(Comparator.naturalOrder()))
      .thenComparing(Unit::time).thenComparing(Unit::messageId);

  static String programOf(Event e) {
    Object p = e.properties().get("program");
    return p == null ? "default" : ((String) p).strip().toLowerCase(java.util.Locale.ROOT);
  }

  static boolean valid(Unit u, Instant t) {
    return u.expiry() == null || u.expiry().isAfter(t);
  }

  /** The program's values at {@code now} from the events directly (absent ones left out). */
  static Map<String, Object> oracle(List<Event> all, LoyaltyProgram program, Instant now) {
    List<Event> events = new ArrayList<>();
    Instant comes = null;
    for (Event e : all) {
      if (programOf(e).equals(program.name())) {
        if (e.eventTime().isAfter(now)) {
          comes = comes == null || e.eventTime().isBefore(comes) ? e.eventTime() : comes;
        } else {
          events.add(e);
        }
      }
    }
    events.sort(Comparator.comparing(Event::eventTime).thenComparing(Event::messageId));
    List<Unit> units = new ArrayList<>();
    long debt = 0;
    long lifetime = 0;
    long tierPoints = 0;
    Instant tierLeaves = null;
    Duration period = Duration.ofDays(program.tierPeriodDays());
    for (Event e : events) {
      Instant t = e.eventTime();
      long points = ((Number) e.properties().get("points")).longValue();
      String name = e.name();
      boolean earned = name.equals(LoyaltyTraits.EARNED_EVENT);
      if (earned) {
        lifetime += points;
        if (program.tierPeriodDays() == 0) {
          tierPoints += points;
        } else if (t.plus(period).isAfter(now)) {
          tierPoints += points;
          Instant leaves = t.plus(period);
          tierLeaves = tierLeaves == null || leaves.isBefore(tierLeaves) ? leaves : tierLeaves;
        }
      }
      if (earned || (name.equals(LoyaltyTraits.ADJUSTED_EVENT) && points > 0)) {
        Object x = e.properties().get("expires_at");
        Instant expiry = x != null ? Instant.parse((String) x)
            : program.validityDays() > 0 ? t.plus(Duration.ofDays(program.validityDays()))
            : null;
        for (long i = 0; i < points; i++) {
          if (expiry != null && !expiry.isAfter(t)) {
            units.add(new Unit(expiry, t, e.messageId()));
          } else if (debt > 0) {
            debt--;
          } else {
            units.add(new Unit(expiry, t, e.messageId()));
          }
        }
      } else {
        boolean expired = name.equals(LoyaltyTraits.EXPIRED_EVENT);
        for (long i = 0; i < Math.abs(points); i++) {
          Unit pick = null;
          if (expired) {
            pick = units.stream().filter(u -> !valid(u, t)).min(SPEND).orElse(null);
          }
          if (pick == null) {
            pick = units.stream().filter(u -> valid(u, t)).min(SPEND).orElse(null);
          }
          if (pick == null) {
            debt++;
          } else {
            units.remove(pick);
          }
        }
      }
    }
    List<Unit> left = units.stream().filter(u -> valid(u, now)).toList();
    Instant nextExpiry = left.stream().map(Unit::expiry).filter(x -> x != null)
        .min(Comparator.naturalOrder()).orElse(null);
    Map<String, Object> out = new HashMap<>();
    Instant next = comes;
    for (Instant c : new Instant[] {nextExpiry, tierLeaves}) {
      if (c != null && (next == null || c.isBefore(next))) {
        next = c;
      }
    }
    if (next != null) {
      out.put(LoyaltyTraits.nextChangeAtTrait(program.name()), next);
    }
    if (events.isEmpty()) {
      return out;
    }
    out.put(LoyaltyTraits.balanceTrait(program.name()), left.size() - debt);
    out.put(LoyaltyTraits.lifetimeEarnedTrait(program.name()), lifetime);
    out.put(LoyaltyTraits.tierPointsTrait(program.name()), tierPoints);
    String tier = null;
    for (LoyaltyProgram.Tier t : program.tiers()) {
      if (tierPoints >= t.minPoints()) {
        tier = t.name();
      }
    }
    if (tier != null) {
      out.put(LoyaltyTraits.tierTrait(program.name()), tier);
    }
    if (nextExpiry != null) {
      out.put(LoyaltyTraits.nextExpiryAtTrait(program.name()), nextExpiry);
      out.put(LoyaltyTraits.nextExpiryPointsTrait(program.name()),
          left.stream().filter(u -> nextExpiry.equals(u.expiry())).count());
    }
    return out;
  }
}
