package io.cdpkit.core.spi.storage.support;

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
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * A transaction that keeps what it writes in memory and hands it to its store in one piece at
 * commit, so that a store implements only the reads of committed rows and one write. It is a
 * {@link WriteTransaction} (or, {@link #makeReadOnly made read-only}, the transaction of a
 * read) and its own {@link MetadataStorage} and {@link PrivacyStorage}.
 *
 * <p><b>What a store implements.</b> The {@code load...} methods read committed rows of the
 * transaction's workspace, as the store's isolation lets this transaction see them (a snapshot,
 * or the rows under the locks it holds); they never see this transaction's own writes, which
 * this class lays over them. {@link #write} receives, at {@link #commit}, everything the
 * transaction wrote ({@link Changes}) and applies it atomically with the rest of the store's
 * commit. A store that runs writers of a workspace one at a time needs nothing else; one that
 * runs them side by side validates what they read at commit (see {@link #readCommitted}).
 *
 * <p><b>What this class does.</b> Reads see the transaction's writes over the committed rows:
 * a key it wrote or deleted shows its own value, lists gain its new records and lose those it
 * moved away or deleted, and pages a scan reads one at a time ({@link #profilesAfter}) neither
 * skip nor repeat a row it changed. {@link #savepoint}/{@link #rollbackTo} work through an undo
 * log that a store's capabilities write to as well ({@link #onRollback}, {@link BufferedMap}).
 * In a read transaction every write throws {@link IllegalStateException}. Audit entries are
 * numbered after the workspace's last committed one, read once per transaction.
 *
 * <p><b>Hooks.</b> Every read of committed rows goes through {@link #readCommitted}, which a
 * store may override to cache rows, remember what the transaction read, or check it again at
 * commit; every write passes {@link #beforeWrite} once its arguments are checked, where a store
 * may refuse it (for instance a write that needs a lock the transaction does not hold).
 *
 * <p>Not thread-safe: one transaction, one thread, like the transactions it implements. A
 * transaction is used once: after {@link #commit} it is not written again.
 */
public abstract class BufferedTransaction
    implements WriteTransaction, MetadataStorage, PrivacyStorage {

  /** A kind of committed read, as {@link #readCommitted} is told. */
  public enum Read {
    /** {@link #loadEvent}; key: the messageId. */
    EVENT,
    /** {@link #loadEvents}; key: the messageIds. */
    EVENTS,
    /** {@link #loadEventStored}; key: the messageId. */
    EVENT_STORED,
    /** {@link #loadEventsByAnchors}; key: the anchors. */
    EVENTS_BY_ANCHORS,
    /** {@link #loadMessageIdsByAnchors}; key: the anchors. */
    MESSAGE_IDS_BY_ANCHORS,
    /** {@link #loadEventNameCounts}; no key. */
    EVENT_NAME_COUNTS,
    /** {@link #loadNode}; key: the identifier. */
    NODE,
    /** {@link #loadNodesOfProfile}; key: the profile id. */
    NODES_OF_PROFILE,
    /** {@link #loadNodesOfComponent}; key: the component id. */
    NODES_OF_COMPONENT,
    /** {@link #loadComponent}; key: the component id. */
    COMPONENT,
    /** {@link #loadLinks}; key: the component ids. */
    LINKS,
    /** {@link #loadProfile}; key: the profile id. */
    PROFILE,
    /** {@link #loadProfilesAfter}; key: the id the page starts after, or none. */
    PROFILES_AFTER,
    /** {@link #loadRedirect}; key: the merged-away id. */
    REDIRECT,
    /** {@link #loadRedirectsTo}; key: the target id. */
    REDIRECTS_TO,
    /** {@link #loadLedger}; key: the profile id. */
    LEDGER,
    /** {@link #loadMetadata}; key: the prefix. */
    METADATA,
    /** {@link #loadTombstones}; key: the hashes. */
    TOMBSTONES,
    /** {@link #loadAudit}; key: the seq the page starts after. */
    AUDIT,
    /** {@link #loadLastAuditSeq}; no key. */
    LAST_AUDIT_SEQ
  }

  /** A kind of write, as {@link #beforeWrite} is told; named after the method. */
  public enum Write {
    INSERT_EVENT, DELETE_EVENTS, PUT_NODE, DELETE_NODE, PUT_COMPONENT, DELETE_COMPONENT,
    ADD_LINK, MOVE_LINKS, DELETE_LINKS, PUT_PROFILE, DELETE_PROFILE, PUT_REDIRECT,
    DELETE_REDIRECT, APPEND_LEDGER, DELETE_LEDGER, PUT_METADATA, DELETE_METADATA, PUT_TOMBSTONE,
    APPEND_AUDIT
  }

  private final Map<String, StoredEvent> events = new LinkedHashMap<>();
  /** MessageIds whose committed events the commit deletes, before it inserts {@link #events}. */
  private final Set<String> deletedEvents = new LinkedHashSet<>();
  private final BufferedMap<Identifier, IdentityNode> nodes =
      new BufferedMap<>(this, id -> readCommitted(Read.NODE, id, () -> loadNode(id)));
  private final BufferedMap<String, ComponentRecord> components =
      new BufferedMap<>(this, id -> readCommitted(Read.COMPONENT, id, () -> loadComponent(id)));
  private final BufferedMap<ProfileId, ProfileRecord> profiles =
      new BufferedMap<>(this, id -> readCommitted(Read.PROFILE, id, () -> loadProfile(id)));
  private final BufferedMap<ProfileId, ProfileId> redirects =
      new BufferedMap<>(this, id -> readCommitted(Read.REDIRECT, id, () -> loadRedirect(id)));
  /**
   * New links; their component changes when a later {@link #moveLinks} moves it, and becomes
   * null when a later {@link #deleteLinks} deletes it.
   */
  private final List<PendingLink> links = new ArrayList<>();
  /** Moves (and deletions) of committed links, in order. */
  private final List<Changes.LinkMove> moves = new ArrayList<>();
  private final List<LedgerEntry> ledger = new ArrayList<>();
  /** Profiles whose committed ledger entries (on either side) the commit deletes, first. */
  private final Set<ProfileId> deletedLedger = new LinkedHashSet<>();
  private final BufferedMap<String, String> metadata = new BufferedMap<>(this);
  /** Tombstones to write: hash to the later of the committed and the new instant. */
  private final Map<String, Instant> tombstones = new LinkedHashMap<>();
  /** Audit entries appended, with their seq. */
  private final List<AuditEntry> audit = new ArrayList<>();
  /** The workspace's last committed audit seq, once read; -1 before. */
  private long auditBase = -1;

  private final List<Runnable> undo = new ArrayList<>();
  private boolean readOnly;
  private boolean committed;
  /** {@link #changes()}, until the next write or rollback. */
  private @Nullable Changes described;

  private static final class PendingLink {
    @Nullable String component;
    final Link link;

    PendingLink(String component, Link link) {
      this.component = component;
      this.link = link;
    }
  }

  /** A write transaction; see {@link #makeReadOnly}. */
  protected BufferedTransaction() {}

  // ------------------------------------------------------------------ what a store implements

  /** The committed event with this messageId. */
  protected abstract Optional<StoredEvent> loadEvent(String messageId);

  /** The committed events with these messageIds, in any order; those not stored left out. */
  protected abstract List<StoredEvent> loadEvents(Collection<String> messageIds);

  /**
   * Whether an event with this messageId is committed. The default reads the event; a store
   * may answer without reading it.
   */
  protected boolean loadEventStored(String messageId) {
    return loadEvent(messageId).isPresent();
  }

  /** The committed events anchored at any of these identifiers, in any order. */
  protected abstract List<StoredEvent> loadEventsByAnchors(Collection<Identifier> anchors);

  /**
   * The messageIds of the committed events anchored at these identifiers, in any order. The
   * default reads the events; a store may answer without reading them.
   */
  protected List<String> loadMessageIdsByAnchors(Collection<Identifier> anchors) {
    return loadEventsByAnchors(anchors).stream().map(StoredEvent::messageId).toList();
  }

  /** Committed events per counted name ({@link StoredEvent#countedName()}). */
  protected abstract Map<String, Long> loadEventNameCounts();

  /** The committed node of an identifier. */
  protected abstract Optional<IdentityNode> loadNode(Identifier identifier);

  /** The committed nodes whose profile is this one, in any order. */
  protected abstract List<IdentityNode> loadNodesOfProfile(ProfileId profile);

  /** The committed nodes of a component, in any order. */
  protected abstract List<IdentityNode> loadNodesOfComponent(String component);

  /** A committed component record. */
  protected abstract Optional<ComponentRecord> loadComponent(String id);

  /** The committed links of any of these components, in any order. */
  protected abstract List<Link> loadLinks(Collection<String> components);

  /** A committed profile. */
  protected abstract Optional<ProfileRecord> loadProfile(ProfileId id);

  /**
   * Up to {@code limit} committed profiles whose id sorts after {@code after} (from the first
   * when null), in id order.
   */
  protected abstract List<ProfileRecord> loadProfilesAfter(@Nullable ProfileId after, int limit);

  /** The committed redirect of a merged-away id. */
  protected abstract Optional<ProfileId> loadRedirect(ProfileId mergedAway);

  /** The merged-away ids whose committed redirects point at {@code to}, in any order. */
  protected abstract List<ProfileId> loadRedirectsTo(ProfileId to);

  /** The committed ledger entries that name this profile on either side, in append order. */
  protected abstract List<LedgerEntry> loadLedger(ProfileId profile);

  /** The committed metadata whose key starts with {@code prefix}. */
  protected abstract Map<String, String> loadMetadata(String prefix);

  /** The committed tombstones among these hashes; absent ones left out. */
  protected abstract Map<String, Instant> loadTombstones(Collection<String> hashes);

  /** Up to {@code limit} committed audit entries after {@code afterSeq}, in seq order. */
  protected abstract List<AuditEntry> loadAudit(long afterSeq, int limit);

  /** The seq of the workspace's last committed audit entry, 0 when none. */
  protected abstract long loadLastAuditSeq();

  /**
   * Writes everything the transaction wrote, as part of the store's commit (atomically with
   * it). Called once, by {@link #commit}, even when the changes are empty (a store's own
   * capabilities may have written).
   */
  protected abstract void write(Changes changes);

  // ------------------------------------------------------------------ hooks

  /**
   * Every read of committed rows goes through here: {@code read} performs it (a
   * {@code load...} method). The default returns what it reads. A store overrides it to answer
   * from a cache, to remember what the transaction read and check it at commit, or to take
   * locks; it may answer without calling {@code read}, with what {@code read} would return.
   *
   * @param kind which read
   * @param key what it reads (see {@link Read})
   */
  protected <T> T readCommitted(Read kind, @Nullable Object key, Supplier<T> read) {
    return read.get();
  }

  /**
   * Called by every write once its arguments are checked, before it is buffered. The default
   * does nothing; a store may throw to refuse the write.
   *
   * @param subject what is written: the event, node, record or key; the collection of
   *     messageIds for {@link Write#DELETE_EVENTS}
   */
  protected void beforeWrite(Write kind, Object subject) {}

  // ------------------------------------------------------------------ state

  /** Makes this the transaction of a read: every write, its capabilities' too, then throws. */
  protected final void makeReadOnly() {
    readOnly = true;
  }

  /** Whether this is the transaction of a read. */
  public final boolean isReadOnly() {
    return readOnly;
  }

  /**
   * Throws in a read transaction (and after commit): what a write would buffer would never be
   * written, so a write there is a mistake to report, not to lose silently. A store's
   * capabilities call it first in each write.
   *
   * @throws IllegalStateException in a read transaction, or once committed
   */
  public final void requireWritable() {
    checkWritable();
    described = null;
  }

  private void checkWritable() {
    if (readOnly) {
      throw new IllegalStateException("a read transaction cannot write");
    }
    if (committed) {
      throw new IllegalStateException("the transaction has committed");
    }
  }

  /**
   * Records how to undo a write that was just buffered: {@link #rollbackTo} runs it, in reverse
   * order of recording, when it returns to a savepoint made before. For a store's capabilities
   * that buffer their own records ({@link BufferedMap} does this itself).
   */
  public final void onRollback(Runnable undoAction) {
    undo.add(Objects.requireNonNull(undoAction, "undoAction"));
  }

  private record Mark(BufferedTransaction owner, int undoSize) implements Savepoint {}

  @Override
  public final Savepoint savepoint() {
    return new Mark(this, undo.size());
  }

  @Override
  public final void rollbackTo(Savepoint savepoint) {
    if (!(savepoint instanceof Mark m) || m.owner() != this) {
      throw new IllegalArgumentException("savepoint of another transaction");
    }
    if (m.undoSize() > undo.size()) {
      throw new IllegalStateException("savepoint already rolled back past");
    }
    described = null;
    while (undo.size() > m.undoSize()) {
      undo.remove(undo.size() - 1).run();
    }
  }

  private <T> void append(List<T> l, T item) {
    requireWritable();
    l.add(item);
    undo.add(() -> l.remove(l.size() - 1));
  }

  private <T> void add(Set<T> set, T item) {
    requireWritable();
    if (set.add(item)) {
      undo.add(() -> set.remove(item));
    }
  }

  private <K, V> void put(Map<K, V> m, K k, V v) {
    requireWritable();
    V prev = m.put(k, v);
    undo.add(() -> {
      if (prev == null) {
        m.remove(k);
      } else {
        m.put(k, prev);
      }
    });
  }

  private <K, V> void remove(Map<K, V> m, K k) {
    requireWritable();
    if (m.containsKey(k)) {
      V prev = m.remove(k);
      undo.add(() -> m.put(k, prev));
    }
  }

  /**
   * {@link MetadataStorage} and {@link PrivacyStorage}: this transaction. A store adds its
   * other capabilities by overriding this and asking it last.
   */
  @Override
  public <C> Optional<C> capability(Class<C> type) {
    Objects.requireNonNull(type, "type");
    if (type == MetadataStorage.class || type == PrivacyStorage.class) {
      return Optional.of(type.cast(this));
    }
    return Optional.empty();
  }

  // ------------------------------------------------------------------ commit

  /**
   * Everything this transaction has written so far: what {@link #commit} hands to
   * {@link #write}. The same value until the next write or rollback.
   */
  public final Changes changes() {
    Changes c = described;
    if (c == null) {
      Map<ProfileId, ProfileId> putRedirects = new LinkedHashMap<>();
      redirects.writes().forEach((from, to) -> to.ifPresent(t -> putRedirects.put(from, t)));
      Map<String, String> putMetadata = new LinkedHashMap<>();
      metadata.writes().forEach((k, v) -> v.ifPresent(x -> putMetadata.put(k, x)));
      List<Changes.NewLink> newLinks = new ArrayList<>(links.size());
      for (PendingLink l : links) {
        if (l.component != null) {
          newLinks.add(new Changes.NewLink(l.component, l.link));
        }
      }
      c = new Changes(List.copyOf(deletedEvents), List.copyOf(events.values()),
          nodes.puts(), nodes.deletions(), components.puts(), components.deletions(),
          profiles.puts(), profiles.deletions(), putRedirects, redirects.deletions(), moves,
          newLinks, List.copyOf(deletedLedger), ledger, putMetadata, metadata.deletions(),
          tombstones, audit);
      described = c;
    }
    return c;
  }

  /**
   * Hands everything written to {@link #write}; the store calls it as it commits. Afterwards
   * the transaction takes no more writes.
   *
   * @throws IllegalStateException in a read transaction, or when called twice
   */
  public final void commit() {
    checkWritable();
    Changes c = changes();
    committed = true;
    write(c);
  }

  /** Whether this transaction inserted the event with this messageId (and still holds it). */
  protected final boolean insertedEvent(String messageId) {
    return events.containsKey(messageId);
  }

  /** Whether this transaction wrote (or deleted) the node of this identifier. */
  protected final boolean wroteNode(Identifier identifier) {
    return nodes.wrote(identifier);
  }

  /** Whether this transaction wrote (or deleted) this profile. */
  protected final boolean wroteProfile(ProfileId id) {
    return profiles.wrote(id);
  }

  /** Whether this transaction wrote (or deleted) this component record. */
  protected final boolean wroteComponent(String id) {
    return components.wrote(id);
  }

  /**
   * The components whose committed links the transaction read or changed: those its link
   * moves and new links name. For a store that checks at commit what a writer read.
   */
  protected final Set<String> linkComponents() {
    Set<String> out = new HashSet<>();
    for (PendingLink l : links) {
      if (l.component != null) {
        out.add(l.component);
      }
    }
    for (Changes.LinkMove m : moves) {
      out.add(m.from());
      if (m.to() != null) {
        out.add(m.to());
      }
    }
    return out;
  }

  // ------------------------------------------------------------------ events

  @Override
  public Optional<StoredEvent> event(String messageId) {
    StoredEvent e = events.get(messageId);
    return e != null ? Optional.of(e) : deletedEvents.contains(messageId) ? Optional.empty()
        : readCommitted(Read.EVENT, messageId, () -> loadEvent(messageId));
  }

  @Override
  public Map<String, StoredEvent> events(Collection<String> messageIds) {
    List<String> unbuffered = new ArrayList<>();
    for (String m : messageIds) {
      if (!events.containsKey(m) && !deletedEvents.contains(m)) {
        unbuffered.add(m);
      }
    }
    Map<String, StoredEvent> read = new HashMap<>();
    for (StoredEvent e : readCommitted(Read.EVENTS, unbuffered, () -> loadEvents(unbuffered))) {
      read.put(e.messageId(), e);
    }
    Map<String, StoredEvent> out = new LinkedHashMap<>();
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
    Objects.requireNonNull(e, "event");
    beforeWrite(Write.INSERT_EVENT, e);
    if (events.containsKey(e.messageId())) {
      return false;
    }
    boolean stored = !deletedEvents.contains(e.messageId())
        && readCommitted(Read.EVENT_STORED, e.messageId(),
            () -> loadEventStored(e.messageId()));
    if (stored) {
      return false;
    }
    put(events, e.messageId(), e);
    return true;
  }

  @Override
  public List<StoredEvent> eventsByAnchors(Collection<Identifier> anchors) {
    List<StoredEvent> out = new ArrayList<>(
        readCommitted(Read.EVENTS_BY_ANCHORS, anchors, () -> loadEventsByAnchors(anchors)));
    if (!deletedEvents.isEmpty()) {
      out.removeIf(e -> deletedEvents.contains(e.messageId()));
    }
    out.addAll(ownEventsOf(anchors));
    out.sort(Comparator.comparing(StoredEvent::key));
    return out;
  }

  private List<StoredEvent> ownEventsOf(Collection<Identifier> anchors) {
    if (events.isEmpty()) {
      return List.of();
    }
    Set<Identifier> wanted = new HashSet<>(anchors);
    List<StoredEvent> out = new ArrayList<>();
    for (StoredEvent e : events.values()) {
      if (e.anchor() != null && wanted.contains(e.anchor())) {
        out.add(e);
      }
    }
    return out;
  }

  @Override
  public List<String> messageIdsByAnchors(Collection<Identifier> anchors) {
    Objects.requireNonNull(anchors, "anchors");
    Set<String> out = new LinkedHashSet<>(readCommitted(Read.MESSAGE_IDS_BY_ANCHORS, anchors,
        () -> loadMessageIdsByAnchors(anchors)));
    out.removeAll(deletedEvents);
    ownEventsOf(anchors).forEach(e -> out.add(e.messageId()));
    return List.copyOf(out);
  }

  @Override
  public Map<String, Long> eventNameCounts() {
    Map<String, Long> out = new TreeMap<>(
        readCommitted(Read.EVENT_NAME_COUNTS, null, this::loadEventNameCounts));
    // The counts are of the stored events: the deleted ones leave them with the commit.
    List<String> deleted = List.copyOf(deletedEvents);
    for (StoredEvent e : readCommitted(Read.EVENTS, deleted, () -> loadEvents(deleted))) {
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
    Set<String> ids = new LinkedHashSet<>();
    for (String m : messageIds) {
      ids.add(Objects.requireNonNull(m, "messageId"));
    }
    beforeWrite(Write.DELETE_EVENTS, ids);
    for (String m : ids) {
      remove(events, m);
      add(deletedEvents, m);
    }
  }

  /**
   * A keyed write: checked ({@link #requireWritable}, then {@link #beforeWrite} with
   * {@code subject}), then buffered as a put of {@code value} or, when null, a deletion.
   */
  private <K, V> void buffer(BufferedMap<K, V> map, Write kind, Object subject, K key,
      @Nullable V value) {
    requireWritable();
    Objects.requireNonNull(key, "key");
    beforeWrite(kind, subject);
    if (value == null) {
      map.delete(key);
    } else {
      map.put(key, value);
    }
  }

  // ------------------------------------------------------------------ nodes

  @Override
  public Optional<IdentityNode> node(Identifier id) {
    return nodes.get(id);
  }

  @Override
  public List<IdentityNode> nodesOfProfile(ProfileId profile) {
    return List.copyOf(nodes.overlay(
        readCommitted(Read.NODES_OF_PROFILE, profile, () -> loadNodesOfProfile(profile)),
        IdentityNode::identifier, n -> n.profile().equals(profile)));
  }

  @Override
  public List<IdentityNode> nodesOfComponent(String component) {
    return List.copyOf(nodes.overlay(
        readCommitted(Read.NODES_OF_COMPONENT, component, () -> loadNodesOfComponent(component)),
        IdentityNode::identifier, n -> n.component().equals(component)));
  }

  @Override
  public void putNode(IdentityNode node) {
    buffer(nodes, Write.PUT_NODE, node, node.identifier(), node);
  }

  @Override
  public void deleteNode(Identifier identifier) {
    buffer(nodes, Write.DELETE_NODE, identifier, identifier, null);
  }

  // ------------------------------------------------------------------ components and links

  @Override
  public Optional<ComponentRecord> component(String id) {
    return components.get(id);
  }

  @Override
  public void putComponent(ComponentRecord component) {
    buffer(components, Write.PUT_COMPONENT, component, component.id(), component);
  }

  @Override
  public void deleteComponent(String id) {
    buffer(components, Write.DELETE_COMPONENT, id, id, null);
  }

  @Override
  public List<Link> links(String component) {
    // The committed links that the pending moves bring to this component: walk the moves
    // backwards from {component} to the set of components they came from.
    Set<String> sources = new HashSet<>(Set.of(component));
    for (int i = moves.size() - 1; i >= 0; i--) {
      Changes.LinkMove m = moves.get(i);
      boolean lands = m.to() != null && sources.contains(m.to());
      sources.remove(m.from());
      if (lands) {
        sources.add(m.from());
      }
    }
    List<Link> out = new ArrayList<>(readCommitted(Read.LINKS, sources, () -> loadLinks(sources)));
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
    Objects.requireNonNull(component, "component");
    Objects.requireNonNull(link, "link");
    beforeWrite(Write.ADD_LINK, link);
    append(links, new PendingLink(component, link));
  }

  @Override
  public void moveLinks(String from, String to) {
    requireWritable();
    Objects.requireNonNull(to, "to");
    beforeWrite(Write.MOVE_LINKS, from);
    if (from.equals(to)) {
      return;
    }
    relink(from, to);
  }

  @Override
  public void deleteLinks(String component) {
    requireWritable();
    Objects.requireNonNull(component, "component");
    beforeWrite(Write.DELETE_LINKS, component);
    relink(component, null);
  }

  /** Moves (to null: deletes) the committed links of {@code from} and the new ones there. */
  private void relink(String from, @Nullable String to) {
    append(moves, new Changes.LinkMove(from, to));
    for (PendingLink l : links) {
      if (from.equals(l.component)) {
        l.component = to;
        undo.add(() -> l.component = from);
      }
    }
  }

  // ------------------------------------------------------------------ profiles

  @Override
  public Optional<ProfileRecord> profile(ProfileId id) {
    return profiles.get(id);
  }

  @Override
  public void putProfile(ProfileRecord profile) {
    buffer(profiles, Write.PUT_PROFILE, profile, profile.id(), profile);
  }

  @Override
  public void deleteProfile(ProfileId id) {
    buffer(profiles, Write.DELETE_PROFILE, id, id, null);
  }

  @Override
  public List<ProfileRecord> profilesAfter(@Nullable ProfileId after, int limit) {
    return profiles.page(limit, Comparator.comparing(ProfileRecord::id), ProfileRecord::id,
        r -> after == null || r.id().compareTo(after) > 0,
        (last, n) -> {
          ProfileId from = last != null ? last.id() : after;
          return readCommitted(Read.PROFILES_AFTER, from, () -> loadProfilesAfter(from, n));
        });
  }

  @Override
  public Optional<ProfileId> redirect(ProfileId mergedAway) {
    return redirects.get(mergedAway);
  }

  @Override
  public void putRedirect(ProfileId from, ProfileId to) {
    Objects.requireNonNull(to, "to");
    buffer(redirects, Write.PUT_REDIRECT, from, from, to);
  }

  @Override
  public void deleteRedirect(ProfileId from) {
    buffer(redirects, Write.DELETE_REDIRECT, from, from, null);
  }

  @Override
  public List<ProfileId> redirectsTo(ProfileId to) {
    Objects.requireNonNull(to, "to");
    TreeSet<ProfileId> out = new TreeSet<>();
    for (ProfileId from : readCommitted(Read.REDIRECTS_TO, to, () -> loadRedirectsTo(to))) {
      if (!redirects.wrote(from)) {
        out.add(from);
      }
    }
    redirects.writes().forEach((from, w) -> {
      if (w.isPresent() && w.get().equals(to)) {
        out.add(from);
      }
    });
    return List.copyOf(out);
  }

  // ------------------------------------------------------------------ ledger

  @Override
  public List<LedgerEntry> ledger(ProfileId profile) {
    List<LedgerEntry> out =
        new ArrayList<>(readCommitted(Read.LEDGER, profile, () -> loadLedger(profile)));
    if (!deletedLedger.isEmpty()) {
      out.removeIf(e -> deletedLedger.contains(e.profile()) || deletedLedger.contains(e.other()));
    }
    for (LedgerEntry e : ledger) {
      if (names(e, profile)) {
        out.add(e);
      }
    }
    return out;
  }

  private static boolean names(LedgerEntry e, ProfileId profile) {
    return e.profile().equals(profile) || profile.equals(e.other());
  }

  @Override
  public void appendLedger(LedgerEntry entry) {
    requireWritable();
    Objects.requireNonNull(entry, "entry");
    beforeWrite(Write.APPEND_LEDGER, entry);
    append(ledger, entry);
  }

  @Override
  public void deleteLedger(ProfileId profile) {
    requireWritable();
    Objects.requireNonNull(profile, "profile");
    beforeWrite(Write.DELETE_LEDGER, profile);
    add(deletedLedger, profile);
    for (int i = ledger.size() - 1; i >= 0; i--) {
      LedgerEntry e = ledger.get(i);
      if (names(e, profile)) {
        int at = i;
        ledger.remove(at);
        undo.add(() -> ledger.add(at, e));
      }
    }
  }

  // ------------------------------------------------------------------ metadata

  @Override
  public Map<String, String> metadata(String prefix) {
    Objects.requireNonNull(prefix, "prefix");
    TreeMap<String, String> out =
        new TreeMap<>(readCommitted(Read.METADATA, prefix, () -> loadMetadata(prefix)));
    metadata.writes().forEach((k, v) -> {
      if (k.startsWith(prefix)) {
        if (v.isPresent()) {
          out.put(k, v.get());
        } else {
          out.remove(k);
        }
      }
    });
    return Collections.unmodifiableSortedMap(out);
  }

  @Override
  public void putMetadata(String key, String value) {
    requireWritable();
    MetadataStorage.check(key, value);
    beforeWrite(Write.PUT_METADATA, key);
    metadata.put(key, value);
  }

  @Override
  public void deleteMetadata(String key) {
    requireWritable();
    Objects.requireNonNull(key, "key");
    beforeWrite(Write.DELETE_METADATA, key);
    if (!key.isEmpty() && key.length() <= MetadataStorage.MAX_KEY_LENGTH) {
      metadata.delete(key);
    }
  }

  // ------------------------------------------------------------------ tombstones

  @Override
  public Map<String, Instant> tombstones(Collection<String> hashes) {
    Map<String, Instant> out = new HashMap<>();
    List<String> unbuffered = new ArrayList<>();
    for (String h : new LinkedHashSet<>(hashes)) {
      Objects.requireNonNull(h, "hash");
      Instant own = tombstones.get(h);
      if (own != null) {
        out.put(h, own);
      } else {
        unbuffered.add(h);
      }
    }
    if (!unbuffered.isEmpty()) {
      out.putAll(readCommitted(Read.TOMBSTONES, unbuffered, () -> loadTombstones(unbuffered)));
    }
    return out;
  }

  @Override
  public void putTombstone(String hash, Instant erasedAt) {
    requireWritable();
    PrivacyStorage.checkTombstone(hash, erasedAt);
    beforeWrite(Write.PUT_TOMBSTONE, hash);
    // The committed instant must hold until the commit (a store runs erasures alone, or
    // checks): the later of the two is decided here and written as it is.
    Instant current = tombstones(List.of(hash)).get(hash);
    if (current == null || erasedAt.isAfter(current)) {
      put(tombstones, hash, erasedAt);
    }
  }

  // ------------------------------------------------------------------ audit log

  @Override
  public List<AuditEntry> audit(long afterSeq, int limit) {
    BufferedMap.checkLimit(limit);
    if (afterSeq < 0) {
      throw new IllegalArgumentException("afterSeq must not be negative, was " + afterSeq);
    }
    List<AuditEntry> out = new ArrayList<>(
        readCommitted(Read.AUDIT, afterSeq, () -> loadAudit(afterSeq, limit)));
    // This transaction's entries number after every committed one.
    for (AuditEntry e : audit) {
      if (out.size() < limit && e.seq() > afterSeq) {
        out.add(e);
      }
    }
    return List.copyOf(out);
  }

  /**
   * Numbers the entry after the workspace's last committed one (read once per transaction; the
   * store must keep other writers of the workspace from appending until this one ends) and this
   * transaction's earlier ones, so seqs increase in commit order without gaps.
   */
  @Override
  public long appendAudit(AuditEntry entry) {
    requireWritable();
    Objects.requireNonNull(entry, "entry");
    beforeWrite(Write.APPEND_AUDIT, entry);
    if (auditBase < 0) {
      auditBase = readCommitted(Read.LAST_AUDIT_SEQ, null, this::loadLastAuditSeq);
    }
    long seq = auditBase + audit.size() + 1;
    append(audit, entry.withSeq(seq));
    return seq;
  }
}
