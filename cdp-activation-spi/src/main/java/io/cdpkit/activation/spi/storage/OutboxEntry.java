package io.cdpkit.activation.spi.storage;

import io.cdpkit.core.model.ProfileId;
import java.time.Instant;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * A decision to send something to a profile, kept in the store's outbox until it is delivered,
 * given up on, or found not to be sent: the activation engine writes it in the transaction that
 * made the decision, and workers claim it with {@link OutboxClaims#claim}.
 *
 * <p>Immutable.
 *
 * @param key the idempotency key, unique in the workspace, 1 to {@value #MAX_KEY_LENGTH}
 *     characters
 * @param rule the rule that decided it, 1 to {@value #MAX_NAME_LENGTH} characters
 * @param profile the profile it was decided for (it may have been merged away since)
 * @param channel the channel to send through, 1 to {@value #MAX_NAME_LENGTH} characters
 * @param decidedAt when it was decided
 * @param dueAt when it may be sent (after a delay or a retry's backoff)
 * @param attempts how many times sending was attempted
 * @param status pending, done or dead
 * @param trigger what triggered it, as the engine's JSON, at most {@value #MAX_TEXT_LENGTH}
 *     characters
 * @param lease the claim's token while a worker holds it, else {@code null}
 * @param leaseUntil when the claim runs out, else {@code null}
 * @param lastError why the last attempt failed, at most {@value #MAX_ERROR_LENGTH} characters
 */
public record OutboxEntry(String key, String rule, ProfileId profile, String channel,
    Instant decidedAt, Instant dueAt, int attempts, Status status, String trigger,
    @Nullable String lease, @Nullable Instant leaseUntil, @Nullable String lastError) {
  /** Longest key, in characters. */
  public static final int MAX_KEY_LENGTH = 200;
  /** Longest rule or channel name, in characters. */
  public static final int MAX_NAME_LENGTH = 64;
  /** Longest trigger text, in characters. */
  public static final int MAX_TEXT_LENGTH = 65_536;
  /** Longest error text, in characters. */
  public static final int MAX_ERROR_LENGTH = 1000;

  /** Where an entry stands. */
  public enum Status {
    /** Waiting to be sent, or being sent. */
    PENDING,
    /** Finished: delivered, or decided not to send (the delivery history says which). */
    DONE,
    /** Given up on after a permanent failure or too many attempts: a dead letter. */
    DEAD
  }

  public OutboxEntry {
    check("key", key, MAX_KEY_LENGTH);
    check("rule", rule, MAX_NAME_LENGTH);
    Objects.requireNonNull(profile, "profile");
    check("channel", channel, MAX_NAME_LENGTH);
    Objects.requireNonNull(decidedAt, "decidedAt");
    Objects.requireNonNull(dueAt, "dueAt");
    Objects.requireNonNull(status, "status");
    Objects.requireNonNull(trigger, "trigger");
    if (trigger.length() > MAX_TEXT_LENGTH) {
      throw new IllegalArgumentException(
          "trigger must be at most " + MAX_TEXT_LENGTH + " characters");
    }
    if (attempts < 0) {
      throw new IllegalArgumentException("attempts must not be negative");
    }
    if ((lease == null) != (leaseUntil == null)) {
      throw new IllegalArgumentException("lease and leaseUntil are set together or not at all");
    }
    if (lease != null) {
      check("lease", lease, MAX_NAME_LENGTH);
    }
    if (lastError != null && lastError.length() > MAX_ERROR_LENGTH) {
      throw new IllegalArgumentException(
          "lastError must be at most " + MAX_ERROR_LENGTH + " characters");
    }
  }

  /** A pending entry, never attempted nor claimed. */
  public static OutboxEntry pending(String key, String rule, ProfileId profile, String channel,
      Instant decidedAt, Instant dueAt, String trigger) {
    return new OutboxEntry(key, rule, profile, channel, decidedAt, dueAt, 0, Status.PENDING,
        trigger, null, null, null);
  }

  /** This entry with its claim released. */
  public OutboxEntry released() {
    return new OutboxEntry(key, rule, profile, channel, decidedAt, dueAt, attempts, status,
        trigger, null, null, lastError);
  }

  /** This entry claimed by {@code lease} until {@code until}. */
  public OutboxEntry claimed(String lease, Instant until) {
    return new OutboxEntry(key, rule, profile, channel, decidedAt, dueAt, attempts, status,
        trigger, lease, until, lastError);
  }

  /** This entry with another attempt count, its claim kept. */
  public OutboxEntry withAttempts(int attempts) {
    return new OutboxEntry(key, rule, profile, channel, decidedAt, dueAt, attempts, status,
        trigger, lease, leaseUntil, lastError);
  }

  /** This entry with another status, attempt count, due time and error; its claim released. */
  public OutboxEntry next(Status status, int attempts, Instant dueAt,
      @Nullable String lastError) {
    return new OutboxEntry(key, rule, profile, channel, decidedAt, dueAt, attempts, status,
        trigger, null, null, lastError);
  }

  static void check(String field, String value, int max) {
    Objects.requireNonNull(value, field);
    if (value.isEmpty() || value.length() > max) {
      throw new IllegalArgumentException(field + " must be 1 to " + max + " characters");
    }
  }
}
