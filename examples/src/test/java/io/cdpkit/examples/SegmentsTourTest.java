package io.cdpkit.examples;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class SegmentsTourTest {
  @Test
  void theTourPrintsEntriesExitsAnExplanationAndCounts() {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    SegmentsTour.run(new PrintStream(bytes, true, StandardCharsets.UTF_8));
    String out = bytes.toString(StandardCharsets.UTF_8);

    assertThat(out).contains("2026-03-02T09:00:00Z  ENTERED reachable-by-email  (event)");
    assertThat(out).contains("2026-03-03T10:00:00Z  ENTERED abandoned-cart  (time)");
    assertThat(out).contains("2026-03-03T10:00:00Z  EXITED abandoned-cart  (event)");
    assertThat(out).contains("2026-03-03T10:00:00Z  ENTERED vip  (event)");
    assertThat(out).contains("Jane's segments: [reachable-by-email, vip]");
    assertThat(out).contains("preferred channel online, favourite category coats");
    assertThat(out).contains("[ ] has identifier email");
    assertThat(out).contains("over 2 profiles: vip 1, reachable 1, both 1");
  }
}
