package io.cdpkit.storage.jdbc.internal;

import static io.cdpkit.storage.jdbc.internal.WorkspaceCache.MEMBERSHIPS;

import io.cdpkit.core.model.ProfileId;
import io.cdpkit.segmentation.spi.storage.Membership;
import io.cdpkit.segmentation.spi.storage.ScheduledCheck;
import io.cdpkit.segmentation.spi.storage.SegmentStorage;
import io.cdpkit.storage.jdbc.internal.BufferedTx.MembershipKey;
import io.cdpkit.storage.jdbc.internal.WorkspaceCache.Key;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * Segmentation's capability ({@link SegmentStorage}) over a {@link BufferedTx}: memberships and
 * scheduled checks, buffered in that transaction's maps ({@code BufferedMap}s, undone with it,
 * their committed state read through its cache keys) and written by its
 * {@link BufferedTx#flush}, which also checks them where writers run side by side.
 *
 * <p>Loaded only when a caller asks the transaction for the capability, so a host without
 * cdp-segmentation never needs its classes. Not thread-safe, like the transaction.
 */
final class BufferedSegments implements SegmentStorage {
  private static final Comparator<ScheduledCheck> DUE_ORDER =
      Comparator.comparing(ScheduledCheck::at).thenComparing(ScheduledCheck::profile);

  private final BufferedTx tx;

  BufferedSegments(BufferedTx tx) {
    this.tx = tx;
  }

  private static MembershipKey key(Membership m) {
    return new MembershipKey(m.segment(), m.profile());
  }

  // ------------------------------------------------------------------ memberships

  @Override
  public List<Membership> memberships(ProfileId profile) {
    Objects.requireNonNull(profile, "profile");
    @SuppressWarnings("unchecked")
    List<Membership> committed = (List<Membership>) tx.committed(new Key(MEMBERSHIPS, profile),
        () -> List.copyOf(tx.rows.membershipsOf(profile)));
    if (tx.memberships.isEmpty()) {
      return committed;
    }
    List<Membership> out = new ArrayList<>(tx.memberships.overlay(committed,
        BufferedSegments::key, m -> m.profile().equals(profile)));
    out.sort(Comparator.comparing(Membership::segment));
    return List.copyOf(out);
  }

  @Override
  public List<Membership> members(String segment, @Nullable ProfileId after, int limit) {
    Objects.requireNonNull(segment, "segment");
    return tx.memberships.page(limit, Comparator.comparing(Membership::profile),
        BufferedSegments::key,
        m -> m.segment().equals(segment) && (after == null || m.profile().compareTo(after) > 0),
        (last, n) -> tx.rows.members(segment, last != null ? last.profile().value()
            : after == null ? null : after.value(), n));
  }

  @Override
  public void putMembership(Membership membership) {
    Objects.requireNonNull(membership, "membership");
    tx.memberships.put(key(membership), membership);
  }

  @Override
  public void deleteMembership(String segment, ProfileId profile) {
    Objects.requireNonNull(segment, "segment");
    Objects.requireNonNull(profile, "profile");
    tx.requireWritable();
    if (!segment.isEmpty() && segment.length() <= Membership.MAX_SEGMENT_LENGTH) {
      tx.memberships.delete(new MembershipKey(segment, profile));
    }
  }

  // ------------------------------------------------------------------ scheduled checks

  @Override
  public Optional<ScheduledCheck> check(ProfileId profile) {
    Objects.requireNonNull(profile, "profile");
    return tx.checks.get(profile);
  }

  @Override
  public List<ScheduledCheck> dueChecks(Instant upTo, int limit) {
    Objects.requireNonNull(upTo, "upTo");
    return tx.checks.page(limit, DUE_ORDER, ScheduledCheck::profile, c -> !c.at().isAfter(upTo),
        (last, n) -> tx.rows.dueChecks(upTo, last, n));
  }

  @Override
  public void putCheck(ScheduledCheck check) {
    Objects.requireNonNull(check, "check");
    tx.checks.put(check.profile(), check);
  }

  @Override
  public void deleteCheck(ProfileId profile) {
    Objects.requireNonNull(profile, "profile");
    tx.checks.delete(profile);
  }
}
