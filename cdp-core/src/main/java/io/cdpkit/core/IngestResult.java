package io.cdpkit.core;

import io.cdpkit.core.model.ProfileId;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * What happened to one message of an ingest call.
 *
 * <p>Immutable.
 *
 * @param index the message's position in the batch (0 for a single event)
 * @param messageId the message's id, when it could be read
 * @param status what happened
 * @param profileId the profile the event belongs to (also for a duplicate); empty when rejected,
 *     erased, or when the event has no usable identifier
 * @param error why the message was rejected
 * @param warnings what the engine corrected or dropped in a message it kept (in field order of
 *     the checks: times, identifiers, amounts); empty for a rejected message and for one kept as
 *     sent
 */
public record IngestResult(int index, @Nullable String messageId, Status status,
    @Nullable ProfileId profileId, @Nullable InvalidEventException error,
    List<IngestWarning> warnings) {

  /** What happened to a message. */
  public enum Status {
    /** Stored, and its profile updated. */
    STORED,
    /** A message with this messageId was ingested before; nothing changed. */
    DUPLICATE,
    /** Invalid; nothing of it was stored. See {@link #error()}. */
    REJECTED,
    /**
     * Dropped because it carries an identifier that was erased at or after the event's own
     * time (see {@link Privacy#erase}): a late event of an erased person. Nothing of it was
     * stored or counted and it has no profile. Events stamped after the erasure are stored.
     */
    ERASED
  }

  public IngestResult {
    Objects.requireNonNull(status, "status");
    if ((status == Status.REJECTED) != (error != null)) {
      throw new IllegalArgumentException("a rejected result, and only that, carries an error");
    }
    warnings = List.copyOf(warnings);
    if (status == Status.REJECTED && !warnings.isEmpty()) {
      throw new IllegalArgumentException("a rejected result carries no warnings");
    }
  }

  /** A result without warnings. */
  public IngestResult(int index, @Nullable String messageId, Status status,
      @Nullable ProfileId profileId, @Nullable InvalidEventException error) {
    this(index, messageId, status, profileId, error, List.of());
  }

  /** Whether the engine corrected or dropped part of the message (see {@link #warnings()}). */
  public boolean hasWarnings() {
    return !warnings.isEmpty();
  }

  /** The profile, when the event has one. */
  public Optional<ProfileId> profile() {
    return Optional.ofNullable(profileId);
  }

  /** The reason for a rejection. */
  public Optional<InvalidEventException> rejection() {
    return Optional.ofNullable(error);
  }

  public boolean isStored() {
    return status == Status.STORED;
  }
}
