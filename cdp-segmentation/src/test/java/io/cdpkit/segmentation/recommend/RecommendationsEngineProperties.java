package io.cdpkit.segmentation.recommend;

import static org.assertj.core.api.Assertions.assertThat;

import io.cdpkit.core.Cdp;
import io.cdpkit.core.ProgressListener;
import io.cdpkit.core.model.Event;
import io.cdpkit.core.model.Identifier;
import io.cdpkit.core.model.IdentifierType;
import io.cdpkit.core.model.ProfileId;
import io.cdpkit.core.model.WorkspaceId;
import io.cdpkit.core.spi.storage.Store;
import io.cdpkit.core.testing.MutableClock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;

/**
 * The engine's promises over random workspaces with merges: nothing bought within the window
 * (by any identity merged into the profile) is recommended, by the call or by the trait; and
 * the model and every profile's recommendations do not depend on the ingestion order.
 */
class RecommendationsEngineProperties {
  static final Instant NOW = RecommendationsEngineTest.NOW;
  static final Duration WINDOW = Duration.ofDays(30);

  /** Random orders by 6 customers and 4 anonymous visitors, and identify events linking them. */
  static List<Event> workspace(long seed) {
    Random random = new Random(seed);
    List<Event> events = new ArrayList<>(RecommendationsEngineTest.background());
    int orders = 5 + random.nextInt(30);
    for (int i = 0; i < orders; i++) {
      Instant at = NOW.minus(Duration.ofHours(random.nextInt(80 * 24)));
      Set<Map<String, Object>> products = new HashSet<>();
      for (int k = 0; k <= random.nextInt(3); k++) {
        products.add(Map.of("sku", "s" + random.nextInt(8)));
      }
      Event.Builder b = Event.track("Order Completed").messageId("o" + i).timestamp(at)
          .property("products", List.copyOf(products));
      if (random.nextInt(3) == 0) {
        b.anonymousId("a" + random.nextInt(4));
      } else {
        b.userId("u" + random.nextInt(6));
      }
      events.add(b.build());
    }
    int links = random.nextInt(4);
    for (int i = 0; i < links; i++) {
      events.add(Event.identify().messageId("l" + i).userId("u" + random.nextInt(6))
          .anonymousId("a" + random.nextInt(4))
          .timestamp(NOW.minus(Duration.ofHours(random.nextInt(24)))).build());
    }
    return events;
  }

  static List<String> identities() {
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < 6; i++) {
      ids.add("u" + i);
    }
    for (int i = 0; i < 4; i++) {
      ids.add("a" + i);
    }
    return ids;
  }

  static Optional<ProfileId> find(Cdp cdp, String identity) {
    Identifier id = identity.startsWith("u") ? Identifier.customerId(identity)
        : Identifier.of(IdentifierType.ANONYMOUS_ID, identity);
    return cdp.profiles().find(id).map(p -> p.id());
  }

  @Property(tries = 40)
  void neverWhatWasBoughtWithinTheWindowAfterMerges(@ForAll long seed) {
    Recommendations r = Recommendations.builder().purchaseWindow(WINDOW).build();
    try (Cdp cdp = RecommendationsEngineTest.cdp(Store.inMemory(), r, new MutableClock(NOW))) {
      List<Event> events = workspace(seed);
      // Train on half, ingest the rest after: the model is older than some purchases.
      cdp.ingest(events.subList(0, events.size() / 2));
      r.train(WorkspaceId.DEFAULT, ProgressListener.none());
      cdp.ingest(events.subList(events.size() / 2, events.size()));
      for (String identity : identities()) {
        Optional<ProfileId> id = find(cdp, identity);
        if (id.isEmpty()) {
          continue;
        }
        Set<String> recent = new HashSet<>();
        for (CustomerHistory.Purchase p
            : CustomerHistory.fromEvents(cdp.profiles().events(id.get())).purchases()) {
          if (!p.at().isBefore(NOW.minus(WINDOW))) {
            recent.addAll(p.skus());
          }
        }
        List<Recommendation> top = r.recommend(WorkspaceId.DEFAULT, id.get(), 10);
        assertThat(top).extracting(Recommendation::sku).allMatch(s -> !recent.contains(s));
        Object trait = cdp.profiles().get(id.get()).orElseThrow()
            .computedTrait(Recommendations.TRAIT).orElseThrow();
        assertThat(trait).asList().allMatch(s -> !recent.contains(s));
        assertThat(trait).isEqualTo(top.stream().map(Recommendation::sku).toList());
      }
    }
  }

  @Property(tries = 25)
  void sameForAnyIngestionOrder(@ForAll long seed) {
    List<Event> events = workspace(seed);
    List<Event> shuffled = new ArrayList<>(events);
    Collections.shuffle(shuffled, new Random(seed ^ 0x5DEECE66DL));
    Recommendations a = Recommendations.builder().purchaseWindow(WINDOW).build();
    Recommendations b = Recommendations.builder().purchaseWindow(WINDOW).build();
    try (Cdp one = RecommendationsEngineTest.cdp(Store.inMemory(), a, new MutableClock(NOW));
        Cdp two = RecommendationsEngineTest.cdp(Store.inMemory(), b, new MutableClock(NOW))) {
      for (Event e : events) {
        one.ingest(e);
      }
      for (Event e : shuffled) {
        two.ingest(e);
      }
      a.train(WorkspaceId.DEFAULT, ProgressListener.none());
      b.train(WorkspaceId.DEFAULT, ProgressListener.none());
      assertThat(a.model(WorkspaceId.DEFAULT)).isEqualTo(b.model(WorkspaceId.DEFAULT));
      for (String identity : identities()) {
        Optional<ProfileId> x = find(one, identity);
        Optional<ProfileId> y = find(two, identity);
        assertThat(x.isPresent()).isEqualTo(y.isPresent());
        if (x.isPresent()) {
          assertThat(a.recommend(WorkspaceId.DEFAULT, x.get(), 10))
              .isEqualTo(b.recommend(WorkspaceId.DEFAULT, y.get(), 10));
        }
      }
    }
  }
}
