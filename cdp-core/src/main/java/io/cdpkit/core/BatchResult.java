package io.cdpkit.core;

import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * The result of a batch: one {@link IngestResult} per message, in batch order.
 *
 * <p>Immutable.
 *
 * @param results one per message
 */
public record BatchResult(List<IngestResult> results) {
  public BatchResult {
    results = List.copyOf(results);
  }

  public long stored() {
    return count(IngestResult.Status.STORED);
  }

  public long duplicates() {
    return count(IngestResult.Status.DUPLICATE);
  }

  public long rejected() {
    return count(IngestResult.Status.REJECTED);
  }

  /** Messages dropped as late events of an erased person ({@link IngestResult.Status#ERASED}). */
  public long erased() {
    return count(IngestResult.Status.ERASED);
  }

  /** Warnings over all messages (see {@link IngestResult#warnings()}). */
  public long warnings() {
    long n = 0;
    for (IngestResult r : results) {
      n += r.warnings().size();
    }
    return n;
  }

  /** Warnings of one kind over all messages. */
  public long warnings(IngestWarning.Kind kind) {
    return results.stream().flatMap(r -> r.warnings().stream())
        .filter(w -> w.kind() == kind).count();
  }

  /**
   * Warnings per kind over all messages, for a host's metrics: only kinds that occurred, in the
   * enum's order. Unmodifiable.
   */
  public Map<IngestWarning.Kind, Long> warningCounts() {
    EnumMap<IngestWarning.Kind, Long> out = new EnumMap<>(IngestWarning.Kind.class);
    for (IngestResult r : results) {
      for (IngestWarning w : r.warnings()) {
        out.merge(w.kind(), 1L, Long::sum);
      }
    }
    return Collections.unmodifiableMap(out);
  }

  /** A loop, not a stream: the endpoint asks four counts of every request, most of one event. */
  private long count(IngestResult.Status s) {
    long n = 0;
    for (IngestResult r : results) {
      if (r.status() == s) {
        n++;
      }
    }
    return n;
  }
}
