package io.cdpkit.core;

/**
 * Told how a retention purge ({@link Privacy#purge}) advances: after each page of profiles
 * has committed, on the thread that called {@code purge}. Both counts only grow. An exception
 * thrown here ends the purge; the pages done so far stay done.
 */
@FunctionalInterface
public interface PurgeListener {
  /**
   * @param profilesScanned profiles looked at so far
   * @param eventsDeleted events deleted so far
   */
  void progress(long profilesScanned, long eventsDeleted);

  /** A listener that does nothing. */
  static PurgeListener none() {
    return (p, e) -> { };
  }

  /**
   * A purge listener that reports through the library's one progress type: phase
   * {@code "purge"}, the profiles scanned so far, total unknown (the events deleted are in the
   * {@link PurgeReport}).
   */
  static PurgeListener of(ProgressListener progress) {
    java.util.Objects.requireNonNull(progress, "progress");
    return (scanned, deleted) -> progress.progress("purge", scanned, ProgressListener.UNKNOWN);
  }
}
