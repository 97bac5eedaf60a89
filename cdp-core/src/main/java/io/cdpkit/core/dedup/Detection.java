package io.cdpkit.core.dedup;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.LongConsumer;
import org.jspecify.annotations.Nullable;

/** One run of {@link DuplicateDetector#detect}. Not thread-safe. */
final class Detection {
  /** Missing value on either side: no level. */
  static final byte MISSING = -1;
  private static final int REPORT_EVERY = 1 << 14;
  /** Pseudo-count added to every level when m and u are estimated from counts. */
  private static final double PSEUDO_COUNT = 0.5;
  private static final int MAX_ITERATIONS = 200;
  private static final double TOLERANCE = 1e-7;
  private static final double LOG2 = Math.log(2);

  private final List<MatchField> fields;
  private final List<BlockingRule> rules;
  private final double linkThreshold;
  private final int randomPairs;
  private final int maxBlockSize;
  private final long seed;
  private final List<MatchRecord> records;
  private final LongConsumer progress;
  private final Comparisons comparisons = new Comparisons();

  private final int n;
  private final int f;
  /** values[field][record], normalised, null when missing. */
  private final @Nullable String[][] values;
  /** sounds[field][record], for names and fields of sound rules; null otherwise. */
  private final String @Nullable [][][] sounds;
  private final int[] present;
  /**
   * implied[field]: the field whose exact agreement already says what this one would (the city
   * of an agreeing postcode), or -1; this field then gives no level, so the place counts once.
   */
  private final int[] implied;
  /** The standard given name and surname, or -1: compared crosswise when both differ. */
  private final int givenName;
  private final int surname;
  private final List<@Nullable Map<String, Integer>> frequencies = new ArrayList<>();
  private long done;

  Detection(List<MatchField> fields, List<BlockingRule> rules, double linkThreshold,
      int randomPairs, int maxBlockSize, long seed, List<MatchRecord> records,
      LongConsumer progress) {
    this.fields = fields;
    this.rules = rules;
    this.linkThreshold = linkThreshold;
    this.randomPairs = randomPairs;
    this.maxBlockSize = maxBlockSize;
    this.seed = seed;
    this.records = records;
    this.progress = progress;
    this.n = records.size();
    this.f = fields.size();
    this.values = new String[f][n];
    this.sounds = new String[f][][];
    this.present = new int[f];
    this.implied = implied(fields);
    this.givenName = fields.indexOf(MatchField.GIVEN_NAME);
    this.surname = fields.indexOf(MatchField.SURNAME);
  }

  /**
   * For each field, the field whose exact agreement implies it, or -1: the city is implied by
   * the postcode when both are compared. The pair is then weighed as P(postcode) times
   * P(city given the postcode does not agree), a factorisation rather than an independence
   * assumption; m and u of the city are learned on those pairs only.
   */
  static int[] implied(List<MatchField> fields) {
    int[] out = new int[fields.size()];
    Arrays.fill(out, -1);
    int postcode = fields.indexOf(MatchField.POSTCODE);
    int city = fields.indexOf(MatchField.CITY);
    if (postcode >= 0 && city >= 0) {
      out[city] = postcode;
    }
    return out;
  }

  DedupResult run() {
    prepare();
    double[][] u = estimateU();
    long sampled = done;
    Candidates candidates = block();
    byte[][] levels = new byte[candidates.pairs.length][];
    for (int p = 0; p < levels.length; p++) {
      long pair = candidates.pairs[p];
      levels[p] = compare((int) (pair >>> 32), (int) pair);
      tick();
    }
    progress.accept(done);
    Estimate estimate = estimateM(u, candidates, levels);
    List<MatchModel.FieldParameters> parameters = new ArrayList<>();
    for (int i = 0; i < f; i++) {
      parameters.add(new MatchModel.FieldParameters(fields.get(i), boxed(estimate.m[i]),
          boxed(u[i]), estimate.estimated[i]));
    }
    MatchModel model = new MatchModel(estimate.prior, parameters);
    List<CandidatePair> scored = new ArrayList<>(levels.length);
    for (int p = 0; p < levels.length; p++) {
      long pair = candidates.pairs[p];
      scored.add(score(model, (int) (pair >>> 32), (int) pair, levels[p]));
    }
    scored.sort(Comparator.comparingDouble(CandidatePair::probability).reversed()
        .thenComparing(CandidatePair::first).thenComparing(CandidatePair::second));
    return new DedupResult(scored, model, linkThreshold, levels.length, sampled,
        candidates.skippedBlocks);
  }

