package io.cdpkit.activation;

import java.time.Duration;
import java.util.Objects;
import java.util.random.RandomGenerator;

/**
 * When to try a failed delivery again: exponential backoff from {@code base}, doubling per
 * attempt up to {@code max}, with "equal jitter" (a random wait between half the backoff and
 * all of it, so that many failures do not retry in step). After {@code maxAttempts} attempts,
 * or at once on a permanent failure, the message becomes a dead letter.
 *
 * <p>Immutable.
 *
 * @param maxAttempts at least 1
 * @param base the backoff after the first failure, positive
 * @param max the longest backoff, at least {@code base}
 */
public record RetryPolicy(int maxAttempts, Duration base, Duration max) {
  /** 6 attempts, from 30 s to 1 h. */
  public static final RetryPolicy DEFAULT =
      new RetryPolicy(6, Duration.ofSeconds(30), Duration.ofHours(1));

  public RetryPolicy {
    Objects.requireNonNull(base, "base");
    Objects.requireNonNull(max, "max");
    if (maxAttempts < 1) {
      throw new IllegalArgumentException("retry.maxAttempts: must be at least 1");
    }
    if (base.isNegative() || base.isZero()) {
      throw new IllegalArgumentException("retry.base: must be positive");
    }
    if (max.compareTo(base) < 0) {
      throw new IllegalArgumentException("retry.max: must be at least base");
    }
  }

  /**
   * The wait after failed attempt {@code attempt} (1-based): {@code min(max, base * 2^(attempt-1))},
   * jittered into its upper half.
   */
  public Duration backoff(int attempt, RandomGenerator random) {
    long baseMs = base.toMillis();
    int shift = Math.min(attempt - 1, 40);
    long full = baseMs > (max.toMillis() >> shift) ? max.toMillis() : baseMs << shift;
    long half = full / 2;
    return Duration.ofMillis(half + (full - half == 0 ? 0 : random.nextLong(full - half + 1)));
  }
}
