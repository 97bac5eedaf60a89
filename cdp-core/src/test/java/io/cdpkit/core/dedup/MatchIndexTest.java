package io.cdpkit.core.dedup;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import net.jqwik.api.ForAll;
import net.jqwik.api.Label;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class MatchIndexTest {
  private static final List<MatchField> PERSON = List.of(MatchField.GIVEN_NAME,
      MatchField.SURNAME, MatchField.DATE_OF_BIRTH, MatchField.STREET, MatchField.POSTCODE,
      MatchField.CITY);

  private static DuplicateDetector detector(int maxBlockSize) {
    return DuplicateDetector.builder().fields(PERSON).maxBlockSize(maxBlockSize).build();
  }

  /**
   * Generated people with duplicates, plus a crowd sharing given name and surname (a block that
   * a small limit skips), plus some records with swapped names (compared crosswise, where the
   * order of a pair matters).
   */
  private static List<MatchRecord> records(int people, int crowd, long seed) {
    List<MatchRecord> records = new ArrayList<>(People.generate(people, people / 2, seed));
    SplittableRandom random = new SplittableRandom(seed);
    for (int i = 0; i < crowd; i++) {
      records.add(new MatchRecord("crowd" + i + "-x", People.values("given_name", "ann",
          "surname", "lee", "date_of_birth", String.format("19%02d01%02d", random.nextInt(100),
              1 + random.nextInt(3)), "postcode", Integer.toString(2000 + random.nextInt(3)),
          "city", random.nextBoolean() ? "ashford" : "brinkley")));
    }
    for (int i = 0; i < people / 10; i++) {
      Map<String, String> v = new HashMap<>(records.get(random.nextInt(records.size()))
          .values());
      String given = v.get("given_name");
      String surname = v.get("surname");
      if (given != null && surname != null) {
        v.put("given_name", surname);
        v.put("surname", given);
      }
      records.add(new MatchRecord("swap" + i + "-y", v));
    }
    // Mix the extra records into the input so that pair order is not always input order.
    List<MatchRecord> shuffled = new ArrayList<>(records);
    for (int i = shuffled.size() - 1; i > 0; i--) {
      int j = random.nextInt(i + 1);
      MatchRecord t = shuffled.get(i);
      shuffled.set(i, shuffled.get(j));
      shuffled.set(j, t);
    }
    return shuffled;
  }

  private static String key(CandidatePair p) {
    return p.first().compareTo(p.second()) < 0 ? p.first() + " " + p.second()
        : p.second() + " " + p.first();
  }

  private static Map<String, CandidatePair> byOrderedIds(List<CandidatePair> pairs) {
    Map<String, CandidatePair> out = new HashMap<>();
    for (CandidatePair p : pairs) {
      out.put(p.first() + " " + p.second(), p);
    }
    return out;
  }

  @Property(tries = 20)
  @Label("every pair the index reports is the batch run's pair under the same model, and the "
      + "pairs found record by record, each against the index of the others, are the batch "
      + "candidate pairs")
  void incrementalEqualsBatch(@ForAll @IntRange(min = 0, max = 1_000_000) int seed,
      @ForAll @IntRange(min = 10, max = 160) int people,
      @ForAll @IntRange(min = 0, max = 9) int crowd,
      @ForAll @IntRange(min = 0, max = 3) int limit) {
    List<MatchRecord> records = records(people, crowd, seed);
    // Small limits skip the crowd's blocks (up to nine records and their duplicates' blocks).
    DuplicateDetector detector = detector(new int[] {3, 5, 8, 1_000}[limit]);
    DedupResult batch = detector.detect(records);
    Map<String, CandidatePair> batchPairs = byOrderedIds(batch.pairs());

    MatchIndex index = detector.index(batch.model());
    records.forEach(index::put);
    assertThat(index.size()).isEqualTo(records.size());
    Set<String> found = new HashSet<>();
    for (MatchRecord r : records) {
      MatchIndex.Check check = index.check(r);
      for (CandidatePair p : check.pairs()) {
        assertThat(p.first().equals(r.id()) || p.second().equals(r.id())).isTrue();
        CandidatePair expected = batchPairs.get(p.first() + " " + p.second());
        assertThat(expected).as("batch pair of %s", key(p)).isNotNull();
        assertThat(p.probability()).isCloseTo(expected.probability(),
            org.assertj.core.api.Assertions.within(1e-12));
        assertThat(p).isEqualTo(expected);
        found.add(key(p));
      }
      for (int i = 1; i < check.pairs().size(); i++) {
        assertThat(PairScoring.ORDER.compare(check.pairs().get(i - 1), check.pairs().get(i)))
            .isLessThanOrEqualTo(0);
      }
      assertThat(check.links()).allMatch(p -> p.probability() >= batch.linkThreshold());
    }
    Set<String> batchKeys = new HashSet<>();
    batch.pairs().forEach(p -> batchKeys.add(key(p)));
    assertThat(found).isEqualTo(batchKeys);
    for (CandidatePair p : batch.pairs()) {
      assertThat(index.score(p.second(), p.first())).contains(p);
    }

    // Each record against the index of all the others, as it would be checked on arrival.
    Set<String> againstOthers = new HashSet<>();
    for (MatchRecord r : records) {
      assertThat(index.remove(r.id())).isTrue();
      assertThat(index.get(r.id())).isEmpty();
      index.check(r).pairs().forEach(p -> againstOthers.add(key(p)));
      index.put(r);
    }
    assertThat(againstOthers).isEqualTo(batchKeys);

    // Scoring again with the stored model learns nothing and gives the same pairs.
    DedupResult again = detector.score(records, batch.model());
    assertThat(again.pairs()).isEqualTo(batch.pairs());
    assertThat(again.skippedBlocks()).isEqualTo(batch.skippedBlocks());
    assertThat(again.randomPairs()).isZero();
  }

  @Property(tries = 15)
  @Label("after any puts, replacements and removals, the index scores every pair as a batch "
      + "scoring of the records it holds does: blocks and value counts follow the changes")
  void changesKeepBlocksAndCounts(@ForAll @IntRange(min = 0, max = 1_000_000) int seed,
      @ForAll @IntRange(min = 20, max = 120) int people) {
    List<MatchRecord> pool = records(people, 6, seed);
    DuplicateDetector detector = detector(1_000);
    MatchModel model = detector.detect(pool).model();
    MatchIndex index = detector.index(model);
    // What the index should hold, in the order the ids were first put.
    Map<String, MatchRecord> held = new LinkedHashMap<>();
    SplittableRandom random = new SplittableRandom(seed);
    for (int step = 0; step < pool.size() * 2; step++) {
      MatchRecord r = pool.get(random.nextInt(pool.size()));
      int op = random.nextInt(10);
      if (op < 6) {
        index.put(r);
        held.put(r.id(), r);
      } else if (op < 8 && !held.isEmpty()) {
        // Another record's values under a held id: a replacement that moves blocks.
        List<String> ids = new ArrayList<>(held.keySet());
        String id = ids.get(random.nextInt(ids.size()));
        MatchRecord moved = new MatchRecord(id, r.values());
        index.put(moved);
        held.put(id, moved);
      } else {
        assertThat(index.remove(r.id())).isEqualTo(held.remove(r.id()) != null);
      }
    }
    assertThat(index.size()).isEqualTo(held.size());
    DedupResult expected = detector.score(List.copyOf(held.values()), model);
    Set<String> expectedKeys = new HashSet<>();
    for (CandidatePair p : expected.pairs()) {
      expectedKeys.add(key(p));
      assertThat(index.score(p.first(), p.second())).contains(p);
    }
    Set<String> found = new HashSet<>();
    for (MatchRecord r : held.values()) {
      assertThat(index.get(r.id())).contains(r);
      for (CandidatePair p : index.check(r).pairs()) {
        assertThat(p).isEqualTo(byOrderedIds(expected.pairs()).get(p.first() + " "
            + p.second()));
        found.add(key(p));
      }
    }
    assertThat(found).isEqualTo(expectedKeys);
  }

  private static MatchIndex smallIndex(List<MatchRecord> extra) {
    List<MatchRecord> records = new ArrayList<>(People.generate(300, 100, 21));
    records.addAll(extra);
    DuplicateDetector detector = detector(1_000);
    MatchIndex index = detector.index(detector.detect(records).model());
    records.forEach(index::put);
    return index;
  }

  private static final MatchRecord QUERNBY = new MatchRecord("q-1", People.values("given_name",
      "ysolde", "surname", "quernby", "date_of_birth", "19610417", "postcode", "2040", "city",
      "ashford"));
  private static final MatchRecord NEIGHBOUR = new MatchRecord("n-1", People.values(
      "given_name", "brangwen", "surname", "quernby", "date_of_birth", "19880808", "postcode",
      "7311", "city", "brinkley"));

  private static Set<String> partners(MatchIndex index, MatchRecord r) {
    Set<String> out = new HashSet<>();
    for (CandidatePair p : index.candidates(r)) {
      out.add(p.first().equals(r.id()) ? p.second() : p.first());
    }
    return out;
  }

  @Test
  @DisplayName("a removed record is no longer a candidate, and a record put again is")
  void removedRecordIsNoCandidate() {
    MatchRecord twin = new MatchRecord("q-2", QUERNBY.values());
    MatchIndex index = smallIndex(List.of(QUERNBY));
    assertThat(partners(index, twin)).contains("q-1");
    assertThat(index.remove("q-1")).isTrue();
    assertThat(index.remove("q-1")).isFalse();
    assertThat(partners(index, twin)).doesNotContain("q-1");
    assertThat(index.score("q-1", "p0-a")).isEmpty();
    index.put(QUERNBY);
    assertThat(partners(index, twin)).contains("q-1");
  }

  @Test
  @DisplayName("replacing a record's postcode moves it from the old block to the new one")
  void replacedPostcodeMovesBlock() {
    MatchIndex index = smallIndex(List.of(QUERNBY, NEIGHBOUR));
    // Same surname, different postcode, given name and birth date: no shared key.
    assertThat(partners(index, NEIGHBOUR)).doesNotContain("q-1");
    Map<String, String> moved = new HashMap<>(QUERNBY.values());
    moved.put("postcode", "7311");
    index.put(new MatchRecord("q-1", moved));
    assertThat(index.size()).isEqualTo(302 + 100);
    assertThat(partners(index, NEIGHBOUR)).contains("q-1");
    MatchRecord stayed = new MatchRecord("s-1", People.values("given_name", "zoltan", "surname",
        "quernby", "date_of_birth", "19990101", "postcode", "2040"));
    assertThat(partners(index, stayed)).doesNotContain("q-1");
  }

  @Test
  @DisplayName("the term-frequency adjustment follows the counts: each common surname put "
      + "lowers the weight of an exact surname match, each removed one raises it again")
  void termFrequencyFollowsPutAndRemove() {
    MatchRecord s1 = new MatchRecord("s-1", People.values("given_name", "ysolde", "surname",
        "smith", "date_of_birth", "19770707"));
    MatchRecord s2 = new MatchRecord("s-2", s1.values());
    MatchIndex index = smallIndex(List.of(s1, s2));
    double before = index.score("s-1", "s-2").orElseThrow().weightOf("surname");
    for (int i = 0; i < 20; i++) {
      index.put(new MatchRecord("smith-" + i, People.values("given_name", "g" + i, "surname",
          "smith")));
    }
    double common = index.score("s-1", "s-2").orElseThrow().weightOf("surname");
    assertThat(common).isLessThan(before - 2);
    // The check of a record not yet put counts it: the same as its score once put.
    MatchRecord s3 = new MatchRecord("s-3", s1.values());
    CandidatePair checked = index.candidates(s3).stream()
        .filter(p -> p.first().equals("s-1")).findFirst().orElseThrow();
    index.put(s3);
    assertThat(index.score("s-1", "s-3")).contains(checked);
    index.remove("s-3");
    for (int i = 0; i < 20; i++) {
      index.remove("smith-" + i);
    }
    assertThat(index.score("s-1", "s-2").orElseThrow().weightOf("surname")).isEqualTo(before);
  }

  @Test
  @DisplayName("a block over the limit is skipped and counted, the record checked included")
  void oversizedBlockIsSkippedAndCounted() {
    List<MatchRecord> crowd = new ArrayList<>();
    for (int i = 0; i < 9; i++) {
      crowd.add(new MatchRecord("r" + i, People.values("given_name", "ann", "surname", "lee",
          "date_of_birth", String.format("19%02d0101", i))));
    }
    DuplicateDetector detector = detector(10);
    MatchIndex index = detector.index(detector.detect(People.generate(200, 50, 2)).model());
    crowd.forEach(index::put);
    MatchRecord tenth = new MatchRecord("r9", People.values("given_name", "ann", "surname",
        "lee", "date_of_birth", "19090101"));
    MatchIndex.Check fits = index.check(tenth);
    assertThat(fits.skippedBlocks()).isZero();
    assertThat(fits.pairs()).hasSize(9);
    index.put(tenth);
    MatchRecord eleventh = new MatchRecord("r10", People.values("given_name", "ann", "surname",
        "lee", "date_of_birth", "19100101"));
    MatchIndex.Check over = index.check(eleventh);
    // Given name with surname, and the sound of both: two blocks of eleven.
    assertThat(over.skippedBlocks()).isEqualTo(2);
    assertThat(over.pairs()).isEmpty();
    // Checking a record already in the index counts its block without its old entry.
    assertThat(index.check(tenth).skippedBlocks()).isZero();
  }

  @Test
  @DisplayName("a model of other fields is refused by the index and by scoring")
  void modelMustFitTheFields() {
    MatchModel model = detector(1_000).detect(People.generate(100, 20, 1)).model();
    DuplicateDetector other = DuplicateDetector.builder().fields(List.of(MatchField.GIVEN_NAME,
        MatchField.SURNAME, MatchField.DATE_OF_BIRTH)).build();
    assertThatThrownBy(() -> other.index(model)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("3 fields but had 6");
    List<MatchField> renamed = new ArrayList<>(PERSON);
    renamed.set(1, MatchField.custom("surname", FieldKind.NAME, false));
    assertThatThrownBy(() -> DuplicateDetector.builder().fields(renamed).build()
        .score(People.generate(10, 2, 1), model)).hasMessageContaining("model field 1");
    assertThatThrownBy(() -> detector(1_000).index(model).score("a", "a"))
        .hasMessageContaining("differ");
  }

  @Test
  @DisplayName("checks on several threads while others put and remove end as the same puts "
      + "made one by one would, and every check sees a consistent index")
  void concurrentUse() throws Exception {
    List<MatchRecord> records = People.generate(2_000, 600, 9);
    DuplicateDetector detector = detector(1_000);
    MatchModel model = detector.detect(records).model();
    MatchIndex shared = detector.index(model);
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      List<Future<?>> work = new ArrayList<>();
      for (int t = 0; t < 4; t++) {
        int part = t;
        work.add(pool.submit(() -> {
          for (int i = part; i < records.size(); i += 4) {
            MatchRecord r = records.get(i);
            for (CandidatePair p : shared.candidates(r)) {
              assertThat(p.first().equals(r.id()) || p.second().equals(r.id())).isTrue();
              assertThat(p.probability()).isBetween(0.0, 1.0);
            }
            shared.put(r);
            if (i % 7 == 0) {
              shared.remove(r.id());
              shared.put(r);
            }
          }
          return null;
        }));
      }
      for (Future<?> f : work) {
        f.get();
      }
    } finally {
      pool.shutdownNow();
    }
    assertThat(shared.size()).isEqualTo(records.size());
    MatchIndex sequential = detector.index(model);
    records.forEach(sequential::put);
    for (MatchRecord r : records.subList(0, 300)) {
      Map<String, CandidatePair> a = new HashMap<>();
      shared.candidates(r).forEach(p -> a.put(key(p), p));
      Map<String, CandidatePair> b = new HashMap<>();
      sequential.candidates(r).forEach(p -> b.put(key(p), p));
      assertThat(a.keySet()).isEqualTo(b.keySet());
      for (String k : a.keySet()) {
        // The threads put in another order; a pair in the same order scores the same.
        if (a.get(k).first().equals(b.get(k).first())) {
          assertThat(a.get(k)).isEqualTo(b.get(k));
        }
      }
    }
  }
}
