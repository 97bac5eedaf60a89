package io.cdpkit.core.dedup;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import net.jqwik.api.ForAll;
import net.jqwik.api.Label;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class DuplicateDetectorTest {
  private static final List<MatchField> PERSON = List.of(MatchField.GIVEN_NAME,
      MatchField.SURNAME, MatchField.DATE_OF_BIRTH, MatchField.STREET, MatchField.POSTCODE,
      MatchField.CITY);

  private static DuplicateDetector detector() {
    return DuplicateDetector.builder().fields(PERSON).build();
  }

  private static Optional<CandidatePair> pair(DedupResult result, String a, String b) {
    return result.pairs().stream().filter(p -> p.first().equals(a) && p.second().equals(b)
        || p.first().equals(b) && p.second().equals(a)).findFirst();
  }

  @Property(tries = 15)
  @Label("the explanation adds up: prior weight plus field weights is the log-odds, "
      + "whose logistic is the probability, and each field weight is its level's plus the "
      + "term-frequency adjustment")
  void explanationAddsUp(@ForAll @IntRange(min = 0, max = 1_000_000) int seed,
      @ForAll @IntRange(min = 20, max = 300) int people) {
    DedupResult result = detector().detect(People.generate(people, people / 2, seed));
    assertThat(result.pairs()).isNotEmpty();
    double priorWeight = Math.log(result.model().prior() / (1 - result.model().prior()))
        / Math.log(2);
    for (CandidatePair p : result.pairs()) {
      assertThat(p.priorWeight()).isEqualTo(priorWeight);
      double sum = p.priorWeight();
      assertThat(p.weights()).extracting(FieldWeight::field)
          .containsExactlyElementsOf(PERSON.stream().map(MatchField::name).toList());
      for (int i = 0; i < PERSON.size(); i++) {
        FieldWeight w = p.weights().get(i);
        sum += w.weight();
        if (w.level() == null || w.level().startsWith("implied by ")) {
          assertThat(w.weight()).isZero();
        } else {
          MatchModel.FieldParameters fp = result.model().fields().get(i);
          int level = PERSON.get(i).kind().levels().indexOf(w.level());
          assertThat(w.weight() - w.termFrequencyAdjustment())
              .isCloseTo(fp.weight(level), within(1e-9));
          if (level != 0 || !PERSON.get(i).termFrequency()) {
            assertThat(w.termFrequencyAdjustment()).isZero();
          }
        }
      }
      assertThat(p.logOdds()).isCloseTo(sum, within(1e-9));
      assertThat(p.probability()).isCloseTo(1 / (1 + Math.pow(2, -p.logOdds())), within(1e-12));
    }
    for (int i = 1; i < result.pairs().size(); i++) {
      assertThat(result.pairs().get(i).probability())
          .isLessThanOrEqualTo(result.pairs().get(i - 1).probability());
    }
  }

  @Test
  @DisplayName("blocking brings together a pair agreeing only on given name and birth date, and "
      + "one agreeing only in the sound of both names, but not a pair sharing only a city")
  void blockingFindsWhatTheRulesPromise() {
    List<MatchRecord> records = new ArrayList<>(People.generate(300, 100, 5));
    records.add(new MatchRecord("gd-1", People.values("given_name", "ysolde", "surname",
        "quernby", "date_of_birth", "19610417", "postcode", "2040", "city", "ashford")));
    records.add(new MatchRecord("gd-2", People.values("given_name", "ysolde", "surname",
        "fairweather", "date_of_birth", "19610417", "postcode", "7311", "city", "brinkley")));
    records.add(new MatchRecord("sound-1", People.values("given_name", "catherine", "surname",
        "smith", "date_of_birth", "19700101", "postcode", "1111")));
    records.add(new MatchRecord("sound-2", People.values("given_name", "kathryn", "surname",
        "smyth", "date_of_birth", "19800202", "postcode", "2222")));
    records.add(new MatchRecord("city-1", People.values("given_name", "ottoline", "surname",
        "grebe", "date_of_birth", "19550505", "city", "tumbarumba")));
    records.add(new MatchRecord("city-2", People.values("given_name", "wendeline", "surname",
        "haskett", "date_of_birth", "19990909", "city", "tumbarumba")));
    DedupResult result = detector().detect(records);

    assertThat(pair(result, "gd-1", "gd-2")).isPresent();
    assertThat(pair(result, "sound-1", "sound-2")).isPresent();
    assertThat(pair(result, "city-1", "city-2")).isEmpty();
    // The sound pair is found by its sound alone: no exact rule could have found it.
    assertThat(pair(result, "sound-1", "sound-2").orElseThrow().weights())
        .filteredOn(w -> w.field().equals("given_name") || w.field().equals("surname"))
        .extracting(FieldWeight::level).doesNotContain("exact");
  }

  @Test
  @DisplayName("blocking finds nearly every generated duplicate, and its comparisons grow close "
      + "to linearly: eight times the records, far fewer than 64 times the comparisons")
  void blockingIsNearLinear() {
    DedupResult small = detector().detect(People.generate(1_000, 300, 11));
    DedupResult large = detector().detect(People.generate(8_000, 2_400, 11));
    long truePairs = large.pairs().stream()
        .filter(p -> People.person(p.first()).equals(People.person(p.second()))).count();
    // A duplicate escapes only when fewer than two of the four core fields survive and its
    // names lose their sound as well.
    assertThat(truePairs).isGreaterThan((long) (0.98 * 2_400));
    double growth = (double) large.comparisons() / small.comparisons();
    // Measured (seed 11): 1,000 records give 297 comparisons, 8,000 give 2,479 (growth 8.3),
    // finding 2,380 of the 2,400 duplicates.
    assertThat(growth).isLessThan(12);
    assertThat(large.comparisons()).isLessThan(8_000L * 7_999 / 2 / 1_000);
  }

  @Test
  @DisplayName("a block larger than the limit is skipped and counted, not compared")
  void oversizedBlocksAreSkipped() {
    List<MatchRecord> records = new ArrayList<>();
    for (int i = 0; i < 30; i++) {
      records.add(new MatchRecord("r" + i, People.values("given_name", "ann", "surname", "lee",
          "date_of_birth", String.format("19%02d0101", i))));
    }
    DedupResult limited = DuplicateDetector.builder().fields(PERSON).maxBlockSize(10).build()
        .detect(records);
    assertThat(limited.skippedBlocks()).isGreaterThanOrEqualTo(2);
    assertThat(limited.comparisons()).isZero();
    DedupResult open = detector().detect(records);
    assertThat(open.skippedBlocks()).isZero();
    assertThat(open.comparisons()).isEqualTo(30 * 29 / 2);
  }

  @Test
  @DisplayName("term frequency: a match on a common surname weighs less than on a rare one, "
      + "and only because of the adjustment")
  void commonSurnameWeighsLess() {
    List<MatchRecord> records = new ArrayList<>(People.generate(500, 100, 3));
    for (int i = 0; i < 120; i++) {
      records.add(new MatchRecord("smith-" + i, People.values("given_name", "g" + i,
          "surname", "smith", "date_of_birth", String.format("1950%02d%02d", 1 + i % 12,
              1 + i % 28))));
    }
    records.add(new MatchRecord("s-1", People.values("given_name", "ysolde", "surname", "smith",
        "date_of_birth", "19770707")));
    records.add(new MatchRecord("s-2", People.values("given_name", "ysolde", "surname", "smith",
        "date_of_birth", "19770707")));
    records.add(new MatchRecord("z-1", People.values("given_name", "brangwen", "surname",
        "zielinski", "date_of_birth", "19880808")));
    records.add(new MatchRecord("z-2", People.values("given_name", "brangwen", "surname",
        "zielinski", "date_of_birth", "19880808")));

    DedupResult result = detector().detect(records);
    CandidatePair smith = pair(result, "s-1", "s-2").orElseThrow();
    CandidatePair zielinski = pair(result, "z-1", "z-2").orElseThrow();
    FieldWeight common = smith.weights().get(1);
    FieldWeight rare = zielinski.weights().get(1);
    assertThat(common.level()).isEqualTo("exact");
    assertThat(common.weight()).isLessThan(rare.weight() - 3);
    assertThat(common.termFrequencyAdjustment()).isNegative();
    assertThat(rare.termFrequencyAdjustment()).isPositive();
    assertThat(smith.probability()).isLessThan(zielinski.probability());

    List<MatchField> withoutFrequency = new ArrayList<>(PERSON);
    withoutFrequency.set(1, MatchField.custom("surname", FieldKind.NAME, false));
    DedupResult plain = DuplicateDetector.builder().fields(withoutFrequency).build()
        .detect(records);
    assertThat(pair(plain, "s-1", "s-2").orElseThrow().weightOf("surname"))
        .isEqualTo(pair(plain, "z-1", "z-2").orElseThrow().weightOf("surname"));
  }

  @Test
  @DisplayName("the same place counts once: with the postcode agreeing the city weighs nothing "
      + "and says why; with the postcode different the city weighs")
  void cityImpliedByPostcode() {
    List<MatchRecord> records = new ArrayList<>(People.generate(800, 300, 11));
    records.add(new MatchRecord("same-1", People.values("given_name", "ysolde", "surname",
        "quernby", "date_of_birth", "19610417", "postcode", "2040", "city", "ashford")));
    records.add(new MatchRecord("same-2", People.values("given_name", "ysolde", "surname",
        "quernby", "date_of_birth", "19610417", "postcode", "2040", "city", "ashford")));
    records.add(new MatchRecord("moved-1", People.values("given_name", "brangwen", "surname",
        "fairweather", "date_of_birth", "19880808", "postcode", "7311", "city", "brinkley")));
    records.add(new MatchRecord("moved-2", People.values("given_name", "brangwen", "surname",
        "fairweather", "date_of_birth", "19880808", "postcode", "7390", "city", "brinkley")));

    DedupResult result = detector().detect(records);
    FieldWeight same = pair(result, "same-1", "same-2").orElseThrow().weights().get(5);
    assertThat(same.field()).isEqualTo("city");
    assertThat(same.level()).isEqualTo("implied by postcode");
    assertThat(same.weight()).isZero();
    FieldWeight moved = pair(result, "moved-1", "moved-2").orElseThrow().weights().get(5);
    assertThat(moved.level()).isEqualTo("exact");
    assertThat(moved.weight()).isPositive();

    List<MatchField> noPostcode = List.of(MatchField.GIVEN_NAME, MatchField.SURNAME,
        MatchField.DATE_OF_BIRTH, MatchField.CITY);
    DedupResult without = DuplicateDetector.builder().fields(noPostcode).build().detect(records);
    FieldWeight alone = pair(without, "same-1", "same-2").orElseThrow().weights().get(3);
    assertThat(alone.level()).isEqualTo("exact");
    assertThat(alone.weight()).isPositive();
  }

  @Test
  @DisplayName("given name and surname swapped are compared crosswise and link; one name "
      + "found on the other side is not a swap")
  void swappedNamesComparedCrosswise() {
    List<MatchRecord> records = new ArrayList<>(People.generate(800, 300, 12));
    records.add(new MatchRecord("swap-1", People.values("given_name", "ysolde", "surname",
        "quernby", "date_of_birth", "19610417", "postcode", "2040", "city", "ashford")));
    records.add(new MatchRecord("swap-2", People.values("given_name", "quernby", "surname",
        "ysolde", "date_of_birth", "19610417", "postcode", "2040", "city", "ashford")));
    records.add(new MatchRecord("half-1", People.values("given_name", "brangwen", "surname",
        "fairweather", "date_of_birth", "19880808", "postcode", "7311", "city", "brinkley")));
    records.add(new MatchRecord("half-2", People.values("given_name", "zoltan", "surname",
        "brangwen", "date_of_birth", "19880808", "postcode", "7311", "city", "brinkley")));

    DedupResult result = detector().detect(records);
    CandidatePair swap = pair(result, "swap-1", "swap-2").orElseThrow();
    assertThat(swap.weights().get(0).level()).isEqualTo("exact");
    assertThat(swap.weights().get(1).level()).isEqualTo("exact");
    assertThat(swap.probability()).isGreaterThan(0.5);
    CandidatePair half = pair(result, "half-1", "half-2").orElseThrow();
    assertThat(half.weights().get(0).level()).isEqualTo("else");
    assertThat(half.weights().get(1).level()).isEqualTo("else");
  }

  @Test
  @DisplayName("a transposed day and month and a one-digit slip in the birth date speak for a "
      + "match, a different date against")
  void dateErrorsWeighMoreThanDifferentDates() {
    List<MatchRecord> records = new ArrayList<>(People.generate(1_500, 600, 8));
    DedupResult result = detector().detect(records);
    MatchModel.FieldParameters dob = result.model().field("date_of_birth").orElseThrow();
    List<String> levels = FieldKind.DATE.levels();
    assertThat(dob.weight(levels.indexOf("day and month transposed"))).isPositive();
    assertThat(dob.weight(levels.indexOf("one digit off"))).isPositive();
    assertThat(dob.weight(levels.indexOf("else"))).isNegative();
  }

  @Test
  @DisplayName("progress is reported, ending with every pair compared")
  void reportsProgress() {
    AtomicLong last = new AtomicLong();
    List<Long> calls = new ArrayList<>();
    DedupResult result = detector().detect(People.generate(400, 100, 1), done -> {
      calls.add(done);
      last.set(done);
    });
    assertThat(calls).isSorted().hasSizeGreaterThan(2);
    assertThat(last.get()).isEqualTo(result.randomPairs() + result.comparisons());
  }

  @Test
  @DisplayName("the settings are checked at once and name what clashes")
  void settingsAreChecked() {
    assertThatThrownBy(() -> DuplicateDetector.builder().field(MatchField.SURNAME)
        .field(MatchField.SURNAME)).hasMessageContaining("surname was already added");
    assertThatThrownBy(() -> DuplicateDetector.builder().field(MatchField.SURNAME)
        .blockingRule(BlockingRule.on("surname", "postcode")))
        .hasMessageContaining("names field postcode");
    assertThatThrownBy(() -> DuplicateDetector.builder().linkThreshold(0.9).linkThreshold(0.8))
        .hasMessageContaining("already set to 0.9");
    assertThatThrownBy(() -> DuplicateDetector.builder().build())
        .isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(() -> DuplicateDetector.builder()
        .field(MatchField.custom("tier", FieldKind.CATEGORY, false)).build())
        .hasMessageContaining("no blocking rule");
    assertThatThrownBy(() -> detector().detect(List.of(
        new MatchRecord("x", People.values("surname", "a")),
        new MatchRecord("x", People.values("surname", "b")))))
        .hasMessageContaining("distinct ids");
  }

  @Test
  @DisplayName("equal input and seed give equal results")
  void deterministic() {
    List<MatchRecord> records = People.generate(1_200, 300, 4);
    DuplicateDetector d = DuplicateDetector.builder().fields(PERSON).randomPairs(50_000).build();
    assertThat(d.detect(records)).isEqualTo(d.detect(records));
  }
}
