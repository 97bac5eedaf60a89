package io.cdpkit.storage.jdbc;

import static io.cdpkit.segmentation.definition.Conditions.and;
import static io.cdpkit.segmentation.definition.Conditions.consent;
import static io.cdpkit.segmentation.definition.Conditions.events;
import static io.cdpkit.segmentation.definition.Conditions.hasIdentifier;
import static io.cdpkit.segmentation.definition.Conditions.inSegment;
import static io.cdpkit.segmentation.definition.Conditions.not;
import static io.cdpkit.segmentation.definition.Conditions.notFollowedBy;
import static io.cdpkit.segmentation.definition.Conditions.profile;
import static org.assertj.core.api.Assertions.assertThat;

import io.cdpkit.core.Cdp;
import io.cdpkit.core.model.Event;
import io.cdpkit.core.model.Identifier;
import io.cdpkit.core.model.Profile;
import io.cdpkit.core.spi.storage.Store;
import io.cdpkit.core.testing.MutableClock;
import io.cdpkit.core.traits.EventFilter;
import io.cdpkit.segmentation.SegmentSnapshot;
import io.cdpkit.segmentation.Segmentation;
import io.cdpkit.segmentation.Segments;
import io.cdpkit.segmentation.definition.ProfileField;
import io.cdpkit.segmentation.definition.SegmentDefinition;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.function.Supplier;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Segments kept by the JDBC store: the same seeded story (events, late events, clock moves,
 * scheduled checks, an unmerge, a restart) gives the same memberships on H2, PostgreSQL and
 * MariaDB as on the in-memory store, and they equal a batch evaluation at every step; the
 * history of entries and exits per day is the same on every store and adds up to the sizes.
 */
class SegmentsOnJdbcTest {
  static final Instant START = Instant.parse("2026-03-30T22:00:00Z");
  static final List<Identifier> UNIVERSE = List.of(
      Identifier.customerId("C0"), Identifier.customerId("C1"), Identifier.customerId("C2"),
      Identifier.email("p0@example.org"), Identifier.email("p1@example.org"),
      Identifier.anonymousId("a0"), Identifier.anonymousId("a1"));

  static List<SegmentDefinition> definitions() {
    return List.of(
        SegmentDefinition.builder("vip").where(profile(ProfileField.TOTAL_SPEND, "EUR").gte(50))
            .build(),
        SegmentDefinition.builder("recent").where(events("Order Completed").atLeast(1)
            .inLastDays(2)).build(),
        SegmentDefinition.builder("cart").where(notFollowedBy(EventFilter.named("Product Added"),
            EventFilter.named("Order Completed"), Duration.ofHours(6)).withinDays(3)).build(),
        SegmentDefinition.builder("reachable").where(and(hasIdentifier("email"),
            consent("marketing", "email"))).build(),
        SegmentDefinition.builder("vip-lapsing").where(and(inSegment("vip"),
            not(inSegment("recent")))).build());
  }

  /** Runs the story; returns the memberships per identifier after every step. */
  static List<Map<String, List<String>>> story(Supplier<Store> stores) {
    MutableClock clock = new MutableClock(START);
    Random random = new Random(20261129);
    List<Map<String, List<String>>> seen = new ArrayList<>();
    Store store = stores.get();
    try {
      Segmentation seg = Segmentation.builder().segmentHistory(true).build();
      Cdp cdp = Cdp.builder().store(store).clock(clock).extension(seg).build();
      definitions().forEach(seg.segments()::save);
      for (int step = 0; step < 60; step++) {
        int what = random.nextInt(10);
        if (what < 6) {
          cdp.ingest(event(random, "m" + step, clock.instant()));
        } else if (what < 9) {
          clock.advance(Duration.ofMinutes(1 + random.nextInt(30 * 60)));
          seg.segments().runDue();
        } else {
          try {
            cdp.profiles().unmerge(UNIVERSE.get(0), UNIVERSE.get(3));
          } catch (IllegalArgumentException unknown) {
            // not seen yet
          }
        }
        if (step == 30) {
          // A restart on the same store: definitions, memberships and checks are read back.
          cdp.close();
          seg = Segmentation.builder().segmentHistory(true).build();
          cdp = Cdp.builder().store(store).clock(clock).extension(seg).build();
        }
        seen.add(snapshot(cdp, seg.segments()));
      }
      seen.add(history(seg.segments(), clock.instant()));
      cdp.close();
    } finally {
      store.close();
    }
    return seen;
  }

