package io.cdpkit.storage.jdbc.recommend;

import static org.assertj.core.api.Assertions.assertThat;

import io.cdpkit.core.Cdp;
import io.cdpkit.core.ProgressListener;
import io.cdpkit.core.catalog.Catalog;
import io.cdpkit.core.catalog.Product;
import io.cdpkit.core.model.Event;
import io.cdpkit.core.model.Identifier;
import io.cdpkit.core.model.Profile;
import io.cdpkit.core.model.WorkspaceId;
import io.cdpkit.core.spi.storage.Store;
import io.cdpkit.core.testing.MutableClock;
import io.cdpkit.segmentation.Segmentation;
import io.cdpkit.segmentation.Segments;
import io.cdpkit.segmentation.definition.Conditions;
import io.cdpkit.segmentation.definition.SegmentDefinition;
import io.cdpkit.segmentation.recommend.Recommendations;
import io.cdpkit.storage.jdbc.redteam.RedTeamStores;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The trait {@code recommended_products} on every store: it reads the workspace's catalog while
 * a profile is evaluated inside the ingest's write transaction, and segments on it follow both
 * a training and the catalog.
 */
class RecommendationsOnEveryStoreTest {
  static final Instant NOW = Instant.parse("2026-06-01T00:00:00Z");

  static Event order(String messageId, String user, Instant at, String... skus) {
    List<Map<String, Object>> products = new ArrayList<>();
    for (String s : skus) {
      products.add(Map.of("sku", s));
    }
    return Event.track("Order Completed").messageId(messageId).userId(user).timestamp(at)
        .property("products", products).build();
  }

  @SuppressWarnings("unchecked")
  static List<String> recommended(Cdp cdp, String user) {
    Profile p = cdp.profiles().find(Identifier.customerId(user)).orElseThrow();
    return (List<String>) p.computedTrait(Recommendations.TRAIT).orElse(List.of());
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("io.cdpkit.storage.jdbc.redteam.RedTeamStores#kinds")
  @DisplayName("an unavailable product is never in the trait nor in a segment on it; a restock"
      + " is seen at the profile's next evaluation; training moves members at once")
  void traitFollowsCatalogAndTraining(String kind) {
    Instant longAgo = NOW.minus(Duration.ofDays(300));
    try (RedTeamStores place = RedTeamStores.open(kind); Store store = place.store()) {
      Recommendations r = Recommendations.builder().build();
      Segmentation seg = Segmentation.builder().build();
      try (Cdp cdp = Cdp.builder().store(store).clock(new MutableClock(NOW)).extension(r)
          .extension(seg).build()) {
        List<Event> background = new ArrayList<>();
        for (int c = 0; c < 6; c++) {
          background.add(order("b" + c, "c" + c, longAgo, "A", "B", "C"));
        }
        cdp.ingest(background);
        Catalog catalog = cdp.workspace(WorkspaceId.DEFAULT).catalog();
        catalog.putAll(List.of(Product.builder("A").stock(3).build(),
            Product.builder("B").stock(0).build(), Product.builder("C").stock(9).build()));
        Segments segments = seg.segments();
        segments.save(SegmentDefinition.builder("offer-b")
            .where(Conditions.computed(Recommendations.TRAIT).contains("B")).build());
        segments.save(SegmentDefinition.builder("offer-c")
            .where(Conditions.computed(Recommendations.TRAIT).contains("C")).build());
        cdp.ingest(order("n1", "new", NOW.minus(Duration.ofDays(1)), "A"));
        var newcomer = cdp.profiles().find(Identifier.customerId("new")).orElseThrow().id();
        assertThat(segments.isMember(newcomer, "offer-c")).as("no model yet").isFalse();

        r.train(WorkspaceId.DEFAULT, ProgressListener.none());
        assertThat(recommended(cdp, "new")).contains("C").doesNotContain("B", "A");
        assertThat(segments.isMember(newcomer, "offer-c")).as("moved by the training")
            .isTrue();
        assertThat(segments.isMember(newcomer, "offer-b")).as("B is out of stock").isFalse();

        // The next event is evaluated inside its write transaction, reading the catalog there.
        cdp.ingest(order("n2", "new", NOW.minus(Duration.ofHours(1)), "D"));
        assertThat(segments.isMember(newcomer, "offer-b")).isFalse();
        catalog.put(Product.builder("B").stock(4).build());
        cdp.ingest(Event.track("Product Viewed").messageId("v1").userId("new")
            .timestamp(NOW.minus(Duration.ofMinutes(5))).property("sku", "C").build());
        assertThat(recommended(cdp, "new")).contains("B", "C");
        assertThat(segments.isMember(newcomer, "offer-b")).as("restocked").isTrue();
      }
    }
  }
}
