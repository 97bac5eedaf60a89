package io.cdpkit.storage.jdbc.internal;

import static io.cdpkit.storage.jdbc.internal.WorkspaceCache.CHECK;
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
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/**
 * Segmentation's capability ({@link SegmentStorage}) over a {@link BufferedTx}: memberships and
 * scheduled checks, buffered in that transaction (its maps, its undo log, its cache keys) and
 * written by its {@link BufferedTx#flush}, which also checks them where writers run side by
 * side ({@link BufferedTx#validate}).
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
    TreeMap<String, Membership> out = new TreeMap<>();
    committed.forEach(m -> out.put(m.segment(), m));
    for (Map.Entry<MembershipKey, Optional<Membership>> e : tx.memberships.entrySet()) {
      if (e.getKey().profile().equals(profile)) {
        if (e.getValue().isPresent()) {
          out.put(e.getKey().segment(), e.getValue().get());
        } else {
          out.remove(e.getKey().segment());
        }
      }
    }
    return List.copyOf(out.values());
  }

  @Override
  public List<Membership> members(String segment, @Nullable ProfileId after, int limit) {
    Objects.requireNonNull(segment, "segment");
    BufferedTx.checkLimit(limit);
    List<Membership> own = new ArrayList<>();
    for (Map.Entry<MembershipKey, Optional<Membership>> e : tx.memberships.entrySet()) {
      MembershipKey k = e.getKey();
      if (k.segment().equals(segment) && (after == null || k.profile().compareTo(after) > 0)) {
        e.getValue().ifPresent(own::add);
      }
    }
    Function<Membership, ProfileId> member = Membership::profile;
    return BufferedTx.page(limit, Comparator.comparing(member),
        (last, n) -> tx.rows.members(segment, last != null ? last.profile().value()
            : after == null ? null : after.value(), n),
        tx.memberships.size(),
        m -> tx.memberships.containsKey(new MembershipKey(segment, m.profile())), own);
  }

  @Override
  public void putMembership(Membership membership) {
    Objects.requireNonNull(membership, "membership");
    tx.requireWritable();
    tx.write(tx.memberships, new MembershipKey(membership.segment(), membership.profile()),
        Optional.of(membership));
  }

  @Override
  public void deleteMembership(String segment, ProfileId profile) {
    Objects.requireNonNull(segment, "segment");
    Objects.requireNonNull(profile, "profile");
    tx.requireWritable();
    if (!segment.isEmpty() && segment.length() <= Membership.MAX_SEGMENT_LENGTH) {
      tx.write(tx.memberships, new MembershipKey(segment, profile), Optional.empty());
    }
  }

  // ------------------------------------------------------------------ scheduled checks

  @Override
  public Optional<ScheduledCheck> check(ProfileId profile) {
    Objects.requireNonNull(profile, "profile");
    Optional<ScheduledCheck> w = tx.checks.get(profile);
    return w != null ? w
        : tx.committedOptional(new Key(CHECK, profile), () -> tx.rows.check(profile));
  }

  @Override
  public List<ScheduledCheck> dueChecks(Instant upTo, int limit) {
    Objects.requireNonNull(upTo, "upTo");
    BufferedTx.checkLimit(limit);
    List<ScheduledCheck> own = new ArrayList<>();
    for (Optional<ScheduledCheck> c : tx.checks.values()) {
      c.filter(x -> !x.at().isAfter(upTo)).ifPresent(own::add);
    }
    return BufferedTx.page(limit, DUE_ORDER, (last, n) -> tx.rows.dueChecks(upTo, last, n),
        tx.checks.size(), c -> tx.checks.containsKey(c.profile()), own);
  }

  @Override
  public void putCheck(ScheduledCheck check) {
    Objects.requireNonNull(check, "check");
    tx.requireWritable();
    tx.write(tx.checks, check.profile(), Optional.of(check));
  }

  @Override
  public void deleteCheck(ProfileId profile) {
    Objects.requireNonNull(profile, "profile");
    tx.requireWritable();
    tx.write(tx.checks, profile, Optional.empty());
  }
}
