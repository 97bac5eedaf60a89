package io.cdpkit.core;

import org.jspecify.annotations.Nullable;

/**
 * Root of the exceptions CDPKit throws for conditions a caller can handle. Messages never carry
 * personal data: identifiers appear as their type plus a short keyed hash.
 *
 * <p>Programmer errors (a null argument, a builder setting given twice) are reported as
 * {@link IllegalArgumentException} or {@link IllegalStateException} instead.
 *
 * <p>Immutable.
 */
public class CdpException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public CdpException(String message) {
    super(message);
  }

  public CdpException(String message, @Nullable Throwable cause) {
    super(message, cause);
  }
}
