package io.cdpkit.core;

import static org.assertj.core.api.Assertions.assertThat;

import io.cdpkit.core.model.Event;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A purge reports through the library's one progress type. */
class ProgressListenerAdaptersTest {
  @Test
  void purgeReportsProfilesScanned() {
    io.cdpkit.core.testing.MutableClock clock =
        new io.cdpkit.core.testing.MutableClock(Instant.parse("2026-01-01T00:00:00Z"));
    try (Cdp cdp = Cdp.builder().clock(clock).build()) {
      for (int i = 0; i < 30; i++) {
        cdp.ingest(Event.track("Page Viewed").messageId("m-" + i).userId("C-" + i)
            .timestamp(clock.instant()).build());
      }
      clock.advance(Duration.ofDays(10));
      List<String> phases = new ArrayList<>();
      List<Long> done = new ArrayList<>();
      PurgeReport r = cdp.privacy().purge(
          RetentionPolicy.builder().otherwise(Duration.ofDays(1)).build(),
          PurgeListener.of((phase, d, total) -> {
            phases.add(phase);
            done.add(d);
            assertThat(total).isEqualTo(ProgressListener.UNKNOWN);
          }));
      assertThat(r.eventsDeleted()).isEqualTo(30);
      assertThat(phases).isNotEmpty().allMatch("purge"::equals);
      assertThat(done.get(done.size() - 1)).isEqualTo(30);
    }
  }
}
