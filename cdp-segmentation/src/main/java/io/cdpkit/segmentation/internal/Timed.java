package io.cdpkit.segmentation.internal;

import java.time.Instant;
import org.jspecify.annotations.Nullable;

/**
 * A condition's value at an instant, and the earliest later instant at which it can change
 * without the profile changing ({@code null}: never). Early is allowed, late is not.
 *
 * <p>Immutable.
 */
record Timed(boolean value, @Nullable Instant next) {
  static final Timed TRUE = new Timed(true, null);
  static final Timed FALSE = new Timed(false, null);

  static Timed of(boolean value, @Nullable Instant next) {
    return next == null ? (value ? TRUE : FALSE) : new Timed(value, next);
  }

  static @Nullable Instant min(@Nullable Instant a, @Nullable Instant b) {
    return a == null ? b : b == null ? a : a.isBefore(b) ? a : b;
  }
}