  private void prepare() {
    boolean[] needSounds = new boolean[f];
    for (BlockingRule rule : rules) {
      if (rule.sound()) {
        for (String name : rule.fields()) {
          needSounds[index(name)] = true;
        }
      }
    }
    for (int i = 0; i < f; i++) {
      MatchField field = fields.get(i);
      boolean withSounds = needSounds[i] || field.kind() == FieldKind.NAME;
      if (withSounds) {
        sounds[i] = new String[n][];
      }
      Map<String, Integer> counts = field.termFrequency() ? new HashMap<>() : null;
      for (int r = 0; r < n; r++) {
        String v = Comparisons.normalise(field.kind(), records.get(r).values().get(field.name()));
        values[i][r] = v;
        if (v != null) {
          present[i]++;
          if (withSounds) {
            sounds[i][r] = comparisons.sounds(v);
          }
          if (counts != null) {
            counts.merge(v, 1, Integer::sum);
          }
        }
      }
      frequencies.add(counts);
    }
  }

  private int index(String name) {
    for (int i = 0; i < f; i++) {
      if (fields.get(i).name().equals(name)) {
        return i;
      }
    }
    throw new IllegalStateException("unknown field " + name);
  }

  private byte[] compare(int a, int b) {
    byte[] out = new byte[f];
    for (int i = 0; i < f; i++) {
      String va = values[i][a];
      String vb = values[i][b];
      if (va == null || vb == null) {
        out[i] = MISSING;
      } else {
        String[][] s = sounds[i];
        out[i] = (byte) comparisons.level(fields.get(i).kind(), va, vb,
            s == null ? null : s[a], s == null ? null : s[b]);
      }
    }
    int differ = FieldKind.NAME.levels().size() - 1;
    if (givenName >= 0 && surname >= 0 && out[givenName] == differ && out[surname] == differ) {
      // Given name and surname swapped: both compared crosswise, taken when both then agree.
      String[][] g = sounds[givenName];
      String[][] s = sounds[surname];
      int given = comparisons.level(FieldKind.NAME, values[givenName][a], values[surname][b],
          g[a], s[b]);
      int sur = comparisons.level(FieldKind.NAME, values[surname][a], values[givenName][b],
          s[a], g[b]);
      if (given < differ && sur < differ) {
        out[givenName] = (byte) given;
        out[surname] = (byte) sur;
      }
    }
    for (int i = 0; i < f; i++) {
      if (implied[i] >= 0 && out[implied[i]] == 0) {
        out[i] = MISSING;
      }
    }
    return out;
  }

  private void tick() {
    if ((++done & (REPORT_EVERY - 1)) == 0) {
      progress.accept(done);
    }
  }

  /** u per field and level: level frequencies among random pairs, smoothed. */
  private double[][] estimateU() {
    long[][] counts = new long[f][];
    for (int i = 0; i < f; i++) {
      counts[i] = new long[fields.get(i).kind().levels().size()];
    }
    long all = (long) n * (n - 1) / 2;
    if (all <= randomPairs) {
      for (int a = 0; a < n; a++) {
        for (int b = a + 1; b < n; b++) {
          count(counts, compare(a, b));
        }
      }
    } else {
      SplittableRandom random = new SplittableRandom(seed);
      for (int k = 0; k < randomPairs; k++) {
        int a = random.nextInt(n);
        int b = random.nextInt(n - 1);
        if (b >= a) {
          b++;
        }
        count(counts, compare(a, b));
      }
    }
    progress.accept(done);
    double[][] u = new double[f][];
    for (int i = 0; i < f; i++) {
      u[i] = smooth(counts[i]);
    }
    return u;
  }

