package io.cdpkit.core.model;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.BinaryOperator;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Label;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * The join of profile states, part by part, on states that have or lack each part (traits,
 * consents of either level, orders, counters, the restriction): most states lack the rarer
 * parts, which the state keeps apart, and a join of one that has them with one that lacks them
 * must keep them, from either side.
 */
class ProfileStateJoinProperties {
  private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
  private static final Identifier MAIL = new Identifier(IdentifierType.EMAIL, "a@example.com");

  @Property(tries = 400)
  @Label("each part of a join is the union of the parts, from either side and in any grouping")
  void joinIsUnionOfParts(@ForAll("states") ProfileState a, @ForAll("states") ProfileState b,
      @ForAll("states") ProfileState c) {
    ProfileState ab = a.join(b);
    assertThat(ab).isEqualTo(b.join(a));
    assertThat(ab.hashCode()).isEqualTo(b.join(a).hashCode());
    assertThat(ab.join(c)).isEqualTo(a.join(b.join(c)));
    assertThat(a.join(ProfileState.EMPTY)).isEqualTo(a);
    assertThat(ProfileState.EMPTY.join(a)).isEqualTo(a);

    assertThat(ab.profileConsents()).isEqualTo(
        union(a.profileConsents(), b.profileConsents(), ProfileState.ConsentValue::latest));
    assertThat(ab.addressConsents()).isEqualTo(
        union(a.addressConsents(), b.addressConsents(), ProfileState.ConsentValue::latest));
    assertThat(ab.orders()).isEqualTo(
        union(a.orders(), b.orders(), ProfileState.OrderEntry::join));
    assertThat(ab.eventCounts()).isEqualTo(union(a.eventCounts(), b.eventCounts(), Long::sum));
    assertThat(ab.channels()).isEqualTo(
        union(a.channels(), b.channels(), ProfileState.Tally::plus));
    assertThat(ab.restriction()).isEqualTo(
        ProfileState.Restriction.join(a.restriction(), b.restriction()));
    assertThat(ab.restricted()).isEqualTo(
        ab.restriction() != null && ab.restriction().restricted());
    // The latest decision per key of either level.
    Map<ConsentKey, ProfileState.ConsentValue> latest = new HashMap<>(ab.profileConsents());
    ab.addressConsents().forEach((k, v) ->
        latest.merge(k.key(), v, ProfileState.ConsentValue::latest));
    assertThat(ab.consents()).isEqualTo(latest);
    assertThat(ab.countedOrders()).hasSameElementsAs(ab.orders().values().stream()
        .filter(ProfileState.OrderEntry::counts).map(ProfileState.OrderEntry::completion)
        .toList());
  }

  @Property(tries = 200)
  @Label("a state made again from its parts equals it, with the rarer parts cleared or not")
  void madeAgainFromParts(@ForAll("states") ProfileState a) {
    ProfileState again = ProfileState.of(a.traits(), a.profileConsents(), a.firstSeen(),
        a.lastSeen(), a.channels(), a.stores(), a.orders(), a.eventCounts(), a.computed())
        .withAddressConsents(a.addressConsents()).withRestriction(a.restriction());
    assertThat(again).isEqualTo(a);
    assertThat(again.hashCode()).isEqualTo(a.hashCode());
    assertThat(again.consents()).isEqualTo(a.consents());
    ProfileState bare = a.withRestriction(null).withAddressConsents(Map.of());
    assertThat(bare.restriction()).isNull();
    assertThat(bare.addressConsents()).isEmpty();
    assertThat(bare.orders()).isEqualTo(a.orders());
    assertThat(bare.profileConsents()).isEqualTo(a.profileConsents());
    assertThat(bare.equals(a)).isEqualTo(a.restriction() == null && a.addressConsents().isEmpty());
  }

  @Property(tries = 300)
  @Label("a state keeps each part it is made with, alone or beside others")
  void keepsEachPart(@ForAll("consents") Map<ConsentKey, ProfileState.ConsentValue> pc,
      @ForAll("addressed") Map<AddressConsentKey, ProfileState.ConsentValue> ac,
      @ForAll("orders") Map<String, ProfileState.OrderEntry> or,
      @ForAll("restrictions") ProfileState.Restriction rs) {
    ProfileState st = ProfileState.of(Map.of(), pc, T0, T0, Map.of(), Map.of(), or,
        Map.of("Page Viewed", 1L)).withAddressConsents(ac).withRestriction(rs);
    assertThat(st.profileConsents()).isEqualTo(pc);
    assertThat(st.addressConsents()).isEqualTo(ac);
    assertThat(st.orders()).isEqualTo(or);
    assertThat(st.restriction()).isEqualTo(rs);
    assertThat(st.withComputed(Map.of()).restriction()).isEqualTo(rs);
    assertThat(ProfileState.EMPTY.join(st).restriction()).isEqualTo(rs);
    assertThat(st.equals(ProfileState.of(Map.of(), Map.of(), T0, T0, Map.of(), Map.of(),
        Map.of(), Map.of("Page Viewed", 1L))))
        .isEqualTo(pc.isEmpty() && ac.isEmpty() && or.isEmpty() && rs == null);
  }

