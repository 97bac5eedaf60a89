package io.cdpkit.segmentation;

import static org.assertj.core.api.Assertions.assertThat;

import io.cdpkit.core.Cdp;
import io.cdpkit.core.catalog.Catalog;
import io.cdpkit.core.catalog.Product;
import io.cdpkit.core.model.Event;
import io.cdpkit.core.model.Identifier;
import io.cdpkit.core.model.ProfileId;
import io.cdpkit.core.model.WorkspaceId;
import io.cdpkit.core.testing.MutableClock;
import io.cdpkit.core.traits.CatalogTraits;
import io.cdpkit.segmentation.definition.SegmentJson;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * The central law of segmentation with the product catalog in play: with random orders and
 * views that name products by sku (some not yet in the catalog), random catalog changes
 * (brands, stock, creation times, removals) and random clock advances, the memberships kept in
 * real time equal a batch evaluation at the same instant, and the entries and exits heard add
 * up to them.
 */
class CatalogRealTimeEqualsBatchProperties {
  static final Instant START = Instant.parse("2026-03-30T22:00:00Z");
  static final List<String> CUSTOMERS = List.of("c0", "c1", "c2", "c3");
  static final List<String> SKUS = List.of("A", "B", "C", "D");

  static final List<String> SEGMENTS = List.of(
      "{\"version\":1,\"id\":\"acme-90d\",\"condition\":{\"type\":\"event\","
          + "\"events\":[\"Order Completed\"],\"where\":[{\"path\":\"products\",\"any\":["
          + "{\"path\":\"$catalog.brand\",\"op\":\"=\",\"value\":\"Acme\"}]}],"
          + "\"within\":{\"days\":90}}}",
      "{\"version\":1,\"id\":\"bolt-twice-7d\",\"condition\":{\"type\":\"event\","
          + "\"events\":[\"Order Completed\"],\"where\":[{\"path\":\"products[].$catalog.brand\","
          + "\"op\":\"=\",\"value\":\"Bolt\"}],\"count\":{\"op\":\">=\",\"value\":2},"
          + "\"within\":{\"days\":7}}}",
      "{\"version\":1,\"id\":\"bought-sold-out\",\"condition\":{\"type\":\"event\","
          + "\"events\":[\"Order Completed\"],\"where\":[{\"path\":"
          + "\"products[].$catalog.available\",\"op\":\"=\",\"value\":false}],"
          + "\"within\":{\"days\":30}}}",
      "{\"version\":1,\"id\":\"new-products\",\"condition\":{\"type\":\"computed\","
          + "\"name\":\"newest_product_viewed_created_at\",\"op\":\">=\","
          + "\"value\":{\"date\":{\"offset\":\"-P30D\"}}}}",
      "{\"version\":1,\"id\":\"new-and-acme\",\"condition\":{\"type\":\"and\",\"conditions\":["
          + "{\"type\":\"segment\",\"segment\":\"new-products\"},"
          + "{\"type\":\"computed\",\"name\":\"brands_bought\",\"op\":\"contains\","
          + "\"value\":\"Acme\"}]}}");

  static final List<String> IDS = SEGMENTS.stream().map(j -> SegmentJson.read(j).id())
      .toList();

  /** One step of a story. */
  sealed interface Step {}

  record Order(int customer, int sku, int otherSku, int hoursAgo) implements Step {}

  record View(int customer, int sku, int hoursAgo) implements Step {}

  record Put(int sku, boolean acme, int stock, int createdDaysAgo) implements Step {}

  record Remove(int sku) implements Step {}

  record Advance(int hours) implements Step {}