  private void count(long[][] counts, byte[] levels) {
    for (int i = 0; i < f; i++) {
      if (levels[i] != MISSING) {
        counts[i][levels[i]]++;
      }
    }
    tick();
  }

  private static double[] smooth(long[] counts) {
    double total = 0;
    for (long c : counts) {
      total += c;
    }
    double[] p = new double[counts.length];
    for (int l = 0; l < counts.length; l++) {
      p[l] = (counts[l] + PSEUDO_COUNT) / (total + PSEUDO_COUNT * counts.length);
    }
    return p;
  }

  private static double[] smooth(double[] counts) {
    double total = Arrays.stream(counts).sum();
    double[] p = new double[counts.length];
    for (int l = 0; l < counts.length; l++) {
      p[l] = (counts[l] + PSEUDO_COUNT) / (total + PSEUDO_COUNT * counts.length);
    }
    return p;
  }

  /** The distinct candidate pairs (lower index in the high half) and which rules made each. */
  private record Candidates(long[] pairs, long[] rules, long[] rulePairs, int skippedBlocks) {}

  private Candidates block() {
    Map<Long, Long> made = new HashMap<>();
    long[] rulePairs = new long[rules.size()];
    int skipped = 0;
    for (int r = 0; r < rules.size(); r++) {
      BlockingRule rule = rules.get(r);
      int[] idx = rule.fields().stream().mapToInt(this::index).toArray();
      Map<String, List<Integer>> blocks = new HashMap<>();
      for (int rec = 0; rec < n; rec++) {
        String key = key(rule, idx, rec);
        if (key != null) {
          blocks.computeIfAbsent(key, k -> new ArrayList<>(2)).add(rec);
        }
      }
      long bit = 1L << r;
      for (List<Integer> block : blocks.values()) {
        if (block.size() < 2) {
          continue;
        }
        if (block.size() > maxBlockSize) {
          skipped++;
          continue;
        }
        for (int x = 0; x < block.size(); x++) {
          for (int y = x + 1; y < block.size(); y++) {
            long pair = ((long) block.get(x) << 32) | block.get(y);
            made.merge(pair, bit, (p, q) -> p | q);
            rulePairs[r]++;
          }
        }
      }
    }
    long[] pairs = made.keySet().stream().mapToLong(Long::longValue).sorted().toArray();
    long[] masks = new long[pairs.length];
    for (int p = 0; p < pairs.length; p++) {
      masks[p] = made.get(pairs[p]);
    }
    return new Candidates(pairs, masks, rulePairs, skipped);
  }

  private @Nullable String key(BlockingRule rule, int[] idx, int rec) {
    StringBuilder key = new StringBuilder();
    for (int i : idx) {
      String v = values[i][rec];
      if (v == null) {
        return null;
      }
      if (rule.sound()) {
        String[] s = sounds[i][rec];
        if (s == null || s[0].isEmpty()) {
          return null;
        }
        v = s[0];
      }
      key.append(v).append('\u0000');
    }
    return key.toString();
  }

  private record Estimate(double[][] m, boolean[] estimated, double prior) {}

