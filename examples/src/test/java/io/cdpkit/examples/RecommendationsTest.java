package io.cdpkit.examples;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import io.cdpkit.core.testing.SharedData;
import java.nio.file.Path;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class RecommendationsTest {
  /** The shared data's online-retail folder (skips the test without it, except under CI). */
  private static Path onlineRetail() {
    return SharedData.dataDir("online-retail").resolve("online_retail.csv.gz");
  }

  @Test
  @DisplayName("on the UCI year, through the engine, hit rate at 5 is twice the baseline's or more")
  void wholeFile() {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    Recommendations.Outcome outcome = Recommendations.run(
        new PrintStream(bytes, true, StandardCharsets.UTF_8), onlineRetail());
    String line = bytes.toString(StandardCharsets.UTF_8).strip();

    assertThat(line).matches("hit_rate_at_5=\\d\\.\\d{4} popularity_hit_rate_at_5=\\d\\.\\d{4} "
        + "recall_at_10=\\d\\.\\d{4}");
    // Measured: 1,715 customers ordered on or after 2011-11-08; hit rate 0.4449 against the
    // popularity baseline's 0.2017 (2.21 times), recall at 10 0.0651 (before buy-again, the
    // mean similarity and the recency-ordered fallback: 0.3277, 1.62 times, and 0.0417).
    assertThat(outcome.customers()).isEqualTo(1715);
    assertThat(outcome.hitRate()).isGreaterThanOrEqualTo(2 * outcome.popularityHitRate());
    assertThat(outcome.hitRate()).isGreaterThan(0.42);
    assertThat(outcome.recall()).isGreaterThan(0.055);
  }
}
