package io.cdpkit.core.spi.extension;

import io.cdpkit.core.model.WorkspaceId;
import io.cdpkit.core.spi.storage.WriteTransaction;
import java.time.Instant;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * The profiles one step of a write transaction changed (one event, an unmerge, or a page of
 * recomputed profiles), as a {@link ProfileObserver} sees them.
 *
 * <p>Not thread-safe: valid only during the observer's call.
 */
public interface ProfileChanges {
  /** The workspace. */
  WorkspaceId workspace();

  /** The transaction; what the observer writes through it commits with the change. */
  WriteTransaction transaction();

  /** The changed profiles, each once, in the order first touched. */
  List<ProfileChange> changes();

  /**
   * Why: {@code event}, {@code unmerge}, {@code recompute}, {@code restrict},
   * {@code unrestrict}, {@code rectify}, {@code erase} or {@code purge}. A new cause needs a
   * type in segmentation's {@code SegmentEvent.Cause}.
   */
  String cause();

  /** The event that caused the change, for cause {@code event}. */
  @Nullable String messageId();

  /** The clock's instant when the change was made. */
  Instant now();

  /**
   * Runs {@code action} after the transaction commits, on the committing thread, in the order
   * added; not at all when it does not commit. An action that throws is logged and skipped.
   */
  void afterCommit(Runnable action);
}