  /**
   * m by expectation maximisation with u fixed, once per rule on its pairs without its own
   * fields, the expected counts pooled; then the prior.
   */
  private Estimate estimateM(double[][] u, Candidates candidates, byte[][] levels) {
    double[][] pooled = new double[f][];
    for (int i = 0; i < f; i++) {
      pooled[i] = new double[u[i].length];
    }
    double[] expectedMatches = new double[rules.size()];
    for (int r = 0; r < rules.size(); r++) {
      boolean[] used = new boolean[f];
      for (int i = 0; i < f; i++) {
        used[i] = true;
      }
      for (String name : rules.get(r).fields()) {
        used[index(name)] = false;
      }
      Map<String, int[]> patterns = new HashMap<>();
      long bit = 1L << r;
      for (int p = 0; p < levels.length; p++) {
        if ((candidates.rules[p] & bit) != 0) {
          byte[] pattern = levels[p].clone();
          for (int i = 0; i < f; i++) {
            if (!used[i]) {
              pattern[i] = MISSING;
            }
          }
          patterns.computeIfAbsent(new String(pattern, StandardCharsets.ISO_8859_1),
              k -> new int[1])[0]++;
        }
      }
      if (patterns.isEmpty()) {
        continue;
      }
      double[][] counts = expectationMaximisation(u, patterns);
      double matches = 0;
      for (int i = 0; i < f; i++) {
        if (used[i]) {
          for (int l = 0; l < counts[i].length; l++) {
            pooled[i][l] += counts[i][l];
          }
        }
      }
      matches = counts[f][0];
      expectedMatches[r] = matches;
    }
    double[][] m = new double[f][];
    boolean[] estimated = new boolean[f];
    for (int i = 0; i < f; i++) {
      double sum = Arrays.stream(pooled[i]).sum();
      estimated[i] = sum > 0;
      if (estimated[i]) {
        m[i] = smooth(pooled[i]);
      } else {
        int levelCount = pooled[i].length;
        m[i] = new double[levelCount];
        m[i][0] = 0.9;
        for (int l = 1; l < levelCount; l++) {
          m[i][l] = 0.1 / (levelCount - 1);
        }
      }
    }
    return new Estimate(m, estimated, prior(m, expectedMatches));
  }

  /**
   * Runs EM over patterns of levels (MISSING where not used) with u fixed; returns per field
   * the expected number of matches per level, and in the extra last row the expected number of
   * matches in all.
   */
  private double[][] expectationMaximisation(double[][] u, Map<String, int[]> patterns) {
    int count = patterns.size();
    byte[][] pattern = new byte[count][];
    int[] weight = new int[count];
    int k = 0;
    long total = 0;
    for (Map.Entry<String, int[]> e : patterns.entrySet()) {
      pattern[k] = e.getKey().getBytes(StandardCharsets.ISO_8859_1);
      weight[k] = e.getValue()[0];
      total += weight[k];
      k++;
    }
    double[][] m = new double[f][];
    for (int i = 0; i < f; i++) {
      int levelCount = u[i].length;
      m[i] = new double[levelCount];
      m[i][0] = 0.9;
      for (int l = 1; l < levelCount; l++) {
        m[i][l] = 0.1 / (levelCount - 1);
      }
    }
    double lambda = 0.5;
    double[][] expected = new double[f + 1][];
    for (int i = 0; i < f; i++) {
      expected[i] = new double[u[i].length];
    }
    expected[f] = new double[1];
    for (int iteration = 0; iteration < MAX_ITERATIONS; iteration++) {
      for (int i = 0; i < f; i++) {
        Arrays.fill(expected[i], 0);
      }
      double matches = 0;
      double priorLogit = Math.log(lambda / (1 - lambda));
      for (int p = 0; p < count; p++) {
        double logit = priorLogit;
        for (int i = 0; i < f; i++) {
          byte l = pattern[p][i];
          if (l != MISSING) {
            logit += Math.log(m[i][l] / u[i][l]);
          }
        }
        double probability = 1 / (1 + Math.exp(-logit));
        double share = probability * weight[p];
        matches += share;
        for (int i = 0; i < f; i++) {
          byte l = pattern[p][i];
          if (l != MISSING) {
            expected[i][l] += share;
          }
        }
      }
      double change = 0;
      for (int i = 0; i < f; i++) {
        double sum = Arrays.stream(expected[i]).sum();
        if (sum <= 0) {
          continue;
        }
        double[] next = smooth(expected[i]);
        for (int l = 0; l < next.length; l++) {
          change = Math.max(change, Math.abs(next[l] - m[i][l]));
        }
        m[i] = next;
      }
      double nextLambda = Math.min(1 - 1e-9, Math.max(1e-9, matches / total));
      change = Math.max(change, Math.abs(nextLambda - lambda));
      lambda = nextLambda;
      expected[f][0] = matches;
      if (change < TOLERANCE) {
        break;
      }
    }
    return expected;
  }

