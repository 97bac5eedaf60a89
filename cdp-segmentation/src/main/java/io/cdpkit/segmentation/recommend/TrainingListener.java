package io.cdpkit.segmentation.recommend;

/**
 * Hears how far {@link ItemSimilarity#train} has come, for a progress bar or a log line.
 *
 * <p>Called on the training thread, never concurrently for one training run; a call should
 * return quickly. An exception it throws ends the training and reaches the caller.
 */
public interface TrainingListener {
  /** A listener that ignores everything. */
  TrainingListener NONE = new TrainingListener() {};

  /**
   * After every {@value ItemSimilarity#PROGRESS_EVERY}th history read, and once after the last.
   *
   * @param read the histories read so far
   */
  default void historiesRead(long read) {}

  /**
   * After every {@value ItemSimilarity#PROGRESS_EVERY}th item scored, and once after the last.
   *
   * @param done items whose neighbours are computed
   * @param total the items to compute
   */
  default void itemsScored(long done, long total) {}
}
