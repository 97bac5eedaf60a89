package io.cdpkit.core;

import io.cdpkit.core.model.ProfileId;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * What an erasure ({@link Privacy#erase}) removed. Holds no personal data. Immutable.
 *
 * @param erasedAt the instant of the tombstones; events stamped at or before it that carry one
 *     of the erased identifiers are dropped when they arrive
 * @param profile the erased profile, or {@code null} when no profile held the identifier (a
 *     tombstone is still written for it)
 * @param profiles profiles removed: the live one and those merged into it
 * @param identifiers identifiers removed, each now a tombstone
 * @param events events deleted
 * @param links identity graph links deleted or stripped of the erased identifiers
 * @param ledgerEntries merge ledger lines naming an erased profile (counted before deletion)
 * @param memberships segment memberships deleted
 * @param outboxEntries outbox entries deleted
 * @param deliveries delivery history lines deleted
 * @param reviewItems duplicate-detection review items naming an erased profile, deleted
 */
public record ErasureReport(Instant erasedAt, @Nullable ProfileId profile, int profiles,
    int identifiers, int events, int links, int ledgerEntries, int memberships,
    int outboxEntries, int deliveries, int reviewItems) {
  public ErasureReport {
    Objects.requireNonNull(erasedAt, "erasedAt");
    if (profiles < 0 || identifiers < 0 || events < 0 || links < 0 || ledgerEntries < 0
        || memberships < 0 || outboxEntries < 0 || deliveries < 0 || reviewItems < 0) {
      throw new IllegalArgumentException("counts must not be negative");
    }
  }

  /** The erased profile, when there was one. */
  public Optional<ProfileId> erasedProfile() {
    return Optional.ofNullable(profile);
  }
}
