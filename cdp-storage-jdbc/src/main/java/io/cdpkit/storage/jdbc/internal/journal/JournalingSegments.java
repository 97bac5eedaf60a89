package io.cdpkit.storage.jdbc.internal.journal;

import static io.cdpkit.storage.jdbc.internal.journal.JournalCodec.DELETE_CHECK;
import static io.cdpkit.storage.jdbc.internal.journal.JournalCodec.DELETE_MEMBERSHIP;
import static io.cdpkit.storage.jdbc.internal.journal.JournalCodec.PUT_CHECK;
import static io.cdpkit.storage.jdbc.internal.journal.JournalCodec.PUT_MEMBERSHIP;

import io.cdpkit.core.model.ProfileId;
import io.cdpkit.core.spi.storage.WriteTransaction;
import io.cdpkit.segmentation.spi.storage.Membership;
import io.cdpkit.segmentation.spi.storage.ScheduledCheck;
import io.cdpkit.segmentation.spi.storage.SegmentStorage;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * Segmentation's {@link SegmentStorage} of a {@link JournalingTransaction}'s inner transaction,
 * its writes recorded; and how its ops are written to and read from a journal body. Loaded only
 * when a transaction is asked for that capability, or a body holding its ops is replayed, so a
 * host without cdp-segmentation never loads it.
 *
 * <p>Not thread-safe, like the transaction.
 */
final class JournalingSegments implements SegmentStorage {
  private final SegmentStorage s;
  private final JournalingTransaction tx;

  private JournalingSegments(SegmentStorage s, JournalingTransaction tx) {
    this.s = s;
    this.tx = tx;
  }

  /** {@code inner}, a {@link SegmentStorage}, wrapped; typed {@code Object} for the caller. */
  static Object wrap(Object inner, JournalingTransaction tx) {
    return new JournalingSegments((SegmentStorage) inner, tx);
  }

  @Override
  public List<Membership> memberships(ProfileId profile) {
    return s.memberships(profile);
  }

  @Override
  public List<Membership> members(String segment, @Nullable ProfileId after, int limit) {
    return s.members(segment, after, limit);
  }

  @Override
  public void putMembership(Membership membership) {
    s.putMembership(membership);
    tx.record(PUT_MEMBERSHIP, membership, null,
        new Op.Pair(membership.segment(), membership.profile()));
  }

  @Override
  public void deleteMembership(String segment, ProfileId profile) {
    s.deleteMembership(segment, profile);
    tx.record(DELETE_MEMBERSHIP, segment, profile, new Op.Pair(segment, profile));
  }

  @Override
  public Optional<ScheduledCheck> check(ProfileId profile) {
    return s.check(profile);
  }

  @Override
  public List<ScheduledCheck> dueChecks(Instant upTo, int limit) {
    return s.dueChecks(upTo, limit);
  }

  @Override
  public void putCheck(ScheduledCheck check) {
    s.putCheck(check);
    tx.record(PUT_CHECK, check, null, check.profile());
  }

  @Override
  public void deleteCheck(ProfileId profile) {
    s.deleteCheck(profile);
    tx.record(DELETE_CHECK, profile, null, profile);
  }

  // ------------------------------------------------------------------ body

  /** Writes the arguments of one of this capability's ops. */
  static void write(Op op, BodyWriter w) {
    switch (op.code) {
      case PUT_MEMBERSHIP -> {
        Membership m = (Membership) op.a;
        w.writeString(m.segment());
        w.writeProfileId(m.profile());
        w.writeInstant(m.since());
      }
      case DELETE_MEMBERSHIP -> {
        w.writeString((String) op.a);
        w.writeProfileId((ProfileId) op.b);
      }
      case PUT_CHECK -> {
        ScheduledCheck c = (ScheduledCheck) op.a;
        w.writeProfileId(c.profile());
        w.writeInstant(c.at());
      }
      case DELETE_CHECK -> w.writeProfileId((ProfileId) op.a);
      default -> throw new IllegalStateException("not a segment op: " + op.code);
    }
  }

  /** Reads one of this capability's ops and applies it to {@code target}'s capability. */
  static void replay(int code, BodyReader r, WriteTransaction target) {
    switch (code) {
      case PUT_MEMBERSHIP -> {
        String segment = r.readString();
        ProfileId profile = r.readProfileId();
        Instant since = r.readInstant();
        Membership m;
        try {
          m = new Membership(segment, profile, since);
        } catch (IllegalArgumentException e) {
          throw BodyReader.malformed("a membership is invalid");
        }
        target.require(SegmentStorage.class).putMembership(m);
      }
      case DELETE_MEMBERSHIP -> {
        String segment = r.readString();
        ProfileId profile = r.readProfileId();
        target.require(SegmentStorage.class).deleteMembership(segment, profile);
      }
      case PUT_CHECK -> {
        ProfileId profile = r.readProfileId();
        ScheduledCheck c = new ScheduledCheck(profile, r.readInstant());
        target.require(SegmentStorage.class).putCheck(c);
      }
      case DELETE_CHECK -> target.require(SegmentStorage.class).deleteCheck(r.readProfileId());
      default -> throw new IllegalStateException("not a segment op: " + code);
    }
  }
}
