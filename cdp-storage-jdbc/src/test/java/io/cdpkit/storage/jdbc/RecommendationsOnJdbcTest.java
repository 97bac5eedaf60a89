package io.cdpkit.storage.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import io.cdpkit.core.Cdp;
import io.cdpkit.core.ProgressListener;
import io.cdpkit.core.model.Event;
import io.cdpkit.core.model.Identifier;
import io.cdpkit.core.model.ProfileId;
import io.cdpkit.core.model.WorkspaceId;
import io.cdpkit.core.testing.MutableClock;
import io.cdpkit.segmentation.recommend.Recommendation;
import io.cdpkit.segmentation.recommend.RecommendationModel;
import io.cdpkit.segmentation.recommend.Recommendations;
import io.cdpkit.segmentation.recommend.TrainingReport;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The recommendation model kept in the JDBC store's metadata, in chunks, across a restart. */
class RecommendationsOnJdbcTest {
  static final Instant NOW = Instant.parse("2026-06-01T00:00:00Z");

  /** 3,000 items bought in overlapping windows of 6 by two customers each: several chunks. */
  static List<Event> events() {
    List<Event> events = new ArrayList<>();
    int items = 3_000;
    for (int i = 0; i < items; i++) {
      List<Map<String, Object>> products = new ArrayList<>();
      for (int j = 0; j < 6; j++) {
        products.add(Map.of("sku", "product-with-a-rather-long-stock-keeping-unit-"
            + ((i + j) % items)));
      }
      for (int k = 0; k < 2; k++) {
        events.add(Event.track("Order Completed").messageId("o" + i + "-" + k)
            .userId("u" + i + "-" + k).timestamp(NOW.minus(Duration.ofDays(200)))
            .property("products", products).build());
      }
    }
    return events;
  }

  @Test
  @DisplayName("H2 (file): trained, restarted, the model reads back equal and answers the same")
  void h2FileRestart(@TempDir Path dir) {
    RecommendationModel trained;
    TrainingReport report;
    List<Recommendation> before;
    Recommendations first = Recommendations.builder().build();
    try (JdbcStore store = JdbcStore.h2File(dir);
        Cdp cdp = Cdp.builder().store(store).clock(new MutableClock(NOW))
            .extension(first).build()) {
      cdp.ingest(events());
      report = first.train(WorkspaceId.DEFAULT, ProgressListener.none());
      trained = first.model(WorkspaceId.DEFAULT).orElseThrow();
      ProfileId u = cdp.profiles().find(Identifier.customerId("u7-0")).orElseThrow().id();
      before = first.recommend(WorkspaceId.DEFAULT, u, 5);
    }
    assertThat(report.chunks()).isGreaterThan(1);
    assertThat(before).hasSize(5);
    Recommendations second = Recommendations.builder().build();
    try (JdbcStore store = JdbcStore.h2File(dir);
        Cdp cdp = Cdp.builder().store(store).clock(new MutableClock(NOW))
            .extension(second).build()) {
      assertThat(second.model(WorkspaceId.DEFAULT)).contains(trained);
      ProfileId u = cdp.profiles().find(Identifier.customerId("u7-0")).orElseThrow().id();
      assertThat(second.recommend(WorkspaceId.DEFAULT, u, 5)).isEqualTo(before);
      // The trait lists 10 (the default trait size); the call asked for 5.
      assertThat(cdp.profiles().get(u).orElseThrow().computedTrait(Recommendations.TRAIT)
          .orElseThrow()).asList().hasSize(10)
          .startsWith(before.stream().map(Recommendation::sku).toArray());
    }
  }
}
