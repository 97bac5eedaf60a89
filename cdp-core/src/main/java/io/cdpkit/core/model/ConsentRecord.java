package io.cdpkit.core.model;

import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * One entry of a person's consent history: a decision as an event carried it, with the event's
 * time and messageId. The history is the person's consent-carrying events, which are
 * append-only, so it only grows (an erasure aside).
 *
 * <p>Immutable.
 *
 * @param time the deciding event's time (see {@link Event#eventTime()})
 * @param messageId the deciding event
 * @param change the decision with its evidence
 */
public record ConsentRecord(Instant time, String messageId, ConsentChange change) {
  /** History order: event time, then messageId (then position in the event). */
  public static final Comparator<ConsentRecord> ORDER =
      Comparator.comparing(ConsentRecord::time).thenComparing(ConsentRecord::messageId);

  public ConsentRecord {
    Objects.requireNonNull(time, "time");
    Objects.requireNonNull(messageId, "messageId");
    Objects.requireNonNull(change, "change");
  }

  /** The (purpose, channel) pair the decision is about. */
  public ConsentKey key() {
    return change.key();
  }

  /** The register value this decision gives the profile's state. */
  public ProfileState.ConsentValue value() {
    return ProfileState.ConsentValue.of(change, time, messageId);
  }

  /**
   * The decision in force for a purpose on a channel at an instant, from a history: of the
   * decisions stamped at or before {@code at}, the one the consent register keeps (latest time;
   * denied on a tie), judged at {@code at}. Agrees with the profile's state: over a whole
   * history, the decision it finds is the state's.
   */
  public static ConsentInForce inForce(List<ConsentRecord> history, ConsentKey key, Instant at) {
    ConsentRecord best = null;
    ProfileState.ConsentValue bestValue = null;
    for (ConsentRecord r : history) {
      if (!r.key().equals(key) || r.time().isAfter(at)) {
        continue;
      }
      ProfileState.ConsentValue v = r.value();
      if (bestValue == null || ProfileState.ConsentValue.ORDER.compare(v, bestValue) > 0) {
        best = r;
        bestValue = v;
      }
    }
    return best == null ? new ConsentInForce(ConsentStatus.NONE, null)
        : new ConsentInForce(bestValue.statusAt(at), best);
  }

  /**
   * The status of a purpose on a channel at an instant and the decision it rests on.
   *
   * <p>Immutable.
   *
   * @param status the status at the instant
   * @param decision the decision in force then; {@code null} when {@link ConsentStatus#NONE}
   */
  public record ConsentInForce(ConsentStatus status, @Nullable ConsentRecord decision) {
    public ConsentInForce {
      Objects.requireNonNull(status, "status");
      if ((status == ConsentStatus.NONE) != (decision == null)) {
        throw new IllegalArgumentException("decision must be absent exactly when status is NONE");
      }
    }
  }
}
