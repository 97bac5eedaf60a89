package io.cdpkit.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cdpkit.core.model.Event;
import io.cdpkit.core.model.Identifier;
import io.cdpkit.core.model.Profile;
import io.cdpkit.core.model.WorkspaceId;
import io.cdpkit.core.traits.PropertyPath;
import io.cdpkit.core.traits.TraitMapping;
import io.cdpkit.core.traits.TraitPath;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/**
 * Nested traits (Segment's {@code address} object) read by dotted paths, how a later partial
 * nested trait lands, and the declared mapping of track properties and {@code context.traits}
 * to traits.
 */
class NestedTraitsTest {
  static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
  static final Identifier JANE = Identifier.customerId("C-1");

  static Cdp cdp(TraitMapping mapping) {
    return Cdp.builder().clock(Clock.fixed(Instant.parse("2026-06-01T00:00:00Z"), ZoneOffset.UTC))
        .traitMapping(mapping).build();
  }

  static Map<String, Object> address(String street, String city) {
    Map<String, Object> a = new LinkedHashMap<>();
    a.put("street", street);
    a.put("city", city);
    a.put("postalCode", "3511 AB");
    a.put("country", "NL");
    return a;
  }

  static Event identify(String id, int minute, String key, Object value) {
    return Event.identify().messageId(id).userId(JANE.value()).trait(key, value)
        .timestamp(T0.plusSeconds(60L * minute)).build();
  }

  @Nested
  @DisplayName("Nested traits")
  class NestedTraits {
    @Test
    @DisplayName("bug: identify with Segment's address object stored it, but address.city read"
        + " nothing; a dotted path now reads into it")
    void dottedPathReadsIntoTheAddress() {
      try (Cdp cdp = cdp(TraitMapping.NONE)) {
        cdp.ingest(identify("m1", 0, "address", address("Oudegracht 1", "Utrecht")));
        Profile p = cdp.profiles().find(JANE).orElseThrow();
        assertThat(p.trait("address.city")).contains("Utrecht");
        assertThat(p.trait("address.street")).contains("Oudegracht 1");
        assertThat(p.trait("address.missing")).isEmpty();
        assertThat(p.trait("address.city.more")).isEmpty(); // a string has no keys
      }
    }

    @Test
    @DisplayName("a later identify with only address.city replaces the whole address, in any"
        + " arrival order (an address is one value: no street of one with the city of another)")
    void laterPartialAddressReplacesTheWhole() {
      Event whole = identify("m1", 0, "address", address("Oudegracht 1", "Utrecht"));
      Event partial = identify("m2", 5, "address", Map.of("city", "Amsterdam"));
      for (List<Event> order : List.of(List.of(whole, partial), List.of(partial, whole))) {
        try (Cdp cdp = cdp(TraitMapping.NONE)) {
          order.forEach(cdp::ingest);
          Profile p = cdp.profiles().find(JANE).orElseThrow();
          assertThat(p.trait("address.city")).contains("Amsterdam");
          assertThat(p.trait("address.street")).isEmpty();
          assertThat(p.trait("address")).contains(Map.of("city", "Amsterdam"));
        }
      }
    }

    @Test
    @DisplayName("a trait named with a dot (sent flat) is read before the nested path")
    void flatDottedNameWins() {
      try (Cdp cdp = cdp(TraitMapping.NONE)) {
        cdp.ingest(identify("m1", 0, "address", address("Oudegracht 1", "Utrecht")));
        cdp.ingest(identify("m2", 1, "address.city", "Flat City"));
        Profile p = cdp.profiles().find(JANE).orElseThrow();
        assertThat(p.trait("address.city")).contains("Flat City");
        assertThat(p.trait("address.street")).contains("Oudegracht 1");
      }
    }

