package io.cdpkit.storage.jdbc.internal;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * What one store instance remembers of the committed state of its workspaces: identity nodes,
 * the nodes of a profile, components, profiles, redirects, a profile's segment memberships
 * and scheduled check, and erasure tombstones (by hash, and whether there are any), in one
 * bounded Caffeine cache, and per workspace the lock its local
 * writers take. Event presence (by messageId) is not cached across transactions: almost every
 * messageId is looked up once, and a batch checks all of its own in one query, so such entries
 * would only push useful ones out. Ordered reads (profile scans, a segment's members, due
 * checks, metadata by prefix, the audit log, the redirects to a profile) are not cached either:
 * a scan would push the hot set out. Nor are outbox entries and delivery lines: claims change
 * outbox rows outside the workspace's lock and without advancing its version, so no version
 * could tell a cached entry stale. Links and the ledger are read from the database each time.
 * A delete is a change like any other: it advances the version, and the deleted keys' entries
 * are replaced by "absent" (or unknown) when it commits.
 *
 * <h2>Never stale</h2>
 *
 * <p>Every committed write transaction that changed anything besides outbox entries, delivery
 * lines and the audit log advances its workspace's {@code version} column (under the workspace's row
 * lock); one that changed only those leaves it, and this cache, as they are. Every
 * transaction reads that version first: a writer under the row lock, a reader as the first
 * statement of its snapshot. The cache serves a transaction only when
 * the version it read equals the version the cache's {@link View} describes; entries are stamped
 * with the version they were read or written at, and an entry is used only if its stamp is not
 * newer than the transaction's version.
 *
 * <ul>
 *   <li>A local writer commits like this: mark the view <em>applying</em> (nobody uses the cache
 *       meanwhile), commit the database transaction, replace the entry of every key it changed
 *       with the new value stamped {@code v + 1} (or with an "unknown" marker), then publish
 *       view {@code v + 1}. If the commit fails, the workspace moves to a new epoch (the
 *       entries of the old one are never read again).
 *   <li>A write by another node shows as a database version the view does not know: the next
 *       transaction on this node moves the workspace to a new epoch, which empties it.
 *   <li>A reader caches what it read from its snapshot only if the key has no entry (or an
 *       unknown marker not newer than its snapshot): a writer's newer entry always wins, in
 *       either order of the two puts.
 * </ul>
 *
 * <p>The cost is one small query per transaction (the version), and after a write from another
 * node one cache miss per key.
 *
 * <h2>Writers side by side (PostgreSQL, MariaDB)</h2>
 *
 * <p>There, writers of one workspace run at the same time ({@link Dialect#concurrentWriters})
 * and only writers alone in the workspace advance the version, so the version no longer tells
 * an entry stale: the cache becomes a hint that writers check. A writer's session
 * (a {@link #reader} session at the version it read) serves entries of that version as above; before the writer
 * writes, it locks and re-reads what it used ({@code BufferedTx#validate}), drops the entries
 * it finds stale ({@link Session#forget}) and runs again. After its commit it puts its changes
 * at the version it ran at, without moving it ({@link Session#commitBeside}); two writers of the
 * same key may put in either order, and a later writer finds the older value stale and runs
 * again. A read runs on a {@linkplain #besideReader session of the current view} and checks
 * every entry it used in one statement; a snapshot read gets a {@linkplain #fillingReader
 * filling} session, which only puts. Thread-safe.
 */
final class WorkspaceCache {
  /** The kinds of keys; {@link #EVENT} keys are known within one transaction only. */
  static final char EVENT = 'E';
  static final char NODE = 'N';
  static final char PROFILE_NODES = 'Q';
  static final char COMPONENT = 'C';
  static final char PROFILE = 'P';
  static final char REDIRECT = 'R';
  static final char MEMBERSHIPS = 'M';
  static final char CHECK = 'S';
  static final char TOMBSTONE = 'T';
  static final char TOMBSTONED = 'X';

  /**
   * A cached key: {@link #EVENT} by messageId (value: Boolean), {@link #NODE} by identifier,
   * {@link #COMPONENT} by id, {@link #PROFILE}, {@link #REDIRECT} and {@link #CHECK} by profile
   * id (value: an Optional), {@link #PROFILE_NODES} by profile id (value: the committed nodes as
   * a List), {@link #MEMBERSHIPS} by profile id (value: its memberships as a List sorted by
   * segment), {@link #TOMBSTONE} by keyed hash (value: an Optional of the erasure instant),
   * {@link #TOMBSTONED} by the empty string (value: Boolean, whether the workspace has any
   * tombstone, so that ingestion asks the database about its hashes only once it has).
   */
  record Key(char kind, Object id) {}

  /** What the cache holds for a workspace: valid for {@code version}, unless applying. */
  record View(long version, boolean applying, long epoch) {}

  private record CacheKey(String workspace, long epoch, Key key) {}

  /** A value (null: unknown, a marker that makes the key a miss) and the version it holds at. */
  private record Entry(long stamp, @Nullable Object value) {}

  private static final class State {
    final ReentrantReadWriteLock writers = new ReentrantReadWriteLock();
    final AtomicReference<View> view;

    State(long epoch) {
      view = new AtomicReference<>(new View(Long.MIN_VALUE, false, epoch));
    }
  }

  private final @Nullable Cache<CacheKey, Entry> cache;
  private final Map<String, State> states = new ConcurrentHashMap<>();
  private final AtomicLong epochs = new AtomicLong();

  private final Maintenance maintenance = new Maintenance();

  /** @param maximumSize entries kept; 0 disables caching */
  WorkspaceCache(long maximumSize) {
    // Maintenance (eviction) runs on the calling thread: an embedded library keeps off the
    // common pool, and on a loaded machine the hand-off costs more than the work. Within a
    // transaction it waits for the transaction's end (see Maintenance).
    this.cache = maximumSize == 0 ? null
        : Caffeine.newBuilder().maximumSize(maximumSize).executor(maintenance).build();
  }

  /**
   * Runs {@code work} (a whole transaction) with the cache's maintenance held back until it
   * ends, then runs that maintenance once, also when the work throws. Caffeine asks its
   * executor for a maintenance run (draining its buffers, evicting) after every write that
   * finds none pending; run at once, that is one run per cached key a transaction reads or
   * writes, hundreds per batch of events. Held back, the first write of the transaction
   * schedules a run and the later ones see it pending and only add to Caffeine's buffers. A
   * transaction whose writes fill those buffers has Caffeine run maintenance itself, as it does
   * for a slow executor. Until the run the cache may hold more entries than its size: this
   * transaction's, and what other threads write meanwhile, up to Caffeine's write buffer (a
   * thread whose write finds it full runs the maintenance itself).
   */
  <T> T maintainedAfter(Supplier<T> work) {
    return maintenance.after(work);
  }

  /**
   * Caffeine's executor: runs a task at once, but for one handed over inside
   * {@link #maintainedAfter} on the same thread, which waits for the end of that call.
   */
  private static final class Maintenance implements Executor {
    private final ThreadLocal<@Nullable List<Runnable>> held = new ThreadLocal<>();
    private final AtomicLong runs = new AtomicLong();

    @Override
    public void execute(Runnable task) {
      List<Runnable> h = held.get();
      if (h != null) {
        h.add(task);
      } else {
        runs.incrementAndGet();
        task.run();
      }
    }

    <T> T after(Supplier<T> work) {
      if (held.get() != null) {
        return work.get();
      }
      List<Runnable> h = new ArrayList<>(2);
      held.set(h);
      try {
        return work.get();
      } finally {
        held.remove();
        for (Runnable task : h) {
          execute(task);
        }
      }
    }
  }

  /** About how many entries the cache holds (0 when it is off); for tests. */
  long estimatedSize() {
    return cache == null ? 0 : cache.estimatedSize();
  }

  /** How many maintenance runs the cache has had; for tests. */
  long maintenanceRuns() {
    return maintenance.runs.get();
  }

  /** Whether entries are kept at all (a size of 0 switches the cache off). */
  boolean enabled() {
    return cache != null;
  }

  private State state(String workspace) {
    return states.computeIfAbsent(workspace, w -> new State(epochs.incrementAndGet()));
  }

  /**
   * The lock the local writers of a workspace take before they ask the database for its own:
   * its write lock for a writer that runs alone in the workspace, its read lock for writers that
   * run side by side ({@link Dialect#concurrentWriters}).
   */
  ReentrantReadWriteLock writers(String workspace) {
    return state(workspace).writers;
  }

  /**
   * A session for a read where writers run side by side that tries the cache first: it serves
   * entries of the view's version, and the reader checks every entry it used against the
   * database in one statement before it trusts its answer ({@code BufferedTx#cachedReadsHold}).
   * Unusable while a writer alone applies its changes.
   */
  Session besideReader(String workspace) {
    State st = state(workspace);
    View v = st.view.get();
    return new Session(workspace, st, v, !v.applying());
  }

  /**
   * A session for a snapshot read where writers run side by side: it is never answered from
   * the cache, but what it reads fills keys the cache does not hold (a hint like any other
   * entry there: whoever uses it checks it first).
   */
  Session fillingReader(String workspace) {
    State st = state(workspace);
    View v = st.view.get();
    Session s = new Session(workspace, st, v, !v.applying());
    s.serves = false;
    return s;
  }

  /** The version of the view a session serves. */
  long version(Session s) {
    return s.view.version();
  }

  /**
   * A session for a writer that holds the workspace's locks (local and database) and read the
   * database version {@code version}.
   */
  Session writer(String workspace, long version) {
    State st = state(workspace);
    View v = st.view.get();
    if (v.applying() || v.version() != version) {
      View fresh = new View(version, false, epochs.incrementAndGet());
      st.view.set(fresh);
      v = fresh;
    }
    return new Session(workspace, st, v, true);
  }

  /** A session for a reader whose snapshot holds the database version {@code version}. */
  Session reader(String workspace, long version) {
    State st = state(workspace);
    View v = st.view.get();
    if (!v.applying() && v.version() == version) {
      return new Session(workspace, st, v, true);
    }
    if (!v.applying() && version > v.version()) {
      View fresh = new View(version, false, epochs.incrementAndGet());
      if (st.view.compareAndSet(v, fresh)) {
        return new Session(workspace, st, fresh, true);
      }
    }
    return new Session(workspace, st, v, false);
  }

  /** The cache as one transaction sees it. Not thread-safe. */
  final class Session {
    private final String workspace;
    private final State state;
    private final View view;
    private final boolean usable;
    /** Whether {@link #get} answers; a filling reader only puts. */
    private boolean serves = true;
    private boolean applying;

    private Session(String workspace, State state, View view, boolean usable) {
      this.workspace = workspace;
      this.state = state;
      this.view = view;
      this.usable = usable && cache != null;
    }

    private CacheKey key(Key k) {
      return new CacheKey(workspace, view.epoch(), k);
    }

    /** The committed value of a key at this session's version, or null on a miss. */
    @Nullable Object get(Key k) {
      if (!usable || !serves || k.kind() == EVENT) {
        return null;
      }
      Entry e = cache.getIfPresent(key(k));
      return e == null || e.value() == null || e.stamp() > view.version() ? null : e.value();
    }

    /** Remembers a committed value read at this session's version. */
    void put(Key k, Object value) {
      if (!usable || k.kind() == EVENT || state.view.get() != view) {
        return;
      }
      long stamp = view.version();
      cache.asMap().compute(key(k), (ck, old) ->
          old == null || (old.value() == null && old.stamp() <= stamp)
              ? new Entry(stamp, value) : old);
    }

    /** Before the commit of a transaction that changed something: stop serving the cache. */
    void beginApply() {
      applying = state.view.compareAndSet(view, new View(view.version(), true, view.epoch()));
      if (!applying) {
        state.view.set(new View(Long.MIN_VALUE, false, epochs.incrementAndGet()));
      }
    }

    /**
     * After the commit: the changed keys with their new values (null: unknown), and the view
     * moves to the next version. Does nothing when {@link #beginApply} found the view changed.
     */
    void commit(Map<Key, @Nullable Object> changes) {
      if (!applying) {
        return;
      }
      long next = view.version() + 1;
      if (cache != null) {
        for (Map.Entry<Key, @Nullable Object> c : changes.entrySet()) {
          cache.put(key(c.getKey()), new Entry(next, c.getValue()));
        }
      }
      state.view.set(new View(next, false, view.epoch()));
      applying = false;
    }

    /**
     * After the commit of a writer that ran beside others: its changed keys with their new
     * values (null: unknown), at the session's version, which does not move. A later writer
     * that finds one of them stale (another writer's commit overtook this one's update of the
     * cache) checks it under its row locks and runs again ({@link #forget}).
     */
    void commitBeside(Map<Key, @Nullable Object> changes) {
      if (!usable || state.view.get() != view) {
        return;
      }
      for (Map.Entry<Key, @Nullable Object> c : changes.entrySet()) {
        cache.put(key(c.getKey()), new Entry(view.version(), c.getValue()));
      }
    }

    /** Drops these keys' entries: found stale by a writer that checked them. */
    void forget(Collection<Key> keys) {
      if (cache == null) {
        return;
      }
      for (Key k : keys) {
        cache.invalidate(key(k));
      }
    }

    /** The commit failed or its outcome is unknown: forget the workspace's entries. */
    void abort() {
      if (applying) {
        state.view.set(new View(Long.MIN_VALUE, false, epochs.incrementAndGet()));
        applying = false;
      }
    }
  }
}