  static Map<String, List<String>> snapshot(Cdp cdp, Segments segments) {
    List<String> ids = segments.list().stream().map(SegmentDefinition::id).toList();
    SegmentSnapshot batch = segments.evaluate(ids, io.cdpkit.core.ProgressListener.none());
    Map<String, List<String>> out = new TreeMap<>();
    for (Identifier i : UNIVERSE) {
      cdp.profiles().find(i).map(Profile::id).ifPresent(p -> {
        List<String> stored = segments.memberships(p);
        List<String> expected = ids.stream().filter(s -> batch.contains(s, p)).sorted().toList();
        assertThat(stored).as("%s at %s", i, batch.at()).isEqualTo(expected);
        out.put(i.toString(), stored);
      });
    }
    return out;
  }

  /**
   * Each segment's entries and exits per UTC day over the story ({@code Segments.history}),
   * checked against its size: entries minus exits is the number of members.
   */
  static Map<String, List<String>> history(Segments segments, Instant now) {
    Map<String, List<String>> out = new TreeMap<>();
    java.time.LocalDate from = java.time.LocalDate.ofInstant(START, java.time.ZoneOffset.UTC);
    java.time.LocalDate to = java.time.LocalDate.ofInstant(now, java.time.ZoneOffset.UTC);
    for (SegmentDefinition d : segments.list()) {
      long net = 0;
      List<String> days = new ArrayList<>();
      for (io.cdpkit.segmentation.SegmentDay day : segments.history(d.id(), from, to)) {
        net += day.entries() - day.exits();
        days.add(day.day() + " +" + day.entries() + " -" + day.exits());
      }
      assertThat(net).as("entries minus exits of %s", d.id())
          .isEqualTo(segments.members(d.id(), null, 10_000).size());
      out.put("history:" + d.id(), days);
    }
    return out;
  }

  static Event event(Random r, String messageId, Instant now) {
    Instant t = now.minus(Duration.ofMinutes(r.nextInt(3 * 24 * 60)));
    int n = r.nextInt(10);
    Event.Builder b = switch (r.nextInt(4)) {
      case 0, 1 -> Event.track("Order Completed").property("order_id", "O" + n)
          .property("total", BigDecimal.valueOf(10L * n + 5)).property("currency", "EUR");
      case 2 -> Event.track("Product Added").property("product_id", "P" + n);
      default -> Event.identify().consent("marketing", "email", n % 3 != 0);
    };
    int a = r.nextInt(UNIVERSE.size());
    int c = r.nextInt(UNIVERSE.size());
    b.identifier(UNIVERSE.get(a));
    if (c != a) {
      b.identifier(UNIVERSE.get(c));
    }
    return b.timestamp(t).messageId(messageId).build();
  }

  @Test
  @DisplayName("the story is not vacuous: every segment has members at some step")
  void storyFillsEverySegment() {
    java.util.Set<String> seen = new java.util.TreeSet<>();
    List<Map<String, List<String>>> steps = story(Store::inMemory);
    for (Map<String, List<String>> step : steps.subList(0, steps.size() - 1)) {
      step.values().forEach(seen::addAll);
    }
    // The history saw entries and exits on several days.
    assertThat(steps.get(steps.size() - 1).values().stream().flatMap(List::stream)
        .filter(d -> !d.endsWith("+0 -0"))).hasSizeGreaterThan(5)
        .anyMatch(d -> !d.endsWith(" -0"));
    assertThat(seen).containsExactlyInAnyOrder("vip", "recent", "cart", "reachable",
        "vip-lapsing");
  }

  @Test
  @DisplayName("H2 (file) keeps the same memberships as the in-memory store, across a restart")
  void h2(@TempDir Path dir) {
    List<Map<String, List<String>>> expected = story(Store::inMemory);
    assertThat(story(() -> JdbcStore.h2File(dir))).isEqualTo(expected);
  }

  @Test
  @DisplayName("PostgreSQL keeps the same memberships as the in-memory store, across a restart")
  void postgres() {
    TestDatabases.Scratch db = TestDatabases.postgres();
    try {
      assertThat(story(() -> JdbcStore.create(db.dataSource())))
          .isEqualTo(story(Store::inMemory));
    } finally {
      TestDatabases.drop(db);
    }
  }

  @Test
  @DisplayName("MariaDB keeps the same memberships as the in-memory store, across a restart")
  void mariadb() {
    TestDatabases.Scratch db = TestDatabases.mariadb();
    try {
      assertThat(story(() -> JdbcStore.create(db.dataSource())))
          .isEqualTo(story(Store::inMemory));
    } finally {
      TestDatabases.drop(db);
    }
  }
}
