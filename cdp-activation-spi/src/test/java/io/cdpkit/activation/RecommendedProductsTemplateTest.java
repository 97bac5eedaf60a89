package io.cdpkit.activation;

import static org.assertj.core.api.Assertions.assertThat;

import io.cdpkit.activation.spi.Message;
import io.cdpkit.core.Cdp;
import io.cdpkit.core.ProgressListener;
import io.cdpkit.core.model.Event;
import io.cdpkit.core.model.Identifier;
import io.cdpkit.core.model.IdentifierType;
import io.cdpkit.core.model.WorkspaceId;
import io.cdpkit.core.spi.storage.Store;
import io.cdpkit.core.testing.MutableClock;
import io.cdpkit.segmentation.Segmentation;
import io.cdpkit.segmentation.definition.Conditions;
import io.cdpkit.segmentation.definition.SegmentDefinition;
import io.cdpkit.segmentation.recommend.Recommendations;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The recommended_products trait in a segment and in an activation template. */
class RecommendedProductsTemplateTest {
  static final Instant NOW = Instant.parse("2026-06-01T00:00:00Z");

  static Event order(String messageId, String user, Instant at, String... skus) {
    return Event.track("Order Completed").messageId(messageId).userId(user).timestamp(at)
        .property("products", java.util.Arrays.stream(skus).map(s -> Map.of("sku", s)).toList())
        .build();
  }

  @Test
  @DisplayName("a customer entering 'offer C' gets a message listing their recommended skus")
  void rendersRecommendations() {
    SpyProvider email = new SpyProvider("spy-email", "email", IdentifierType.EMAIL);
    Activation activation = Activation.builder().channel("mail", email, Map.of())
        .rule(Rule.builder("offer").trigger(Trigger.segmentEntered("offer-c")).channel("mail")
            .purpose("marketing").template(Template.parse("{\"skus\": "
                + "\"{{computed.recommended_products}}\", \"text\": \"Try "
                + "{{computed.recommended_products}}\"}")).build())
        .build();
    Segmentation segmentation = Segmentation.builder().build();
    Recommendations recommendations = Recommendations.builder().build();
    Instant longAgo = NOW.minus(Duration.ofDays(300));
    try (Cdp cdp = Cdp.builder().store(Store.inMemory()).clock(new MutableClock(NOW))
        .extension(recommendations)
        .extension(segmentation).extension(activation).build()) {
      cdp.ingest(List.of(order("b1", "c1", longAgo, "A", "B"), order("b2", "c2", longAgo, "A", "B"),
          order("b3", "c2", longAgo.plusSeconds(86_400), "C"),
          order("b4", "c3", longAgo, "A", "C"), order("b5", "c4", longAgo, "B")));
      recommendations.train(WorkspaceId.DEFAULT, ProgressListener.none());
      segmentation.segments().save(SegmentDefinition.builder("offer-c")
          .where(Conditions.computed(Recommendations.TRAIT).contains("C")).build());
      activation.drain();
      int before = email.sent().size();
      cdp.ingest(Event.identify().messageId("c5").userId("c5")
          .identifier(Identifier.email("c5@example.com")).consent("marketing", "email", true)
          .timestamp(NOW).build());
      cdp.ingest(order("o1", "c5", NOW.minus(Duration.ofDays(10)), "A"));
      assertThat(activation.drain()).isEqualTo(1);
      Message m = email.sent().get(before);
      assertThat(m.payload()).containsEntry("skus", List.of("C", "B"));
      assertThat(m.payload().get("text").toString()).startsWith("Try ").contains("C", "B");
    } finally {
      activation.close();
    }
  }
}
