package io.cdpkit.core;

import org.jspecify.annotations.Nullable;

/**
 * A store could not complete an operation. When thrown, nothing of the operation was written.
 * {@link #isRetryable()} tells whether the same call may succeed if repeated (a lost connection,
 * a serialization failure, a deadlock) or will fail again (a full disk, a schema mismatch).
 * Immutable.
 */
public class StorageException extends CdpException {
  private static final long serialVersionUID = 1L;

  private final boolean retryable;

  public StorageException(String message, boolean retryable, @Nullable Throwable cause) {
    super(message, cause);
    this.retryable = retryable;
  }

  /** Whether repeating the same call may succeed. */
  public boolean isRetryable() {
    return retryable;
  }
}
