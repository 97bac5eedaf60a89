package io.cdpkit.segmentation.internal;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cdpkit.core.model.ProfileId;
import io.cdpkit.core.spi.extension.PersonalRecords;
import io.cdpkit.core.spi.storage.ReadTransaction;
import io.cdpkit.core.spi.storage.WriteTransaction;
import io.cdpkit.segmentation.spi.storage.Membership;
import io.cdpkit.segmentation.spi.storage.ScheduledCheck;
import io.cdpkit.segmentation.spi.storage.SegmentStorage;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * Segmentation's part of a person's export and erasure (found by the core with
 * {@link java.util.ServiceLoader}): her segment memberships and her scheduled check.
 *
 * <p>Export adds two top-level fields: {@code memberships}, an array of
 * {@code {"segment": id, "since": instant}} sorted by segment id (then since), over every
 * profile id of the person; and {@code scheduledCheck}, {@code {"at": instant}} of the earliest
 * check among her ids, or {@code null} when there is none. Erasure deletes every membership and
 * the check of each of her ids and counts them as {@code memberships} and
 * {@code scheduledChecks}. A store without {@link SegmentStorage} holds none of these records:
 * both calls then do nothing.
 *
 * <p>Thread-safe; stateless.
 */
public final class SegmentPersonalRecords implements PersonalRecords {
  /** The export's field of memberships, and the erasure's count of them. */
  static final String MEMBERSHIPS = "memberships";
  /** The export's field of the scheduled check. */
  static final String SCHEDULED_CHECK = "scheduledCheck";
  /** The erasure's count of scheduled checks. */
  static final String SCHEDULED_CHECKS = "scheduledChecks";

  private static final Comparator<Membership> EXPORT_ORDER =
      Comparator.comparing(Membership::segment).thenComparing(Membership::since)
          .thenComparing(Membership::profile);

  /** Found by {@link java.util.ServiceLoader}. */
  public SegmentPersonalRecords() {}

  @Override
  public void export(ReadTransaction transaction, Set<ProfileId> profiles, ObjectNode export) {
    Objects.requireNonNull(transaction, "transaction");
    Objects.requireNonNull(profiles, "profiles");
    Objects.requireNonNull(export, "export");
    Optional<SegmentStorage> found = transaction.capability(SegmentStorage.class);
    if (found.isEmpty()) {
      return;
    }
    SegmentStorage storage = found.get();
    List<Membership> all = new ArrayList<>();
    ScheduledCheck first = null;
    for (ProfileId id : new TreeSet<>(profiles)) {
      all.addAll(storage.memberships(id));
      Optional<ScheduledCheck> c = storage.check(id);
      if (c.isPresent() && (first == null || c.get().at().isBefore(first.at()))) {
        first = c.get();
      }
    }
    all.sort(EXPORT_ORDER);
    ArrayNode memberships = export.putArray(MEMBERSHIPS);
    for (Membership m : all) {
      memberships.addObject().put("segment", m.segment()).put("since", m.since().toString());
    }
    if (first == null) {
      export.putNull(SCHEDULED_CHECK);
    } else {
      export.putObject(SCHEDULED_CHECK).put("at", first.at().toString());
    }
  }

  @Override
  public Map<String, Integer> erase(WriteTransaction transaction, Set<ProfileId> profiles) {
    Objects.requireNonNull(transaction, "transaction");
    Objects.requireNonNull(profiles, "profiles");
    Optional<SegmentStorage> found = transaction.capability(SegmentStorage.class);
    if (found.isEmpty()) {
      return Map.of();
    }
    SegmentStorage storage = found.get();
    int memberships = 0;
    int checks = 0;
    for (ProfileId id : new TreeSet<>(profiles)) {
      for (Membership m : storage.memberships(id)) {
        storage.deleteMembership(m.segment(), id);
        memberships++;
      }
      if (storage.check(id).isPresent()) {
        storage.deleteCheck(id);
        checks++;
      }
    }
    Map<String, Integer> counts = new LinkedHashMap<>();
    counts.put(MEMBERSHIPS, memberships);
    counts.put(SCHEDULED_CHECKS, checks);
    return java.util.Collections.unmodifiableMap(counts);
  }
}
