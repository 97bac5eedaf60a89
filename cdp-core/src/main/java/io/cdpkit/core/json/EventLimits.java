package io.cdpkit.core.json;

/**
 * Size limits {@link EventCodec} enforces on what clients send, so that one client cannot make
 * the host read unbounded data. The defaults accept what the tracking clients of Segment and
 * RudderStack send:
 *
 * <ul>
 *   <li>{@link #maxEventBytes()}: 256 KB (262,144 bytes) of JSON per message, measured from the
 *       message's opening to its closing brace as sent. Segment's clients refuse messages over
 *       32 KB themselves; RudderStack's send larger ones. A larger message is rejected on its own
 *       (pointer {@code ""}); the rest of its batch is still read.
 *   <li>{@link #maxBatchBytes()}: 4 MiB (4,194,304 bytes) per body, measured after gzip
 *       decompression. Segment's clients keep a batch under 500 KB; RudderStack's Node client
 *       flushes 20 messages whatever their size, and its own server accepts 4 MB. Inflation
 *       stops as soon as the limit is passed, so a small gzip that would inflate to gigabytes
 *       costs at most this much memory. A larger body is rejected as a whole.
 *   <li>{@link #maxBatchEvents()}: 2,500 messages per {@code batch}. The messages beyond it are
 *       rejected one by one (pointer {@code ""}), as Segment's API does; the first 2,500 are
 *       read.
 *   <li>{@link #maxNestingDepth()}: 32 levels of objects and arrays in one message, the message
 *       object itself counting as 1 (so {@code properties} is level 2). A deeper message is
 *       rejected on its own, pointing at the first container too deep. The pipeline applies the
 *       same limit to events built in Java. At most {@value #MAX_NESTING_DEPTH}, the ceiling
 *       that {@link io.cdpkit.core.model.Event} itself enforces.
 * </ul>
 *
 * <p>Immutable. Start from {@link #defaults()} and change what you need:
 *
 * <pre>{@code
 * EventLimits limits = EventLimits.defaults().withMaxBatchEvents(500);
 * }</pre>
 *
 * @param maxEventBytes the largest message, in bytes of JSON
 * @param maxBatchBytes the largest body after decompression, in bytes
 * @param maxBatchEvents the most messages in one {@code batch}
 * @param maxNestingDepth the deepest nesting of objects and arrays in one message
 */
public record EventLimits(
    int maxEventBytes, int maxBatchBytes, int maxBatchEvents, int maxNestingDepth) {

  /** 256 KB: the default {@link #maxEventBytes()}. */
  public static final int DEFAULT_MAX_EVENT_BYTES = 262_144;
  /** 4 MiB: the default {@link #maxBatchBytes()}. */
  public static final int DEFAULT_MAX_BATCH_BYTES = 4 * 1024 * 1024;
  /** The default {@link #maxBatchEvents()}. */
  public static final int DEFAULT_MAX_BATCH_EVENTS = 2_500;
  /** The default {@link #maxNestingDepth()}. */
  public static final int DEFAULT_MAX_NESTING_DEPTH = 32;
  /**
   * The highest {@link #maxNestingDepth()}: the ceiling every {@link io.cdpkit.core.model.Event}
   * keeps, built in Java or read from JSON.
   */
  public static final int MAX_NESTING_DEPTH = io.cdpkit.core.internal.JsonValues.MAX_DEPTH;

  private static final EventLimits DEFAULTS = new EventLimits(DEFAULT_MAX_EVENT_BYTES,
      DEFAULT_MAX_BATCH_BYTES, DEFAULT_MAX_BATCH_EVENTS, DEFAULT_MAX_NESTING_DEPTH);

  /**
   * Checks every limit.
   *
   * @throws IllegalArgumentException naming the first limit that is not positive
   */
  public EventLimits {
    positive(maxEventBytes, "maxEventBytes");
    positive(maxBatchBytes, "maxBatchBytes");
    positive(maxBatchEvents, "maxBatchEvents");
    positive(maxNestingDepth, "maxNestingDepth");
    if (maxNestingDepth > MAX_NESTING_DEPTH) {
      throw new IllegalArgumentException("maxNestingDepth must be at most " + MAX_NESTING_DEPTH
          + " (the ceiling every event keeps) but was " + maxNestingDepth);
    }
  }

  /** The documented defaults: 262,144 / 4,194,304 bytes, 2,500 messages, depth 32. */
  public static EventLimits defaults() {
    return DEFAULTS;
  }

  /**
   * These limits with another {@link #maxEventBytes()}.
   *
   * @throws IllegalArgumentException when {@code bytes} is not positive
   */
  public EventLimits withMaxEventBytes(int bytes) {
    return new EventLimits(bytes, maxBatchBytes, maxBatchEvents, maxNestingDepth);
  }

  /**
   * These limits with another {@link #maxBatchBytes()}.
   *
   * @throws IllegalArgumentException when {@code bytes} is not positive
   */
  public EventLimits withMaxBatchBytes(int bytes) {
    return new EventLimits(maxEventBytes, bytes, maxBatchEvents, maxNestingDepth);
  }

  /**
   * These limits with another {@link #maxBatchEvents()}.
   *
   * @throws IllegalArgumentException when {@code events} is not positive
   */
  public EventLimits withMaxBatchEvents(int events) {
    return new EventLimits(maxEventBytes, maxBatchBytes, events, maxNestingDepth);
  }

  /**
   * These limits with another {@link #maxNestingDepth()}.
   *
   * @throws IllegalArgumentException when {@code depth} is not positive or above
   *     {@value #MAX_NESTING_DEPTH}
   */
  public EventLimits withMaxNestingDepth(int depth) {
    return new EventLimits(maxEventBytes, maxBatchBytes, maxBatchEvents, depth);
  }

  private static void positive(int value, String setting) {
    if (value <= 0) {
      throw new IllegalArgumentException(setting + " must be positive but was " + value);
    }
  }
}
