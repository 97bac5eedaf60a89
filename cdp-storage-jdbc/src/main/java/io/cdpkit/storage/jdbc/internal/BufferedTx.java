package io.cdpkit.storage.jdbc.internal;

import static io.cdpkit.storage.jdbc.internal.WorkspaceCache.CHECK;
import static io.cdpkit.storage.jdbc.internal.WorkspaceCache.COMPONENT;
import static io.cdpkit.storage.jdbc.internal.WorkspaceCache.EVENT;
import static io.cdpkit.storage.jdbc.internal.WorkspaceCache.MEMBERSHIPS;
import static io.cdpkit.storage.jdbc.internal.WorkspaceCache.NODE;
import static io.cdpkit.storage.jdbc.internal.WorkspaceCache.PROFILE;
import static io.cdpkit.storage.jdbc.internal.WorkspaceCache.PROFILE_NODES;
import static io.cdpkit.storage.jdbc.internal.WorkspaceCache.REDIRECT;
import static io.cdpkit.storage.jdbc.internal.WorkspaceCache.TOMBSTONE;
import static io.cdpkit.storage.jdbc.internal.WorkspaceCache.TOMBSTONED;

import io.cdpkit.activation.spi.storage.Delivery;
import io.cdpkit.activation.spi.storage.OutboxEntry;
import io.cdpkit.core.model.Identifier;
import io.cdpkit.core.model.LedgerEntry;
import io.cdpkit.core.model.ProfileId;
import io.cdpkit.core.spi.storage.AuditEntry;
import io.cdpkit.core.spi.storage.ComponentRecord;
import io.cdpkit.core.spi.storage.IdentityNode;
import io.cdpkit.core.spi.storage.Link;
import io.cdpkit.core.spi.storage.ProfileRecord;
import io.cdpkit.core.spi.storage.StoredEvent;
import io.cdpkit.core.spi.storage.support.BufferedMap;
import io.cdpkit.core.spi.storage.support.BufferedTransaction;
import io.cdpkit.core.spi.storage.support.Changes;
import io.cdpkit.segmentation.spi.storage.Membership;
import io.cdpkit.segmentation.spi.storage.ScheduledCheck;
import io.cdpkit.storage.jdbc.internal.WorkspaceCache.Key;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * The JDBC store's transaction: a {@link BufferedTransaction} (which keeps what it writes in
 * memory, lays it over the committed rows, and undoes it to a savepoint) whose committed rows
 * come from this transaction's reads so far, then the shared {@link WorkspaceCache}, then the
 * database ({@link #readCommitted}), and whose commit ({@link #flush}) writes everything in a
 * few JDBC batches: one statement per table and kind of change rather than one round trip per
 * call.
 *
 * <p>Outbox entries and delivery lines are never taken from the {@link WorkspaceCache}, nor
 * remembered there: claims ({@code OutboxClaims}) change outbox rows outside the
 * workspace's lock and without advancing its version, so a cached entry could be stale with
 * nothing to tell. Their committed state is always read from the database, in this
 * transaction (a writer at READ COMMITTED sees the claims committed before each statement; a
 * reader, its snapshot). A transaction that changed only those two kinds does not advance the
 * workspace's version either ({@link #advancesVersion}): nothing cached changed. The audit log
 * is read from the database too, and an append does not advance the version.
 *
 * <p>Deletes are buffered like puts: a deleted key hides the committed row from this
 * transaction's reads, and the commit deletes the rows before it writes the transaction's new
 * ones (so a deleted messageId, outbox key or delivery id can be written again in the same
 * transaction). Erasure tombstones are cached by hash, with a per-workspace "has any" flag that
 * lets {@link #tombstones} answer without a query while the workspace has none. The audit log
 * is numbered by the base class after the workspace's last seq, read once under the writer's
 * lock, so no other writer can append meanwhile.
 *
 * <p>Segmentation's and activation's capabilities are {@link BufferedSegments} and
 * {@link BufferedOutbox} over this transaction's buffers ({@link #capability}).
 *
 * <p>Also serves reads ({@link #readOnly}: every write then throws, and {@link #flush} is never
 * called). Not thread-safe: one transaction, one thread.
 */
final class BufferedTx extends BufferedTransaction {
  final Rows rows;
  private final WorkspaceCache.Session cache;

  /** Committed values this transaction has read, by cache key. */
  private final Map<Key, Object> seen = new HashMap<>();

  /** Memberships by segment and profile; empty: deleted. */
  final BufferedMap<MembershipKey, Membership> memberships = new BufferedMap<>(this);
  /** Scheduled checks by profile; empty: deleted. */
  final BufferedMap<ProfileId, ScheduledCheck> checks =
      new BufferedMap<>(this, this::committedCheck);
  /** Outbox entries inserted, replaced or deleted, by key; read as {@link BufferedOutbox} says. */
  final BufferedMap<String, OutboxWrite> outbox = new BufferedMap<>(this, this::committedOutbox);
  /**
   * Keys this transaction read committed entries of: rows are deleted only by write
   * transactions, under the workspace's lock, so they exist until the commit unless this
   * transaction deletes them, and {@code updateOutbox} need not ask again.
   */
  final Set<String> outboxSeen = new HashSet<>();
  /** Delivery lines by id; empty: deleted (a line this transaction wrote, then deleted). */
  final BufferedMap<String, Delivery> deliveries = new BufferedMap<>(this);
  /** Profiles whose committed delivery history the commit deletes, first. */
  final Set<ProfileId> deletedDeliveriesOf = new LinkedHashSet<>();

  record MembershipKey(String segment, ProfileId profile) {}

  /**
   * An outbox entry to write; {@code inserted}: no committed row has its key (but for one this
   * transaction deleted, {@code replaces}: the commit deletes that row first).
   */
  record OutboxWrite(OutboxEntry entry, boolean inserted, boolean replaces) {}

  BufferedTx(Rows rows, WorkspaceCache.Session cache) {
    this.rows = rows;
    this.cache = cache;
  }

  /** Whether deletions of personal data write {@link #COMPACTION_PENDING}; see there. */
  private boolean markDeletions;

  /**
   * Whether other writers of the workspace may run beside this one ({@link
   * Dialect#concurrentWriters}): then {@link #flush} first locks and checks what the
   * transaction read ({@link #validate}).
   */
  private boolean concurrent;
  /** In a concurrent store, whether this writer holds the workspace's lock alone. */
  private boolean alone;
  /** Whether reads skip the cache (they still fill it): a run again after a conflict. */
  private boolean readThrough;

  /** Makes this a read transaction's: its writes, and its capabilities' writes, throw. */
  BufferedTx readOnly() {
    makeReadOnly();
    return this;
  }

  // ------------------------------------------------------------------ capabilities

  /** The capabilities of cdp-segmentation and cdp-activation-spi, by name: see below. */
  private static final String SEGMENT_STORAGE =
      "io.cdpkit.segmentation.spi.storage.SegmentStorage";
  private static final String OUTBOX_STORAGE = "io.cdpkit.activation.spi.storage.OutboxStorage";

  /** This transaction's {@link BufferedSegments} or {@link BufferedOutbox}, once asked for. */
  private @Nullable Object segmentStorage;
  private @Nullable Object outboxStorage;

  /**
   * {@code MetadataStorage} and {@code PrivacyStorage} (this transaction itself), segmentation's
   * {@code SegmentStorage} and activation's {@code OutboxStorage} (adapters over this
   * transaction's buffers). The optional modules' types are recognised by name before any of
   * their classes is touched, so a host without those modules never loads them.
   */
  @Override
  public <C> Optional<C> capability(Class<C> type) {
    Optional<C> own = super.capability(type);
    if (own.isPresent()) {
      return own;
    }
    Object c = null;
    if (type.getName().equals(SEGMENT_STORAGE)) {
      if (segmentStorage == null) {
        segmentStorage = new BufferedSegments(this);
      }
      c = segmentStorage;
    } else if (type.getName().equals(OUTBOX_STORAGE)) {
      if (outboxStorage == null) {
        outboxStorage = new BufferedOutbox(this);
      }
      c = outboxStorage;
    }
    return c == null || !type.isInstance(c) ? Optional.empty() : Optional.of(type.cast(c));
  }

  /** Makes every read of committed state ask the database, not the cache. */
  BufferedTx readingThrough() {
    this.readThrough = true;
    return this;
  }

  /** Components whose nodes or links this transaction read (locked by {@link #validate}). */
  private final Set<String> componentReads = new HashSet<>();

  /**
   * Makes this a writer that runs beside others (see {@link #validate}); {@code alone}: it holds
   * the workspace's lock exclusively, so it may also do what needs that
   * ({@link #requireAlone}).
   */
  BufferedTx concurrent(boolean alone) {
    this.concurrent = true;
    this.checked = true;
    this.alone = alone;
    return this;
  }

  /**
   * Thrown by a writer that runs beside others when it is asked for something only a writer
   * alone in the workspace may do (metadata, deletions, tombstones, the audit log): the store
   * runs the work again holding the workspace's lock exclusively. Retryable, so the pipeline
   * passes it on as it passes a serialization failure.
   */
  static final class NeedsAlone extends io.cdpkit.core.StorageException {
    private static final long serialVersionUID = 1L;

    NeedsAlone() {
      super("this transaction must hold the workspace alone", true, null);
    }
  }

  /**
   * A writer beside others reads at READ COMMITTED and checks its reads only when it flushes,
   * so another writer's commit (a merge that deleted a profile or component and moved its
   * nodes) may fall between a node's read and its profile's: that is a {@link WriteConflict},
   * run again. Only a writer that holds the workspace alone and reads through the cache (no
   * other writer can have changed anything between its reads) reports corruption; the
   * engine's third run is such a writer, so a truly inconsistent graph still surfaces.
   */
  @Override
  public RuntimeException inconsistentRead(String what) {
    if (concurrent && !(alone && readThrough)) {
      return new WriteConflict("a read found " + what + ": a concurrent writer changed rows"
          + " between this transaction's reads", null);
    }
    return super.inconsistentRead(what);
  }

  void requireAlone() {
    if (concurrent && !alone) {
      throw new NeedsAlone();
    }
  }

  /**
   * The metadata key that says "personal data was deleted here since the file was last
   * rewritten". An embedded H2 file store writes it in the transaction that erases (a
   * tombstone) or deletes events, so that the deletion and the note commit together; the store
   * rewrites its file when it closes, or at the next open after a crash, and then removes the
   * key (see {@code H2FileCompaction}). Its value is always {@code "1"}.
   */
  static final String COMPACTION_PENDING = "cdp.store.compaction-pending";

  /** Makes this write transaction note its deletions of personal data (an H2 file store). */
  BufferedTx markingDeletions() {
    this.markDeletions = true;
    return this;
  }

  private void deletedPersonalData() {
    if (markDeletions) {
      putMetadata(COMPACTION_PENDING, "1");
    }
  }

  /**
   * The store's checks of writes: text a database cannot hold exactly, and what only a writer
   * alone in the workspace may do (metadata, deletions, tombstones, the audit log), which also
   * note deletions of personal data ({@link #markingDeletions}).
   */
  @Override
  protected void beforeWrite(Write kind, Object subject) {
    switch (kind) {
      case INSERT_EVENT -> {
        StoredEvent e = (StoredEvent) subject;
        requireStorable(e.messageId(), "a messageId");
        if (e.event().name() != null) {
          requireStorable(e.event().name(), "an event name");
        }
      }
      case PUT_NODE ->
          requireStorable(((IdentityNode) subject).identifier().value(), "an identifier value");
      case DELETE_EVENTS -> {
        requireAlone();
        if (!((Collection<?>) subject).isEmpty()) {
          deletedPersonalData();
        }
      }
      case PUT_TOMBSTONE -> {
        requireAlone();
        deletedPersonalData();
      }
      case DELETE_NODE, DELETE_LINKS, DELETE_REDIRECT, DELETE_LEDGER, PUT_METADATA,
          DELETE_METADATA, APPEND_AUDIT -> requireAlone();
      default -> { }
    }
  }

  // ------------------------------------------------------------------ committed state

  /** The committed value of a key: read before in this transaction, cached, or loaded. */
  Object committed(Key k, Supplier<Object> load) {
    Object v = seen.get(k);
    if (v == null) {
      v = readThrough ? null : cache.get(k);
      if (v == null) {
        v = load.get();
        cache.put(k, v);
      }
      seen.put(k, v);
    }
    return v;
  }

  private void remember(Key k, Object v) {
    if (seen.putIfAbsent(k, v) == null) {
      cache.put(k, v);
    }
  }

  private boolean known(Key k) {
    if (seen.containsKey(k)) {
      return true;
    }
    Object v = readThrough ? null : cache.get(k);
    if (v != null) {
      seen.put(k, v);
      return true;
    }
    return false;
  }

  @SuppressWarnings("unchecked")
  <T> Optional<T> committedOptional(Key k, Supplier<Optional<T>> load) {
    return (Optional<T>) committed(k, load::get);
  }

  /**
   * Every committed read of the base class: nodes, profiles, components, redirects and whether
   * a messageId is stored through the cache ({@link #committed}); the nodes of a profile as
   * {@link #committedNodesOfProfile}; the nodes and links of components noted for
   * {@link #validate}; tombstones as {@link #committedTombstones}. The rest (events, the
   * ledger, metadata, pages, the audit log) from the database.
   */
  @Override
  @SuppressWarnings("unchecked")
  protected <T> T readCommitted(Read kind, @Nullable Object key, Supplier<T> read) {
    return switch (kind) {
      case NODE -> (T) committed(new Key(NODE, key), read::get);
      case PROFILE -> (T) committed(new Key(PROFILE, key), read::get);
      case COMPONENT -> (T) committed(new Key(COMPONENT, key), read::get);
      case REDIRECT -> (T) committed(new Key(REDIRECT, key), read::get);
      case EVENT_STORED -> (T) committed(new Key(EVENT, key), read::get);
      case NODES_OF_PROFILE ->
          (T) committedNodesOfProfile((ProfileId) key, (Supplier<List<IdentityNode>>) read);
      case NODES_OF_COMPONENT -> {
        componentReads.add((String) key);
        T base = read.get();
        ((List<IdentityNode>) base).forEach(
            n -> remember(new Key(NODE, n.identifier()), Optional.of(n)));
        yield base;
      }
      case LINKS -> {
        componentReads.addAll((Collection<String>) key);
        yield read.get();
      }
      case TOMBSTONES -> (T) committedTombstones((Collection<String>) key);
      default -> read.get();
    };
  }

  /** Committed nodes of a profile, from the cache when it has them. */
  private List<IdentityNode> committedNodesOfProfile(ProfileId p,
      Supplier<List<IdentityNode>> load) {
    long version = -1;
    if (checked) {
      // The list holds while the profile's version does (every change of a profile's nodes
      // rewrites its record with the next version): it is stamped with the version read
      // before it, never newer than the list, and checked against the stored version.
      // The committed record, not this transaction's own write of it.
      Optional<ProfileRecord> committed = committedOptional(new Key(PROFILE, p),
          () -> rows.profile(p));
      version = committed.map(ProfileRecord::version).orElse(0L);
    }
    long stamp = version;
    return ((NodesAt) committed(new Key(PROFILE_NODES, p), () -> {
      List<IdentityNode> l = List.copyOf(load.get());
      l.forEach(n -> remember(new Key(NODE, n.identifier()), Optional.of(n)));
      return new NodesAt(stamp, l);
    })).nodes();
  }

  /**
   * A profile's committed nodes, with the version of the profile read before them (-1 where
   * writers take turns and the workspace's version keeps the cache exact).
   */
  record NodesAt(long profileVersion, List<IdentityNode> nodes) {}

  /**
   * Whether what this transaction takes from the cache is checked before it is trusted (where
   * writers run side by side, for writers and readers alike); see {@link #validate} and
   * {@link #cachedReadsHold}.
   */
  private boolean checked;

  /** Makes this transaction stamp what it reads for the checks; see {@link #checked}. */
  BufferedTx checkingCache() {
    this.checked = true;
    return this;
  }

  /** Whether a profile's cached list of nodes still holds, given its stored version. */
  private static boolean nodesHold(Object entry, @Nullable Long storedVersion) {
    long v = ((NodesAt) entry).profileVersion();
    return v >= 0 && storedVersion != null ? v == storedVersion : v == 0 && storedVersion == null;
  }

  private static final Key TOMBSTONED_KEY = new Key(TOMBSTONED, "");

  /**
   * Committed tombstones: by hash from this transaction's reads or the cache; the others in one
   * query, but none while the workspace has no tombstone at all (a flag the cache keeps).
   */
  private Map<String, Instant> committedTombstones(Collection<String> hashes) {
    Map<String, Instant> out = new HashMap<>();
    List<String> unknown = new ArrayList<>();
    for (String h : hashes) {
      Key k = new Key(TOMBSTONE, h);
      if (known(k)) {
        @SuppressWarnings("unchecked")
        Optional<Instant> at = (Optional<Instant>) seen.get(k);
        at.ifPresent(x -> out.put(h, x));
      } else {
        unknown.add(h);
      }
    }
    if (!unknown.isEmpty() && (Boolean) committed(TOMBSTONED_KEY, rows::anyTombstone)) {
      Map<String, Instant> found = rows.tombstones(unknown);
      for (String h : unknown) {
        Instant at = found.get(h);
        remember(new Key(TOMBSTONE, h), Optional.ofNullable(at));
        if (at != null) {
          out.put(h, at);
        }
      }
    }
    return out;
  }

  private Optional<ScheduledCheck> committedCheck(ProfileId p) {
    return committedOptional(new Key(CHECK, p), () -> rows.check(p));
  }

  /** A committed outbox entry, never cached (see above); noted in {@link #outboxSeen}. */
  private Optional<OutboxWrite> committedOutbox(String key) {
    Optional<OutboxEntry> e = rows.outbox(key);
    e.ifPresent(x -> outboxSeen.add(key));
    return e.map(x -> new OutboxWrite(x, false, false));
  }

  /**
   * Loads in a few queries what a batch of events is about to read one by one: whether their
   * messageIds are stored and the nodes of their identifiers (one statement on PostgreSQL),
   * then those nodes' profiles and components. A writer beside others locks them as it reads
   * them ({@link #prefetchLocking}).
   */
  @Override
  public void prefetch(Collection<String> messageIds, Collection<Identifier> identifiers) {
    if (concurrent && !alone) {
      prefetchLocking(messageIds, identifiers);
      return;
    }
    List<String> unknownIds = unknownMessageIds(messageIds);
    List<Identifier> unknownNodes = new ArrayList<>();
    for (Identifier id : new LinkedHashSet<>(identifiers)) {
      if (!wroteNode(id) && !known(new Key(NODE, id))) {
        unknownNodes.add(id);
      }
    }
    Rows.Prefetched read = rows.prefetch(unknownIds, unknownNodes);
    rememberStored(unknownIds, read);
    Map<Identifier, IdentityNode> nodesFound = new HashMap<>();
    read.nodes().forEach(n -> nodesFound.put(n.identifier(), n));
    for (Identifier id : unknownNodes) {
      remember(new Key(NODE, id), Optional.ofNullable(nodesFound.get(id)));
    }
    Set<ProfileId> profileIds = new LinkedHashSet<>();
    Set<String> componentIds = new LinkedHashSet<>();
    for (Identifier id : identifiers) {
      node(id).ifPresent(n -> {
        if (!wroteProfile(n.profile()) && !known(new Key(PROFILE, n.profile()))) {
          profileIds.add(n.profile());
        }
        if (!wroteComponent(n.component()) && !known(new Key(COMPONENT, n.component()))) {
          componentIds.add(n.component());
        }
      });
    }
    if (!profileIds.isEmpty()) {
      Map<ProfileId, ProfileRecord> found = new HashMap<>();
      rows.profiles(profileIds).forEach(r -> found.put(r.id(), r));
      profileIds.forEach(p -> remember(new Key(PROFILE, p), Optional.ofNullable(found.get(p))));
    }
    if (!componentIds.isEmpty()) {
      Map<String, ComponentRecord> found = new HashMap<>();
      rows.components(componentIds).forEach(r -> found.put(r.id(), r));
      componentIds.forEach(c -> remember(new Key(COMPONENT, c),
          Optional.ofNullable(found.get(c))));
    }
  }

  /** The distinct messageIds that neither this transaction nor the cache knows. */
  private List<String> unknownMessageIds(Collection<String> messageIds) {
    List<String> out = new ArrayList<>();
    for (String m : new LinkedHashSet<>(messageIds)) {
      if (!insertedEvent(m) && !known(new Key(EVENT, m))) {
        out.add(m);
      }
    }
    return out;
  }

  /** Notes for each of {@code asked} whether the prefetch found it stored. */
  private void rememberStored(List<String> asked, Rows.Prefetched read) {
    for (String m : asked) {
      remember(new Key(EVENT, m), read.stored().contains(m));
    }
  }

  /** Existing nodes, profiles and components this writer locked when it prefetched. */
  private final Set<Identifier> lockedNodes = new HashSet<>();
  /** The versions of the profiles locked up front, as read under their locks. */
  private final Map<ProfileId, Long> lockedProfiles = new HashMap<>();
  private final Set<String> lockedComponents = new HashSet<>();

  /**
   * The prefetch of a writer beside others: it locks, up front, the rows the batch is about to
   * read, in the order {@link #validate} takes its locks (the existing nodes of the batch's
   * identifiers, then their profiles, then their components, each in key order), and reads them
   * under those locks. A cached value that no longer holds is replaced by the one read, before
   * the transaction has used it. Another writer of the same customers then waits for this one
   * to commit, and reads what it wrote, instead of both working on the same rows and one of
   * them finding at its commit that the other changed them ({@link WriteConflict}: the whole
   * batch again). {@link #validate} later locks and checks only what this did not cover: rows
   * the work reached beyond the batch's own identifiers (a merge's other side), nodes that did
   * not exist yet, and memberships and scheduled checks.
   *
   * <p>Locks taken later, at the commit, come after these and do not wait ({@link #lateLock}):
   * two writers that each reach rows the other locked up front would otherwise deadlock.
   */
  private void prefetchLocking(Collection<String> messageIds,
      Collection<Identifier> identifiers) {
    List<String> unknownIds = unknownMessageIds(messageIds);
    Set<Identifier> ids = new LinkedHashSet<>();
    for (Identifier id : identifiers) {
      if (!wroteNode(id) && !lockedNodes.contains(id)) {
        ids.add(id);
      }
    }
    Rows.Prefetched read = rows.prefetch(unknownIds, ids, true);
    rememberStored(unknownIds, read);
    List<Key> stale = new ArrayList<>();
    Set<ProfileId> profileIds = new LinkedHashSet<>();
    Set<String> componentIds = new LinkedHashSet<>();
    if (!ids.isEmpty()) {
      Map<Identifier, IdentityNode> found = new HashMap<>();
      read.nodes().forEach(n -> found.put(n.identifier(), n));
      for (Identifier id : ids) {
        IdentityNode n = found.get(id);
        lockedRead(new Key(NODE, id), Optional.ofNullable(n), stale);
        if (n != null) {
          lockedNodes.add(id);
          profileIds.add(n.profile());
          componentIds.add(n.component());
        }
      }
    }
    profileIds.removeIf(p -> wroteProfile(p) || lockedProfiles.containsKey(p));
    if (!profileIds.isEmpty()) {
      Map<ProfileId, Long> versions = rows.lockProfiles(profileIds);
      List<ProfileId> load = new ArrayList<>();
      for (ProfileId p : profileIds) {
        Long version = versions.get(p);
        Key k = new Key(PROFILE, p);
        @SuppressWarnings("unchecked")
        Optional<ProfileRecord> was = (Optional<ProfileRecord>) held(k);
        Optional<Long> now = Optional.ofNullable(version);
        if (was != null && was.map(ProfileRecord::version).equals(now)) {
          seen.putIfAbsent(k, was);
        } else if (version == null) {
          lockedRead(k, Optional.empty(), stale);
        } else {
          if (was != null) {
            replaced(k, stale);
          }
          load.add(p);
        }
        Key nodesKey = new Key(PROFILE_NODES, p);
        Object list = held(nodesKey);
        if (list != null && !nodesHold(list, version)) {
          replaced(nodesKey, stale);
        }
        if (version != null) {
          lockedProfiles.put(p, version);
        }
      }
      if (!load.isEmpty()) {
        cache.forget(stale);
        stale.clear();
        Map<ProfileId, ProfileRecord> loaded = new HashMap<>();
        rows.profiles(load).forEach(r -> loaded.put(r.id(), r));
        for (ProfileId p : load) {
          remember(new Key(PROFILE, p), Optional.ofNullable(loaded.get(p)));
        }
      }
    }
    componentIds.removeIf(c -> wroteComponent(c) || lockedComponents.contains(c));
    if (!componentIds.isEmpty()) {
      Map<String, ComponentRecord> found = new HashMap<>();
      rows.lockComponents(componentIds).forEach(c -> found.put(c.id(), c));
      // A component found without a row (a new visitor's, which has none until its first
      // link) counts as locked too: it has no links, so its one node, locked above, is the
      // only way in, and a writer that gives it a row must lock that node first. Checking it
      // again at the commit would cost a statement per batch of returning visitors.
      for (String c : componentIds) {
        lockedRead(new Key(COMPONENT, c), Optional.ofNullable(found.get(c)), stale);
        lockedComponents.add(c);
      }
    }
    cache.forget(stale);
  }

  /**
   * The stored state of each of these profiles that this transaction knows, as
   * {@link Rows#upsertProfiles} takes it to write only the orders that changed: the committed
   * record it read (which the checks before the commit found current), or none for a profile at
   * its first version that it did not read (one it created: a new id has no rows). A profile
   * missing from the map is one whose stored orders {@code Rows} reads itself.
   */
  private Map<ProfileId, Optional<ProfileRecord>> storedProfiles(
      Collection<ProfileRecord> puts) {
    Map<ProfileId, Optional<ProfileRecord>> out = new HashMap<>(puts.size() * 2);
    for (ProfileRecord r : puts) {
      @SuppressWarnings("unchecked")
      Optional<ProfileRecord> was = (Optional<ProfileRecord>) seen.get(new Key(PROFILE, r.id()));
      if (was != null) {
        out.put(r.id(), was);
      } else if (r.version() == 1) {
        out.put(r.id(), Optional.empty());
      }
    }
    return out;
  }

  /** What this transaction or the cache holds for {@code k}, without reading it for good. */
  private @Nullable Object held(Key k) {
    Object v = seen.get(k);
    return v != null || readThrough ? v : cache.get(k);
  }

  /**
   * A committed value read under a lock: kept as this transaction's read; a different value
   * held before is replaced ({@link #replaced}).
   */
  private void lockedRead(Key k, Object now, List<Key> stale) {
    Object was = held(k);
    if (now.equals(was)) {
      seen.putIfAbsent(k, was);
      return;
    }
    if (was != null) {
      replaced(k, stale);
    }
    seen.put(k, now);
    if (was == null) {
      cache.put(k, now);
    }
  }

  /**
   * A held value that no longer holds: dropped from the cache (with {@code stale}). If this
   * transaction already read it, it may have acted on it: a {@link WriteConflict}.
   */
  private void replaced(Key k, List<Key> stale) {
    stale.add(k);
    if (seen.remove(k) != null) {
      cache.forget(stale);
      throw new WriteConflict("a concurrent writer changed rows this transaction read before"
          + " it locked them", null);
    }
  }

  // ------------------------------------------------------------------ text the database holds

  /**
   * Whether a database can hold {@code s} exactly: drivers write an unpaired surrogate as
   * {@code ?} and PostgreSQL refuses NUL. Such a key matches nothing and is never written (the
   * text rule of cdp-core refuses both at the door; this is the store's own guard).
   */
  static boolean storable(String s) {
    return s.indexOf('\u0000') < 0 && io.cdpkit.core.internal.Text.isWellFormed(s);
  }

  private static void requireStorable(String s, String what) {
    if (!storable(s)) {
      throw new io.cdpkit.core.StorageException(what + " holds NUL or an unpaired UTF-16"
          + " surrogate, which the database cannot hold exactly", false, null);
    }
  }

  @Override
  public Optional<StoredEvent> event(String messageId) {
    return storable(messageId) ? super.event(messageId) : Optional.empty();
  }

  @Override
  public Optional<IdentityNode> node(Identifier id) {
    return storable(id.value()) ? super.node(id) : Optional.empty();
  }

  // ------------------------------------------------------------------ committed rows

  @Override
  protected Optional<StoredEvent> loadEvent(String messageId) {
    return rows.event(messageId);
  }

  @Override
  protected List<StoredEvent> loadEvents(Collection<String> messageIds) {
    return rows.events(messageIds);
  }

  @Override
  protected boolean loadEventStored(String messageId) {
    return !rows.storedMessageIds(List.of(messageId)).isEmpty();
  }

  @Override
  protected List<StoredEvent> loadEventsByAnchors(Collection<Identifier> anchors) {
    return rows.eventsByAnchors(anchors);
  }

  /**
   * Read as {@link #loadEventsByAnchors} reads (per identifier type among the anchors: one
   * statement on PostgreSQL, {@code IN} lists on MariaDB, a reused point query per identifier
   * on H2), but the messageIds only, not the events.
   */
  @Override
  protected List<String> loadMessageIdsByAnchors(Collection<Identifier> anchors) {
    return rows.messageIdsByAnchors(anchors);
  }

  @Override
  protected Map<String, Long> loadEventNameCounts() {
    return rows.eventNameCounts();
  }

  @Override
  protected Optional<IdentityNode> loadNode(Identifier identifier) {
    return rows.node(identifier);
  }

  @Override
  protected List<IdentityNode> loadNodesOfProfile(ProfileId profile) {
    return rows.nodesOfProfile(profile);
  }

  @Override
  protected List<IdentityNode> loadNodesOfComponent(String component) {
    return rows.nodesOfComponent(component);
  }

  @Override
  protected Optional<ComponentRecord> loadComponent(String id) {
    return rows.component(id);
  }

  @Override
  protected List<Link> loadLinks(Collection<String> components) {
    List<Link> out = new ArrayList<>();
    for (Rows.LinkRow r : rows.links(components)) {
      out.add(r.link());
    }
    return out;
  }

  @Override
  protected Optional<ProfileRecord> loadProfile(ProfileId id) {
    return rows.profile(id);
  }

  @Override
  protected List<ProfileRecord> loadProfilesAfter(@Nullable ProfileId after, int limit) {
    return rows.profilesAfter(after == null ? null : after.value(), limit);
  }

  @Override
  protected Optional<ProfileId> loadRedirect(ProfileId mergedAway) {
    return rows.redirect(mergedAway);
  }

  @Override
  protected List<ProfileId> loadRedirectsTo(ProfileId to) {
    return rows.redirectsTo(to);
  }

  @Override
  protected List<LedgerEntry> loadLedger(ProfileId profile) {
    return rows.ledger(profile);
  }

  @Override
  protected Map<String, String> loadMetadata(String prefix) {
    return rows.metadata(prefix);
  }

  @Override
  protected Map<String, Instant> loadTombstones(Collection<String> hashes) {
    return rows.tombstones(hashes);
  }

  @Override
  protected List<AuditEntry> loadAudit(long afterSeq, int limit) {
    return rows.audit(afterSeq, limit);
  }

  /** Read under the writer's lock: no other writer of the workspace can append until it ends. */
  @Override
  protected long loadLastAuditSeq() {
    return rows.lastAuditSeq();
  }

  // ------------------------------------------------------------------ commit

  /**
   * Where writers run side by side: locks the rows this transaction read or is about to write
   * (identity nodes, then profiles, then components, each in key order, so that two writers
   * take their locks in one order) and checks that what it read still holds: the same node of
   * every identifier (or still none), the same version of every profile, the same component
   * record, the same memberships and scheduled check. Once locked, no other writer can change
   * them before this one commits. A value that no longer holds (another writer committed a
   * change since this one read it, from the database or from the cache) is dropped from the
   * cache, and the transaction fails retryably, so that the store runs it again on fresh
   * reads. Rows this transaction creates are not locked: a writer that creates the same node
   * or event meets it on its key. Rows the prefetch locked ({@link #prefetchLocking}) were read
   * under their locks and are not locked or read again; a profile's list of nodes is still
   * checked against the version read then, as it may have come from the cache afterwards.
   *
   * <p>Profiles and components are written together with their nodes and links: every change
   * to a profile's nodes rewrites its record with the next version, so the versions of the
   * profiles read stand for their nodes and the links and events reached through them.
   */
  private void validate(Changes w) {
    List<Key> stale = new ArrayList<>();
    Set<Identifier> nodeIds = new HashSet<>(w.deletedNodes());
    w.putNodes().forEach(n -> nodeIds.add(n.identifier()));
    Set<ProfileId> profileIds = new HashSet<>(w.deletedProfiles());
    w.putProfiles().forEach(r -> profileIds.add(r.id()));
    Set<String> componentIds = new HashSet<>(w.deletedComponents());
    w.putComponents().forEach(r -> componentIds.add(r.id()));
    componentIds.addAll(componentReads);
    componentIds.addAll(linkComponents());
    memberships.writes().keySet().forEach(k -> profileIds.add(k.profile()));
    profileIds.addAll(checks.writes().keySet());
    for (Map.Entry<Key, Object> e : seen.entrySet()) {
      Object id = e.getKey().id();
      switch (e.getKey().kind()) {
        case NODE -> nodeIds.add((Identifier) id);
        case PROFILE, PROFILE_NODES, MEMBERSHIPS, CHECK -> profileIds.add((ProfileId) id);
        case COMPONENT -> componentIds.add((String) id);
        default -> { }
      }
    }
    for (IdentityNode n : w.putNodes()) {
      profileIds.add(n.profile());
      componentIds.add(n.component());
    }

    // A node this transaction saw absent and now creates is not locked nor read again: its
    // insert is a plain insert (see write), so a writer that created it meanwhile meets this
    // one on its key, which fails retryably as a changed read would. Most nodes of a stream
    // of new visitors are such, and reading them again cost a statement's worth of keys.
    // Rows locked up front (prefetchLocking) were read under their locks and cannot have
    // changed: only the others are locked and checked here.
    Set<Identifier> toLock = new HashSet<>(nodeIds);
    toLock.removeAll(lockedNodes);
    for (IdentityNode n : w.putNodes()) {
      Optional<IdentityNode> old = seenNode(n.identifier());
      if (old != null && old.isEmpty()) {
        toLock.remove(n.identifier());
      }
    }
    Map<Identifier, IdentityNode> nowNodes = new HashMap<>();
    for (IdentityNode n : toLock.isEmpty() ? List.<IdentityNode>of()
        : lateLock(() -> rows.lockNodes(toLock))) {
      nowNodes.put(n.identifier(), n);
      profileIds.add(n.profile());
      componentIds.add(n.component());
    }
    for (Identifier id : toLock) {
      Key k = new Key(NODE, id);
      Object was = seen.get(k);
      if (was != null && !was.equals(Optional.ofNullable(nowNodes.get(id)))) {
        stale.add(k);
      }
    }
    // Nor are the profiles and components this transaction creates without having read them
    // (a new visitor's): there is no row to lock, and nothing read to check.
    Set<ProfileId> profilesToLock = new HashSet<>(profileIds);
    profilesToLock.removeAll(lockedProfiles.keySet());
    for (ProfileRecord r : w.putProfiles()) {
      if (!seen.containsKey(new Key(PROFILE, r.id()))
          && !seen.containsKey(new Key(PROFILE_NODES, r.id()))) {
        profilesToLock.remove(r.id());
      }
    }
    // The versions locked up front stand as read: a profile's record was read under its lock,
    // but its list of nodes may have come from the cache after that, so it is checked too.
    Map<ProfileId, Long> versions = new HashMap<>(lockedProfiles);
    if (!profilesToLock.isEmpty()) {
      versions.putAll(lateLock(() -> rows.lockProfiles(profilesToLock)));
    }
    Set<ProfileId> membershipReads = new HashSet<>();
    Set<ProfileId> checkReads = new HashSet<>();
    for (ProfileId p : profileIds) {
      Key k = new Key(PROFILE, p);
      @SuppressWarnings("unchecked")
      Optional<ProfileRecord> was = (Optional<ProfileRecord>) seen.get(k);
      if (was != null
          && !was.map(ProfileRecord::version).equals(Optional.ofNullable(versions.get(p)))) {
        stale.add(k);
        stale.add(new Key(PROFILE_NODES, p));
      }
      Key nodesKey = new Key(PROFILE_NODES, p);
      Object list = seen.get(nodesKey);
      if (list != null && !nodesHold(list, versions.get(p))) {
        stale.add(nodesKey);
      }
      if (seen.containsKey(new Key(MEMBERSHIPS, p))) {
        membershipReads.add(p);
      }
      if (seen.containsKey(new Key(CHECK, p))) {
        checkReads.add(p);
      }
    }
    // A component this transaction writes without having read its record, nodes or links is
    // one it created (the engine reads an existing component before it writes it): there is no
    // row to lock, also when the transaction adds links to it (a new visitor's identify).
    // Nor does a node it writes into a component whose record it has not read: the engine
    // reads every existing component it moves nodes into, so that one is a new visitor's,
    // which has no row (see IdentityResolver#newComponent).
    Set<String> componentsToLock = new HashSet<>(componentIds);
    componentsToLock.removeAll(lockedComponents);
    for (ComponentRecord r : w.putComponents()) {
      if (!seen.containsKey(new Key(COMPONENT, r.id())) && !componentReads.contains(r.id())) {
        componentsToLock.remove(r.id());
      }
    }
    for (IdentityNode n : w.putNodes()) {
      if (!seen.containsKey(new Key(COMPONENT, n.component()))
          && !componentReads.contains(n.component())) {
        componentsToLock.remove(n.component());
      }
    }
    Map<String, ComponentRecord> nowComponents = new HashMap<>();
    if (!componentsToLock.isEmpty()) {
      lateLock(() -> rows.lockComponents(componentsToLock))
          .forEach(c -> nowComponents.put(c.id(), c));
    }
    for (String c : componentsToLock) {
      Key k = new Key(COMPONENT, c);
      Object was = seen.get(k);
      if (was != null && !was.equals(Optional.ofNullable(nowComponents.get(c)))) {
        stale.add(k);
      }
    }
    if (!membershipReads.isEmpty()) {
      Map<ProfileId, List<Membership>> now = rows.membershipsOf(membershipReads);
      for (ProfileId p : membershipReads) {
        Key k = new Key(MEMBERSHIPS, p);
        if (!seen.get(k).equals(now.getOrDefault(p, List.of()))) {
          stale.add(k);
        }
      }
    }
    if (!checkReads.isEmpty()) {
      Map<ProfileId, ScheduledCheck> now = rows.checks(checkReads);
      for (ProfileId p : checkReads) {
        Key k = new Key(CHECK, p);
        if (!seen.get(k).equals(Optional.ofNullable(now.get(p)))) {
          stale.add(k);
        }
      }
    }
    if (!stale.isEmpty()) {
      cache.forget(stale);
      Map<Character, Integer> kinds = new TreeMap<>();
      stale.forEach(k -> kinds.merge(k.kind(), 1, Integer::sum));
      throw new WriteConflict("a concurrent writer changed rows this transaction read"
          + " (by kind: " + kinds + ")", null);
    }
  }

  /**
   * A lock {@link #validate} takes after the prefetch's ({@link #prefetchLocking}): on rows the
   * work reached beyond its batch's identifiers, such as the other side of a merge. Another
   * writer may hold such a row and be waiting for one this writer locked up front, a deadlock
   * the database would end only after its {@code deadlock_timeout} (a second by default). So
   * such a lock does not wait ({@code NOWAIT}): a row another writer holds is a
   * {@link WriteConflict}, and the engine runs the work again (the second time alone). Without
   * locks taken up front it waits as before.
   */
  private <T> T lateLock(Supplier<T> lock) {
    if (lockedNodes.isEmpty() && lockedProfiles.isEmpty() && lockedComponents.isEmpty()) {
      return lock.get();
    }
    rows.lockingWithoutWait(true);
    try {
      return lock.get();
    } catch (io.cdpkit.core.StorageException e) {
      if (Rows.lockNotAvailable(e)) {
        throw new WriteConflict("another writer holds a row this transaction reached beyond"
            + " the rows it locked up front", e);
      }
      throw e;
    } finally {
      rows.lockingWithoutWait(false);
    }
  }

  private static final java.util.Comparator<IdentityNode> NEW_NODE_ORDER =
      java.util.Comparator.comparing((IdentityNode n) -> n.identifier().type().id())
          .thenComparing(n -> n.identifier().value());

  /** Keys a read answered from the cache may use before {@link #cachedReadsHold} gives up. */
  static final int MAX_CHECKED_KEYS = 500;

  /**
   * For a read answered wholly from the cache where writers run side by side: whether every
   * entry it used still holds, checked in one statement against the database at one instant
   * ({@link Rows#current}), together with the workspace's version, which must still be
   * {@code version} (writers alone, who erase and delete, advance it; redirects and tombstones
   * change only then). A profile's list of nodes holds while the profile's version does. Stale
   * entries are dropped from the cache.
   *
   * @return false when something changed, or the read used too many keys to check at once
   */
  boolean cachedReadsHold(long version) {
    Set<Identifier> nodeIds = new HashSet<>();
    Set<ProfileId> profileIds = new HashSet<>();
    Set<String> componentIds = new HashSet<>();
    Set<ProfileId> membershipsOf = new HashSet<>();
    Set<ProfileId> checksOf = new HashSet<>();
    for (Key k : seen.keySet()) {
      switch (k.kind()) {
        case NODE -> nodeIds.add((Identifier) k.id());
        case PROFILE, PROFILE_NODES -> profileIds.add((ProfileId) k.id());
        case COMPONENT -> componentIds.add((String) k.id());
        case MEMBERSHIPS -> membershipsOf.add((ProfileId) k.id());
        case CHECK -> checksOf.add((ProfileId) k.id());
        default -> { }
      }
    }
    if (nodeIds.size() + profileIds.size() + componentIds.size() + membershipsOf.size()
        + checksOf.size() > MAX_CHECKED_KEYS) {
      return false;
    }
    Rows.Current now = rows.current(nodeIds, profileIds, componentIds, membershipsOf, checksOf);
    if (now.version() != version) {
      return false;
    }
    List<Key> stale = new ArrayList<>();
    for (Map.Entry<Key, Object> e : seen.entrySet()) {
      Object id = e.getKey().id();
      Object was = e.getValue();
      boolean holds = switch (e.getKey().kind()) {
        case NODE -> was.equals(Optional.ofNullable(now.nodes().get((Identifier) id)));
        case PROFILE -> ((Optional<?>) was).map(r -> ((ProfileRecord) r).version())
            .equals(Optional.ofNullable(now.profiles().get((ProfileId) id)));
        case PROFILE_NODES -> nodesHold(was, now.profiles().get((ProfileId) id));
        case COMPONENT -> was.equals(Optional.ofNullable(now.components().get((String) id)));
        case MEMBERSHIPS -> was.equals(now.memberships().getOrDefault((ProfileId) id,
            List.of()));
        case CHECK -> was.equals(Optional.ofNullable(now.checks().get((ProfileId) id)));
        default -> true;
      };
      if (!holds) {
        stale.add(e.getKey());
      }
    }
    if (!stale.isEmpty()) {
      cache.forget(stale);
      return false;
    }
    return true;
  }

  /** Whether this transaction has changed anything. */
  boolean changed() {
    return advancesVersion() || !outbox.isEmpty() || !deliveries.isEmpty()
        || !deletedDeliveriesOf.isEmpty() || !changes().audit().isEmpty();
  }

  /**
   * Whether the commit must advance the workspace's version: it changed (or deleted) something
   * besides outbox entries, delivery lines and audit entries, which no cache holds.
   */
  boolean advancesVersion() {
    return changes().changesState() || !memberships.isEmpty() || !checks.isEmpty();
  }

  /** About how many rows {@link #flush} writes, for the statistics. */
  int rowsWritten(Map<Key, @Nullable Object> changes) {
    Changes c = changes();
    return changes.size() + c.deletedEvents().size() + c.deletedLedger().size()
        + c.linkMoves().size() + outbox.size() + deliveries.size() + deletedDeliveriesOf.size()
        + c.audit().size();
  }

  /** The workspace's version the commit advances from; see {@link #flush}. */
  private long version;
  /** What the commit changes in the cache; see {@link #flush}. */
  private Map<Key, @Nullable Object> cacheChanges = Map.of();

  /**
   * Writes everything to the database in dependency order and advances the workspace's version
   * from {@code version} when {@link #advancesVersion}; the caller commits. Returns what the
   * commit changes in the cache.
   */
  Map<Key, @Nullable Object> flush(long version) {
    this.version = version;
    commit();
    return cacheChanges;
  }

  @Override
  protected void write(Changes c) {
    if (concurrent) {
      validate(c);
    }
    Map<Key, @Nullable Object> changes = new HashMap<>();
    // The profiles whose node lists change: the old and the new profile of every node written.
    Set<ProfileId> touched = new HashSet<>(c.deletedProfiles());
    c.putProfiles().forEach(r -> touched.add(r.id()));
    List<Identifier> oldUnknown = new ArrayList<>();
    List<IdentityNode> putNodes = new ArrayList<>();
    List<IdentityNode> newNodes = new ArrayList<>();
    for (IdentityNode n : c.putNodes()) {
      Optional<IdentityNode> old = seenNode(n.identifier());
      // A node this transaction saw absent is inserted, not upserted, where writers run side
      // by side: two that create it meet on its key (see Rows#insertNodes).
      (concurrent && old != null && old.isEmpty() ? newNodes : putNodes).add(n);
      touched.add(n.profile());
      oldProfile(n.identifier(), old, touched, oldUnknown);
    }
    for (Identifier id : c.deletedNodes()) {
      oldProfile(id, seenNode(id), touched, oldUnknown);
    }
    if (!oldUnknown.isEmpty()) {
      rows.nodes(oldUnknown).forEach(o -> touched.add(o.profile()));
    }

    // On PostgreSQL the inserts and upserts below go out as one statement at sendWrites, after
    // the deletes and link moves, which touch other keys (Changes holds each key once).
    rows.collectWrites();
    rows.deleteEvents(c.deletedEvents());
    rows.insertEvents(c.insertedEvents());
    rows.upsertNodes(putNodes);
    // In one order for every writer (an insert takes the rows' keys in the order given): two
    // writers that create some of the same identifiers then meet on the first of them, instead
    // of each holding one the other waits for (a deadlock the database ends only after its
    // deadlock_timeout).
    newNodes.sort(NEW_NODE_ORDER);
    rows.insertNodes(newNodes);
    rows.deleteNodes(c.deletedNodes());
    rows.upsertComponents(c.putComponents());
    rows.deleteComponents(c.deletedComponents());
    rows.upsertProfiles(c.putProfiles(), storedProfiles(c.putProfiles()));
    rows.deleteProfiles(c.deletedProfiles());
    rows.upsertRedirects(c.putRedirects());
    rows.deleteRedirects(c.deletedRedirects());
    List<String[]> moves = new ArrayList<>(c.linkMoves().size());
    c.linkMoves().forEach(m -> moves.add(new String[] {m.from(), m.to()}));
    rows.applyLinkOps(moves);
    List<Rows.LinkRow> newLinks = new ArrayList<>(c.newLinks().size());
    c.newLinks().forEach(l -> newLinks.add(new Rows.LinkRow(l.component(), l.link())));
    rows.insertLinks(newLinks);
    rows.deleteLedger(c.deletedLedger());
    rows.appendLedger(c.appendedLedger());
    rows.sendWrites();
    rows.upsertMetadata(c.putMetadata());
    rows.deleteMetadata(c.deletedMetadata());
    List<String[]> deletedMemberships = new ArrayList<>();
    memberships.deletions().forEach(
        k -> deletedMemberships.add(new String[] {k.segment(), k.profile().value()}));
    rows.upsertMemberships(memberships.puts());
    rows.deleteMemberships(deletedMemberships);
    rows.upsertChecks(checks.puts());
    rows.deleteChecks(checks.deletions());
    List<String> deletedOutbox = new ArrayList<>();
    List<OutboxEntry> insertedOutbox = new ArrayList<>();
    List<OutboxEntry> updatedOutbox = new ArrayList<>();
    outbox.writes().forEach((key, w) -> {
      if (w.isEmpty() || w.get().replaces()) {
        deletedOutbox.add(key);
      }
      w.ifPresent(x -> (x.inserted() ? insertedOutbox : updatedOutbox).add(x.entry()));
    });
    rows.deleteOutbox(deletedOutbox);
    rows.insertOutbox(insertedOutbox);
    rows.updateOutbox(updatedOutbox);
    rows.deleteDeliveriesOf(deletedDeliveriesOf);
    rows.deleteDeliveries(deliveries.deletions());
    rows.upsertDeliveries(deliveries.puts());
    rows.upsertTombstones(c.tombstones());
    rows.insertAudit(c.audit());
    if (advancesVersion() && (!concurrent || alone)) {
      // Writers side by side leave the version: it is theirs to read, not to write.
      rows.setVersion(version + 1);
    }

    c.putNodes().forEach(n -> changes.put(new Key(NODE, n.identifier()), Optional.of(n)));
    c.deletedNodes().forEach(id -> changes.put(new Key(NODE, id), Optional.empty()));
    c.putComponents().forEach(r -> changes.put(new Key(COMPONENT, r.id()), Optional.of(r)));
    c.deletedComponents().forEach(id -> changes.put(new Key(COMPONENT, id), Optional.empty()));
    c.putProfiles().forEach(r -> changes.put(new Key(PROFILE, r.id()), Optional.of(r)));
    c.deletedProfiles().forEach(id -> changes.put(new Key(PROFILE, id), Optional.empty()));
    c.putRedirects().forEach((from, to) -> changes.put(new Key(REDIRECT, from), Optional.of(to)));
    c.deletedRedirects().forEach(from -> changes.put(new Key(REDIRECT, from), Optional.empty()));
    touched.forEach(p -> changes.put(new Key(PROFILE_NODES, p), null));
    memberships.writes().keySet()
        .forEach(k -> changes.put(new Key(MEMBERSHIPS, k.profile()), null));
    checks.writes().forEach((p, check) -> changes.put(new Key(CHECK, p), check));
    c.tombstones().forEach((h, at) -> changes.put(new Key(TOMBSTONE, h), Optional.of(at)));
    if (!c.tombstones().isEmpty()) {
      changes.put(TOMBSTONED_KEY, Boolean.TRUE);
    }
    cacheChanges = changes;
  }

  /** The committed node of an identifier as this transaction read it; null: not read. */
  @SuppressWarnings("unchecked")
  private @Nullable Optional<IdentityNode> seenNode(Identifier id) {
    return (Optional<IdentityNode>) seen.get(new Key(NODE, id));
  }

  /** Adds the profile of a node's committed version to {@code touched}, or notes it unread. */
  private static void oldProfile(Identifier id, @Nullable Optional<IdentityNode> old,
      Set<ProfileId> touched, List<Identifier> oldUnknown) {
    if (old == null) {
      oldUnknown.add(id);
    } else {
      old.ifPresent(o -> touched.add(o.profile()));
    }
  }
}
