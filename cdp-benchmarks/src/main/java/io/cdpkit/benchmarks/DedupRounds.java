package io.cdpkit.benchmarks;

import io.cdpkit.core.dedup.CandidatePair;
import io.cdpkit.core.dedup.DedupResult;
import io.cdpkit.core.dedup.DuplicateDetector;
import io.cdpkit.core.dedup.MatchField;
import io.cdpkit.core.dedup.MatchRecord;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * A plain program measuring batch duplicate detection: generates {@code N} synthetic person
 * records with a fixed seed, about a fifth of them corrupted copies of another record (as the
 * Febrl generator makes them: a typo, a dropped or swapped field, day and month transposed, a
 * phonetic misspelling, a missing value), runs a {@link DuplicateDetector} with its defaults on
 * them {@code ROUNDS} times and prints per round the records, the blocked comparisons, the
 * seconds of detection alone, and precision, recall and F1 of the auto-links against the
 * generator's truth. A program, not a library type; stateless.
 *
 * <p>Values are skewed as real ones are: given names, surnames, cities and street names come
 * from sizeable generated lists (syllables joined), drawn with a Zipf-like law, so that a few
 * are common and most rare. The generator shares no code with the match model.
 *
 * <pre>
 * mvn -B -o -q -pl cdp-benchmarks -am package -DskipTests
 * java -Xmx6g -cp cdp-benchmarks/target/benchmarks.jar io.cdpkit.benchmarks.DedupRounds 100000 3
 * </pre>
 */
public final class DedupRounds {
  /** The generator's default seed. */
  public static final long SEED = 20261206L;
  /** The share of records that are duplicates of another. */
  static final double DUPLICATE_SHARE = 0.2;

  private static final String[] ONSETS = {"b", "br", "c", "ch", "d", "el", "f", "g", "h", "j",
      "k", "kr", "l", "m", "n", "p", "ph", "r", "s", "sh", "st", "t", "th", "v", "w", "z", "a",
      "o", "ma", "ca"};
  private static final String[] MIDDLES = {"a", "e", "i", "o", "u", "ai", "ee", "ar", "or", "an",
      "el", "in", "y", "ou", "er"};
  private static final String[] CODAS = {"", "n", "l", "ra", "son", "ton", "ley", "na", "th",
      "ck", "mer", "ne", "s", "ie", "ck", "ski", "ford", "wood", "rd", "lo"};
  private static final String[] STREET_TYPES = {"street", "road", "avenue", "place", "crescent",
      "drive", "court", "lane"};

  private DedupRounds() {}

  /**
   * Generated records and the truth: the pairs (ids in either order, joined by a space, lower
   * first by {@link String#compareTo}) that are the same person. Immutable.
   *
   * @param records the records, shuffled
   * @param truePairs every pair of records that describe the same person
   */
  public record Generated(List<MatchRecord> records, Set<String> truePairs) {}

  /**
   * One detection run against the truth. Immutable.
   *
   * @param records records detected over
   * @param comparisons blocked comparisons the detector made
   * @param seconds detection alone
   * @param truePairs pairs in the truth
   * @param predicted auto-links
   * @param precision share of auto-links that are true
   * @param recall share of true pairs linked
   * @param f1 harmonic mean of precision and recall
   */
  public record Round(int records, long comparisons, double seconds, int truePairs,
      int predicted, double precision, double recall, double f1) {
    @Override
    public String toString() {
      return String.format(Locale.ROOT, "records=%d comparisons=%d seconds=%.1f pairs=%d "
          + "predicted=%d precision=%.4f recall=%.4f f1=%.4f", records, comparisons, seconds,
          truePairs, predicted, precision, recall, f1);
    }
  }

  public static void main(String[] args) {
    if (args.length != 1 && args.length != 2) {
      System.err.println("usage: DedupRounds N [ROUNDS]");
      System.exit(2);
    }
    int n = Integer.parseInt(args[0]);
    int rounds = args.length == 2 ? Integer.parseInt(args[1]) : 1;
    Generated g = generate(n, SEED);
    for (int r = 0; r < rounds; r++) {
      System.out.println("round " + (r + 1) + " " + detect(g));
    }
  }

  /** Runs a detector with the defaults over the standard fields and scores it. */
  public static Round detect(Generated g) {
    DuplicateDetector detector = DuplicateDetector.builder().fields(MatchField.standard())
        .build();
    long t0 = System.nanoTime();
    DedupResult result = detector.detect(g.records());
    double seconds = (System.nanoTime() - t0) / 1e9;
    int predicted = 0;
    int correct = 0;
    for (CandidatePair p : result.links()) {
      predicted++;
      if (g.truePairs().contains(pairKey(p.first(), p.second()))) {
        correct++;
      }
    }
    double precision = predicted == 0 ? 0 : (double) correct / predicted;
    double recall = g.truePairs().isEmpty() ? 0 : (double) correct / g.truePairs().size();
    double f1 = precision + recall == 0 ? 0 : 2 * precision * recall / (precision + recall);
    return new Round(g.records().size(), result.comparisons(), seconds, g.truePairs().size(),
        predicted, precision, recall, f1);
  }