  @Provide
  Arbitrary<List<Step>> stories() {
    Arbitrary<Integer> who = Arbitraries.integers().between(0, CUSTOMERS.size() - 1);
    Arbitrary<Integer> sku = Arbitraries.integers().between(0, SKUS.size() - 1);
    Arbitrary<Step> order = Combinators.combine(who, sku, sku,
        Arbitraries.integers().between(0, 24 * 100)).as(Order::new);
    Arbitrary<Step> view = Combinators.combine(who, sku,
        Arbitraries.integers().between(0, 24 * 40)).as(View::new);
    Arbitrary<Step> put = Combinators.combine(sku, Arbitraries.of(true, false),
        Arbitraries.integers().between(0, 2), Arbitraries.integers().between(0, 45))
        .as(Put::new);
    Arbitrary<Step> remove = sku.map(Remove::new);
    Arbitrary<Step> advance = Arbitraries.integers().between(1, 24 * 20).map(Advance::new);
    return Arbitraries.frequencyOf(
        net.jqwik.api.Tuple.of(4, order), net.jqwik.api.Tuple.of(3, view),
        net.jqwik.api.Tuple.of(3, put), net.jqwik.api.Tuple.of(1, remove),
        net.jqwik.api.Tuple.of(2, advance)).list().ofMinSize(5).ofMaxSize(30);
  }

  @Property(tries = 40)
  void realTimeEqualsBatchThroughCatalogChanges(@ForAll("stories") List<Step> story) {
    MutableClock clock = new MutableClock(START);
    Set<String> heardIn = new HashSet<>(); // "segment profile" pairs the listener says are in
    Segmentation seg = Segmentation.builder().listener(e -> {
      String key = e.segment() + " " + e.profile();
      if (e.kind() == SegmentEvent.Kind.ENTERED) {
        assertThat(heardIn.add(key)).as("entered twice: " + key).isTrue();
      } else {
        assertThat(heardIn.remove(key)).as("left without entering: " + key).isTrue();
      }
    }).build();
    try (Cdp cdp = Cdp.builder().clock(clock).computedTraits(CatalogTraits.all())
        .extension(seg).build()) {
      Segments segments = seg.segments();
      Catalog catalog = cdp.workspace(WorkspaceId.DEFAULT).catalog();
      for (String json : SEGMENTS) {
        segments.saveJson(json);
      }
      int n = 0;
      for (Step s : story) {
        Instant now = clock.instant();
        if (s instanceof Order o) {
          cdp.ingest(Event.track("Order Completed").messageId("o" + n++)
              .userId(CUSTOMERS.get(o.customer())).property("order_id", "O" + n)
              .property("total", 10).property("currency", "EUR")
              .property("products", List.of(Map.of("sku", SKUS.get(o.sku())),
                  Map.of("product_id", SKUS.get(o.otherSku()))))
              .timestamp(now.minus(Duration.ofHours(o.hoursAgo()))).build());
        } else if (s instanceof View v) {
          cdp.ingest(Event.track(CatalogTraits.PRODUCT_VIEWED).messageId("v" + n++)
              .userId(CUSTOMERS.get(v.customer())).property("sku", SKUS.get(v.sku()))
              .timestamp(now.minus(Duration.ofHours(v.hoursAgo()))).build());
        } else if (s instanceof Put p) {
          catalog.put(Product.builder(SKUS.get(p.sku())).brand(p.acme() ? "Acme" : "Bolt")
              .stock(p.stock()).createdAt(now.minus(Duration.ofDays(p.createdDaysAgo()))
                  .minusSeconds(p.sku() * 1_001L)).build());
        } else if (s instanceof Remove r) {
          catalog.remove(SKUS.get(r.sku()));
        } else if (s instanceof Advance a) {
          clock.advance(Duration.ofHours(a.hours()));
          segments.runDue();
        }
        SegmentSnapshot batch = segments.evaluate(IDS, io.cdpkit.core.ProgressListener.none());
        Set<String> stored = new HashSet<>();
        for (String c : CUSTOMERS) {
          Optional<ProfileId> id = cdp.profiles().find(Identifier.customerId(c))
              .map(p -> p.id());
          if (id.isEmpty()) {
            continue;
          }
          for (String segment : segments.memberships(id.get())) {
            stored.add(segment + " " + id.get());
          }
          for (String segment : IDS) {
            assertThat(segments.isMember(id.get(), segment))
                .as(c + " in " + segment + " after " + s + " at " + clock.instant())
                .isEqualTo(batch.contains(segment, id.get()));
          }
        }
        assertThat(heardIn).as("heard after " + s).isEqualTo(stored);
      }
    }
  }
}