    @Test
    @DisplayName("adversarial: a path through a list needs [], a non-map address reads nothing,"
        + " nesting deeper than a path can reach is stored but not addressable")
    void adversarialShapes() {
      try (Cdp cdp = cdp(TraitMapping.NONE)) {
        cdp.ingest(identify("m1", 0, "addresses", List.of(address("A 1", "Delft"),
            address("B 2", "Gouda"))));
        cdp.ingest(identify("m2", 0, "address", "Oudegracht 1, Utrecht"));
        Object deep = "bottom";
        for (int i = 0; i < 20; i++) {
          deep = Map.of("k", deep);
        }
        cdp.ingest(identify("m3", 0, "deep", deep));
        Profile p = cdp.profiles().find(JANE).orElseThrow();
        assertThat(p.trait("addresses.city")).isEmpty();
        assertThat(p.trait("addresses[].city")).contains("Delft");
        assertThat(p.traitValues("addresses[].city")).containsExactly("Delft", "Gouda");
        assertThat(p.trait("address.city")).isEmpty();
        assertThat(p.trait("address")).contains("Oudegracht 1, Utrecht");
        assertThat(p.trait("deep.k.k.k.k.k.k.k")).isPresent(); // 8 keys: the limit
        assertThat(p.trait("deep.k.k.k.k.k.k.k.k")).isEmpty(); // 9 keys: not a path
        assertThat(p.trait("deep")).isPresent();
      }
      assertThatThrownBy(() -> TraitPath.parse("deep" + ".k".repeat(PropertyPath.MAX_DEPTH)))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("more than " + PropertyPath.MAX_DEPTH + " keys");
      assertThatThrownBy(() -> TraitPath.parse("address..city"))
          .hasMessageContaining("empty key");
      assertThatThrownBy(() -> TraitPath.parse("$x.city")).hasMessageContaining("$");
      assertThat(TraitPath.parse("$plain").reads()).containsExactly("$plain");
      assertThat(TraitPath.parse("address.city").reads())
          .containsExactlyInAnyOrder("address.city", "address");
    }
  }

  @Nested
  @DisplayName("Trait mapping")
  class Mapping {
    final TraitMapping mapping = TraitMapping.builder()
        .property("Order Completed", "shipping.country", "country")
        .property("Order Completed", "shipping", "address")
        .contextTraits("language")
        .build();

    Event order(String id, int minute, String country) {
      return Event.track("Order Completed").messageId(id).userId(JANE.value())
          .property("order_id", id).property("shipping", Map.of("country", country,
              "city", "Utrecht", "street", "Oudegracht 1"))
          .timestamp(T0.plusSeconds(60L * minute)).build();
    }

    @Test
    @DisplayName("bug: a country sent with orders never reached the profile; a mapped property"
        + " sets the trait, a nested one too")
    void mappedPropertySetsTraits() {
      try (Cdp cdp = cdp(mapping)) {
        cdp.ingest(order("o1", 0, "NL"));
        Profile p = cdp.profiles().find(JANE).orElseThrow();
        assertThat(p.trait("country")).contains("NL");
        assertThat(p.trait("address.street")).contains("Oudegracht 1");
      }
      try (Cdp cdp = cdp(TraitMapping.NONE)) {
        cdp.ingest(order("o1", 0, "NL"));
        assertThat(cdp.profiles().find(JANE).orElseThrow().traits()).isEmpty();
      }
    }

    @Test
    @DisplayName("an identify and a mapped property are peers: the later event wins, whatever"
        + " arrives first")
    void laterEventWins() {
      Event early = identify("i1", 0, "country", "BE");
      Event order = order("o1", 5, "NL");
      Event late = identify("i2", 9, "country", "DE");
      for (List<Event> events : List.of(List.of(early, order), List.of(order, early))) {
        try (Cdp cdp = cdp(mapping)) {
          events.forEach(cdp::ingest);
          assertThat(cdp.profiles().find(JANE).orElseThrow().trait("country")).contains("NL");
        }
      }
      for (List<Event> events : List.of(List.of(late, order), List.of(order, late))) {
        try (Cdp cdp = cdp(mapping)) {
          events.forEach(cdp::ingest);
          assertThat(cdp.profiles().find(JANE).orElseThrow().trait("country")).contains("DE");
        }
      }
    }

    @Test
    @DisplayName("context.traits: only the listed ones, nulls skipped, an identify's own traits"
        + " win within the event, all of them when opted in")
    void contextTraits() {
      Event page = Event.page("Home").messageId("p1").userId(JANE.value()).timestamp(T0).build();
      Map<String, Object> ctx = new LinkedHashMap<>();
      ctx.put("language", "nl");
      ctx.put("tier", "gold");
      page = page.withContext(page.context().toBuilder().traits(ctx).build());
      Event id = Event.identify().messageId("i1").userId(JANE.value()).trait("language", "en")
          .timestamp(T0.plusSeconds(60)).build();
      id = id.withContext(id.context().toBuilder().traits(Map.of("language", "fr")).build());
      try (Cdp cdp = cdp(mapping)) {
        cdp.ingest(page);
        assertThat(cdp.profiles().find(JANE).orElseThrow().traits())
            .isEqualTo(Map.of("language", "nl"));
        cdp.ingest(id);
        assertThat(cdp.profiles().find(JANE).orElseThrow().trait("language")).contains("en");
      }
      try (Cdp cdp = cdp(TraitMapping.builder().contextTraits().build())) {
        cdp.ingest(page);
        assertThat(cdp.profiles().find(JANE).orElseThrow().traits())
            .isEqualTo(Map.of("language", "nl", "tier", "gold"));
      }
    }

