package io.cdpkit.segmentation.spi.storage;

import io.cdpkit.core.model.ProfileId;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * The storage capability segmentation owns (reached with
 * {@code transaction.capability(SegmentStorage.class)}, see
 * {@link io.cdpkit.core.spi.storage.ReadTransaction#capability}): which profiles are members of
 * which segments, and each profile's next scheduled check. What is read and written belongs to
 * the transaction it was looked up in.
 *
 * <p>Not thread-safe, like the transaction. Writes throw {@link IllegalStateException} in a read
 * transaction.
 */
public interface SegmentStorage {
  /** The profile's memberships, sorted by segment id. */
  List<Membership> memberships(ProfileId profile);

  /**
   * Members of a segment whose id value sorts after {@code after}, ascending, at most
   * {@code limit}; from the first when {@code after} is {@code null}.
   *
   * @throws IllegalArgumentException when limit is less than 1
   */
  List<Membership> members(String segment, @Nullable ProfileId after, int limit);

  /**
   * The number of members of a segment, as {@link #members} would list them. The default pages
   * through them; a store that can count without reading them overrides it.
   */
  default long memberCount(String segment) {
    long n = 0;
    ProfileId after = null;
    while (true) {
      List<Membership> page = members(segment, after, 1_000);
      n += page.size();
      if (page.size() < 1_000) {
        return n;
      }
      after = page.get(page.size() - 1).profile();
    }
  }

  /** Creates or replaces a membership (same segment and profile). */
  void putMembership(Membership membership);

  /** Removes a membership, if there. */
  void deleteMembership(String segment, ProfileId profile);

  /** The profile's scheduled check. */
  Optional<ScheduledCheck> check(ProfileId profile);

  /**
   * Checks due at or before {@code upTo}, ordered by time, then profile id value, at most
   * {@code limit}.
   *
   * @throws IllegalArgumentException when limit is less than 1
   */
  List<ScheduledCheck> dueChecks(Instant upTo, int limit);

  /** Creates or replaces the profile's scheduled check. */
  void putCheck(ScheduledCheck check);

  /** Removes the profile's scheduled check, if there. */
  void deleteCheck(ProfileId profile);
}
