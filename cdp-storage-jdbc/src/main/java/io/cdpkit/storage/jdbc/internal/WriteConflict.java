package io.cdpkit.storage.jdbc.internal;

import io.cdpkit.core.StorageException;
import org.jspecify.annotations.Nullable;

/**
 * A write that ran beside other writers of its workspace met one of them: a row it read was
 * changed by another writer's commit before it could lock it, or it inserted a key another
 * writer inserted first. Nothing of it was kept. Retryable: the store runs the work again, this
 * time holding the workspace alone, so that contention on the same customers falls back to one
 * writer at a time instead of repeating the race.
 */
final class WriteConflict extends StorageException {
  private static final long serialVersionUID = 1L;

  WriteConflict(String message, @Nullable Throwable cause) {
    super(message, true, cause);
  }
}
