package io.cdpkit.core;

import java.util.List;

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

  private long count(IngestResult.Status s) {
    return results.stream().filter(r -> r.status() == s).count();
  }
}
