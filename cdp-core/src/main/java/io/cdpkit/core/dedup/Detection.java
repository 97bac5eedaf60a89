package io.cdpkit.core.dedup;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.LongConsumer;
import org.jspecify.annotations.Nullable;

/**
 * One run of {@link DuplicateDetector#detect} or {@link DuplicateDetector#score}; pairs are
 * compared and scored by {@link PairScoring}. Not thread-safe.
 */
final class Detection {
  /** Missing value on either side: no level. */
  static final byte MISSING = PairScoring.MISSING;
  private static final int REPORT_EVERY = 1 << 14;
  /** Pseudo-count added to every level when m and u are estimated from counts. */
  private static final double PSEUDO_COUNT = 0.5;
  private static final int MAX_ITERATIONS = 200;
  private static final double TOLERANCE = 1e-7;

  private final List<MatchField> fields;
  private final List<BlockingRule> rules;
  private final double linkThreshold;
  private final int randomPairs;
  private final int maxBlockSize;
  private final long seed;
  private final LongConsumer progress;
  private final Comparisons comparisons = new Comparisons();
  private final PairScoring scoring;

  private final int n;
  private final int f;
  /** The records, normalised, in input order. */
  private final PairScoring.Prepared[] prepared;
  /** present[field]: the records with a value for the field. */
  private final int[] present;
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
    this.progress = progress;
    this.scoring = new PairScoring(fields, rules);
    this.n = records.size();
    this.f = fields.size();
    this.prepared = new PairScoring.Prepared[n];
    this.present = new int[f];
    prepare(records);
  }

  /** Learns the model and scores every candidate pair with it. */
  DedupResult run() {
    double[][] u = estimateU();
    long sampled = done;
    Candidates candidates = block();
    byte[][] levels = compareAll(candidates);
    Estimate estimate = estimateM(u, candidates, levels);
    List<MatchModel.FieldParameters> parameters = new ArrayList<>();
    for (int i = 0; i < f; i++) {
      parameters.add(new MatchModel.FieldParameters(fields.get(i), boxed(estimate.m[i]),
          boxed(u[i]), estimate.estimated[i]));
    }
    MatchModel model = new MatchModel(estimate.prior, parameters);
    return scoreAll(model, candidates, levels, sampled);
  }

  /** Scores every candidate pair with a model learned before, learning nothing. */
  DedupResult run(MatchModel model) {
    scoring.requireFits(model);
    Candidates candidates = block();
    byte[][] levels = compareAll(candidates);
    return scoreAll(model, candidates, levels, 0);
  }

  private byte[][] compareAll(Candidates candidates) {
    byte[][] levels = new byte[candidates.pairs.length][];
    for (int p = 0; p < levels.length; p++) {
      long pair = candidates.pairs[p];
      levels[p] = compare((int) (pair >>> 32), (int) pair);
      tick();
    }
    progress.accept(done);
    return levels;
  }

  private DedupResult scoreAll(MatchModel model, Candidates candidates, byte[][] levels,
      long sampled) {
    PairScoring.TermFrequency tf = (field, value) ->
        (double) frequencies.get(field).get(value) / present[field];
    List<CandidatePair> scored = new ArrayList<>(levels.length);
    for (int p = 0; p < levels.length; p++) {
      long pair = candidates.pairs[p];
      scored.add(scoring.score(model, prepared[(int) (pair >>> 32)], prepared[(int) pair],
          levels[p], tf));
    }
    scored.sort(PairScoring.ORDER);
    return new DedupResult(scored, model, linkThreshold, levels.length, sampled,
        candidates.skippedBlocks);
  }

  private void prepare(List<MatchRecord> records) {
    for (int r = 0; r < n; r++) {
      prepared[r] = scoring.prepare(records.get(r), comparisons);
    }
    for (int i = 0; i < f; i++) {
      Map<String, Integer> counts = fields.get(i).termFrequency() ? new HashMap<>() : null;
      for (int r = 0; r < n; r++) {
        String v = prepared[r].values[i];
        if (v != null) {
          present[i]++;
          if (counts != null) {
            counts.merge(v, 1, Integer::sum);
          }
        }
      }
      frequencies.add(counts);
    }
  }

  private int index(String name) {
    return scoring.index(name);
  }

  private byte[] compare(int a, int b) {
    return scoring.compare(prepared[a], prepared[b], comparisons);
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
      int[] idx = scoring.indexes(rule);
      Map<String, List<Integer>> blocks = new HashMap<>();
      for (int rec = 0; rec < n; rec++) {
        String key = PairScoring.key(rule, idx, prepared[rec]);
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

  private static List<Double> boxed(double[] values) {
    return Arrays.stream(values).boxed().toList();
  }
}
