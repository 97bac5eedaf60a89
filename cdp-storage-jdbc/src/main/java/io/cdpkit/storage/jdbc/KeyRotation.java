package io.cdpkit.storage.jdbc;

import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A key rotation running in the background (see {@link JdbcStore#rotateKeysInBackground}): it
 * re-encrypts under the current key every value stored under an older key id, table by table,
 * in short transactions of its own, while the store is in use. {@link #stop} asks it to stop
 * after the batch it is on; a later rotation starts over and skips what is done already.
 *
 * <p>Thread-safe.
 */
public final class KeyRotation {
  /**
   * Told of a rotation's progress, on the thread that rotates, after every batch and when a
   * table is done. It should return quickly; what it throws ends the rotation with that
   * failure.
   */
  @FunctionalInterface
  public interface Listener {
    /** A listener that ignores progress. */
    Listener NONE = (table, rowsDone, tableDone) -> { };

    /**
     * @param table the table being rotated ({@code "cdp_profiles"})
     * @param rowsDone values re-encrypted in it so far
     * @param tableDone whether the table is finished
     */
    void progress(String table, long rowsDone, boolean tableDone);

    /**
     * A rotation listener that reports through the library's one progress type: the table
     * as the phase, the values re-encrypted in it so far, total unknown.
     */
    static Listener of(io.cdpkit.core.ProgressListener progress) {
      java.util.Objects.requireNonNull(progress, "progress");
      return (table, rowsDone, tableDone) -> progress.progress(table, rowsDone,
          io.cdpkit.core.ProgressListener.UNKNOWN);
    }
  }

  private final AtomicBoolean stop = new AtomicBoolean();
  private final CompletableFuture<Map<String, Long>> done = new CompletableFuture<>();

  KeyRotation() {}

  boolean stopRequested() {
    return stop.get();
  }

  void finish(Map<String, Long> result) {
    done.complete(Map.copyOf(result));
  }

  void fail(Throwable e) {
    done.completeExceptionally(e);
  }

  /** Asks the rotation to stop after its current batch; returns at once. */
  public void stop() {
    stop.set(true);
  }

  /** Whether {@link #stop} was called. */
  public boolean isStopped() {
    return stop.get();
  }

  /** Whether the rotation has ended: done, stopped, or failed. */
  public boolean isDone() {
    return done.isDone();
  }

  /**
   * Waits for the rotation to end; returns the values re-encrypted per table (the tables
   * started, when stopped).
   *
   * @throws io.cdpkit.core.StorageException what the rotation failed with
   * @throws InterruptedException when interrupted while waiting (the rotation goes on)
   */
  public Map<String, Long> await() throws InterruptedException {
    try {
      return done.get();
    } catch (ExecutionException e) {
      Throwable cause = e.getCause();
      if (cause instanceof RuntimeException re) {
        throw re;
      }
      if (cause instanceof Error err) {
        throw err;
      }
      throw new IllegalStateException("key rotation failed", cause);
    }
  }

  @Override
  public String toString() {
    return "KeyRotation[" + (done.isDone() ? "done" : stop.get() ? "stopping" : "running")
        + "]";
  }
}
