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
import io.cdpkit.core.spi.storage.MetadataStorage;
import io.cdpkit.core.spi.storage.PrivacyStorage;
import io.cdpkit.core.spi.storage.ProfileRecord;
import io.cdpkit.core.spi.storage.Savepoint;
import io.cdpkit.core.spi.storage.StoredEvent;
import io.cdpkit.core.spi.storage.WriteTransaction;
import io.cdpkit.segmentation.spi.storage.Membership;
import io.cdpkit.segmentation.spi.storage.ScheduledCheck;
import io.cdpkit.storage.jdbc.internal.WorkspaceCache.Key;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.Comparator;
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
import java.util.TreeSet;
import java.util.function.BiFunction;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * A write transaction that keeps what it writes in memory until {@link #flush}, then writes it
 * all in a few JDBC batches: one statement per table and kind of change rather than one round
 * trip per call. Reads see the transaction's own writes laid over the committed state, which
 * comes from this transaction's reads so far, then the shared {@link WorkspaceCache}, then the
 * database.
 *
 * <p>Since nothing reaches the database before {@link #flush}, savepoints are kept in memory:
 * every change records how to undo itself.
 *
 * <p>Ordered reads a page at a time (profile scans, a segment's members, due checks, the outbox
 * by status) read the committed rows in the database's key order (keyset pagination) and lay
 * the transaction's own writes over them: see {@link #page}.
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
 * is numbered here: one query reads the workspace's last seq (under the writer's lock, so no
 * other writer can append meanwhile) and each entry takes the next number.
 *
 * <p>It is its own {@code MetadataStorage} and {@code PrivacyStorage}; segmentation's and
 * activation's capabilities are {@link BufferedSegments} and {@link BufferedOutbox} over its
 * buffers ({@link #capability}).
 *
 * <p>Also serves reads ({@link #readOnly}: every write then throws, and {@link #flush} is never
 * called). Not thread-safe: one transaction, one thread.
 */
final class BufferedTx implements WriteTransaction, MetadataStorage, PrivacyStorage {
  private static final Object ABSENT = new Object();

  final Rows rows;
  private final WorkspaceCache.Session cache;

  /** Committed values this transaction has read, by cache key. */
  private final Map<Key, Object> seen = new HashMap<>();

  private final Map<String, StoredEvent> events = new LinkedHashMap<>();
  /**
   * MessageIds whose committed event the commit deletes, before it inserts {@link #events} (which
   * may hold one of them again).
   */
  private final Set<String> deletedEvents = new LinkedHashSet<>();
  /** Nodes by identifier; empty: deleted. */
  private final Map<Identifier, Optional<IdentityNode>> nodes = new LinkedHashMap<>();
  private final Map<String, Optional<ComponentRecord>> components = new LinkedHashMap<>();
  private final Map<ProfileId, Optional<ProfileRecord>> profiles = new LinkedHashMap<>();
  /** Redirects by merged-away id; empty: deleted. */
  private final Map<ProfileId, Optional<ProfileId>> redirects = new LinkedHashMap<>();
  /**
   * New links; their component changes when a later {@link #moveLinks} moves it, and becomes
   * null when a later {@link #deleteLinks} deletes it.
   */
  private final List<PendingLink> links = new ArrayList<>();
  /**
   * Moves of committed links, {@code {from, to}}, in order; a null {@code to} deletes the
   * links then under {@code from}.
   */
  private final List<String[]> moves = new ArrayList<>();
  private final List<LedgerEntry> ledger = new ArrayList<>();
  /** Profiles whose committed ledger entries (on either side) the commit deletes, first. */
  private final Set<ProfileId> deletedLedger = new LinkedHashSet<>();
  /** Metadata by key; empty: deleted. */
  private final Map<String, Optional<String>> metadata = new LinkedHashMap<>();
  /** Memberships by segment and profile; empty: deleted. */
  final Map<MembershipKey, Optional<Membership>> memberships = new LinkedHashMap<>();
  /** Scheduled checks by profile; empty: deleted. */
  final Map<ProfileId, Optional<ScheduledCheck>> checks = new LinkedHashMap<>();
  /** Outbox entries inserted or replaced, by key. */
  final Map<String, OutboxWrite> outbox = new LinkedHashMap<>();
  /**
   * Keys this transaction read committed entries of: rows are deleted only by write
   * transactions, under the workspace's lock, so they exist until the commit unless this
   * transaction deletes them ({@link #deletedOutbox}), and {@link #updateOutbox} need not ask
   * again.
   */
  final Set<String> outboxSeen = new HashSet<>();
  /** Committed outbox keys the commit deletes, before it inserts {@link #outbox}. */
  final Set<String> deletedOutbox = new LinkedHashSet<>();
  /** Delivery lines by id. */
  final Map<String, Delivery> deliveries = new LinkedHashMap<>();
  /** Profiles whose committed delivery history the commit deletes, first. */
  final Set<ProfileId> deletedDeliveriesOf = new LinkedHashSet<>();
  /** Delivery ids the commit deletes, first (lines this transaction wrote, then deleted). */
  final Set<String> deletedDeliveryIds = new LinkedHashSet<>();
  /** Tombstones to write: hash to the later of the committed and the new instant. */
  private final Map<String, Instant> tombstones = new LinkedHashMap<>();
  /** Audit entries appended, with their seq. */
  private final List<AuditEntry> audit = new ArrayList<>();
  /** The workspace's last committed audit seq, once read; -1 before. */
  private long auditBase = -1;
  private final List<Runnable> undo = new ArrayList<>();

  record MembershipKey(String segment, ProfileId profile) {}

  /** An outbox entry to write; {@code inserted}: no committed row has its key. */
  record OutboxWrite(OutboxEntry entry, boolean inserted) {}

  private static final class PendingLink {
    @Nullable String component;
    final Link link;

    PendingLink(String component, Link link) {
      this.component = component;
      this.link = link;
    }
  }

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

  /** Whether this serves a read transaction: every write throws ({@link #requireWritable}). */
  private boolean readOnly;

  /** Makes this a read transaction's: its writes, and its capabilities' writes, throw. */
  BufferedTx readOnly() {
    this.readOnly = true;
    return this;
  }

  /**
   * Throws in a read transaction: what it would buffer would never be written, so a write there
   * is a mistake to report, not to lose silently.
   */
  void requireWritable() {
    if (readOnly) {
      throw new IllegalStateException("a read transaction cannot write");
    }
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
   * {@link MetadataStorage} and {@link PrivacyStorage} (this transaction itself), segmentation's
   * {@code SegmentStorage} and activation's {@code OutboxStorage} (adapters over this
   * transaction's buffers). The optional modules' types are recognised by name before any of
   * their classes is touched, so a host without those modules never loads them.
   */
  @Override
  public <C> Optional<C> capability(Class<C> type) {
    Objects.requireNonNull(type, "type");
    if (type == MetadataStorage.class || type == PrivacyStorage.class) {
      return Optional.of(type.cast(this));
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
      write(metadata, COMPACTION_PENDING, Optional.of("1"));
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

  /** Committed nodes of a profile, from the cache when it has them. */
  @SuppressWarnings("unchecked")
  private List<IdentityNode> committedNodesOfProfile(ProfileId p) {
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
      List<IdentityNode> l = List.copyOf(rows.nodesOfProfile(p));
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

  /**
   * Loads in a few queries what a batch of events is about to read one by one: whether their
   * messageIds are stored, the nodes of their identifiers, and those nodes' profiles and
   * components.
   */
  @Override
  public void prefetch(Collection<String> messageIds, Collection<Identifier> identifiers) {
    List<String> unknownIds = new ArrayList<>();
    for (String m : messageIds) {
      if (!events.containsKey(m) && !known(new Key(EVENT, m))) {
        unknownIds.add(m);
      }
    }
    if (!unknownIds.isEmpty()) {
      Set<String> stored = rows.storedMessageIds(unknownIds);
      for (String m : unknownIds) {
        remember(new Key(EVENT, m), stored.contains(m));
      }
    }
    List<Identifier> unknownNodes = new ArrayList<>();
    for (Identifier id : new LinkedHashSet<>(identifiers)) {
      if (!nodes.containsKey(id) && !known(new Key(NODE, id))) {
        unknownNodes.add(id);
      }
    }
    if (!unknownNodes.isEmpty()) {
      Map<Identifier, IdentityNode> found = new HashMap<>();
      rows.nodes(unknownNodes).forEach(n -> found.put(n.identifier(), n));
      for (Identifier id : unknownNodes) {
        remember(new Key(NODE, id), Optional.ofNullable(found.get(id)));
      }
    }
    Set<ProfileId> profileIds = new LinkedHashSet<>();
    Set<String> componentIds = new LinkedHashSet<>();
    for (Identifier id : identifiers) {
      node(id).ifPresent(n -> {
        if (!profiles.containsKey(n.profile()) && !known(new Key(PROFILE, n.profile()))) {
          profileIds.add(n.profile());
        }
        if (!components.containsKey(n.component())
            && !known(new Key(COMPONENT, n.component()))) {
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

  // ------------------------------------------------------------------ writes with undo

  <K, V> void write(Map<K, V> m, K k, V v) {
    requireWritable();
    Object prev = m.containsKey(k) ? m.get(k) : ABSENT;
    m.put(k, v);
    undo.add(() -> {
      if (prev == ABSENT) {
        m.remove(k);
      } else {
        @SuppressWarnings("unchecked")
        V p = (V) prev;
        m.put(k, p);
      }
    });
  }

  private <T> void append(List<T> l, T item) {
    requireWritable();
    l.add(item);
    undo.add(() -> l.remove(l.size() - 1));
  }

  <T> void add(Set<T> set, T item) {
    requireWritable();
    if (set.add(item)) {
      undo.add(() -> set.remove(item));
    }
  }

  <K, V> void remove(Map<K, V> m, K k) {
    requireWritable();
    if (m.containsKey(k)) {
      V prev = m.remove(k);
      undo.add(() -> m.put(k, prev));
    }
  }

  private record Mark(BufferedTx owner, int undoSize) implements Savepoint {}

  @Override
  public Savepoint savepoint() {
    return new Mark(this, undo.size());
  }

  @Override
  public void rollbackTo(Savepoint savepoint) {
    if (!(savepoint instanceof Mark m) || m.owner() != this) {
      throw new IllegalArgumentException("savepoint of another transaction");
    }
    if (m.undoSize() > undo.size()) {
      throw new IllegalStateException("savepoint already rolled back past");
    }
    while (undo.size() > m.undoSize()) {
      undo.remove(undo.size() - 1).run();
    }
  }

  // ------------------------------------------------------------------ events

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
    if (!storable(messageId)) {
      return Optional.empty();
    }
    StoredEvent e = events.get(messageId);
    return e != null ? Optional.of(e)
        : deletedEvents.contains(messageId) ? Optional.empty() : rows.event(messageId);
  }

  @Override
  public Map<String, StoredEvent> events(Collection<String> messageIds) {
    Map<String, StoredEvent> out = new LinkedHashMap<>();
    List<String> unbuffered = new ArrayList<>();
    for (String m : messageIds) {
      if (!events.containsKey(m) && !deletedEvents.contains(m)) {
        unbuffered.add(m);
      }
    }
    Map<String, StoredEvent> read = new HashMap<>();
    for (StoredEvent e : rows.events(unbuffered)) {
      read.put(e.messageId(), e);
    }
    for (String m : messageIds) {
      StoredEvent e = events.containsKey(m) ? events.get(m) : read.get(m);
      if (e != null) {
        out.put(m, e);
      }
    }
    return out;
  }

  @Override
  public boolean insertEvent(StoredEvent e) {
    requireWritable();
    requireStorable(e.messageId(), "a messageId");
    if (e.event().name() != null) {
      requireStorable(e.event().name(), "an event name");
    }
    if (events.containsKey(e.messageId())) {
      return false;
    }
    boolean stored = !deletedEvents.contains(e.messageId())
        && (Boolean) committed(new Key(EVENT, e.messageId()),
            () -> !rows.storedMessageIds(List.of(e.messageId())).isEmpty());
    if (stored) {
      return false;
    }
    write(events, e.messageId(), e);
    return true;
  }

  @Override
  public List<StoredEvent> eventsByAnchors(Collection<Identifier> anchors) {
    List<StoredEvent> out = new ArrayList<>(rows.eventsByAnchors(anchors));
    if (!deletedEvents.isEmpty()) {
      out.removeIf(e -> deletedEvents.contains(e.messageId()));
    }
    if (!events.isEmpty()) {
      Set<Identifier> wanted = new HashSet<>(anchors);
      for (StoredEvent e : events.values()) {
        if (e.anchor() != null && wanted.contains(e.anchor())) {
          out.add(e);
        }
      }
    }
    out.sort(Comparator.comparing(StoredEvent::key));
    return out;
  }

  /**
   * Read as {@link #eventsByAnchors} reads (per identifier type among the anchors: one statement
   * on PostgreSQL, {@code IN} lists on MariaDB, a reused point query per identifier on H2), but
   * the messageIds only, not the events; this transaction's own deletions are left out and its
   * own new events of these anchors added.
   */
  @Override
  public List<String> messageIdsByAnchors(Collection<Identifier> anchors) {
    Objects.requireNonNull(anchors, "anchors");
    Set<String> out = new LinkedHashSet<>(rows.messageIdsByAnchors(anchors));
    out.removeAll(deletedEvents);
    if (!events.isEmpty()) {
      Set<Identifier> wanted = new HashSet<>(anchors);
      for (StoredEvent e : events.values()) {
        if (e.anchor() != null && wanted.contains(e.anchor())) {
          out.add(e.messageId());
        }
      }
    }
    return List.copyOf(out);
  }

  @Override
  public Map<String, Long> eventNameCounts() {
    Map<String, Long> out = new TreeMap<>(rows.eventNameCounts());
    // The counts are of the stored events: the deleted ones leave them with the commit.
    for (StoredEvent e : rows.events(deletedEvents)) {
      if (out.merge(e.countedName(), -1L, Long::sum) == 0L) {
        out.remove(e.countedName());
      }
    }
    for (StoredEvent e : events.values()) {
      out.merge(e.countedName(), 1L, Long::sum);
    }
    return Map.copyOf(out);
  }

  @Override
  public void deleteEvents(Collection<String> messageIds) {
    requireWritable();
    requireAlone();
    for (String m : new LinkedHashSet<>(messageIds)) {
      Objects.requireNonNull(m, "messageId");
      remove(events, m);
      add(deletedEvents, m);
    }
    if (!messageIds.isEmpty()) {
      deletedPersonalData();
    }
  }

  // ------------------------------------------------------------------ nodes

  @Override
  public Optional<IdentityNode> node(Identifier id) {
    if (!storable(id.value())) {
      return Optional.empty();
    }
    Optional<IdentityNode> w = nodes.get(id);
    return w != null ? w : committedOptional(new Key(NODE, id), () -> rows.node(id));
  }

  @Override
  public List<IdentityNode> nodesOfProfile(ProfileId profile) {
    return overlay(committedNodesOfProfile(profile), n -> n.profile().equals(profile));
  }

  @Override
  public List<IdentityNode> nodesOfComponent(String component) {
    componentReads.add(component);
    List<IdentityNode> base = rows.nodesOfComponent(component);
    base.forEach(n -> remember(new Key(NODE, n.identifier()), Optional.of(n)));
    return overlay(base, n -> n.component().equals(component));
  }

  /** Committed nodes, replaced by this transaction's versions, plus its new nodes that match. */
  private List<IdentityNode> overlay(List<IdentityNode> committed,
      java.util.function.Predicate<IdentityNode> matches) {
    if (nodes.isEmpty()) {
      return committed;
    }
    Map<Identifier, IdentityNode> out = new LinkedHashMap<>();
    for (IdentityNode n : committed) {
      if (!nodes.containsKey(n.identifier())) {
        out.put(n.identifier(), n);
      }
    }
    for (Optional<IdentityNode> w : nodes.values()) {
      w.filter(matches).ifPresent(n -> out.put(n.identifier(), n));
    }
    return List.copyOf(out.values());
  }

  @Override
  public void putNode(IdentityNode node) {
    requireWritable();
    requireStorable(node.identifier().value(), "an identifier value");
    write(nodes, node.identifier(), Optional.of(node));
  }

  @Override
  public void deleteNode(Identifier identifier) {
    requireWritable();
    requireAlone();
    Objects.requireNonNull(identifier, "identifier");
    write(nodes, identifier, Optional.empty());
  }

  // ------------------------------------------------------------------ components and links

  @Override
  public Optional<ComponentRecord> component(String id) {
    Optional<ComponentRecord> w = components.get(id);
    return w != null ? w : committedOptional(new Key(COMPONENT, id), () -> rows.component(id));
  }

  @Override
  public void putComponent(ComponentRecord component) {
    requireWritable();
    write(components, component.id(), Optional.of(component));
  }

  @Override
  public void deleteComponent(String id) {
    requireWritable();
    write(components, id, Optional.empty());
  }

  @Override
  public List<Link> links(String component) {
    // The committed links that the pending moves bring to this component: walk the moves
    // backwards from {component} to the set of components they came from.
    Set<String> sources = new HashSet<>(Set.of(component));
    for (int i = moves.size() - 1; i >= 0; i--) {
      String from = moves.get(i)[0];
      String to = moves.get(i)[1];
      boolean lands = to != null && sources.contains(to);
      sources.remove(from);
      if (lands) {
        sources.add(from);
      }
    }
    componentReads.addAll(sources);
    List<Link> out = new ArrayList<>();
    for (Rows.LinkRow r : rows.links(sources)) {
      out.add(r.link());
    }
    for (PendingLink l : links) {
      if (component.equals(l.component)) {
        out.add(l.link);
      }
    }
    return out;
  }

  @Override
  public void addLink(String component, Link link) {
    requireWritable();
    append(links, new PendingLink(component, link));
  }

  @Override
  public void moveLinks(String from, String to) {
    requireWritable();
    if (from.equals(to)) {
      return;
    }
    append(moves, new String[] {from, to});
    for (PendingLink l : links) {
      if (from.equals(l.component)) {
        l.component = to;
        undo.add(() -> l.component = from);
      }
    }
  }

  @Override
  public void deleteLinks(String component) {
    requireWritable();
    requireAlone();
    Objects.requireNonNull(component, "component");
    append(moves, new String[] {component, null});
    for (PendingLink l : links) {
      if (component.equals(l.component)) {
        l.component = null;
        undo.add(() -> l.component = component);
      }
    }
  }

  // ------------------------------------------------------------------ profiles

  @Override
  public Optional<ProfileRecord> profile(ProfileId id) {
    Optional<ProfileRecord> w = profiles.get(id);
    return w != null ? w : committedOptional(new Key(PROFILE, id), () -> rows.profile(id));
  }

  @Override
  public void putProfile(ProfileRecord profile) {
    requireWritable();
    write(profiles, profile.id(), Optional.of(profile));
  }

  @Override
  public void deleteProfile(ProfileId id) {
    requireWritable();
    write(profiles, id, Optional.empty());
  }

  @Override
  public Optional<ProfileId> redirect(ProfileId mergedAway) {
    Optional<ProfileId> w = redirects.get(mergedAway);
    return w != null ? w
        : committedOptional(new Key(REDIRECT, mergedAway), () -> rows.redirect(mergedAway));
  }

  @Override
  public void putRedirect(ProfileId from, ProfileId to) {
    requireWritable();
    write(redirects, from, Optional.of(to));
  }

  @Override
  public void deleteRedirect(ProfileId from) {
    requireWritable();
    requireAlone();
    Objects.requireNonNull(from, "from");
    write(redirects, from, Optional.empty());
  }

  @Override
  public List<ProfileId> redirectsTo(ProfileId to) {
    Objects.requireNonNull(to, "to");
    TreeSet<ProfileId> out = new TreeSet<>();
    for (ProfileId from : rows.redirectsTo(to)) {
      if (!redirects.containsKey(from)) {
        out.add(from);
      }
    }
    redirects.forEach((from, w) -> {
      if (w.isPresent() && w.get().equals(to)) {
        out.add(from);
      }
    });
    return List.copyOf(out);
  }

  // ------------------------------------------------------------------ ledger

  @Override
  public List<LedgerEntry> ledger(ProfileId profile) {
    List<LedgerEntry> out = new ArrayList<>(rows.ledger(profile));
    if (!deletedLedger.isEmpty()) {
      out.removeIf(e -> deletedLedger.contains(e.profile()) || deletedLedger.contains(e.other()));
    }
    for (LedgerEntry e : ledger) {
      if (e.profile().equals(profile) || profile.equals(e.other())) {
        out.add(e);
      }
    }
    return out;
  }

  @Override
  public void appendLedger(LedgerEntry entry) {
    requireWritable();
    append(ledger, entry);
  }

  @Override
  public void deleteLedger(ProfileId profile) {
    requireWritable();
    requireAlone();
    Objects.requireNonNull(profile, "profile");
    add(deletedLedger, profile);
    for (int i = ledger.size() - 1; i >= 0; i--) {
      LedgerEntry e = ledger.get(i);
      if (e.profile().equals(profile) || profile.equals(e.other())) {
        int at = i;
        ledger.remove(at);
        undo.add(() -> ledger.add(at, e));
      }
    }
  }

  // ------------------------------------------------------------------ ordered pages

  /** Rows fetched beyond the limit at most, to make up for rows this transaction hides. */
  private static final int EXTRA_ROWS = 1_000;

  /**
   * One page of an ordered read with this transaction's writes laid over the committed rows.
   * Committed rows that the transaction wrote or deleted ({@code hidden}) are dropped, its own
   * values that belong on the page ({@code own}, already filtered) are merged in, and the first
   * {@code limit} in {@code order} are returned.
   *
   * <p>The committed rows are read from the start of the page in key order, {@code limit} (plus
   * as many as the transaction could hide, up to {@value #EXTRA_ROWS}) at a time, until
   * {@code limit} of them survive or none are left. Every committed row not read then sorts
   * after {@code limit} rows already kept, so it could not be on the page. A transaction that
   * wrote nothing of the kind costs exactly one query.
   *
   * @param committedAfter reads up to {@code n} committed rows after the given one (from the
   *     page's start when null), in {@code order}
   * @param pending how many rows the transaction holds of this kind (an upper bound of what it
   *     can hide)
   */
  static <T> List<T> page(int limit, Comparator<? super T> order,
      BiFunction<@Nullable T, Integer, List<T>> committedAfter, int pending,
      Predicate<? super T> hidden, Collection<T> own) {
    int fetch = (int) Math.min(Integer.MAX_VALUE, (long) limit + Math.min(pending, EXTRA_ROWS));
    List<T> out = new ArrayList<>();
    @Nullable T last = null;
    int kept = 0;
    while (true) {
      List<T> rows = committedAfter.apply(last, fetch);
      for (T row : rows) {
        if (!hidden.test(row)) {
          out.add(row);
          kept++;
        }
      }
      if (rows.size() < fetch || kept >= limit) {
        break;
      }
      last = rows.get(rows.size() - 1);
    }
    if (own.isEmpty() && kept <= limit) {
      return out;
    }
    out.addAll(own);
    out.sort(order);
    return List.copyOf(out.subList(0, Math.min(limit, out.size())));
  }

  static void checkLimit(int limit) {
    if (limit < 1) {
      throw new IllegalArgumentException("limit must be at least 1, was " + limit);
    }
  }

  @Override
  public List<ProfileRecord> profilesAfter(@Nullable ProfileId after, int limit) {
    checkLimit(limit);
    List<ProfileRecord> own = new ArrayList<>();
    for (Map.Entry<ProfileId, Optional<ProfileRecord>> e : profiles.entrySet()) {
      if (after == null || e.getKey().compareTo(after) > 0) {
        e.getValue().ifPresent(own::add);
      }
    }
    Function<ProfileRecord, ProfileId> id = ProfileRecord::id;
    return page(limit, Comparator.comparing(id),
        (last, n) -> rows.profilesAfter(last != null ? last.id().value()
            : after == null ? null : after.value(), n),
        profiles.size(), r -> profiles.containsKey(r.id()), own);
  }

  // ------------------------------------------------------------------ metadata

  @Override
  public Map<String, String> metadata(String prefix) {
    Objects.requireNonNull(prefix, "prefix");
    TreeMap<String, String> out = new TreeMap<>(rows.metadata(prefix));
    for (Map.Entry<String, Optional<String>> e : metadata.entrySet()) {
      if (e.getKey().startsWith(prefix)) {
        if (e.getValue().isPresent()) {
          out.put(e.getKey(), e.getValue().get());
        } else {
          out.remove(e.getKey());
        }
      }
    }
    return Collections.unmodifiableSortedMap(out);
  }

  @Override
  public void putMetadata(String key, String value) {
    requireWritable();
    MetadataStorage.check(key, value);
    requireAlone();
    write(metadata, key, Optional.of(value));
  }

  @Override
  public void deleteMetadata(String key) {
    requireWritable();
    Objects.requireNonNull(key, "key");
    requireAlone();
    if (!key.isEmpty() && key.length() <= MetadataStorage.MAX_KEY_LENGTH) {
      write(metadata, key, Optional.empty());
    }
  }

  // ------------------------------------------------------------------ tombstones

  private static final Key TOMBSTONED_KEY = new Key(TOMBSTONED, "");

  @Override
  public Map<String, Instant> tombstones(Collection<String> hashes) {
    Map<String, Instant> out = new HashMap<>();
    List<String> unknown = new ArrayList<>();
    for (String h : new LinkedHashSet<>(hashes)) {
      Objects.requireNonNull(h, "hash");
      Instant own = tombstones.get(h);
      Key k = new Key(TOMBSTONE, h);
      if (own != null) {
        out.put(h, own);
      } else if (known(k)) {
        @SuppressWarnings("unchecked")
        Optional<Instant> at = (Optional<Instant>) seen.get(k);
        at.ifPresent(x -> out.put(h, x));
      } else {
        unknown.add(h);
      }
    }
    // While the workspace has no tombstone at all (the flag is cached), no query.
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

  @Override
  public void putTombstone(String hash, Instant erasedAt) {
    requireWritable();
    PrivacyStorage.checkTombstone(hash, erasedAt);
    requireAlone();
    deletedPersonalData();
    // Under the workspace's lock the committed instant holds until the commit: the later of the
    // two is decided here and written as it is.
    Instant current = tombstones(List.of(hash)).get(hash);
    if (current == null || erasedAt.isAfter(current)) {
      write(tombstones, hash, erasedAt);
    }
  }

  // ------------------------------------------------------------------ audit log

  @Override
  public List<AuditEntry> audit(long afterSeq, int limit) {
    checkLimit(limit);
    if (afterSeq < 0) {
      throw new IllegalArgumentException("afterSeq must not be negative, was " + afterSeq);
    }
    List<AuditEntry> out = new ArrayList<>(rows.audit(afterSeq, limit));
    // This transaction's entries number after every committed one.
    for (AuditEntry e : audit) {
      if (out.size() < limit && e.seq() > afterSeq) {
        out.add(e);
      }
    }
    return List.copyOf(out);
  }

  /**
   * Numbers the entry after the workspace's last committed one (read once per transaction,
   * under the writer's lock: no other writer of the workspace can append until this one ends)
   * and this transaction's earlier ones, so seqs increase in commit order without gaps.
   */
  @Override
  public long appendAudit(AuditEntry entry) {
    requireWritable();
    requireAlone();
    Objects.requireNonNull(entry, "entry");
    if (auditBase < 0) {
      auditBase = rows.lastAuditSeq();
    }
    long seq = auditBase + audit.size() + 1;
    append(audit, entry.withSeq(seq));
    return seq;
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
   * or event meets it on its key.
   *
   * <p>Profiles and components are written together with their nodes and links: every change
   * to a profile's nodes rewrites its record with the next version, so the versions of the
   * profiles read stand for their nodes and the links and events reached through them.
   */
  private void validate() {
    List<Key> stale = new ArrayList<>();
    Set<Identifier> nodeIds = new HashSet<>(nodes.keySet());
    Set<ProfileId> profileIds = new HashSet<>(profiles.keySet());
    Set<String> componentIds = new HashSet<>(components.keySet());
    componentIds.addAll(componentReads);
    for (PendingLink l : links) {
      if (l.component != null) {
        componentIds.add(l.component);
      }
    }
    for (String[] m : moves) {
      componentIds.add(m[0]);
      if (m[1] != null) {
        componentIds.add(m[1]);
      }
    }
    memberships.keySet().forEach(k -> profileIds.add(k.profile()));
    profileIds.addAll(checks.keySet());
    for (Map.Entry<Key, Object> e : seen.entrySet()) {
      Object id = e.getKey().id();
      switch (e.getKey().kind()) {
        case NODE -> nodeIds.add((Identifier) id);
        case PROFILE, PROFILE_NODES, MEMBERSHIPS, CHECK -> profileIds.add((ProfileId) id);
        case COMPONENT -> componentIds.add((String) id);
        default -> { }
      }
    }
    for (Optional<IdentityNode> w : nodes.values()) {
      w.ifPresent(n -> {
        profileIds.add(n.profile());
        componentIds.add(n.component());
      });
    }

    Map<Identifier, IdentityNode> lockedNodes = new HashMap<>();
    for (IdentityNode n : rows.lockNodes(nodeIds)) {
      lockedNodes.put(n.identifier(), n);
      profileIds.add(n.profile());
      componentIds.add(n.component());
    }
    for (Identifier id : nodeIds) {
      Key k = new Key(NODE, id);
      Object was = seen.get(k);
      if (was != null && !was.equals(Optional.ofNullable(lockedNodes.get(id)))) {
        stale.add(k);
      }
    }
    Map<ProfileId, Long> versions = rows.lockProfiles(profileIds);
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
    Map<String, ComponentRecord> lockedComponents = new HashMap<>();
    rows.lockComponents(componentIds).forEach(c -> lockedComponents.put(c.id(), c));
    for (String c : componentIds) {
      Key k = new Key(COMPONENT, c);
      Object was = seen.get(k);
      if (was != null && !was.equals(Optional.ofNullable(lockedComponents.get(c)))) {
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
        || !deletedOutbox.isEmpty() || !deletedDeliveriesOf.isEmpty()
        || !deletedDeliveryIds.isEmpty() || !audit.isEmpty();
  }

  /**
   * Whether the commit must advance the workspace's version: it changed (or deleted) something
   * besides outbox entries, delivery lines and audit entries, which no cache holds.
   */
  boolean advancesVersion() {
    return !events.isEmpty() || !deletedEvents.isEmpty() || !nodes.isEmpty()
        || !components.isEmpty() || !profiles.isEmpty() || !redirects.isEmpty()
        || !links.isEmpty() || !moves.isEmpty() || !ledger.isEmpty() || !deletedLedger.isEmpty()
        || !metadata.isEmpty() || !memberships.isEmpty() || !checks.isEmpty()
        || !tombstones.isEmpty();
  }

  /** About how many rows {@link #flush} writes, for the statistics. */
  int rowsWritten(Map<Key, @Nullable Object> changes) {
    return changes.size() + deletedEvents.size() + deletedLedger.size() + moves.size()
        + outbox.size() + deletedOutbox.size() + deliveries.size() + deletedDeliveriesOf.size()
        + deletedDeliveryIds.size() + audit.size();
  }

  /**
   * Writes everything to the database in dependency order and advances the workspace's version
   * from {@code version} when {@link #advancesVersion}; the caller commits. Returns what the
   * commit changes in the cache.
   */
  Map<Key, @Nullable Object> flush(long version) {
    if (concurrent) {
      validate();
    }
    Map<Key, @Nullable Object> changes = new HashMap<>();
    // The profiles whose node lists change: the old and the new profile of every node written.
    Set<ProfileId> touched = new HashSet<>(profiles.keySet());
    List<Identifier> oldUnknown = new ArrayList<>();
    List<IdentityNode> putNodes = new ArrayList<>();
    List<IdentityNode> newNodes = new ArrayList<>();
    List<Identifier> deletedNodes = new ArrayList<>();
    nodes.forEach((id, w) -> {
      @SuppressWarnings("unchecked")
      Optional<IdentityNode> old = (Optional<IdentityNode>) seen.get(new Key(NODE, id));
      if (w.isPresent()) {
        // A node this transaction saw absent is inserted, not upserted, where writers run side
        // by side: two that create it meet on its key (see Rows#insertNodes).
        (concurrent && old != null && old.isEmpty() ? newNodes : putNodes).add(w.get());
        touched.add(w.get().profile());
      } else {
        deletedNodes.add(id);
      }
      if (old == null) {
        oldUnknown.add(id);
      } else {
        old.ifPresent(o -> touched.add(o.profile()));
      }
    });
    if (!oldUnknown.isEmpty()) {
      rows.nodes(oldUnknown).forEach(o -> touched.add(o.profile()));
    }

    rows.deleteEvents(deletedEvents);
    rows.insertEvents(events.values());
    rows.upsertNodes(putNodes);
    rows.insertNodes(newNodes);
    rows.deleteNodes(deletedNodes);
    List<ComponentRecord> putComponents = new ArrayList<>();
    List<String> deletedComponents = new ArrayList<>();
    components.forEach((id, r) -> {
      if (r.isPresent()) {
        putComponents.add(r.get());
      } else {
        deletedComponents.add(id);
      }
    });
    rows.upsertComponents(putComponents);
    rows.deleteComponents(deletedComponents);
    List<ProfileRecord> putProfiles = new ArrayList<>();
    List<ProfileId> deletedProfiles = new ArrayList<>();
    profiles.forEach((id, r) -> {
      if (r.isPresent()) {
        putProfiles.add(r.get());
      } else {
        deletedProfiles.add(id);
      }
    });
    rows.upsertProfiles(putProfiles);
    rows.deleteProfiles(deletedProfiles);
    Map<ProfileId, ProfileId> putRedirects = new LinkedHashMap<>();
    List<ProfileId> deletedRedirects = new ArrayList<>();
    redirects.forEach((from, to) -> {
      if (to.isPresent()) {
        putRedirects.put(from, to.get());
      } else {
        deletedRedirects.add(from);
      }
    });
    rows.upsertRedirects(putRedirects);
    rows.deleteRedirects(deletedRedirects);
    rows.applyLinkOps(moves);
    List<Rows.LinkRow> newLinks = new ArrayList<>(links.size());
    for (PendingLink l : links) {
      if (l.component != null) {
        newLinks.add(new Rows.LinkRow(l.component, l.link));
      }
    }
    rows.insertLinks(newLinks);
    rows.deleteLedger(deletedLedger);
    rows.appendLedger(ledger);
    Map<String, String> putMetadata = new LinkedHashMap<>();
    List<String> deletedMetadata = new ArrayList<>();
    metadata.forEach((k, v) -> {
      if (v.isPresent()) {
        putMetadata.put(k, v.get());
      } else {
        deletedMetadata.add(k);
      }
    });
    rows.upsertMetadata(putMetadata);
    rows.deleteMetadata(deletedMetadata);
    List<Membership> putMemberships = new ArrayList<>();
    List<String[]> deletedMemberships = new ArrayList<>();
    memberships.forEach((k, m) -> {
      if (m.isPresent()) {
        putMemberships.add(m.get());
      } else {
        deletedMemberships.add(new String[] {k.segment(), k.profile().value()});
      }
    });
    rows.upsertMemberships(putMemberships);
    rows.deleteMemberships(deletedMemberships);
    List<ScheduledCheck> putChecks = new ArrayList<>();
    List<ProfileId> deletedChecks = new ArrayList<>();
    checks.forEach((p, c) -> {
      if (c.isPresent()) {
        putChecks.add(c.get());
      } else {
        deletedChecks.add(p);
      }
    });
    rows.upsertChecks(putChecks);
    rows.deleteChecks(deletedChecks);
    List<OutboxEntry> insertedOutbox = new ArrayList<>();
    List<OutboxEntry> updatedOutbox = new ArrayList<>();
    for (OutboxWrite w : outbox.values()) {
      (w.inserted() ? insertedOutbox : updatedOutbox).add(w.entry());
    }
    rows.deleteOutbox(deletedOutbox);
    rows.insertOutbox(insertedOutbox);
    rows.updateOutbox(updatedOutbox);
    rows.deleteDeliveriesOf(deletedDeliveriesOf);
    rows.deleteDeliveries(deletedDeliveryIds);
    rows.upsertDeliveries(deliveries.values());
    rows.upsertTombstones(tombstones);
    rows.insertAudit(audit);
    if (advancesVersion() && (!concurrent || alone)) {
      // Writers side by side leave the version: it is theirs to read, not to write.
      rows.setVersion(version + 1);
    }

    nodes.forEach((id, n) -> changes.put(new Key(NODE, id), n));
    components.forEach((id, r) -> changes.put(new Key(COMPONENT, id), r));
    profiles.forEach((id, r) -> changes.put(new Key(PROFILE, id), r));
    redirects.forEach((from, to) -> changes.put(new Key(REDIRECT, from), to));
    touched.forEach(p -> changes.put(new Key(PROFILE_NODES, p), null));
    memberships.keySet().forEach(k -> changes.put(new Key(MEMBERSHIPS, k.profile()), null));
    checks.forEach((p, c) -> changes.put(new Key(CHECK, p), c));
    tombstones.forEach((h, at) -> changes.put(new Key(TOMBSTONE, h), Optional.of(at)));
    if (!tombstones.isEmpty()) {
      changes.put(TOMBSTONED_KEY, Boolean.TRUE);
    }
    return changes;
  }
}
