package io.cdpkit.core.dedup;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.LongConsumer;
import org.jspecify.annotations.Nullable;

/**
 * Finds probable duplicates among records with a Fellegi-Sunter model learned from the records
 * themselves (unsupervised, as Splink does):
 *
 * <ol>
 *   <li>u, per field and level, from random pairs (nearly all of them non-matches): all pairs
 *       when there are at most {@link Builder#randomPairs} of them, else that many drawn with
 *       the builder's seed;
 *   <li>m by expectation maximisation, u held fixed, once per blocking rule on the pairs it
 *       brings together, leaving out the rule's own fields (they agree by construction); the
 *       expected counts of all runs are pooled per field;
 *   <li>the prior from the data: each exact rule's expected number of matches, divided by its
 *       recall (the m of an exact match on its fields, times how often both values are present)
 *       and by the number of all pairs; the median over the rules;
 *   <li>every candidate pair scored: prior weight plus field weights, with the term-frequency
 *       adjustment on exact matches of fields that ask for it.
 * </ol>
 *
 * <pre>{@code
 * DuplicateDetector detector = DuplicateDetector.builder()
 *     .fields(MatchField.standard())
 *     .build();
 * DedupResult result = detector.detect(records, done -> progress.set(done));
 * for (CandidatePair pair : result.links()) { ... }
 * }</pre>
 *
 * <p>The model assumes that fields disagree independently of each other given the match
 * status, with one exception: when the standard {@link MatchField#POSTCODE} and
 * {@link MatchField#CITY} are both compared, the city weighs only when the postcodes do not
 * agree exactly (its m and u are learned on such pairs), so the same place counts once. Other
 * fields that copy each other count twice. When the standard given name and surname both
 * differ, they are compared crosswise, and the crosswise levels are taken when both are better
 * than "else" (names swapped on entry).
 *
 * <p>A model once learned can be kept ({@link MatchModelJson}) and used again without learning:
 * {@link #score} over a set of records, or {@link #index} to check records one at a time as
 * they arrive ({@link MatchIndex}); all three score a pair the same way.
 *
 * <p>Thread-safe: a detector holds only its settings, and each {@link #detect} or
 * {@link #score} call works on its own state, so calls may overlap.
 */
public final class DuplicateDetector {
  /**
   * The default auto-link threshold: a pair is linked when a match is more likely than not,
   * the decision that makes the fewest expected errors.
   */
  public static final double DEFAULT_LINK_THRESHOLD = 0.5;
  /** The default number of random pairs compared to estimate u. */
  public static final int DEFAULT_RANDOM_PAIRS = 1_000_000;
  /** The default largest block: blocks of more records are skipped and counted. */
  public static final int DEFAULT_MAX_BLOCK_SIZE = 1_000;
  /** The most blocking rules a detector takes. */
  public static final int MAX_RULES = 63;
  /** The most fields a detector takes. */
  public static final int MAX_FIELDS = 64;

  private final List<MatchField> fields;
  private final List<BlockingRule> rules;
  private final double linkThreshold;
  private final int randomPairs;
  private final int maxBlockSize;
  private final long seed;

  private DuplicateDetector(Builder b) {
    this.fields = List.copyOf(b.fields.values());
    this.rules = b.rules.isEmpty() ? BlockingRule.defaults(fields) : List.copyOf(b.rules);
    this.linkThreshold = b.linkThreshold;
    this.randomPairs = b.randomPairs;
    this.maxBlockSize = b.maxBlockSize;
    this.seed = b.seed;
  }

  /** A builder with no fields yet. */
  public static Builder builder() {
    return new Builder();
  }

  /** The fields compared, in order. */
  public List<MatchField> fields() {
    return fields;
  }

  /** The blocking rules: those declared, else the defaults for the fields. */
  public List<BlockingRule> rules() {
    return rules;
  }

  /** Detects without reporting progress. */
  public DedupResult detect(Collection<MatchRecord> records) {
    return detect(records, done -> { });
  }

  /**
   * Learns the model from these records and scores every candidate pair.
   *
   * @param progress called on the calling thread with the number of pairs compared so far
   *     (random pairs first, then candidate pairs), every few thousand pairs and once at the
   *     end; it must not call back into this detector
   * @throws IllegalArgumentException when two records share an id
   */
  public DedupResult detect(Collection<MatchRecord> records, LongConsumer progress) {
    Objects.requireNonNull(progress, "progress");
    requireDistinct(records);
    return new Detection(fields, rules, linkThreshold, randomPairs, maxBlockSize, seed,
        List.copyOf(records), progress).run();
  }

  /**
   * Scores every candidate pair of these records with a model learned before (by
   * {@link #detect}, or read with {@link MatchModelJson}), learning nothing: the same blocking
   * and the same scores as {@link #detect} would give with that model. The result's
   * {@link DedupResult#randomPairs()} is 0.
   *
   * @param progress called on the calling thread with the number of pairs compared so far,
   *     every few thousand pairs and once at the end; it must not call back into this detector
   * @throws IllegalArgumentException when two records share an id, or the model's fields are
   *     not this detector's (same names, kinds and term-frequency flags, same order)
   */
  public DedupResult score(Collection<MatchRecord> records, MatchModel model,
      LongConsumer progress) {
    Objects.requireNonNull(model, "model");
    Objects.requireNonNull(progress, "progress");
    requireDistinct(records);
    return new Detection(fields, rules, linkThreshold, randomPairs, maxBlockSize, seed,
        List.copyOf(records), progress).run(model);
  }

