package io.cdpkit.segmentation.recommend;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cdpkit.core.Cdp;
import io.cdpkit.core.ProgressListener;
import io.cdpkit.core.catalog.Product;
import io.cdpkit.core.model.Event;
import io.cdpkit.core.model.Identifier;
import io.cdpkit.core.model.ProfileId;
import io.cdpkit.core.model.WorkspaceId;
import io.cdpkit.core.spi.storage.MetadataStorage;
import io.cdpkit.core.spi.storage.Store;
import io.cdpkit.core.testing.MutableClock;
import io.cdpkit.segmentation.SegmentEvent;
import io.cdpkit.segmentation.Segmentation;
import io.cdpkit.segmentation.definition.Conditions;
import io.cdpkit.segmentation.definition.SegmentDefinition;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class RecommendationsEngineTest {
  static final Instant NOW = Instant.parse("2026-06-01T00:00:00Z");
  static final WorkspaceId NORTH = WorkspaceId.of("north");
  static final WorkspaceId SOUTH = WorkspaceId.of("south");

  static Instant daysAgo(int d) {
    return NOW.minus(Duration.ofDays(d));
  }

  static Event order(String messageId, String user, Instant at, String... skus) {
    List<Map<String, Object>> products = new ArrayList<>();
    for (String s : skus) {
      products.add(Map.of("sku", s));
    }
    return Event.track("Order Completed").messageId(messageId).userId(user).timestamp(at)
        .property("products", products).build();
  }

  /** The baskets of RecommenderTest.small(), long ago: A-B 2/3, A-C 2/sqrt(6). */
  static List<Event> background() {
    return List.of(order("b1", "c1", daysAgo(300), "A", "B"),
        order("b2", "c2", daysAgo(300), "A", "B"), order("b3", "c2", daysAgo(295), "C"),
        order("b4", "c3", daysAgo(299), "A", "C"), order("b5", "c4", daysAgo(298), "B"));
  }

  static Cdp cdp(Store store, Recommendations r, MutableClock clock) {
    return Cdp.builder().store(store).clock(clock).extension(r)
        .build();
  }

  static ProfileId id(Cdp cdp, WorkspaceId ws, String user) {
    return cdp.workspace(ws).profiles().find(Identifier.customerId(user)).orElseThrow().id();
  }

  @Test
  @DisplayName("train stores a version, recommend explains, the trait lists the same skus")
  void trainRecommendTrait() {
    Recommendations r = Recommendations.builder().build();
    List<String> phases = new ArrayList<>();
    try (Cdp cdp = cdp(Store.inMemory(), r, new MutableClock(NOW))) {
      cdp.ingest(background());
      ProfileId c1 = id(cdp, WorkspaceId.DEFAULT, "c1");
      assertThat(r.recommend(WorkspaceId.DEFAULT, c1, 5)).isEmpty();
      assertThat(cdp.profiles().get(c1).orElseThrow().computedTrait(Recommendations.TRAIT))
          .isEmpty();
      TrainingReport report = r.train(WorkspaceId.DEFAULT,
          (phase, done, total) -> phases.add(phase));
      assertThat(report.version()).isEqualTo(1);
      assertThat(report.customers()).isEqualTo(4);
      assertThat(report.items()).isEqualTo(3);
      assertThat(report.chunks()).isEqualTo(1);
      assertThat(phases).contains("read", "score", "store");
      assertThat(r.train(WorkspaceId.DEFAULT, ProgressListener.none()).version()).isEqualTo(2);

      cdp.ingest(order("o1", "c5", daysAgo(10), "A"));
      ProfileId c5 = id(cdp, WorkspaceId.DEFAULT, "c5");
      List<Recommendation> top = r.recommend(WorkspaceId.DEFAULT, c5, 5);
      assertThat(top).extracting(Recommendation::sku).containsExactly("C", "B");
      assertThat(r.recommend(WorkspaceId.DEFAULT, c5, 5, java.util.Set.of("C")))
          .extracting(Recommendation::sku).containsExactly("B");
      assertThat(top.get(0).because()).containsExactly(
          new Reason("A", Link.BOUGHT_WITH, 2 / Math.sqrt(6)));
      assertThat(cdp.profiles().get(c5).orElseThrow().computedTrait(Recommendations.TRAIT))
          .contains(List.of("C", "B"));
      // c2 bought A, B long ago and C: buy again, and nothing within the window.
      ProfileId c2 = id(cdp, WorkspaceId.DEFAULT, "c2");
      assertThat(r.recommend(WorkspaceId.DEFAULT, c2, 5))
          .allSatisfy(x -> assertThat(x.popularityFallback()).isFalse())
          .anySatisfy(x -> assertThat(x.because()).extracting(Reason::link)
              .contains(Link.BUY_AGAIN));
      // An unknown id: the popularity fallback.
      assertThat(r.recommend(WorkspaceId.DEFAULT, ProfileId.random(), 2))
          .allMatch(Recommendation::popularityFallback).hasSize(2);
    }
  }

  @Test
  @DisplayName("the trait's next change is when the purchase window releases an item")
  void nextChangeWhenWindowReleases() {
    MutableClock clock = new MutableClock(NOW);
    Recommendations r = Recommendations.builder().purchaseWindow(Duration.ofDays(30)).build();
    try (Cdp cdp = cdp(Store.inMemory(), r, clock)) {
      cdp.ingest(background());
      r.train(WorkspaceId.DEFAULT, ProgressListener.none());
      cdp.ingest(order("o1", "c5", daysAgo(10), "A"));
      ProfileId c5 = id(cdp, WorkspaceId.DEFAULT, "c5");
      assertThat(r.recommend(WorkspaceId.DEFAULT, c5, 5)).extracting(Recommendation::sku)
          .doesNotContain("A");
      var state = cdp.profiles().get(c5).orElseThrow();
      assertThat(state.computedTrait(Recommendations.TRAIT).orElseThrow())
          .asList().doesNotContain("A");
      // A was bought 10 days ago with a 30-day window: released 20 days from now.
      clock.set(daysAgo(10).plus(Duration.ofDays(30)));
      assertThat(r.recommend(WorkspaceId.DEFAULT, c5, 5)).extracting(Recommendation::sku)
          .doesNotContain("A");
      clock.set(daysAgo(10).plus(Duration.ofDays(30)).plusNanos(1));
      assertThat(r.recommend(WorkspaceId.DEFAULT, c5, 5)).extracting(Recommendation::sku)
          .contains("A");
    }
  }

  @Test
  @DisplayName("the trait tells segments the instant the window releases an item")
  void traitNextChangeInstant() {
    Recommendations r = Recommendations.builder().purchaseWindow(Duration.ofDays(30)).build();
    try (Cdp cdp = cdp(Store.inMemory(), r, new MutableClock(NOW))) {
      cdp.ingest(background());
      r.train(WorkspaceId.DEFAULT, ProgressListener.none());
      cdp.ingest(order("o1", "c5", daysAgo(10), "A"));
      cdp.ingest(order("o2", "c5", daysAgo(5), "B"));
      var state = cdp.profiles().get(id(cdp, WorkspaceId.DEFAULT, "c5")).orElseThrow().state();
      // A leaves the window first: 30 days after its purchase, plus a nanosecond.
      Instant releaseA = daysAgo(10).plus(Duration.ofDays(30)).plusNanos(1);
      assertThat(cdp.computedTraits().nextChange(Recommendations.TRAIT, state, NOW))
          .contains(releaseA);
      assertThat(cdp.computedTraits().nextChange(Recommendations.TRAIT, state, releaseA))
          .contains(daysAgo(5).plus(Duration.ofDays(30)).plusNanos(1));
      assertThat(cdp.computedTraits().value(Recommendations.TRAIT, state, releaseA).orElseThrow())
          .asList().contains("A").doesNotContain("B");
    }
  }

  @Test
  @DisplayName("a catalog with the product decides: stock 0 and removed products are not offered")
  void catalogAvailability() {
    Recommendations r = Recommendations.builder().build();
    try (Cdp cdp = cdp(Store.inMemory(), r, new MutableClock(NOW))) {
      cdp.ingest(background());
      r.train(WorkspaceId.DEFAULT, ProgressListener.none());
      cdp.ingest(order("o1", "c5", daysAgo(10), "A"));
      ProfileId c5 = id(cdp, WorkspaceId.DEFAULT, "c5");
      assertThat(r.recommend(WorkspaceId.DEFAULT, c5, 5)).extracting(Recommendation::sku)
          .containsExactly("C", "B");
      var catalog = cdp.workspace(WorkspaceId.DEFAULT).catalog();
      catalog.put(Product.builder("B").name("b").stock(0).build());
      catalog.put(Product.builder("C").name("c").stock(3).build());
      assertThat(r.recommend(WorkspaceId.DEFAULT, c5, 5)).extracting(Recommendation::sku)
          .containsExactly("C");
      catalog.remove("C");
      // B has no stock, C is gone, A was just bought; the catalog does not know A either.
      assertThat(r.recommend(WorkspaceId.DEFAULT, c5, 5)).isEmpty();
      assertThat(cdp.profiles().get(c5).orElseThrow().computedTrait(Recommendations.TRAIT))
          .contains(List.of());
    }
  }

  @Test
  @DisplayName("a merged-away id resolves; what either person bought in the window is excluded")
  void merges() {
    Recommendations r = Recommendations.builder().build();
    try (Cdp cdp = cdp(Store.inMemory(), r, new MutableClock(NOW))) {
      cdp.ingest(background());
      r.train(WorkspaceId.DEFAULT, ProgressListener.none());
      cdp.ingest(order("o1", "c5", daysAgo(3), "A"));
      cdp.ingest(Event.track("Order Completed").messageId("o2").anonymousId("x9")
          .timestamp(daysAgo(2)).property("products", List.of(Map.of("sku", "C"))).build());
      ProfileId anon = cdp.profiles().find(Identifier.of(
          io.cdpkit.core.model.IdentifierType.ANONYMOUS_ID, "x9")).orElseThrow().id();
      assertThat(r.recommend(WorkspaceId.DEFAULT, anon, 5)).extracting(Recommendation::sku)
          .contains("A").doesNotContain("C");
      cdp.ingest(Event.identify().messageId("m").userId("c5").anonymousId("x9")
          .timestamp(daysAgo(1)).build());
      ProfileId c5 = id(cdp, WorkspaceId.DEFAULT, "c5");
      assertThat(cdp.profiles().resolve(anon)).contains(c5);
      List<String> skus = r.recommend(WorkspaceId.DEFAULT, anon, 5).stream()
          .map(Recommendation::sku).toList();
      assertThat(skus).doesNotContain("A", "C").isEqualTo(
          r.recommend(WorkspaceId.DEFAULT, c5, 5).stream().map(Recommendation::sku).toList());
    }
  }

  /** Enough items and neighbours that the model's JSON takes several chunks. */
  static List<Event> large() {
    List<Event> events = new ArrayList<>();
    int items = 3_000;
    for (int i = 0; i < items; i++) {
      String[] window = new String[6];
      for (int j = 0; j < 6; j++) {
        window[j] = "product-with-a-rather-long-stock-keeping-unit-" + ((i + j) % items);
      }
      for (int k = 0; k < 2; k++) {
        events.add(order("l" + i + "-" + k, "u" + i + "-" + k, daysAgo(200), window));
      }
    }
    return events;
  }

  @Test
  @DisplayName("the model survives a restart in chunks; workspaces are isolated; corruption shows")
  void restartChunksIsolation() {
    Store store = Store.inMemory();
    Recommendations first = Recommendations.builder().build();
    RecommendationModel trained;
    TrainingReport report;
    try (Cdp cdp = cdp(store, first, new MutableClock(NOW))) {
      cdp.workspace(NORTH).ingest(large());
      cdp.workspace(SOUTH).ingest(background());
      report = first.train(NORTH, ProgressListener.none());
      trained = first.model(NORTH).orElseThrow();
      assertThat(first.model(SOUTH)).isEmpty();
    }
    assertThat(report.chunks()).isGreaterThan(1);
    assertThat(report.jsonChars()).isGreaterThan(ModelStore.CHUNK_CHARS);
    Recommendations second = Recommendations.builder().build();
    try (Cdp cdp = cdp(store, second, new MutableClock(NOW))) {
      assertThat(second.model(NORTH)).isEmpty();
      cdp.workspace(NORTH).profiles();
      // Opening the workspace loaded it.
      assertThat(second.model(NORTH)).contains(trained);
      assertThat(second.refresh(NORTH)).isEqualTo(1);
      assertThat(second.refresh(SOUTH)).isZero();
      assertThat(second.recommend(SOUTH, id(cdp, SOUTH, "c1"), 3)).isEmpty();
      ProfileId u = id(cdp, NORTH, "u5-0");
      assertThat(second.recommend(NORTH, u, 3)).isNotEmpty();
      Map<String, String> stored = store.read(NORTH,
          tx -> tx.require(MetadataStorage.class).metadata(ModelStore.CHUNK));
      assertThat(stored).hasSize(report.chunks());
      // A chunk changed behind the manifest's back is refused.
      store.write(NORTH, tx -> {
        tx.require(MetadataStorage.class).putMetadata(ModelStore.key(1), "{}");
        return null;
      });
      Recommendations unattached = Recommendations.builder().build();
      assertThatThrownBy(() -> unattached.refresh(NORTH))
          .isInstanceOf(IllegalStateException.class).hasMessageContaining("Cdp.builder()");
      // The version did not change: the loaded model stays in use.
      assertThat(second.refresh(NORTH)).isEqualTo(1);
    }
    Recommendations fourth = Recommendations.builder().build();
    try (Cdp cdp = cdp(store, fourth, new MutableClock(NOW))) {
      assertThatThrownBy(() -> fourth.refresh(NORTH)).isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("do not match the manifest");
      assertThat(cdp).isNotNull();
    }
  }

  @Test
  @DisplayName("a second node on the same store sees a new version after refreshEvery")
  void otherNodeSeesNewVersion() {
    Store store = Store.inMemory();
    Recommendations a = Recommendations.builder().build();
    Recommendations b = Recommendations.builder().refreshEvery(Duration.ZERO).build();
    try (Cdp one = cdp(store, a, new MutableClock(NOW));
        Cdp two = cdp(store, b, new MutableClock(NOW))) {
      one.ingest(background());
      ProfileId c1 = id(two, WorkspaceId.DEFAULT, "c1");
      assertThat(b.recommend(WorkspaceId.DEFAULT, c1, 3)).isEmpty();
      a.train(WorkspaceId.DEFAULT, ProgressListener.none());
      assertThat(b.recommend(WorkspaceId.DEFAULT, c1, 3)).isNotEmpty();
      assertThat(b.model(WorkspaceId.DEFAULT)).isEqualTo(a.model(WorkspaceId.DEFAULT));
    }
  }

  @Test
  @DisplayName("the trait in a segment condition")
  void traitInSegment() {
    Recommendations r = Recommendations.builder().build();
    Segmentation seg = Segmentation.builder().build();
    try (Cdp cdp = Cdp.builder().store(Store.inMemory()).clock(new MutableClock(NOW))
        .extension(r).extension(seg).build()) {
      cdp.ingest(background());
      r.train(WorkspaceId.DEFAULT, ProgressListener.none());
      seg.segments().save(SegmentDefinition.builder("offer-c")
          .where(Conditions.computed(Recommendations.TRAIT).contains("C")).build());
      cdp.ingest(order("o1", "c5", daysAgo(10), "A"));
      cdp.ingest(order("o2", "c6", daysAgo(10), "C"));
      assertThat(seg.segments().isMember(id(cdp, WorkspaceId.DEFAULT, "c5"), "offer-c"))
          .isTrue();
      assertThat(seg.segments().isMember(id(cdp, WorkspaceId.DEFAULT, "c6"), "offer-c"))
          .isFalse();
    }
  }

  @Test
  @DisplayName("the extension declares its own traits; declaring them again is refused")
  void declaresItsOwnTraits() {
    Recommendations r = Recommendations.builder().build();
    try (Cdp cdp = Cdp.builder().store(Store.inMemory()).extension(r).build()) {
      assertThat(cdp.computedTraits().contains(Recommendations.TRAIT)).isTrue();
      assertThat(cdp.computedTraits().aggregates())
          .anyMatch(t -> t.name().startsWith("_recommend_"));
    }
    Recommendations twice = Recommendations.builder().build();
    assertThatThrownBy(() -> Cdp.builder().store(Store.inMemory())
        .computedTraits(twice.computedTraits()).extension(twice))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("already declared");
  }

  @Test
  @DisplayName("training moves the members of a segment on the trait at once, cause recompute")
  void trainMovesMembers() {
    Recommendations r = Recommendations.builder().build();
    List<SegmentEvent> seen = new java.util.concurrent.CopyOnWriteArrayList<>();
    Segmentation seg = Segmentation.builder().listener(seen::add).build();
    try (Cdp cdp = Cdp.builder().store(Store.inMemory()).clock(new MutableClock(NOW))
        .extension(r).extension(seg).build()) {
      cdp.ingest(background());
      cdp.ingest(order("o1", "c5", daysAgo(10), "A"));
      seg.segments().save(SegmentDefinition.builder("offer-c")
          .where(Conditions.computed(Recommendations.TRAIT).contains("C")).build());
      ProfileId c5 = id(cdp, WorkspaceId.DEFAULT, "c5");
      assertThat(seg.segments().isMember(c5, "offer-c")).as("no model yet").isFalse();
      seen.clear();
      r.train(WorkspaceId.DEFAULT, ProgressListener.none());
      assertThat(seg.segments().isMember(c5, "offer-c")).isTrue();
      assertThat(seen).anyMatch(e -> e.profile().equals(c5) && e.segment().equals("offer-c")
          && e.kind() == SegmentEvent.Kind.ENTERED
          && e.cause().type() == SegmentEvent.Cause.Type.RECOMPUTE);
    }
  }

  @Test
  @DisplayName("bad settings are refused naming the field")
  void refusals() {
    assertThatThrownBy(() -> Recommendations.builder().traitSize(0))
        .hasMessageStartingWith("traitSize must be");
    assertThatThrownBy(() -> Recommendations.builder().purchaseWindow(Duration.ofDays(-1)))
        .hasMessageStartingWith("purchaseWindow must not be negative");
    Recommendations ok = Recommendations.builder().build();
    try (Cdp cdp = cdp(Store.inMemory(), ok, new MutableClock(NOW))) {
      assertThatThrownBy(() -> ok.recommend(WorkspaceId.DEFAULT, ProfileId.random(), 0))
          .hasMessageStartingWith("n must be within");
      assertThat(cdp).isNotNull();
    }
  }
}
