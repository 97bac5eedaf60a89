package io.cdpkit.core.dedup;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Expectation maximisation recovers m, u and the prior that generated the data.
 *
 * <p>The data: 3,000 people with five category fields, values uniform over vocabularies of
 * 30 to 400 values (so u of an exact match is 1/V), and 1,000 of them with one duplicate whose
 * fields are each replaced, with a known error rate e, by another value of the vocabulary (so
 * m of an exact match is 1 - e, and an error always lands in "else"). The blocking rules pair
 * the fields in every way; each field's m pools the expected counts of the six rules without
 * it, over about 1,000 matches each.
 *
 * <p>Tolerances: m within 0.03. One rule's estimate of m near 0.8 from 1,000 matches has a
 * standard error of sqrt(0.8 x 0.2 / 1000) = 0.013, so 0.03 is over two standard errors of a
 * single rule (the pooled estimate is tighter, though the rules share matches). u within 10%
 * relative: 1,000,000 random pairs give 1/400 with a relative standard error of 2%, the true
 * matches among them (1 in 8,000 pairs) add well under 1%. The prior within 20%: it is the
 * median of ten ratios, each with the error of its rule's expected match count (about 3%) and
 * of the two m it divides by (about 2% each).
 */
class EmRecoveryTest {
  private static final int[] VOCABULARY = {30, 60, 100, 200, 400};
  private static final double[] ERROR = {0.05, 0.10, 0.15, 0.20, 0.10};
  private static final int PEOPLE = 3_000;
  private static final int DUPLICATED = 1_000;

  static List<MatchRecord> generate(long seed) {
    SplittableRandom random = new SplittableRandom(seed);
    List<MatchRecord> records = new ArrayList<>();
    for (int person = 0; person < PEOPLE; person++) {
      Map<String, String> values = new HashMap<>();
      for (int i = 0; i < VOCABULARY.length; i++) {
        values.put("f" + i, "v" + random.nextInt(VOCABULARY[i]));
      }
      records.add(new MatchRecord("p" + person + "-a", values));
      if (person < DUPLICATED) {
        Map<String, String> copy = new HashMap<>(values);
        for (int i = 0; i < VOCABULARY.length; i++) {
          if (random.nextDouble() < ERROR[i]) {
            int old = Integer.parseInt(values.get("f" + i).substring(1));
            int other = random.nextInt(VOCABULARY[i] - 1);
            copy.put("f" + i, "v" + (other >= old ? other + 1 : other));
          }
        }
        records.add(new MatchRecord("p" + person + "-b", copy));
      }
    }
    return records;
  }

  static DuplicateDetector detector() {
    DuplicateDetector.Builder b = DuplicateDetector.builder();
    for (int i = 0; i < VOCABULARY.length; i++) {
      b.field(MatchField.custom("f" + i, FieldKind.CATEGORY, false));
    }
    for (int i = 0; i < VOCABULARY.length; i++) {
      for (int j = i + 1; j < VOCABULARY.length; j++) {
        b.blockingRule(BlockingRule.on("f" + i, "f" + j));
      }
    }
    return b.build();
  }

  @Test
  @DisplayName("EM recovers the m, u and prior the data was generated with")
  void recoversKnownParameters() {
    List<MatchRecord> records = generate(20261206L);
    DedupResult result = detector().detect(records);
    MatchModel model = result.model();

    for (int i = 0; i < VOCABULARY.length; i++) {
      MatchModel.FieldParameters p = model.field("f" + i).orElseThrow();
      assertThat(p.estimated()).isTrue();
      assertThat(p.m().get(0)).as("m exact of f%d", i).isCloseTo(1 - ERROR[i], within(0.03));
      assertThat(p.u().get(0)).as("u exact of f%d", i)
          .isCloseTo(1.0 / VOCABULARY[i], within(0.1 / VOCABULARY[i]));
    }
    long n = records.size();
    double truePrior = DUPLICATED / (n * (n - 1) / 2.0);
    assertThat(model.prior()).isCloseTo(truePrior, within(0.2 * truePrior));
  }

  @Test
  @DisplayName("the learned model finds the generated duplicates, with as many false links as "
      + "its probabilities promise")
  void separatesDuplicates() {
    List<MatchRecord> records = generate(7L);
    DedupResult result = detector().detect(records);
    long truePositives = result.links().stream()
        .filter(p -> p.first().split("-")[0].equals(p.second().split("-")[0])).count();
    long falsePositives = result.links().size() - truePositives;
    double expectedFalse = result.links().stream().mapToDouble(p -> 1 - p.probability()).sum();
    // Measured with seed 7: 955 true and 26 false links, 28.5 false ones expected. The model
    // is calibrated on data it describes: the false links are as many as its probabilities
    // promise, within three standard deviations (the variance of a sum of Bernoulli variables
    // is at most its mean).
    assertThat((double) falsePositives)
        .isCloseTo(expectedFalse, within(3 * Math.sqrt(expectedFalse) + 1));
    assertThat(truePositives).isGreaterThan(930);
  }
}
