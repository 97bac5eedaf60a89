package io.cdpkit.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cdpkit.core.model.Event;
import io.cdpkit.core.model.EventType;
import io.cdpkit.core.model.Identifier;
import io.cdpkit.core.model.Profile;
import io.cdpkit.core.model.ProfileId;
import io.cdpkit.core.model.WorkspaceId;
import io.cdpkit.core.spi.storage.ProfileRecord;
import io.cdpkit.core.spi.storage.Store;
import io.cdpkit.core.testing.MutableClock;
import io.cdpkit.core.traits.Aggregation;
import io.cdpkit.core.traits.ComputedTrait;
import io.cdpkit.core.traits.EventFilter;
import io.cdpkit.core.traits.Window;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class RetentionTest {
  static final Instant NOW = Instant.parse("2026-06-01T00:00:00Z");

  static Instant daysAgo(int d) {
    return NOW.minus(Duration.ofDays(d));
  }

  static ComputedTrait ordersAllTime() {
    return ComputedTrait.builder("orders_all", Aggregation.COUNT)
        .filter(EventFilter.named("Order Completed")).build();
  }

  static ComputedTrait orders30() {
    return ComputedTrait.builder("orders_30d", Aggregation.COUNT)
        .filter(EventFilter.named("Order Completed")).window(Window.lastDays(30)).build();
  }

  static Cdp cdp(Store store, MutableClock clock) {
    return Cdp.builder().store(store).clock(clock).computedTrait(ordersAllTime())
        .computedTrait(orders30()).build();
  }

  static Event order(String id, String user, int daysAgo) {
    return Event.track("Order Completed").messageId(id).userId(user)
        .property("orderId", "o-" + id).timestamp(daysAgo(daysAgo)).build();
  }

  static Event view(String id, String user, int daysAgo) {
    return Event.track("Product Viewed").messageId(id).userId(user).timestamp(daysAgo(daysAgo))
        .build();
  }

  static Event page(String id, String user, int daysAgo) {
    return Event.page("Home").messageId(id).userId(user).timestamp(daysAgo(daysAgo)).build();
  }

  static Event consent(String id, String user, int daysAgo) {
    return Event.track("Product Viewed").messageId(id).userId(user)
        .consent("marketing", "email", true).timestamp(daysAgo(daysAgo)).build();
  }

  @Test
  @DisplayName("only expired events of configured names and types go; consent evidence stays")
  void onlyExpired() {
    MutableClock clock = new MutableClock(NOW);
    try (Cdp cdp = cdp(Store.inMemory(), clock)) {
      cdp.ingest(List.of(view("v-old", "C-1", 100), view("v-new", "C-1", 10),
          page("p-old", "C-1", 40), page("p-new", "C-1", 20), order("o-old", "C-1", 400),
          consent("c-old", "C-1", 500), Event.identify().messageId("i-old").userId("C-1")
              .trait("tier", "gold").timestamp(daysAgo(1000)).build()));
      RetentionPolicy policy = RetentionPolicy.builder()
          .event("Product Viewed", Duration.ofDays(90))
          .type(EventType.PAGE, Duration.ofDays(30))
          .build();
      PurgeReport r = cdp.privacy().purge(policy, PurgeListener.none());
      ProfileId id = cdp.profiles().find(Identifier.customerId("C-1")).orElseThrow().id();
      assertThat(cdp.profiles().events(id)).extracting(Event::messageId)
          .containsExactlyInAnyOrder("v-new", "p-new", "o-old", "c-old", "i-old");
      assertThat(r.eventsDeleted()).isEqualTo(2);
      assertThat(r.profilesScanned()).isEqualTo(1);
      assertThat(cdp.profiles().find(Identifier.customerId("C-1")).orElseThrow()
          .consent("marketing", "email")).contains(true);
    }
  }

  @Test
  @DisplayName("the progress callback sees growing counts, a page per transaction")
  void progress() {
    MutableClock clock = new MutableClock(NOW);
    try (Cdp cdp = cdp(Store.inMemory(), clock)) {
      List<Event> events = new ArrayList<>();
      for (int i = 0; i < 450; i++) {
        events.add(view("v" + i, "C-" + i, 100));
      }
      cdp.ingest(events);
      List<long[]> calls = new ArrayList<>();
      PurgeReport r = cdp.privacy().purge(RetentionPolicy.builder()
          .otherwise(Duration.ofDays(30)).build(), (p, e) -> calls.add(new long[] {p, e}));
      assertThat(calls).hasSize(3);
      assertThat(calls).extracting(c -> c[0]).containsExactly(200L, 400L, 450L);
      assertThat(calls).extracting(c -> c[1]).containsExactly(200L, 400L, 450L);
      assertThat(r.eventsDeleted()).isEqualTo(450);
      assertThat(cdp.profiles().eventCounts()).containsEntry("Product Viewed", 450L);
    }
  }

  @Test
  @DisplayName("windowed and all-time computed traits after a purge: recomputed from what is left")
  void windowedSemantics() {
    MutableClock clock = new MutableClock(NOW);
    try (Cdp cdp = cdp(Store.inMemory(), clock)) {
      cdp.ingest(List.of(order("o1", "C-1", 200), order("o2", "C-1", 25), order("o3", "C-1", 5),
          Event.identify().messageId("i1").userId("C-1").trait("tier", "gold")
              .timestamp(daysAgo(300)).build()));
      Profile before = cdp.profiles().find(Identifier.customerId("C-1")).orElseThrow();
      assertThat(before.computedTrait("orders_all")).contains(3L);
      assertThat(before.computedTrait("orders_30d")).contains(2L);

      // Retention longer than the window: the windowed trait keeps its value, the all-time
      // one loses the purged order; the trait set only by a purged identify vanishes.
      cdp.privacy().purge(RetentionPolicy.builder().otherwise(Duration.ofDays(90)).build(),
          PurgeListener.none());
      Profile mid = cdp.profiles().find(Identifier.customerId("C-1")).orElseThrow();
      assertThat(mid.computedTrait("orders_all")).contains(2L);
      assertThat(mid.computedTrait("orders_30d")).contains(2L);
      assertThat(mid.trait("tier")).isEmpty();

      // Retention shorter than the window: the window counts only what is retained.
      cdp.privacy().purge(RetentionPolicy.builder().otherwise(Duration.ofDays(10)).build(),
          PurgeListener.none());
      Profile after = cdp.profiles().find(Identifier.customerId("C-1")).orElseThrow();
      assertThat(after.computedTrait("orders_30d")).contains(1L);
      assertThat(after.computedTrait("orders_all")).contains(1L);
    }
  }

  @Property(tries = 60)
  void purgedProfilesEqualRecomputationFromTheEventsLeft(
      @ForAll @Size(min = 1, max = 40) List<@IntRange(min = 0, max = 1_000_000) Integer> codes,
      @ForAll @IntRange(min = 1, max = 400) int keepDays) {
    List<Event> events = new ArrayList<>();
    for (int i = 0; i < codes.size(); i++) {
      int c = codes.get(i);
      String user = "C-" + (c % 4);
      int ago = (c / 4) % 500;
      switch ((c / 2000) % 4) {
        case 0:
          events.add(order("e" + i, user, ago));
          break;
        case 1:
          events.add(view("e" + i, user, ago));
          break;
        case 2:
          events.add(consent("e" + i, user, ago));
          break;
        default:
          events.add(Event.identify().messageId("e" + i).userId(user)
              .anonymousId("a-" + user).trait("tier", "t" + (c % 3))
              .timestamp(daysAgo(ago)).build());
          break;
      }
    }
    MutableClock clock = new MutableClock(NOW);
    Store store = Store.inMemory();
    RetentionPolicy policy = RetentionPolicy.builder().otherwise(Duration.ofDays(keepDays))
        .build();
    try (Cdp cdp = cdp(store, clock)) {
      cdp.ingest(events);
      cdp.privacy().purge(policy, PurgeListener.none());
      List<Event> kept = events.stream().filter(e -> !policy.expired(e, NOW)).toList();
      Set<String> left = new HashSet<>();
      try (Cdp fresh = cdp(Store.inMemory(), clock)) {
        fresh.ingest(kept);
        List<ProfileRecord> all = store.read(WorkspaceId.DEFAULT,
            tx -> tx.profilesAfter(null, 1000));
        for (ProfileRecord r : all) {
          Profile p = cdp.profiles().get(r.id()).orElseThrow();
          cdp.profiles().events(r.id()).forEach(e -> left.add(e.messageId()));
          // The identity graph keeps its links, so look the profile up by any identifier.
          Profile q = p.identifiers().stream().map(i -> fresh.profiles().find(i))
              .flatMap(java.util.Optional::stream).findFirst().orElse(null);
          if (q == null) {
            assertThat(cdp.profiles().events(r.id())).isEmpty();
            assertThat(p.traits()).isEmpty();
            continue;
          }
          assertThat(p.traits()).isEqualTo(q.traits());
          assertThat(p.consents()).isEqualTo(q.consents());
          assertThat(p.computedTraits()).isEqualTo(q.computedTraits());
          assertThat(p.eventCounts()).isEqualTo(q.eventCounts());
        }
      }
      assertThat(left).isEqualTo(
          new HashSet<>(kept.stream().map(Event::messageId).toList()));
    }
  }

  @Test
  @DisplayName("a policy checks its periods and names, and says what clashes")
  void validation() {
    assertThatThrownBy(() -> RetentionPolicy.builder().otherwise(Duration.ZERO))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("must be positive");
    assertThatThrownBy(() -> RetentionPolicy.builder().event(" ", Duration.ofDays(1)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("name");
    assertThatThrownBy(() -> RetentionPolicy.builder().event("A", Duration.ofDays(1))
        .event("A", Duration.ofDays(2)))
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("already set");
    assertThatThrownBy(() -> RetentionPolicy.builder().type(EventType.PAGE, Duration.ofDays(-1)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("page");
    assertThatThrownBy(() -> RetentionPolicy.builder().build())
        .isInstanceOf(IllegalStateException.class);
    RetentionPolicy p = RetentionPolicy.builder().event("Home", Duration.ofDays(5))
        .type(EventType.PAGE, Duration.ofDays(50)).build();
    assertThat(p.periodOf(page("x", "C", 1))).contains(Duration.ofDays(5));
    assertThat(p.periodOf(Event.page("Other").messageId("y").userId("C").build()))
        .contains(Duration.ofDays(50));
    assertThat(p.periodOf(view("z", "C", 1))).isEmpty();
  }
}
