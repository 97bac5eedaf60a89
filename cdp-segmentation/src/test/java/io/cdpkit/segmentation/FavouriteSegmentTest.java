package io.cdpkit.segmentation;

import static io.cdpkit.segmentation.definition.Conditions.profile;
import static org.assertj.core.api.Assertions.assertThat;

import io.cdpkit.core.Cdp;
import io.cdpkit.core.model.Event;
import io.cdpkit.core.testing.MutableClock;
import io.cdpkit.segmentation.definition.ProfileField;
import io.cdpkit.segmentation.definition.SegmentDefinition;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** A favourite counts orders net of full refunds, so a refund alone moves its segment. */
class FavouriteSegmentTest {
  static final Instant NOW = Instant.parse("2026-03-15T10:00:00Z");

  @Test
  @DisplayName("a refund of the orders in the favourite store moves the person out of its "
      + "segment and into the other store's, with no event in either store")
  void refundMovesTheFavourite() {
    List<String> heard = new ArrayList<>();
    Segmentation seg = Segmentation.builder()
        .listener(e -> heard.add(e.kind() + " " + e.segment())).build();
    try (Cdp cdp = Cdp.builder().clock(new MutableClock(NOW)).extension(seg).build()) {
      Segments segments = seg.segments();
      segments.save(SegmentDefinition.builder("fav-a")
          .where(profile(ProfileField.FAVOURITE_STORE).eq("a")).build());
      segments.save(SegmentDefinition.builder("fav-b")
          .where(profile(ProfileField.FAVOURITE_STORE).eq("b")).build());
      int[] m = {0};
      for (String[] o : new String[][] {{"A1", "a"}, {"A2", "a"}, {"B1", "b"}}) {
        cdp.ingest(Event.track("Order Completed").messageId("m" + m[0]++).userId("c1")
            .property("order_id", o[0]).property("total", new BigDecimal("10.00"))
            .property("currency", "EUR").channel("pos").storeId(o[1]).timestamp(NOW).build());
      }
      assertThat(heard).containsExactly("ENTERED fav-a");
      for (String id : List.of("A1", "A2")) {
        cdp.ingest(Event.track("Order Refunded").messageId("m" + m[0]++).userId("c1")
            .property("order_id", id).timestamp(NOW).build());
      }
      assertThat(heard).containsExactly("ENTERED fav-a", "EXITED fav-a", "ENTERED fav-b");
    }
  }
}
