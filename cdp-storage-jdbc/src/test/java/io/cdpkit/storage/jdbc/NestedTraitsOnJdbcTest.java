package io.cdpkit.storage.jdbc;

import static io.cdpkit.segmentation.definition.Conditions.trait;
import static org.assertj.core.api.Assertions.assertThat;

import io.cdpkit.core.Cdp;
import io.cdpkit.core.model.Event;
import io.cdpkit.core.model.Identifier;
import io.cdpkit.core.model.Profile;
import io.cdpkit.core.spi.storage.Store;
import io.cdpkit.core.testing.MutableClock;
import io.cdpkit.core.traits.TraitMapping;
import io.cdpkit.segmentation.SegmentSnapshot;
import io.cdpkit.segmentation.Segmentation;
import io.cdpkit.segmentation.Segments;
import io.cdpkit.segmentation.definition.SegmentDefinition;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Nested traits and mapped traits on the JDBC store: a segment on {@code address.city} and on a
 * trait a track property set gives the same memberships (in real time and in batch) as on the
 * in-memory store, and nested values read back after a restart.
 */
class NestedTraitsOnJdbcTest {
  static final Instant NOW = Instant.parse("2026-03-15T10:00:00Z");
  static final TraitMapping MAPPING = TraitMapping.builder()
      .property("Order Completed", "shipping.country", "country")
      .property("Order Completed", "shipping", "shipTo")
      .build();

  static Cdp open(Store store, Segmentation seg) {
    return Cdp.builder().store(store).clock(new MutableClock(NOW)).extension(seg)
        .traitMapping(MAPPING).build();
  }

  /** Runs the story; returns per step the memberships and traits read of each customer. */
  static List<String> story(Supplier<Store> stores) {
    List<String> seen = new ArrayList<>();
    Store store = stores.get();
    try {
      Segmentation seg = Segmentation.builder().build();
      Cdp cdp = open(store, seg);
      seg.segments().save(SegmentDefinition.builder("utrecht")
          .where(trait("address.city").eq("Utrecht")).build());
      seg.segments().save(SegmentDefinition.builder("nl")
          .where(trait("country").eq("NL")).build());
      seg.segments().save(SegmentDefinition.builder("ships-to-delft")
          .where(trait("shipTo.city").eq("Delft")).build());
      List<Event> events = List.of(
          Event.identify().messageId("i1").userId("c1").trait("address", Map.of(
              "street", "Oudegracht 1", "city", "Utrecht", "postalCode", "3511 AB"))
              .timestamp(NOW).build(),
          Event.identify().messageId("i2").userId("c2").trait("address", Map.of(
              "city", "Utrecht", "geo", Map.of("lat", new java.math.BigDecimal("52.09"))))
              .timestamp(NOW).build(),
          Event.track("Order Completed").messageId("o1").userId("c2").property("order_id", "O1")
              .property("shipping", Map.of("country", "NL", "city", "Delft"))
              .timestamp(NOW.plusSeconds(60)).build(),
          Event.identify().messageId("i3").userId("c1").trait("address", Map.of(
              "city", "Amsterdam")).timestamp(NOW.plusSeconds(120)).build(),
          Event.identify().messageId("i4").userId("c2").trait("address", "one line")
              .timestamp(NOW.plusSeconds(180)).build());
      for (int i = 0; i < events.size(); i++) {
        cdp.ingest(events.get(i));
        if (i == 2) {
          cdp.close(); // a restart: nested values and memberships are read back
          seg = Segmentation.builder().build();
          cdp = open(store, seg);
        }
        seen.add(snapshot(cdp, seg.segments()));
      }
      cdp.close();
    } finally {
      store.close();
    }
    return seen;
  }

  static String snapshot(Cdp cdp, Segments segments) {
    List<String> ids = segments.list().stream().map(SegmentDefinition::id).toList();
    SegmentSnapshot batch = segments.evaluate(ids, io.cdpkit.core.ProgressListener.none());
    StringBuilder out = new StringBuilder();
    for (String c : List.of("c1", "c2")) {
      cdp.profiles().find(Identifier.customerId(c)).ifPresent(p -> {
        List<String> stored = segments.memberships(p.id());
        assertThat(stored).isEqualTo(ids.stream().filter(s -> batch.contains(s, p.id()))
            .sorted().toList());
        out.append(c).append(stored).append(traits(p)).append(' ');
      });
    }
    return out.toString();
  }

  static String traits(Profile p) {
    return p.trait("address.city").orElse("-") + "/" + p.trait("address.geo.lat").orElse("-")
        + "/" + p.trait("country").orElse("-") + "/" + p.trait("shipTo.city").orElse("-");
  }

  static final List<String> EXPECTED = List.of(
      "c1[utrecht]Utrecht/-/-/- ",
      "c1[utrecht]Utrecht/-/-/- c2[utrecht]Utrecht/52.09/-/- ",
      "c1[utrecht]Utrecht/-/-/- c2[nl, ships-to-delft, utrecht]Utrecht/52.09/NL/Delft ",
      "c1[]Amsterdam/-/-/- c2[nl, ships-to-delft, utrecht]Utrecht/52.09/NL/Delft ",
      "c1[]Amsterdam/-/-/- c2[nl, ships-to-delft]-/-/NL/Delft ");

  @Test
  @DisplayName("the story is what the in-memory store says it is")
  void inMemory() {
    assertThat(story(Store::inMemory)).isEqualTo(EXPECTED);
  }

  @Test
  @DisplayName("H2 (file) gives the same nested traits and memberships, across a restart")
  void h2(@TempDir Path dir) {
    assertThat(story(() -> JdbcStore.h2File(dir))).isEqualTo(EXPECTED);
  }

  @Test
  @DisplayName("PostgreSQL gives the same nested traits and memberships, across a restart")
  void postgres() {
    TestDatabases.Scratch db = TestDatabases.postgres();
    try {
      assertThat(story(() -> JdbcStore.create(db.dataSource()))).isEqualTo(EXPECTED);
    } finally {
      TestDatabases.drop(db);
    }
  }

  @Test
  @DisplayName("MariaDB gives the same nested traits and memberships, across a restart")
  void mariadb() {
    TestDatabases.Scratch db = TestDatabases.mariadb();
    try {
      assertThat(story(() -> JdbcStore.create(db.dataSource()))).isEqualTo(EXPECTED);
    } finally {
      TestDatabases.drop(db);
    }
  }
}
