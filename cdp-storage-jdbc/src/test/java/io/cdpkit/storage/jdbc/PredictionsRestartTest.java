package io.cdpkit.storage.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import io.cdpkit.core.Cdp;
import io.cdpkit.core.ProgressListener;
import io.cdpkit.core.model.Event;
import io.cdpkit.core.model.Identifier;
import io.cdpkit.core.model.WorkspaceId;
import io.cdpkit.segmentation.predict.FittedModels;
import io.cdpkit.segmentation.predict.Predictions;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Fitted purchase models kept in an H2 file survive closing and reopening it. */
class PredictionsRestartTest {
  static final Instant NOW = Instant.parse("2026-06-01T10:00:00Z");

  @Test
  @DisplayName("a model fitted before a restart is loaded after it, with the same predictions;"
      + " another workspace of the same file has none")
  void survivesRestart(@TempDir Path dir) {
    Clock clock = Clock.fixed(NOW, ZoneOffset.UTC);
    FittedModels fitted;
    Optional<Object> before;
    try (JdbcStore store = JdbcStore.h2File(dir)) {
      Predictions predictions = Predictions.builder().refreshInterval(Duration.ZERO).build();
      try (Cdp cdp = Cdp.builder().store(store).clock(clock).extension(predictions).build()) {
        Random random = new Random(3);
        List<Event> orders = new ArrayList<>();
        for (int c = 0; c < 25; c++) {
          int n = 1 + random.nextInt(c % 3 == 0 ? 8 : 2);
          for (int o = 0; o < n; o++) {
            orders.add(Event.track("Order Completed").messageId("m" + c + "-" + o)
                .userId("C-" + c).timestamp(NOW.minus(Duration.ofDays(1 + random.nextInt(300))))
                .property("order_id", "O-" + c + "-" + o)
                .property("total", BigDecimal.valueOf(1_000 + random.nextInt(9_000), 2))
                .property("currency", "EUR").build());
          }
        }
        cdp.ingest(orders);
        cdp.workspace(WorkspaceId.of("other")).ingest(orders.subList(0, 5));
        fitted = predictions.fit(WorkspaceId.DEFAULT, ProgressListener.none()).models();
        before = cdp.profiles().find(Identifier.customerId("C-0")).orElseThrow()
            .computedTrait("p_alive");
        assertThat(before).isPresent();
      }
    }
    try (JdbcStore store = JdbcStore.h2File(dir)) {
      Predictions predictions = Predictions.builder().refreshInterval(Duration.ZERO).build();
      try (Cdp cdp = Cdp.builder().store(store).clock(clock).extension(predictions).build()) {
        assertThat(predictions.model(WorkspaceId.DEFAULT)).contains(fitted);
        assertThat(cdp.profiles().find(Identifier.customerId("C-0")).orElseThrow()
            .computedTrait("p_alive")).isEqualTo(before);
        assertThat(cdp.workspace(WorkspaceId.of("other")).profiles()
            .find(Identifier.customerId("C-0")).orElseThrow().computedTrait("p_alive"))
            .isEmpty();
        assertThat(predictions.model(WorkspaceId.of("other"))).isEmpty();
      }
    }
  }
}
