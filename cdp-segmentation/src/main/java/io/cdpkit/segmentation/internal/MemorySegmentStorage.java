package io.cdpkit.segmentation.internal;

import io.cdpkit.core.model.ProfileId;
import io.cdpkit.core.spi.storage.WriteTransaction;
import io.cdpkit.core.spi.storage.memory.MemoryCapabilityProvider;
import io.cdpkit.core.spi.storage.memory.MemoryTransaction;
import io.cdpkit.segmentation.spi.storage.Membership;
import io.cdpkit.segmentation.spi.storage.ScheduledCheck;
import io.cdpkit.segmentation.spi.storage.SegmentStorage;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import java.util.TreeSet;
import org.jspecify.annotations.Nullable;

/**
 * {@link SegmentStorage} for core's in-memory store ({@code Store.inMemory()}), found by it with
 * {@link java.util.ServiceLoader} as a {@link MemoryCapabilityProvider}. One {@link State} per
 * workspace holds the memberships twice (by segment, then profile; by profile, then segment)
 * and the scheduled checks by profile and in due order.
 *
 * <p>The store's workspace lock guards the state: a read transaction shares it, a write
 * transaction holds it alone. Writes change the state in place and register their exact undo
 * with {@link MemoryTransaction#undo}, so a rollback (the transaction throws, or rolls back to a
 * savepoint) restores what was there, the due order included. A capability belongs to the
 * transaction it was looked up in: used after that transaction ended it throws
 * {@link IllegalStateException}, as do its writes in a read transaction.
 *
 * <p>Thread-safe: the provider keeps no state of its own.
 */
public final class MemorySegmentStorage implements MemoryCapabilityProvider {

  /** Time, then profile id: the order of {@link SegmentStorage#dueChecks}. */
  private static final Comparator<ScheduledCheck> DUE_ORDER =
      Comparator.comparing(ScheduledCheck::at).thenComparing(ScheduledCheck::profile);

  /** Found by {@link java.util.ServiceLoader}. */
  public MemorySegmentStorage() {}

  @Override
  public Object newState() {
    return new State();
  }

  @Override
  public <C> Optional<C> open(Class<C> type, Object state, MemoryTransaction transaction) {
    Objects.requireNonNull(type, "type");
    Objects.requireNonNull(state, "state");
    Objects.requireNonNull(transaction, "transaction");
    if (type != SegmentStorage.class) {
      return Optional.empty();
    }
    if (!(state instanceof State s)) {
      throw new IllegalArgumentException("state of another provider: " + state.getClass());
    }
    View view = new View(s, transaction);
    transaction.onEnd(view::end);
    return Optional.of(type.cast(view));
  }

  /**
   * Writes the memberships (by segment, then profile id) and the checks (in due order) through
   * {@code target}'s {@link SegmentStorage}; asks for nothing when the state holds neither.
   */
  @Override
  public void copy(Object state, WriteTransaction target) {
    Objects.requireNonNull(state, "state");
    Objects.requireNonNull(target, "target");
    if (!(state instanceof State s)) {
      throw new IllegalArgumentException("state of another provider: " + state.getClass());
    }
    if (s.members.isEmpty() && s.checks.isEmpty()) {
      return;
    }
    SegmentStorage out = target.require(SegmentStorage.class);
    for (TreeMap<ProfileId, Membership> ofSegment : s.members.values()) {
      for (Membership m : ofSegment.values()) {
        out.putMembership(m);
      }
    }
    for (ScheduledCheck c : s.due) {
      out.putCheck(c);
    }
  }

  /** One workspace's memberships and checks. Guarded by the store's workspace lock. */
  static final class State {
    /** Memberships by segment, then profile id. */
    final HashMap<String, TreeMap<ProfileId, Membership>> members = new HashMap<>();
    /** The same memberships by profile, then segment id. */
    final HashMap<ProfileId, TreeMap<String, Membership>> memberships = new HashMap<>();
    /** Checks by profile. */
    final HashMap<ProfileId, ScheduledCheck> checks = new HashMap<>();
    /** The values of {@link #checks}, by time then profile id. */
    final TreeSet<ScheduledCheck> due = new TreeSet<>(DUE_ORDER);
  }

  /** The capability inside one transaction. Not thread-safe, like the transaction. */
  private static final class View implements SegmentStorage {
    private final State d;
    private final MemoryTransaction tx;
    private boolean ended;

    View(State d, MemoryTransaction tx) {
      this.d = d;
      this.tx = tx;
    }

    void end() {
      ended = true;
    }

    private void checkOpen() {
      if (ended) {
        throw new IllegalStateException(
            "this SegmentStorage belongs to a transaction that has ended");
      }
    }

