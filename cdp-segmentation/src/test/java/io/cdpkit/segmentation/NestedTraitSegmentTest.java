package io.cdpkit.segmentation;

import static io.cdpkit.segmentation.definition.Conditions.trait;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cdpkit.core.Cdp;
import io.cdpkit.core.model.Event;
import io.cdpkit.core.model.Identifier;
import io.cdpkit.core.model.ProfileId;
import io.cdpkit.core.spi.storage.Store;
import io.cdpkit.core.testing.MutableClock;
import io.cdpkit.core.traits.TraitMapping;
import io.cdpkit.segmentation.definition.SegmentDefinition;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Segments on nested traits ({@code address.city}) and on traits set by a trait mapping, in real
 * time and in batch. {@link #story} is run on the JDBC stores too (SegmentsOnJdbcTest's module).
 */
class NestedTraitSegmentTest {
  static final Instant NOW = Instant.parse("2026-03-15T10:00:00Z");

  /**
   * Runs the story on a store; returns what the listener heard and checks at each step that
   * the stored memberships equal a batch evaluation.
   */
  static List<String> story(Store store) {
    List<String> heard = new ArrayList<>();
    Segmentation seg = Segmentation.builder()
        .listener(e -> heard.add(e.kind() + " " + e.segment())).build();
    TraitMapping mapping = TraitMapping.builder()
        .property("Order Completed", "shipping.country", "country").build();
    try (Cdp cdp = Cdp.builder().store(store).clock(new MutableClock(NOW)).extension(seg)
        .traitMapping(mapping).build()) {
      Segments segments = seg.segments();
      segments.save(SegmentDefinition.builder("utrecht")
          .where(trait("address.city").eq("Utrecht")).build());
      segments.saveJson("{\"version\": 1, \"id\": \"has-street\", \"condition\": "
          + "{\"type\": \"trait\", \"name\": \"address.street\", \"op\": \"exists\"}}");
      segments.save(SegmentDefinition.builder("nl").where(trait("country").eq("NL")).build());
      segments.save(SegmentDefinition.builder("delft-anywhere")
          .where(trait("addresses[].city").eq("Delft")).build());

      cdp.ingest(Event.identify().messageId("i1").userId("c1")
          .trait("address", Map.of("street", "Oudegracht 1", "city", "Utrecht",
              "postalCode", "3511 AB", "country", "NL"))
          .trait("addresses", List.of(Map.of("city", "Gouda"), Map.of("city", "Delft")))
          .timestamp(NOW).build());
      ProfileId id = cdp.profiles().find(Identifier.customerId("c1")).orElseThrow().id();
      check(segments, id);
      heard.add("|");
      // A later identify with only a city replaces the whole address.
      cdp.ingest(Event.identify().messageId("i2").userId("c1")
          .trait("address", Map.of("city", "Amsterdam")).timestamp(NOW.plusSeconds(60)).build());
      check(segments, id);
      heard.add("|");
      cdp.ingest(Event.track("Order Completed").messageId("o1").userId("c1")
          .property("order_id", "O1").property("shipping", Map.of("country", "NL"))
          .timestamp(NOW.plusSeconds(120)).build());
      check(segments, id);
      heard.add("|");
      // A poisoned address: a string, not a map.
      cdp.ingest(Event.identify().messageId("i3").userId("c1")
          .trait("address", "Utrecht").timestamp(NOW.plusSeconds(180)).build());
      check(segments, id);
      heard.add(String.join(",", segments.memberships(id)));
    } finally {
      store.close();
    }
    return heard;
  }

  static void check(Segments segments, ProfileId id) {
    List<String> ids = segments.list().stream().map(SegmentDefinition::id).toList();
    SegmentSnapshot batch = segments.evaluate(ids, io.cdpkit.core.ProgressListener.none());
    assertThat(segments.memberships(id))
        .isEqualTo(ids.stream().filter(s -> batch.contains(s, id)).sorted().toList());
  }

  static final List<String> EXPECTED = List.of(
      "ENTERED utrecht", "ENTERED has-street", "ENTERED delft-anywhere", "|",
      "EXITED utrecht", "EXITED has-street", "|",
      "ENTERED nl", "|",
      "delft-anywhere,nl");

  @Test
  @DisplayName("bug: trait(\"address.city\") validated but never matched; it now follows the"
      + " nested address in real time and in batch (in-memory store)")
  void nestedTraitSegmentsInMemory() {
    // Entries and exits of one step come in no promised order: compare step by step.
    assertThat(steps(story(Store.inMemory()))).isEqualTo(steps(EXPECTED));
  }

  static List<java.util.Set<String>> steps(List<String> heard) {
    List<java.util.Set<String>> out = new ArrayList<>();
    java.util.Set<String> step = new java.util.TreeSet<>();
    for (String h : heard) {
      if (h.equals("|")) {
        out.add(step);
        step = new java.util.TreeSet<>();
      } else {
        step.add(h);
      }
    }
    out.add(step);
    return out;
  }

  @Test
  @DisplayName("explain shows the nested value seen")
  void explainShowsNestedValue() {
    Segmentation seg = Segmentation.builder().build();
    try (Cdp cdp = Cdp.builder().clock(new MutableClock(NOW)).extension(seg).build()) {
      seg.segments().save(SegmentDefinition.builder("utrecht")
          .where(trait("address.city").eq("Utrecht")).build());
      cdp.ingest(Event.identify().messageId("i1").userId("c1")
          .trait("address", Map.of("city", "Utrecht")).timestamp(NOW).build());
      ProfileId id = cdp.profiles().find(Identifier.customerId("c1")).orElseThrow().id();
      Explanation e = seg.segments().explain(id, "utrecht").orElseThrow();
      assertThat(e.held()).isTrue();
      assertThat(e.seen()).isEqualTo("Utrecht");
    }
  }

  @Test
  @DisplayName("a trait sent flat under the dotted name is read before the nested path, as"
      + " before nested paths existed")
  void flatDottedNameWins() {
    Segmentation seg = Segmentation.builder().build();
    try (Cdp cdp = Cdp.builder().clock(new MutableClock(NOW)).extension(seg).build()) {
      seg.segments().save(SegmentDefinition.builder("utrecht")
          .where(trait("address.city").eq("Utrecht")).build());
      cdp.ingest(Event.identify().messageId("i1").userId("c1")
          .trait("address", Map.of("city", "Amsterdam")).trait("address.city", "Utrecht")
          .timestamp(NOW).build());
      cdp.ingest(Event.identify().messageId("i2").userId("c2")
          .trait("address", Map.of("city", "Utrecht")).trait("address.city", null)
          .timestamp(NOW).build());
      for (String c : List.of("c1", "c2")) {
        ProfileId id = cdp.profiles().find(Identifier.customerId(c)).orElseThrow().id();
        assertThat(seg.segments().memberships(id)).as(c).containsExactly("utrecht");
        check(seg.segments(), id);
      }
    }
  }

  @Test
  @DisplayName("a malformed or too deep trait path is refused when saved, with a pointer")
  void malformedPathsAreRefused() {
    Segmentation seg = Segmentation.builder().build();
    try (Cdp cdp = Cdp.builder().clock(new MutableClock(NOW)).extension(seg).build()) {
      for (String name : List.of("address..city", "address.", "addr[x].city",
          "a.b.c.d.e.f.g.h.i", "$x.city")) {
        assertThatThrownBy(() -> seg.segments().saveJson("{\"version\": 1, \"id\": \"s\", "
            + "\"condition\": {\"type\": \"trait\", \"name\": \"" + name
            + "\", \"op\": \"exists\"}}"))
            .as(name).isInstanceOf(DefinitionValidationException.class)
            .satisfies(x -> assertThat(((DefinitionValidationException) x).violations())
                .extracting(DefinitionValidationException.Violation::pointer)
                .containsExactly("/condition/name"));
        assertThatThrownBy(() -> trait(name).exists()).as(name)
            .isInstanceOf(IllegalArgumentException.class)
            .hasMessageContaining("trait path");
      }
      // Plain names without path syntax are taken as they are.
      seg.segments().save(SegmentDefinition.builder("plain").where(trait("$x").exists())
          .build());
    }
  }
}
