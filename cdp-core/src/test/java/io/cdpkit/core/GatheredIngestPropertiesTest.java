package io.cdpkit.core;

import static org.assertj.core.api.Assertions.assertThat;

import io.cdpkit.core.model.Event;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;

/**
 * Gathering changes how events are committed, never what is stored: any number of threads, any
 * group size and any order give the profiles of a sequential, ungathered ingest.
 */
class GatheredIngestPropertiesTest {

  @Property(tries = 25)
  void gatheredConcurrentIngestEqualsSequential(
      @ForAll @IntRange(min = 2, max = 6) int threads,
      @ForAll @IntRange(min = 2, max = 8) int maxBatch,
      @ForAll @IntRange(min = 1, max = 60) int n,
      @ForAll @IntRange(min = 1, max = 6) int customers,
      @ForAll long seed) throws Exception {
    List<Event> events = GatheredIngestTest.events(n, seed, customers);
    List<Event> order = new ArrayList<>(events);
    Collections.shuffle(order, new Random(seed));
    GatheredIngestTest.Probe probe = new GatheredIngestTest.Probe();
    try (Cdp gathered = Cdp.builder().store(probe)
            .gatherIngests(Duration.ofMillis(1), maxBatch).build();
        Cdp sequential = Cdp.builder().build()) {
      GatheredIngestTest.ingestConcurrently(gathered, order, threads);
      for (Event e : events) {
        sequential.ingest(e);
      }
      assertThat(probe.committedEvents()).hasSize(n).doesNotHaveDuplicates();
      assertThat(probe.committed)
          .allSatisfy(g -> assertThat(g).hasSizeLessThanOrEqualTo(maxBatch));
      GatheredIngestTest.assertSameProfiles(gathered, sequential, customers);
    }
  }
}
