package io.cdpkit.core.dedup;

import java.util.List;

/**
 * What a detection run found: every candidate pair, most probable first, the model it learned,
 * and how much work it did.
 *
 * <p>Immutable.
 *
 * @param pairs every candidate pair the blocking rules produced, by descending probability
 * @param model the learned model
 * @param linkThreshold the detector's auto-link threshold
 * @param comparisons the candidate pairs compared (each distinct pair once)
 * @param randomPairs the random pairs compared to estimate u
 * @param skippedBlocks blocks left out for exceeding the detector's largest block size
 */
public record DedupResult(List<CandidatePair> pairs, MatchModel model, double linkThreshold,
    long comparisons, long randomPairs, int skippedBlocks) {
  /** Copies. */
  public DedupResult {
    pairs = List.copyOf(pairs);
  }

  /** The pairs at or above the auto-link threshold, most probable first. */
  public List<CandidatePair> links() {
    return atOrAbove(linkThreshold);
  }

  /** The pairs whose probability is at least {@code threshold}, most probable first. */
  public List<CandidatePair> atOrAbove(double threshold) {
    return pairs.stream().filter(p -> p.probability() >= threshold).toList();
  }
}