    @Test
    @DisplayName("a workspace's own mapping replaces the default there; others keep the default")
    void perWorkspaceMapping() {
      WorkspaceId be = WorkspaceId.of("shop-be");
      WorkspaceId nl = WorkspaceId.of("shop-nl");
      TraitMapping own = TraitMapping.builder()
          .property("Order Completed", "shipping.country", "shipCountry").build();
      try (Cdp cdp = Cdp.builder().clock(Clock.fixed(T0, ZoneOffset.UTC)).traitMapping(mapping)
          .traitMapping(be, own).build()) {
        for (WorkspaceId ws : List.of(be, nl)) {
          cdp.workspace(ws).ingest(order("o1", 0, "BE"));
        }
        assertThat(cdp.workspace(be).profiles().find(JANE).orElseThrow().traits())
            .containsOnlyKeys("shipCountry").containsEntry("shipCountry", "BE");
        assertThat(cdp.workspace(nl).profiles().find(JANE).orElseThrow().traits())
            .containsOnlyKeys("country", "address").containsEntry("country", "BE");
      }
      assertThatThrownBy(() -> Cdp.builder().traitMapping(be, own).traitMapping(be, own))
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("trait mapping of " + be + " was already set");
      TraitMapping toPhone = TraitMapping.builder().property("E", "p", "phone").build();
      assertThatThrownBy(() -> Cdp.builder().traitMapping(be, toPhone).build())
          .hasMessageContaining("trait phone is read as a");
    }

    @Test
    @DisplayName("erasure removes mapped traits with the events they came from")
    void erasureRemovesMappedTraits() {
      try (Cdp cdp = cdp(mapping)) {
        cdp.ingest(order("o1", 0, "NL"));
        cdp.privacy().erase(JANE);
        assertThat(cdp.profiles().find(JANE)).isEmpty();
        Identifier other = Identifier.customerId("C-2");
        cdp.ingest(Event.identify().messageId("x").userId(other.value()).timestamp(T0).build());
        assertThat(cdp.profiles().find(other).orElseThrow().traits()).isEmpty();
        assertThat(cdp.privacy().export(JANE).orElse("")).doesNotContain("NL");
      }
    }

    @Test
    @DisplayName("bad configuration fails at once, naming what is wrong")
    void badConfiguration() {
      assertThatThrownBy(() -> TraitMapping.builder().property("", "a", "b"))
          .hasMessageContaining("event name");
      assertThatThrownBy(() -> TraitMapping.builder().property("E", "a..b", "b"))
          .hasMessageContaining("empty key");
      assertThatThrownBy(() -> TraitMapping.builder().property("E", "products[].sku", "sku"))
          .hasMessageContaining("through a list");
      assertThatThrownBy(() -> TraitMapping.builder().property("E", "a", "address.city"))
          .hasMessageContaining("must not hold '.'");
      assertThatThrownBy(() -> TraitMapping.builder().property("E", "a", "$x"))
          .hasMessageContaining("reserved");
      assertThatThrownBy(() -> TraitMapping.builder().property("E", "a", "cdp.x"))
          .hasMessageContaining("must not hold '.'");
      assertThatThrownBy(() -> TraitMapping.builder().property("E", "a", "t").property("E", "a",
          "u")).isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("was already mapped to trait t");
      assertThatThrownBy(() -> TraitMapping.builder().property("E", "a", "t").property("E", "b",
          "t")).isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("already set from property a");
      assertThatThrownBy(() -> TraitMapping.builder().contextTraits().contextTraits("x"))
          .isInstanceOf(IllegalStateException.class).hasMessageContaining("already chosen");
      assertThatThrownBy(() -> TraitMapping.builder().contextTraits(new String[0]))
          .hasMessageContaining("at least one");
      assertThatThrownBy(() -> TraitMapping.builder().contextTraits("a", "a"))
          .hasMessageContaining("listed twice");
      TraitMapping toEmail = TraitMapping.builder().property("Signed Up", "mail", "email")
          .build();
      assertThatThrownBy(() -> Cdp.builder().traitMapping(toEmail).build())
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("trait email is read as an email identifier");
      assertThatThrownBy(() -> Cdp.builder().traitMapping(TraitMapping.NONE)
          .traitMapping(TraitMapping.NONE)).isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("already set");
    }
  }
}