  static String pairKey(String a, String b) {
    return a.compareTo(b) < 0 ? a + " " + b : b + " " + a;
  }

  /**
   * Generates {@code n} records with this seed; equal arguments give equal records.
   *
   * @throws IllegalArgumentException when {@code n} is below 2
   */
  public static Generated generate(int n, long seed) {
    if (n < 2) {
      throw new IllegalArgumentException("n must be at least 2 but was " + n);
    }
    SplittableRandom random = new SplittableRandom(seed);
    List<String> givenNames = names(random, 1_200);
    List<String> surnames = names(random, 4_000);
    List<String> cities = names(random, 600);
    List<String> streets = names(random, 3_000);
    List<List<String>> postcodes = new ArrayList<>();
    Set<String> usedCodes = new HashSet<>();
    for (int c = 0; c < cities.size(); c++) {
      List<String> codes = new ArrayList<>();
      // A city has postcodes in about the measure of its people (cities drawn by zipfIndex).
      for (int k = Math.max(1, 150 / (c + 10)) + random.nextInt(2); k > 0; k--) {
        String code;
        do {
          code = String.format(Locale.ROOT, "%04d", 1000 + random.nextInt(9000));
        } while (!usedCodes.add(code));
        codes.add(code);
      }
      postcodes.add(codes);
    }
    int originals = Math.max(1, n - (int) Math.round(n * DUPLICATE_SHARE));
    List<Map<String, String>> values = new ArrayList<>(n);
    int[] person = new int[n];
    for (int r = 0; r < originals; r++) {
      Map<String, String> v = new LinkedHashMap<>();
      v.put("given_name", zipf(random, givenNames));
      v.put("surname", zipf(random, surnames));
      v.put("date_of_birth", String.format(Locale.ROOT, "%04d-%02d-%02d",
          1930 + random.nextInt(76), 1 + random.nextInt(12), 1 + random.nextInt(28)));
      v.put("street", zipf(random, streets) + " "
          + STREET_TYPES[random.nextInt(STREET_TYPES.length)] + " " + (1 + random.nextInt(250)));
      int city = zipfIndex(random, cities.size());
      v.put("city", cities.get(city));
      List<String> codes = postcodes.get(city);
      v.put("postcode", codes.get(random.nextInt(codes.size())));
      // Some values are missing in the original already.
      for (String field : List.of("date_of_birth", "street", "postcode", "city")) {
        if (random.nextInt(50) == 0) {
          v.remove(field);
        }
      }
      values.add(v);
      person[r] = r;
    }
    for (int r = originals; r < n; r++) {
      int of = random.nextInt(originals);
      values.add(corrupt(random, values.get(of)));
      person[r] = of;
    }
    // Shuffle so that duplicates do not follow their originals.
    int[] order = new int[n];
    for (int i = 0; i < n; i++) {
      order[i] = i;
    }
    for (int i = n - 1; i > 0; i--) {
      int j = random.nextInt(i + 1);
      int t = order[i];
      order[i] = order[j];
      order[j] = t;
    }
    List<MatchRecord> records = new ArrayList<>(n);
    Map<Integer, List<String>> byPerson = new HashMap<>();
    for (int i = 0; i < n; i++) {
      int source = order[i];
      String id = "r" + i;
      records.add(new MatchRecord(id, values.get(source)));
      byPerson.computeIfAbsent(person[source], k -> new ArrayList<>()).add(id);
    }
    Set<String> truth = new HashSet<>();
    for (List<String> ids : byPerson.values()) {
      for (int x = 0; x < ids.size(); x++) {
        for (int y = x + 1; y < ids.size(); y++) {
          truth.add(pairKey(ids.get(x), ids.get(y)));
        }
      }
    }
    return new Generated(List.copyOf(records), Set.copyOf(truth));
  }

