package io.cdpkit.core.model;

import java.time.Instant;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * One entry of the merge ledger: a merge, a link refused by a rule, or an unmerge, with its
 * cause.
 *
 * <p>Immutable.
 *
 * @param kind what happened
 * @param profile the surviving profile ({@link Kind#MERGED}), the profile the event went to
 *     ({@link Kind#CONFLICT}), or one side of the split ({@link Kind#UNMERGED})
 * @param other the merged-away profile, the profile holding the refused identifier, or the other
 *     side of the split
 * @param identifier the identifier that linked or would have linked them
 * @param messageId the event that caused it; {@code null} for an unmerge
 * @param eventTime that event's time
 * @param recordedAt when the entry was written, by the pipeline's clock
 * @param reason a short description without personal data, for example
 *     {@code "limit: customer_id max 1"}
 */
public record LedgerEntry(Kind kind, ProfileId profile, @Nullable ProfileId other,
    @Nullable Identifier identifier, @Nullable String messageId, @Nullable Instant eventTime,
    Instant recordedAt, String reason) {

  /** What a ledger entry records. */
  public enum Kind {
    /** {@code other} was merged into {@code profile}; {@code other} now resolves to it. */
    MERGED,
    /** A link was refused because it would break a rule; nothing merged. */
    CONFLICT,
    /** A do-not-link rule split a profile; {@code profile} and {@code other} are the parts. */
    UNMERGED
  }

  public LedgerEntry {
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(profile, "profile");
    Objects.requireNonNull(recordedAt, "recordedAt");
    Objects.requireNonNull(reason, "reason");
  }

  /** Whether the entry names this profile id on either side. */
  public boolean involves(ProfileId id) {
    return profile.equals(id) || id.equals(other);
  }
}
