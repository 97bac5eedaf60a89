package io.cdpkit.benchmarks;

import static org.assertj.core.api.Assertions.assertThat;

import io.cdpkit.core.dedup.DuplicateDetector;
import io.cdpkit.core.dedup.MatchField;
import io.cdpkit.core.dedup.MatchModel;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class DedupIncrementalRoundsTest {
  @Test
  @DisplayName("arrivals checked against the index find their duplicates among earlier records, "
      + "and every call is timed")
  void arrivalsFindTheirDuplicates() {
    DedupRounds.Generated g = DedupRounds.generate(4_000, DedupRounds.SEED);
    DuplicateDetector detector = DuplicateDetector.builder().fields(MatchField.standard())
        .build();
    MatchModel model = detector.detect(g.records().subList(0, 3_500)).model();
    DedupIncrementalRounds.Round round = DedupIncrementalRounds.run(detector, model, g, 3_500,
        false);
    assertThat(round.arrivals()).isEqualTo(500);
    assertThat(round.links()).isPositive();
    assertThat(round.precision()).isGreaterThan(0.95);
    assertThat(round.recall()).isGreaterThan(0.85);
    assertThat(round.arrival().max()).isGreaterThanOrEqualTo(round.arrival().p99());
    assertThat(round.arrival().p99()).isGreaterThanOrEqualTo(round.arrival().p50());
    assertThat(round.arrival().p50()).isPositive();
  }
}
