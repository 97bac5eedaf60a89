package io.cdpkit.core.dedup;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * How a workspace looks for duplicates ({@link Duplicates#configure}): the fields compared and
 * the traits they are read from, the blocking rules, the two thresholds, and whether new and
 * changed profiles are checked as they are ingested.
 *
 * <p>A pair whose match probability is at or above {@link #linkThreshold()} is linked through
 * the identity graph; one at or above {@link #reviewThreshold()} but below the link threshold
 * goes to the review queue; one below is left alone.
 *
 * <pre>{@code
 * DedupSettings settings = DedupSettings.builder()     // the standard fields and defaults
 *     .linkThreshold(0.9)
 *     .build();
 * workspace.duplicates().configure(settings);
 * }</pre>
 *
 * <p>Immutable.
 */
public final class DedupSettings {
  /** Default review threshold: pairs from 10% up to the link threshold are queued. */
  public static final double DEFAULT_REVIEW_THRESHOLD = 0.1;
  /** Default bound of the review queue. */
  public static final int DEFAULT_MAX_REVIEW_ITEMS = 10_000;
  /** Largest bound of the review queue that may be set. */
  public static final int MAX_REVIEW_ITEMS = 100_000;

  private final List<FieldSource> fields;
  private final List<BlockingRule> blockingRules;
  private final double linkThreshold;
  private final double reviewThreshold;
  private final boolean incremental;
  private final int maxReviewItems;
  private final DuplicateDetector detector;

  private DedupSettings(Builder b) {
    this.fields = List.copyOf(b.fields);
    this.blockingRules = List.copyOf(b.rules);
    this.linkThreshold = b.linkThreshold;
    this.reviewThreshold = b.reviewThreshold;
    this.incremental = b.incremental;
    this.maxReviewItems = b.maxReviewItems;
    DuplicateDetector.Builder d = DuplicateDetector.builder()
        .fields(fields.stream().map(FieldSource::field).toList())
        .linkThreshold(linkThreshold);
    blockingRules.forEach(d::blockingRule);
    this.detector = d.build();
  }

  /** The defaults: the {@link FieldSource#standard() standard fields}, incremental on. */
  public static DedupSettings defaults() {
    return builder().build();
  }

  /** A builder starting from the defaults. */
  public static Builder builder() {
    return new Builder();
  }

  /** A builder starting from these settings. */
  public Builder toBuilder() {
    Builder b = new Builder();
    b.fields.clear();
    b.fields.addAll(fields);
    b.rules.addAll(blockingRules);
    b.linkThreshold = linkThreshold;
    b.reviewThreshold = reviewThreshold;
    b.incremental = incremental;
    b.maxReviewItems = maxReviewItems;
    return b;
  }

  /** The fields compared and where their values come from. */
  public List<FieldSource> fields() {
    return fields;
  }

  /** The blocking rules declared; empty means {@link BlockingRule#defaults} for the fields. */
  public List<BlockingRule> blockingRules() {
    return blockingRules;
  }

  /** Probability at or above which a pair is linked. */
  public double linkThreshold() {
    return linkThreshold;
  }

  /** Probability at or above which a pair below the link threshold is queued for review. */
  public double reviewThreshold() {
    return reviewThreshold;
  }

  /** Whether new and changed profiles are checked as they are ingested. */
  public boolean incremental() {
    return incremental;
  }

  /** Most items the review queue holds; candidates beyond are counted, not queued. */
  public int maxReviewItems() {
    return maxReviewItems;
  }

  /** The detector these settings describe. */
  public DuplicateDetector detector() {
    return detector;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof DedupSettings s && fields.equals(s.fields)
        && blockingRules.equals(s.blockingRules) && linkThreshold == s.linkThreshold
        && reviewThreshold == s.reviewThreshold && incremental == s.incremental
        && maxReviewItems == s.maxReviewItems;
  }

  @Override
  public int hashCode() {
    return Objects.hash(fields, blockingRules, linkThreshold, reviewThreshold, incremental,
        maxReviewItems);
  }

  @Override
  public String toString() {
    return "DedupSettings{fields=" + fields.stream().map(f -> f.field().name()).toList()
        + ", rules=" + blockingRules + ", link=" + linkThreshold + ", review=" + reviewThreshold
        + ", incremental=" + incremental + ", maxReviewItems=" + maxReviewItems + "}";
  }

  /**
   * Settings under construction; each setter checks its value at once, and {@link #build}
   * checks how they fit together.
   *
   * <p>Not thread-safe.
   */
  public static final class Builder {
    private final List<FieldSource> fields = new ArrayList<>(FieldSource.standard());
    private final List<BlockingRule> rules = new ArrayList<>();
    private double linkThreshold = DuplicateDetector.DEFAULT_LINK_THRESHOLD;
    private double reviewThreshold = DEFAULT_REVIEW_THRESHOLD;
    private boolean incremental = true;
    private int maxReviewItems = DEFAULT_MAX_REVIEW_ITEMS;

    private Builder() {}

    /**
     * Replaces the fields.
     *
     * @throws IllegalArgumentException when empty, over {@value DuplicateDetector#MAX_FIELDS},
     *     or two share a name
     */
    public Builder fields(List<FieldSource> fields) {
      List<FieldSource> copy = List.copyOf(fields);
      if (copy.isEmpty() || copy.size() > DuplicateDetector.MAX_FIELDS) {
        throw new IllegalArgumentException("fields must be 1 to " + DuplicateDetector.MAX_FIELDS
            + " but were " + copy.size());
      }
      Set<String> names = new HashSet<>();
      for (FieldSource f : copy) {
        if (!names.add(f.field().name())) {
          throw new IllegalArgumentException("fields name " + f.field().name() + " twice");
        }
      }
      this.fields.clear();
      this.fields.addAll(copy);
      return this;
    }

    /**
     * Adds a field to those there are.
     *
     * @throws IllegalArgumentException when a field of that name is there already
     */
    public Builder field(FieldSource field) {
      Objects.requireNonNull(field, "field");
      if (fields.stream().anyMatch(f -> f.field().name().equals(field.field().name()))) {
        throw new IllegalArgumentException("field " + field.field().name()
            + " is there already");
      }
      fields.add(field);
      return this;
    }

    /** Adds a blocking rule; once any is added, the defaults no longer apply. */
    public Builder blockingRule(BlockingRule rule) {
      rules.add(Objects.requireNonNull(rule, "rule"));
      return this;
    }

    /**
     * The link threshold; default {@value DuplicateDetector#DEFAULT_LINK_THRESHOLD}.
     *
     * @throws IllegalArgumentException when not above 0 and at most 1
     */
    public Builder linkThreshold(double threshold) {
      if (!(threshold > 0 && threshold <= 1)) {
        throw new IllegalArgumentException("linkThreshold must be above 0 and at most 1 but was "
            + threshold);
      }
      this.linkThreshold = threshold;
      return this;
    }

    /**
     * The review threshold; default {@value #DEFAULT_REVIEW_THRESHOLD}. Equal to the link
     * threshold, nothing is queued.
     *
     * @throws IllegalArgumentException when not above 0 and at most 1
     */
    public Builder reviewThreshold(double threshold) {
      if (!(threshold > 0 && threshold <= 1)) {
        throw new IllegalArgumentException("reviewThreshold must be above 0 and at most 1 but "
            + "was " + threshold);
      }
      this.reviewThreshold = threshold;
      return this;
    }

    /** Whether profiles are checked as they are ingested; default on. */
    public Builder incremental(boolean on) {
      this.incremental = on;
      return this;
    }

    /**
     * Most items the review queue holds; default {@value #DEFAULT_MAX_REVIEW_ITEMS}.
     *
     * @throws IllegalArgumentException when below 0 or over {@value #MAX_REVIEW_ITEMS}
     */
    public Builder maxReviewItems(int max) {
      if (max < 0 || max > MAX_REVIEW_ITEMS) {
        throw new IllegalArgumentException("maxReviewItems must be 0 to " + MAX_REVIEW_ITEMS
            + " but was " + max);
      }
      this.maxReviewItems = max;
      return this;
    }

    /**
     * The settings.
     *
     * @throws IllegalArgumentException when the review threshold is above the link threshold,
     *     or a blocking rule names a field that is not compared, or repeats
     */
    public DedupSettings build() {
      if (reviewThreshold > linkThreshold) {
        throw new IllegalArgumentException("reviewThreshold (" + reviewThreshold
            + ") must not be above linkThreshold (" + linkThreshold + ")");
      }
      return new DedupSettings(this);
    }
  }
}