  /**
   * The prior: per rule, its expected matches over its recall and all pairs; the median over
   * exact rules (sound rules when there are none, their recall taken as the m of the levels at
   * or above "phonetic").
   */
  private double prior(double[][] m, double[] expectedMatches) {
    double all = (double) n * (n - 1) / 2;
    List<Double> exact = new ArrayList<>();
    List<Double> sound = new ArrayList<>();
    for (int r = 0; r < rules.size(); r++) {
      if (expectedMatches[r] <= 0) {
        continue;
      }
      BlockingRule rule = rules.get(r);
      double recall = 1;
      for (String name : rule.fields()) {
        int i = index(name);
        double both = ((double) present[i] / n) * ((double) present[i] / n);
        double agree = m[i][0];
        if (rule.sound()) {
          List<String> names = fields.get(i).kind().levels();
          int upTo = Math.max(0, names.indexOf("phonetic"));
          agree = 0;
          for (int l = 0; l <= upTo; l++) {
            agree += m[i][l];
          }
        }
        recall *= agree * both;
      }
      double estimate = expectedMatches[r] / (recall * all);
      (rule.sound() ? sound : exact).add(estimate);
    }
    List<Double> estimates = exact.isEmpty() ? sound : exact;
    if (estimates.isEmpty() || all < 1) {
      return Math.max(1e-12, Math.min(0.5, 1 / Math.max(all, 2)));
    }
    double[] sorted = estimates.stream().mapToDouble(Double::doubleValue).sorted().toArray();
    double median = sorted.length % 2 == 1 ? sorted[sorted.length / 2]
        : (sorted[sorted.length / 2 - 1] + sorted[sorted.length / 2]) / 2;
    return Math.max(Math.min(1e-12, 0.5 / all), Math.min(0.5, median));
  }

  private CandidatePair score(MatchModel model, int a, int b, byte[] levels) {
    double priorWeight = Math.log(model.prior() / (1 - model.prior())) / LOG2;
    double logOdds = priorWeight;
    List<FieldWeight> weights = new ArrayList<>(f);
    for (int i = 0; i < f; i++) {
      MatchField field = fields.get(i);
      byte l = levels[i];
      if (l == MISSING) {
        int by = implied[i];
        boolean isImplied = by >= 0 && levels[by] == 0 && values[i][a] != null
            && values[i][b] != null;
        weights.add(new FieldWeight(field.name(),
            isImplied ? "implied by " + fields.get(by).name() : null, 0, 0));
        continue;
      }
      MatchModel.FieldParameters parameters = model.fields().get(i);
      double w = parameters.weight(l);
      double adjustment = 0;
      Map<String, Integer> counts = frequencies.get(i);
      if (l == 0 && counts != null) {
        double frequency = (double) counts.get(values[i][a]) / present[i];
        adjustment = Math.log(parameters.u().get(0) / frequency) / LOG2;
      }
      weights.add(new FieldWeight(field.name(), field.kind().levels().get(l), w + adjustment,
          adjustment));
      logOdds += w + adjustment;
    }
    double probability = 1 / (1 + Math.pow(2, -logOdds));
    return new CandidatePair(records.get(a).id(), records.get(b).id(), probability, logOdds,
        priorWeight, weights);
  }

  private static List<Double> boxed(double[] values) {
    return Arrays.stream(values).boxed().toList();
  }
}