  /** Scores without reporting progress ({@link #score(Collection, MatchModel, LongConsumer)}). */
  public DedupResult score(Collection<MatchRecord> records, MatchModel model) {
    return score(records, model, done -> { });
  }

  /**
   * An empty index for checking records one at a time against those put into it, with this
   * detector's fields, blocking rules, largest block and auto-link threshold, scoring with
   * this model.
   *
   * @throws IllegalArgumentException when the model's fields are not this detector's (same
   *     names, kinds and term-frequency flags, same order)
   */
  public MatchIndex index(MatchModel model) {
    Objects.requireNonNull(model, "model");
    return new MatchIndex(fields, rules, maxBlockSize, linkThreshold, model);
  }

  /** The auto-link threshold. */
  public double linkThreshold() {
    return linkThreshold;
  }

  /** The largest block compared. */
  public int maxBlockSize() {
    return maxBlockSize;
  }

  private static void requireDistinct(Collection<MatchRecord> records) {
    Set<String> ids = new HashSet<>();
    for (MatchRecord r : records) {
      if (!ids.add(r.id())) {
        throw new IllegalArgumentException("records must have distinct ids; one id appears "
            + "twice (#" + Integer.toHexString(r.id().hashCode()) + ")");
      }
    }
  }

  /**
   * Settings of a {@link DuplicateDetector}; each setter checks its value at once.
   *
   * <p>Not thread-safe.
   */
  public static final class Builder {
    private final Map<String, MatchField> fields = new LinkedHashMap<>();
    private final List<BlockingRule> rules = new ArrayList<>();
    private double linkThreshold = DEFAULT_LINK_THRESHOLD;
    private int randomPairs = DEFAULT_RANDOM_PAIRS;
    private int maxBlockSize = DEFAULT_MAX_BLOCK_SIZE;
    private long seed = 1L;
    private @Nullable String thresholdSet;

    private Builder() {}

    /**
     * Compares this field.
     *
     * @throws IllegalArgumentException when a field of that name was already added, or there
     *     would be more than {@value #MAX_FIELDS}
     */
    public Builder field(MatchField field) {
      Objects.requireNonNull(field, "field");
      if (fields.containsKey(field.name())) {
        throw new IllegalArgumentException("field " + field.name() + " was already added");
      }
      if (fields.size() == MAX_FIELDS) {
        throw new IllegalArgumentException("fields must be at most " + MAX_FIELDS);
      }
      fields.put(field.name(), field);
      return this;
    }

    /** Compares each of these fields ({@link #field}). */
    public Builder fields(Collection<MatchField> fields) {
      fields.forEach(this::field);
      return this;
    }

    /**
     * Adds a blocking rule; once any is added, the defaults no longer apply. Add the fields
     * first.
     *
     * @throws IllegalArgumentException when the rule names a field not added, repeats a rule,
     *     or there would be more than {@value #MAX_RULES}
     */
    public Builder blockingRule(BlockingRule rule) {
      BlockingRule.requireKnown(rule, fields.keySet());
      if (rules.contains(rule)) {
        throw new IllegalArgumentException("blocking rule " + rule + " was already added");
      }
      if (rules.size() == MAX_RULES) {
        throw new IllegalArgumentException("blocking rules must be at most " + MAX_RULES);
      }
      rules.add(rule);
      return this;
    }

    /**
     * The probability at or above which a pair is an auto-link; default
     * {@value #DEFAULT_LINK_THRESHOLD}.
     *
     * @throws IllegalArgumentException when not above 0 and at most 1, or already set
     */
    public Builder linkThreshold(double threshold) {
      if (thresholdSet != null) {
        throw new IllegalArgumentException("link threshold was already set to " + thresholdSet);
      }
      if (!(threshold > 0 && threshold <= 1)) {
        throw new IllegalArgumentException("link threshold must be above 0 and at most 1 but was "
            + threshold);
      }
      this.linkThreshold = threshold;
      this.thresholdSet = Double.toString(threshold);
      return this;
    }

    /**
     * How many random pairs estimate u; default {@value #DEFAULT_RANDOM_PAIRS}.
     *
     * @throws IllegalArgumentException when below 1,000
     */
    public Builder randomPairs(int pairs) {
      if (pairs < 1_000) {
        throw new IllegalArgumentException("random pairs must be at least 1000 but was " + pairs);
      }
      this.randomPairs = pairs;
      return this;
    }

    /**
     * The largest block compared; larger ones are skipped (and counted in
     * {@link DedupResult#skippedBlocks()}); default {@value #DEFAULT_MAX_BLOCK_SIZE}.
     *
     * @throws IllegalArgumentException when below 2
     */
    public Builder maxBlockSize(int size) {
      if (size < 2) {
        throw new IllegalArgumentException("max block size must be at least 2 but was " + size);
      }
      this.maxBlockSize = size;
      return this;
    }

    /** The seed of the random pairs; default 1. Equal input and seed give equal results. */
    public Builder seed(long seed) {
      this.seed = seed;
      return this;
    }

    /**
     * The detector.
     *
     * @throws IllegalStateException when no field was added, or no rule was declared and no
     *     default rule applies to the fields
     */
    public DuplicateDetector build() {
      if (fields.isEmpty()) {
        throw new IllegalStateException("fields must include at least one field");
      }
      if (rules.isEmpty() && BlockingRule.defaults(fields.values()).isEmpty()) {
        throw new IllegalStateException("no blocking rule was declared and no default rule "
            + "applies to the fields " + fields.keySet() + "; declare one with blockingRule");
      }
      return new DuplicateDetector(this);
    }
  }
}
