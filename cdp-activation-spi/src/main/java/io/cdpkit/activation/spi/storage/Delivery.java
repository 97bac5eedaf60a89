package io.cdpkit.activation.spi.storage;

import io.cdpkit.core.model.ProfileId;
import java.time.Instant;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * One line of a profile's delivery history: an activation was sent, failed, was given up on,
 * or was not sent and why. Written by the activation engine; a store only keeps it.
 *
 * <p>Immutable.
 *
 * @param id unique in the workspace, 1 to {@value OutboxEntry#MAX_KEY_LENGTH} characters
 *     (writing the same id again replaces the line)
 * @param profile the profile it concerns
 * @param at when
 * @param rule the rule, 1 to {@value OutboxEntry#MAX_NAME_LENGTH} characters
 * @param channel the channel, 1 to {@value OutboxEntry#MAX_NAME_LENGTH} characters
 * @param key the outbox entry's idempotency key
 * @param attempt the attempt it records, 0 for a decision not to send before any attempt
 * @param outcome what happened, 1 to {@value OutboxEntry#MAX_NAME_LENGTH} characters
 *     ({@code delivered}, {@code sending}, {@code failed}, {@code dead}, {@code suppressed})
 * @param reason why, when not delivered, at most {@value OutboxEntry#MAX_ERROR_LENGTH}
 *     characters
 * @param detail the engine's JSON (consent relied on, trigger, recipient kind), at most
 *     {@value OutboxEntry#MAX_TEXT_LENGTH} characters
 */
public record Delivery(String id, ProfileId profile, Instant at, String rule, String channel,
    String key, int attempt, String outcome, @Nullable String reason, String detail) {
  public Delivery {
    OutboxEntry.check("id", id, OutboxEntry.MAX_KEY_LENGTH);
    Objects.requireNonNull(profile, "profile");
    Objects.requireNonNull(at, "at");
    OutboxEntry.check("rule", rule, OutboxEntry.MAX_NAME_LENGTH);
    OutboxEntry.check("channel", channel, OutboxEntry.MAX_NAME_LENGTH);
    OutboxEntry.check("key", key, OutboxEntry.MAX_KEY_LENGTH);
    OutboxEntry.check("outcome", outcome, OutboxEntry.MAX_NAME_LENGTH);
    Objects.requireNonNull(detail, "detail");
    if (attempt < 0) {
      throw new IllegalArgumentException("attempt must not be negative");
    }
    if (reason != null && reason.length() > OutboxEntry.MAX_ERROR_LENGTH) {
      throw new IllegalArgumentException(
          "reason must be at most " + OutboxEntry.MAX_ERROR_LENGTH + " characters");
    }
    if (detail.length() > OutboxEntry.MAX_TEXT_LENGTH) {
      throw new IllegalArgumentException(
          "detail must be at most " + OutboxEntry.MAX_TEXT_LENGTH + " characters");
    }
  }
}