  /** A copy with one to three corruptions. */
  private static Map<String, String> corrupt(SplittableRandom random, Map<String, String> of) {
    Map<String, String> v = new LinkedHashMap<>(of);
    int corruptions = 1 + random.nextInt(3);
    for (int c = 0; c < corruptions; c++) {
      List<String> present = new ArrayList<>(v.keySet());
      if (present.isEmpty()) {
        break;
      }
      String field = present.get(random.nextInt(present.size()));
      int kind = random.nextInt(100);
      if (kind < 35) {
        v.put(field, typo(random, v.get(field), field));
      } else if (kind < 50) {
        v.remove(field);
      } else if (kind < 60) {
        String given = v.get("given_name");
        String surname = v.get("surname");
        if (given != null && surname != null) {
          v.put("given_name", surname);
          v.put("surname", given);
        }
      } else if (kind < 75) {
        String date = v.get("date_of_birth");
        if (date != null && date.matches("\\d{4}-\\d{2}-(0\\d|1[0-2])")) {
          v.put("date_of_birth", date.substring(0, 5) + date.substring(8) + "-"
              + date.substring(5, 7));
        } else if (date != null) {
          v.put("date_of_birth", typo(random, date, "date_of_birth"));
        }
      } else {
        String name = random.nextBoolean() ? "given_name" : "surname";
        if (v.containsKey(name)) {
          v.put(name, phonetic(random, v.get(name)));
        }
      }
    }
    return v;
  }

  /** One substitution, insertion, deletion or swap of neighbours; digits stay digits. */
  private static String typo(SplittableRandom random, String s, String field) {
    boolean digits = field.equals("postcode") || field.equals("date_of_birth");
    int[] positions = s.chars().map(ch -> digits ? (Character.isDigit(ch) ? 1 : 0)
        : (Character.isLetter(ch) ? 1 : 0)).toArray();
    List<Integer> at = new ArrayList<>();
    for (int i = 0; i < positions.length; i++) {
      if (positions[i] == 1) {
        at.add(i);
      }
    }
    if (at.size() < 2) {
      return s;
    }
    int i = at.get(random.nextInt(at.size() - 1));
    char replacement = digits ? (char) ('0' + random.nextInt(10))
        : (char) ('a' + random.nextInt(26));
    StringBuilder b = new StringBuilder(s);
    switch (random.nextInt(4)) {
      case 0 -> b.setCharAt(i, replacement);
      case 1 -> b.insert(i, replacement);
      case 2 -> b.deleteCharAt(i);
      default -> {
        if (Character.isLetterOrDigit(s.charAt(i + 1))) {
          b.setCharAt(i, s.charAt(i + 1));
          b.setCharAt(i + 1, s.charAt(i));
        } else {
          b.setCharAt(i, replacement);
        }
      }
    }
    return b.toString();
  }

  private static final String[][] PHONETIC = {{"ph", "f"}, {"f", "ph"}, {"ck", "k"}, {"c", "k"},
      {"ee", "ea"}, {"y", "ie"}, {"ie", "y"}, {"th", "t"}, {"ou", "ow"}, {"s", "z"},
      {"ai", "ay"}, {"er", "ar"}, {"k", "c"}, {"i", "y"}};

  /** A spelling that sounds alike: the first rule, from a random start, that applies. */
  private static String phonetic(SplittableRandom random, String s) {
    int start = random.nextInt(PHONETIC.length);
    for (int k = 0; k < PHONETIC.length; k++) {
      String[] rule = PHONETIC[(start + k) % PHONETIC.length];
      int at = s.indexOf(rule[0], 1);
      if (at >= 0) {
        return s.substring(0, at) + rule[1] + s.substring(at + rule[0].length());
      }
    }
    return s + "e";
  }

  /** {@code count} distinct names of two or three syllables, in a random order. */
  private static List<String> names(SplittableRandom random, int count) {
    Set<String> out = new LinkedHashSet<>();
    while (out.size() < count) {
      StringBuilder b = new StringBuilder(ONSETS[random.nextInt(ONSETS.length)])
          .append(MIDDLES[random.nextInt(MIDDLES.length)]);
      if (random.nextInt(3) == 0) {
        b.append(ONSETS[random.nextInt(ONSETS.length)])
            .append(MIDDLES[random.nextInt(MIDDLES.length)]);
      }
      b.append(CODAS[random.nextInt(CODAS.length)]);
      if (b.length() >= 3) {
        out.add(b.toString());
      }
    }
    return List.copyOf(out);
  }

  private static String zipf(SplittableRandom random, List<String> values) {
    return values.get(zipfIndex(random, values.size()));
  }

  /**
   * An index below {@code size}, the low ones far more often (about a Zipf law, flattened at
   * the head: the commonest value has about 2% of the draws of a list of 1,000).
   */
  private static int zipfIndex(SplittableRandom random, int size) {
    // Inverse of a continuous 1/x law over [HEAD, size + HEAD), shifted to start at 0.
    final double head = 10;
    double x = head * Math.exp(random.nextDouble() * Math.log((size + head) / head));
    return Math.min(size - 1, (int) (x - head));
  }
}
