package io.cdpkit.activation;

import static org.assertj.core.api.Assertions.assertThat;

import io.cdpkit.activation.spi.Message;
import io.cdpkit.core.Cdp;
import io.cdpkit.core.ProgressListener;
import io.cdpkit.core.model.Event;
import io.cdpkit.core.model.Identifier;
import io.cdpkit.core.model.IdentifierType;
import io.cdpkit.core.model.Profile;
import io.cdpkit.core.model.WorkspaceId;
import io.cdpkit.core.spi.storage.Store;
import io.cdpkit.core.testing.MutableClock;
import io.cdpkit.segmentation.Segmentation;
import io.cdpkit.segmentation.definition.Conditions;
import io.cdpkit.segmentation.definition.SegmentDefinition;
import io.cdpkit.segmentation.predict.Predictions;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** Prediction traits in segments and activation templates. */
class PredictionsTemplateTest {
  static final Instant NOW = Instant.parse("2026-06-01T10:00:00Z");

  @Test
  @DisplayName("a customer entering a segment on p_alive gets a message rendering the prediction"
      + " traits as the profile shows them")
  void rendersPredictionTraits() {
    SpyProvider email = new SpyProvider("spy-email", "email", IdentifierType.EMAIL);
    Activation activation = Activation.builder().channel("mail", email, Map.of())
        .rule(Rule.builder("win-back").trigger(Trigger.segmentEntered("predicted"))
            .channel("mail").purpose("marketing").template(Template.parse("{\"text\":"
                + " \"{{computed.churn_cohort}} {{computed.p_alive}}\", \"value\":"
                + " \"{{computed.predicted_value_365d}}\"}")).build())
        .build();
    Segmentation segmentation = Segmentation.builder().build();
    Predictions predictions = Predictions.builder().refreshInterval(Duration.ZERO).build();
    try (Cdp cdp = Cdp.builder().store(Store.inMemory()).clock(new MutableClock(NOW))
        .extension(segmentation).extension(predictions).extension(activation).build()) {
      Random random = new Random(7);
      List<Event> orders = new ArrayList<>();
      for (int c = 0; c < 30; c++) {
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
      predictions.fit(WorkspaceId.DEFAULT, ProgressListener.none());
      cdp.ingest(Event.identify().messageId("c").userId("C-0")
          .identifier(Identifier.email("c0@example.com")).consent("marketing", "email", true)
          .timestamp(NOW).build());
      // Every customer with a prediction enters; only C-0 has an address to send to.
      segmentation.segments().save(SegmentDefinition.builder("predicted")
          .where(Conditions.computed("p_alive").atMost(BigDecimal.ONE)).build());
      activation.drain();
      Profile p = cdp.profiles().find(Identifier.customerId("C-0")).orElseThrow();
      List<Message> sent = email.sent();
      assertThat(sent).hasSize(1);
      assertThat(sent.get(0).payload()).containsEntry("text",
          p.computedTrait("churn_cohort").orElseThrow() + " "
              + ((BigDecimal) p.computedTrait("p_alive").orElseThrow()).toPlainString());
      assertThat(String.valueOf(sent.get(0).payload().get("value"))).isEqualTo(
          ((BigDecimal) p.computedTrait("predicted_value_365d").orElseThrow()).toPlainString());
    } finally {
      activation.close();
    }
  }
}
