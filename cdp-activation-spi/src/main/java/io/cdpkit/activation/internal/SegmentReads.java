package io.cdpkit.activation.internal;

import io.cdpkit.core.model.ProfileId;
import io.cdpkit.core.spi.storage.ReadTransaction;
import io.cdpkit.segmentation.spi.storage.Membership;
import io.cdpkit.segmentation.spi.storage.SegmentStorage;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * The segment memberships activation reads (schedule triggers page through a segment's members,
 * {@link io.cdpkit.activation.Recheck#stillMember} looks at a profile's), through
 * segmentation's {@link SegmentStorage} capability. cdp-segmentation is an optional dependency:
 * this class is the only one that names its types, and it is loaded only when a rule needs
 * memberships (see {@link #available}), so a host without segmentation runs the other rules.
 *
 * <p>Thread-safe and stateless.
 */
final class SegmentReads {
  /** The capability's class name, checked without loading it. */
  static final String CAPABILITY = "io.cdpkit.segmentation.spi.storage.SegmentStorage";

  private SegmentReads() {}

  /** Whether cdp-segmentation is on the class path. */
  static boolean onClassPath() {
    try {
      Class.forName(CAPABILITY, false, Engine.class.getClassLoader());
      return true;
    } catch (ClassNotFoundException | LinkageError e) {
      return false;
    }
  }

  /** Whether the store keeps memberships (segmentation must be on the class path). */
  static boolean available(ReadTransaction tx) {
    return tx.capability(SegmentStorage.class).isPresent();
  }

  /** Whether {@code profile} is a member of {@code segment}. */
  static boolean isMember(ReadTransaction tx, ProfileId profile, String segment) {
    for (Membership m : tx.require(SegmentStorage.class).memberships(profile)) {
      if (m.segment().equals(segment)) {
        return true;
      }
    }
    return false;
  }

  /** A page of the segment's members: profile ids after {@code after}, at most limit. */
  static List<ProfileId> members(ReadTransaction tx, String segment, @Nullable ProfileId after,
      int limit) {
    List<Membership> page = tx.require(SegmentStorage.class).members(segment, after, limit);
    List<ProfileId> out = new ArrayList<>(page.size());
    for (Membership m : page) {
      out.add(m.profile());
    }
    return out;
  }
}
