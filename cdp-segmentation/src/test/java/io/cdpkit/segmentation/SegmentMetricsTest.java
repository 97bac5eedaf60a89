package io.cdpkit.segmentation;

import static io.cdpkit.segmentation.definition.Conditions.trait;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cdpkit.core.Cdp;
import io.cdpkit.core.model.Event;
import io.cdpkit.core.model.WorkspaceId;
import io.cdpkit.core.testing.MutableClock;
import io.cdpkit.segmentation.definition.SegmentDefinition;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
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

  @Test
  @DisplayName("cdpkit.segment.size reads each segment's members per workspace; a deleted"
      + " segment reads 0; sizes are reused within the cache")
  void sizes() {
    Segmentation seg = Segmentation.builder().build();
    WorkspaceId north = WorkspaceId.of("north");
    try (Cdp cdp = Cdp.builder().clock(new MutableClock(NOW)).extension(seg).build()) {
      for (Segments s : List.of(seg.segments(), seg.segments(north))) {
        s.save(SegmentDefinition.builder("utrecht").where(trait("city").eq("Utrecht")).build());
        s.save(SegmentDefinition.builder("delft").where(trait("city").eq("Delft")).build());
      }
      for (int i = 0; i < 1_005; i++) {
        cdp.ingest(Event.identify().messageId("u" + i).userId("c" + i)
            .trait("city", i % 5 == 0 ? "Delft" : "Utrecht").timestamp(NOW).build());
      }
      cdp.workspace(north).ingest(Event.identify().messageId("n1").userId("c1")
          .trait("city", "Delft").timestamp(NOW).build());
      assertThat(seg.segments().size("utrecht")).isEqualTo(804);
      assertThatThrownBy(() -> seg.segments().size("nope"))
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("nope");

      SimpleMeterRegistry registry = new SimpleMeterRegistry();
      new SegmentMetrics(seg, Duration.ZERO).bindTo(registry);
      assertThat(size(registry, "default", "utrecht")).isEqualTo(804);
      assertThat(size(registry, "default", "delft")).isEqualTo(201);
      assertThat(size(registry, "north", "delft")).isEqualTo(1);
      assertThat(size(registry, "north", "utrecht")).isZero();
      cdp.ingest(Event.identify().messageId("m").userId("c0").trait("city", "Utrecht")
          .timestamp(NOW.plusSeconds(5)).build());
      assertThat(size(registry, "default", "utrecht")).isEqualTo(805);
      assertThat(size(registry, "default", "delft")).isEqualTo(200);
      seg.segments().delete("delft");
      assertThat(size(registry, "default", "delft")).isZero();

      SimpleMeterRegistry cached = new SimpleMeterRegistry();
      new SegmentMetrics(seg, Duration.ofHours(1)).bindTo(cached);
      assertThat(size(cached, "default", "utrecht")).isEqualTo(805);
      cdp.ingest(Event.identify().messageId("m2").userId("c1").trait("city", "Gouda")
          .timestamp(NOW.plusSeconds(9)).build());
      assertThat(size(cached, "default", "utrecht")).as("reused").isEqualTo(805);
      assertThat(size(registry, "default", "utrecht")).isEqualTo(804);
    }
    assertThatThrownBy(() -> new SegmentMetrics(seg, Duration.ofSeconds(-1)))
        .hasMessageContaining("sizeCache");
  }

  static double size(SimpleMeterRegistry registry, String ws, String segment) {
    return registry.find("cdpkit.segment.size").tags("workspace", ws, "segment", segment)
        .gauge().value();
  }

  static double count(SimpleMeterRegistry registry, String kind) {
    FunctionCounter c = registry.find("cdpkit.segment.changes")
        .tags("workspace", "default", "segment", "utrecht", "kind", kind).functionCounter();
    return c == null ? 0 : c.count();
  }
}
