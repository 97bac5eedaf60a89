package io.cdpkit.segmentation.definition;

import java.time.Duration;

/**
 * The limits every segment definition stays within, so that a definition cannot make the host
 * read, store or evaluate unbounded data. Records refuse a single part out of bounds when built
 * ({@link IllegalArgumentException}); the tree-wide limits (depth, number of conditions) are
 * checked by {@link SegmentJson#read(String)} and {@link SegmentValidator}.
 *
 * <p>Stateless.
 */
public final class DefinitionLimits {
  private DefinitionLimits() {}

  /** 256 KiB: the largest definition {@link SegmentJson#read(String)} accepts, in UTF-8 bytes. */
  public static final int MAX_JSON_BYTES = 256 * 1024;

  /** Deepest nesting of conditions; the definition's own condition is at depth 1. */
  public static final int MAX_DEPTH = 32;

  /** Most condition nodes in one definition, counting every {@code and}, {@code or}, ... */
  public static final int MAX_CONDITIONS = 1_000;

  /** Most conditions directly under one {@code and} or {@code or}. */
  public static final int MAX_CHILDREN = 100;

  /** Longest definition name, in characters. */
  public static final int MAX_NAME_LENGTH = 200;

  /** Longest description, in characters. */
  public static final int MAX_DESCRIPTION_LENGTH = 2_000;

  /** Longest trait or computed trait name, in characters. */
  public static final int MAX_TRAIT_NAME_LENGTH = 200;

  /** Longest event name, in characters (as {@link io.cdpkit.core.model.Event#MAX_NAME_LENGTH}). */
  public static final int MAX_EVENT_NAME_LENGTH = io.cdpkit.core.model.Event.MAX_NAME_LENGTH;

  /** Most event names in one event filter. */
  public static final int MAX_EVENT_NAMES = 100;

  /** Most property conditions in one event filter's {@code where}. */
  public static final int MAX_WHERE = 32;

  /** Longest time window of an event condition, in days (about ten years). */
  public static final int MAX_WINDOW_DAYS = 3_650;

  /** Shortest wait of a {@link NotFollowedByCondition}. */
  public static final Duration MIN_WAIT = Duration.ofMinutes(1);

  /** Longest wait of a {@link NotFollowedByCondition}. */
  public static final Duration MAX_WAIT = Duration.ofDays(365);

  /** Largest offset of a {@link RelativeDate}, in years either way. */
  public static final int MAX_OFFSET_YEARS = 1_000;
}