  private static <K extends Comparable<? super K>, V> Map<K, V> union(Map<K, V> a,
      Map<K, V> b, BinaryOperator<V> merge) {
    TreeMap<K, V> out = new TreeMap<>(a);
    b.forEach((k, v) -> out.merge(k, v, (x, y) -> merge.apply(x, y)));
    return out;
  }

  @Provide
  Arbitrary<Map<ConsentKey, ProfileState.ConsentValue>> consents() {
    return parts().consents;
  }

  @Provide
  Arbitrary<Map<AddressConsentKey, ProfileState.ConsentValue>> addressed() {
    return parts().addressed;
  }

  @Provide
  Arbitrary<Map<String, ProfileState.OrderEntry>> orders() {
    return parts().orders;
  }

  @Provide
  Arbitrary<ProfileState.Restriction> restrictions() {
    return parts().restriction;
  }

  private record Parts(Arbitrary<Map<ConsentKey, ProfileState.ConsentValue>> consents,
      Arbitrary<Map<AddressConsentKey, ProfileState.ConsentValue>> addressed,
      Arbitrary<Map<String, ProfileState.OrderEntry>> orders,
      Arbitrary<ProfileState.Restriction> restriction) {}

  private static Parts parts() {
    Arbitrary<Integer> second = Arbitraries.integers().between(0, 5);
    Arbitrary<Map<ConsentKey, ProfileState.ConsentValue>> consents = Combinators.combine(
        Arbitraries.of("marketing", "analytics"), Arbitraries.of(true, false), second)
        .as((p, g, s) -> Map.of(new ConsentKey(p, "email"),
            new ProfileState.ConsentValue(g, T0.plusSeconds(s), "c" + p + g + s)))
        .injectDuplicates(0.2).optional(0.5).map(o -> o.orElse(Map.of()));
    Arbitrary<Map<AddressConsentKey, ProfileState.ConsentValue>> addressed = Combinators.combine(
        Arbitraries.of(true, false), second)
        .as((g, s) -> Map.of(AddressConsentKey.of(new ConsentKey("marketing", "email"), MAIL),
            new ProfileState.ConsentValue(g, T0.plusSeconds(s), "a" + g + s)))
        .optional(0.3).map(o -> o.orElse(Map.of()));
    Arbitrary<Map<String, ProfileState.OrderEntry>> orders = Combinators.combine(
        Arbitraries.of("o1", "o2"), second, Arbitraries.longs().between(0, 500),
        Arbitraries.of(true, false))
        .as((id, s, v, refunded) -> Map.of(id, new ProfileState.OrderEntry(
            // one messageId, one order: the same event reports the same value
            new ProfileState.Order(id, T0.plusSeconds(s), "m" + id + s + "-" + v,
                Money.of(v, "EUR"), "web", null),
            refunded ? Map.of("r" + id + s, new ProfileState.Refund(T0.plusSeconds(s + 1), null))
                : Map.of())))
        .optional(0.4).map(o -> o.orElse(Map.of()));
    Arbitrary<ProfileState.Restriction> restriction = Combinators.combine(
        Arbitraries.of(true, false), second)
        .as((r, s) -> new ProfileState.Restriction(r, T0.plusSeconds(s), "x" + r + s, "art18"))
        .injectNull(0.6);
    return new Parts(consents, addressed, orders, restriction);
  }

  @Provide
  Arbitrary<ProfileState> states() {
    Parts p = parts();
    Arbitrary<Integer> second = Arbitraries.integers().between(0, 5);
    Arbitrary<Integer> events = Arbitraries.integers().between(0, 3);
    return Combinators.combine(p.consents, p.addressed, p.orders, p.restriction, events, second,
        Arbitraries.of(List.of("Page Viewed"), List.of("Order Completed", "Page Viewed")))
        .as((pc, ac, or, rs, n, s, names) -> {
          Map<String, Long> counts = new TreeMap<>();
          names.forEach(name -> counts.put(name, (long) n + 1));
          Instant t = T0.plusSeconds(s);
          ProfileState st = ProfileState.of(Map.of(), pc, t, t,
              Map.of("web", new ProfileState.Tally(n + 1, or.size(), t)), Map.of(), or, counts);
          return st.withAddressConsents(ac).withRestriction(rs);
        });
  }
}
