package io.cdpkit.activation;

import java.time.Duration;
import java.util.Objects;

/**
 * At most {@code max} messages per person through one channel in any {@code window}: a message
 * that would exceed it is suppressed (and recorded as such), not delayed. Messages delivered
 * and those being sent count; failed ones do not.
 *
 * <p>Immutable.
 *
 * @param channel the registered channel's name
 * @param max at least 1
 * @param window positive
 */
public record FrequencyCap(String channel, int max, Duration window) {
  public FrequencyCap {
    Objects.requireNonNull(channel, "channel");
    Objects.requireNonNull(window, "window");
    if (max < 1) {
      throw new IllegalArgumentException("cap.max: must be at least 1");
    }
    if (window.isNegative() || window.isZero()) {
      throw new IllegalArgumentException("cap.window: must be positive");
    }
  }
}
