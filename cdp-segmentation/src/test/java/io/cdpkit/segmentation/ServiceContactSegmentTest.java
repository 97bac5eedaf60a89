package io.cdpkit.segmentation;

import static io.cdpkit.segmentation.definition.Conditions.computed;
import static org.assertj.core.api.Assertions.assertThat;

import io.cdpkit.core.Cdp;
import io.cdpkit.core.model.Event;
import io.cdpkit.core.testing.MutableClock;
import io.cdpkit.core.traits.RetailTraits;
import io.cdpkit.core.traits.ServiceTraits;
import io.cdpkit.segmentation.definition.SegmentDefinition;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The service pack in segments: "waiting for an answer" follows the person's open contacts. */
class ServiceContactSegmentTest {
  static final Instant NOW = Instant.parse("2026-03-15T10:00:00Z");

  @Test
  @DisplayName("a person enters 'waiting' with an open contact, stays while another is open, "
      + "and leaves when the last is solved, whatever order the updates arrive in")
  void waitingForAnAnswer() {
    List<String> heard = new ArrayList<>();
    Segmentation seg = Segmentation.builder()
        .listener(e -> heard.add(e.kind() + " " + e.segment())).build();
    try (Cdp cdp = Cdp.builder().clock(new MutableClock(NOW)).extension(seg)
        .computedTraits(RetailTraits.all()).computedTraits(ServiceTraits.all()).build()) {
      seg.segments().save(SegmentDefinition.builder("waiting")
          .where(computed(ServiceTraits.OPEN_CONTACTS).gt(0)).build());
      int[] m = {0};
      String[][] updates = {
          {"ZD-1", "open", "0"}, {"ZD-2", "pending", "10"},
          // The solve of ZD-2 arrives before its later reopening is known.
          {"ZD-1", "solved", "20"}, {"ZD-2", "solved", "30"}, {"ZD-2", "open", "25"}};
      List<Integer> sizes = new ArrayList<>();
      for (String[] u : updates) {
        cdp.ingest(Event.track("Service Contact").messageId("m" + m[0]++).userId("c1")
            .property("contact_id", u[0]).property("status", u[1])
            .timestamp(NOW.minusSeconds(100 - Long.parseLong(u[2]))).build());
        sizes.add(heard.size());
      }
      // Entered at the first contact; ZD-2 solved at 30 is later than its reopening at 25.
      assertThat(heard).containsExactly("ENTERED waiting", "EXITED waiting");
      assertThat(sizes).containsExactly(1, 1, 1, 2, 2);
    }
  }
}
