package io.cdpkit.segmentation;

import static io.cdpkit.segmentation.definition.Conditions.trait;
import static org.assertj.core.api.Assertions.assertThat;

import io.cdpkit.core.Cdp;
import io.cdpkit.core.model.Event;
import io.cdpkit.core.testing.MutableClock;
import io.cdpkit.segmentation.definition.SegmentDefinition;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Instant;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class SegmentMetricsTest {
  static final Instant NOW = Instant.parse("2026-03-15T10:00:00Z");

  @Test
  @DisplayName("each entry and exit moves its segment's counter by one; no tag holds a trait value")
  void entriesAndExits() {
    Segmentation seg = Segmentation.builder().build();
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    try (Cdp cdp = Cdp.builder().clock(new MutableClock(NOW)).extension(seg).build()) {
      new SegmentMetrics(seg).bindTo(registry);
      seg.segments().save(SegmentDefinition.builder("utrecht")
          .where(trait("city").eq("Utrecht-Quillfeather")).build());
      cdp.ingest(Event.identify().messageId("i1").userId("c1")
          .trait("city", "Utrecht-Quillfeather").trait("email", "zebedee@example.org")
          .timestamp(NOW).build());
      assertThat(count(registry, "entered")).isEqualTo(1);
      assertThat(count(registry, "exited")).isZero();
      cdp.ingest(Event.identify().messageId("i2").userId("c2")
          .trait("city", "Utrecht-Quillfeather").timestamp(NOW).build());
      assertThat(count(registry, "entered")).isEqualTo(2);
      cdp.ingest(Event.identify().messageId("i3").userId("c1").trait("city", "Delft")
          .timestamp(NOW.plusSeconds(60)).build());
      assertThat(count(registry, "entered")).isEqualTo(2);
      assertThat(count(registry, "exited")).isEqualTo(1);
      cdp.ingest(Event.identify().messageId("i3").userId("c1").trait("city", "Delft")
          .timestamp(NOW.plusSeconds(60)).build()); // a replay changes nothing
      assertThat(count(registry, "exited")).isEqualTo(1);
      for (Meter m : registry.getMeters()) {
        assertThat(m.getId().toString()).doesNotContain("Quillfeather").doesNotContain("zebedee")
            .doesNotContain("c1").doesNotContain("Delft");
      }
    }
  }

  static double count(SimpleMeterRegistry registry, String kind) {
    FunctionCounter c = registry.find("cdpkit.segment.changes")
        .tags("workspace", "default", "segment", "utrecht", "kind", kind).functionCounter();
    return c == null ? 0 : c.count();
  }
}