    private void checkWritable() {
      checkOpen();
      if (!tx.writable()) {
        throw new IllegalStateException("a read transaction cannot write memberships or checks");
      }
    }

    private static void checkLimit(int limit) {
      if (limit < 1) {
        throw new IllegalArgumentException("limit must be at least 1, was " + limit);
      }
    }

    // ---- reads

    @Override
    public List<Membership> memberships(ProfileId profile) {
      Objects.requireNonNull(profile, "profile");
      checkOpen();
      TreeMap<String, Membership> m = d.memberships.get(profile);
      return m == null ? List.of() : List.copyOf(m.values());
    }

    @Override
    public List<Membership> members(String segment, @Nullable ProfileId after, int limit) {
      Objects.requireNonNull(segment, "segment");
      checkLimit(limit);
      checkOpen();
      TreeMap<ProfileId, Membership> m = d.members.get(segment);
      if (m == null) {
        return List.of();
      }
      Collection<Membership> tail = after == null ? m.values() : m.tailMap(after, false).values();
      List<Membership> out = new ArrayList<>(Math.min(limit, 256));
      for (Membership x : tail) {
        if (out.size() == limit) {
          break;
        }
        out.add(x);
      }
      return List.copyOf(out);
    }

    @Override
    public Optional<ScheduledCheck> check(ProfileId profile) {
      Objects.requireNonNull(profile, "profile");
      checkOpen();
      return Optional.ofNullable(d.checks.get(profile));
    }

    @Override
    public List<ScheduledCheck> dueChecks(Instant upTo, int limit) {
      Objects.requireNonNull(upTo, "upTo");
      checkLimit(limit);
      checkOpen();
      List<ScheduledCheck> out = new ArrayList<>(Math.min(limit, 256));
      for (ScheduledCheck c : d.due) {
        if (out.size() == limit || c.at().isAfter(upTo)) {
          break;
        }
        out.add(c);
      }
      return List.copyOf(out);
    }

    // ---- writes: each registers how to undo itself

    @Override
    public void putMembership(Membership membership) {
      Objects.requireNonNull(membership, "membership");
      checkWritable();
      putNested(d.members, membership.segment(), membership.profile(), membership);
      putNested(d.memberships, membership.profile(), membership.segment(), membership);
    }

    @Override
    public void deleteMembership(String segment, ProfileId profile) {
      Objects.requireNonNull(segment, "segment");
      Objects.requireNonNull(profile, "profile");
      checkWritable();
      removeNested(d.members, segment, profile);
      removeNested(d.memberships, profile, segment);
    }

    /** Puts {@code value} at {@code index[outer][inner]}, registering how to undo it. */
    private <A, B extends Comparable<B>, V> void putNested(HashMap<A, TreeMap<B, V>> index,
        A outer, B inner, V value) {
      V old = index.computeIfAbsent(outer, k -> new TreeMap<>()).put(inner, value);
      // The undo looks the inner map up again: a later write may have dropped and recreated it.
      tx.undo(() -> {
        if (old != null) {
          index.computeIfAbsent(outer, k -> new TreeMap<>()).put(inner, old);
        } else {
          removeQuietly(index, outer, inner);
        }
      });
    }

    private <A, B extends Comparable<B>, V> void removeNested(HashMap<A, TreeMap<B, V>> index,
        A outer, B inner) {
      V old = removeQuietly(index, outer, inner);
      if (old != null) {
        tx.undo(() -> index.computeIfAbsent(outer, k -> new TreeMap<>()).put(inner, old));
      }
    }

    /** Removes {@code index[outer][inner]}, and the inner map when it empties. */
    private static <A, B, V> @Nullable V removeQuietly(HashMap<A, TreeMap<B, V>> index,
        A outer, B inner) {
      TreeMap<B, V> m = index.get(outer);
      if (m == null) {
        return null;
      }
      V old = m.remove(inner);
      if (m.isEmpty()) {
        index.remove(outer);
      }
      return old;
    }

    @Override
    public void putCheck(ScheduledCheck check) {
      Objects.requireNonNull(check, "check");
      checkWritable();
      ProfileId profile = check.profile();
      ScheduledCheck old = d.checks.put(profile, check);
      if (old != null) {
        d.due.remove(old);
      }
      d.due.add(check);
      tx.undo(() -> {
        d.due.remove(check);
        if (old != null) {
          d.checks.put(profile, old);
          d.due.add(old);
        } else {
          d.checks.remove(profile);
        }
      });
    }

    @Override
    public void deleteCheck(ProfileId profile) {
      Objects.requireNonNull(profile, "profile");
      checkWritable();
      ScheduledCheck old = d.checks.remove(profile);
      if (old != null) {
        d.due.remove(old);
        tx.undo(() -> {
          d.checks.put(profile, old);
          d.due.add(old);
        });
      }
    }
  }
}
