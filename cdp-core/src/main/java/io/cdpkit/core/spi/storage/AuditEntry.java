package io.cdpkit.core.spi.storage;

import io.cdpkit.core.model.ProfileId;
import java.time.Instant;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * One line of a workspace's append-only audit log of privacy operations: an export, an erasure,
 * a consent change, an unmerge, a restriction or its lifting, a rectification, a retention
 * purge, a key rotation. Lines are never changed or removed (an erasure removes the person's
 * data, not the fact that it was erased). A line holds no personal data: the person is named by
 * profile id and by the keyed hash of the identifier the request named.
 *
 * <p>Immutable.
 *
 * @param seq the position in the workspace's log, assigned by the store when appended (pass 0);
 *     increasing in append order
 * @param at when the operation happened
 * @param operation what was done, 1 to {@value #MAX_OPERATION_LENGTH} characters
 *     ({@code export}, {@code erase}, {@code consent}, {@code unmerge}, {@code restrict},
 *     {@code unrestrict}, {@code rectify}, {@code purge}, {@code rotate})
 * @param profile the profile concerned, when there is one
 * @param subject the keyed hash of the identifier named by the request, when there is one, at
 *     most {@value PrivacyStorage#MAX_HASH_LENGTH} characters
 * @param detail a JSON object with what else is worth knowing (counts, purpose, reason code),
 *     free of personal data, at most {@value #MAX_DETAIL_LENGTH} characters
 */
public record AuditEntry(long seq, Instant at, String operation, @Nullable ProfileId profile,
    @Nullable String subject, String detail) {
  /** Longest operation name, in characters. */
  public static final int MAX_OPERATION_LENGTH = 64;
  /** Longest detail text, in characters. */
  public static final int MAX_DETAIL_LENGTH = 65_536;

  public AuditEntry {
    Objects.requireNonNull(at, "at");
    Objects.requireNonNull(operation, "operation");
    if (operation.isEmpty() || operation.length() > MAX_OPERATION_LENGTH) {
      throw new IllegalArgumentException(
          "operation must be 1 to " + MAX_OPERATION_LENGTH + " characters");
    }
    Objects.requireNonNull(detail, "detail");
    if (seq < 0) {
      throw new IllegalArgumentException("seq must not be negative");
    }
    if (subject != null
        && (subject.isEmpty() || subject.length() > PrivacyStorage.MAX_HASH_LENGTH)) {
      throw new IllegalArgumentException(
          "subject must be 1 to " + PrivacyStorage.MAX_HASH_LENGTH + " characters");
    }
    if (detail.length() > MAX_DETAIL_LENGTH) {
      throw new IllegalArgumentException(
          "detail must be at most " + MAX_DETAIL_LENGTH + " characters");
    }
  }

  /** This entry with the sequence number the store assigned. */
  public AuditEntry withSeq(long assigned) {
    return new AuditEntry(assigned, at, operation, profile, subject, detail);
  }
}
