package io.cdpkit.core;

/**
 * Told how a long job advances (duplicate detection, and the library's other batch work): the
 * phase it is in, what is done of it and its total where known. Called on the thread running
 * the job, from time to time and once at the end of each phase; {@code done} only grows within
 * a phase. An exception thrown here ends the job; what it committed so far stays committed.
 */
@FunctionalInterface
public interface ProgressListener {
  /** Stands for "total not known" in {@link #progress}. */
  long UNKNOWN = -1;

  /**
   * @param phase a short name of the phase, lower case ({@code "read"}, {@code "compare"},
   *     {@code "decide"}); never personal data
   * @param done units done so far in this phase
   * @param total units the phase has, or {@link #UNKNOWN}
   */
  void progress(String phase, long done, long total);

  /** A listener that does nothing. */
  static ProgressListener none() {
    return (phase, done, total) -> { };
  }
}
