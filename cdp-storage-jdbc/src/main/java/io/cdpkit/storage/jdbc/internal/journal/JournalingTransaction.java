package io.cdpkit.storage.jdbc.internal.journal;

import static io.cdpkit.storage.jdbc.internal.journal.JournalCodec.ADD_LINK;
import static io.cdpkit.storage.jdbc.internal.journal.JournalCodec.APPEND_AUDIT;
import static io.cdpkit.storage.jdbc.internal.journal.JournalCodec.APPEND_LEDGER;
import static io.cdpkit.storage.jdbc.internal.journal.JournalCodec.DELETE_COMPONENT;
import static io.cdpkit.storage.jdbc.internal.journal.JournalCodec.DELETE_EVENTS;
import static io.cdpkit.storage.jdbc.internal.journal.JournalCodec.DELETE_LEDGER;
import static io.cdpkit.storage.jdbc.internal.journal.JournalCodec.DELETE_LINKS;
import static io.cdpkit.storage.jdbc.internal.journal.JournalCodec.DELETE_METADATA;
import static io.cdpkit.storage.jdbc.internal.journal.JournalCodec.DELETE_NODE;
import static io.cdpkit.storage.jdbc.internal.journal.JournalCodec.DELETE_PROFILE;
import static io.cdpkit.storage.jdbc.internal.journal.JournalCodec.DELETE_REDIRECT;
import static io.cdpkit.storage.jdbc.internal.journal.JournalCodec.INSERT_EVENT;
import static io.cdpkit.storage.jdbc.internal.journal.JournalCodec.MOVE_LINKS;
import static io.cdpkit.storage.jdbc.internal.journal.JournalCodec.PUT_COMPONENT;
import static io.cdpkit.storage.jdbc.internal.journal.JournalCodec.PUT_METADATA;
import static io.cdpkit.storage.jdbc.internal.journal.JournalCodec.PUT_NODE;
import static io.cdpkit.storage.jdbc.internal.journal.JournalCodec.PUT_PROFILE;
import static io.cdpkit.storage.jdbc.internal.journal.JournalCodec.PUT_REDIRECT;
import static io.cdpkit.storage.jdbc.internal.journal.JournalCodec.PUT_TOMBSTONE;

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
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * A write transaction that forwards every call to another one and records every write that
 * returned normally, so that what the transaction wrote can be kept as one journal body
 * ({@link #encode}) and applied again to another store ({@link JournalCodec#replay}).
 *
 * <p>Reads forward unchanged. The core's {@link MetadataStorage} and {@link PrivacyStorage},
 * segmentation's {@code SegmentStorage} and activation's {@code OutboxStorage} are the inner
 * transaction's, wrapped so that their writes are recorded too; any other capability is the
 * inner transaction's, unwrapped. The optional modules' capabilities are recognised by name
 * before any of their classes is touched, and wrapped by classes ({@link JournalingSegments},
 * {@link JournalingOutbox}) that are loaded only then, so a host without those modules never
 * loads them. A savepoint is the inner one plus the number of ops recorded; rolling back to it
 * drops the ops recorded since.
 *
 * <pre>{@code
 * byte[] body = store.write(ws, tx -> {
 *   JournalingTransaction j = new JournalingTransaction(tx);
 *   work.apply(j);
 *   return j.encode();
 * });
 * }</pre>
 *
 * <p>Not thread-safe, like the transaction it wraps.
 */
public final class JournalingTransaction implements WriteTransaction {
  /** The capabilities of cdp-segmentation and cdp-activation-spi, by name: see the class doc. */
  static final String SEGMENT_STORAGE = "io.cdpkit.segmentation.spi.storage.SegmentStorage";
  static final String OUTBOX_STORAGE = "io.cdpkit.activation.spi.storage.OutboxStorage";

  private final WriteTransaction inner;
  /** The writes recorded, in order; truncated by {@link #rollbackTo}. */
  private final ArrayList<Op> ops = new ArrayList<>(256);
  /**
   * Each profile this transaction put, as the inner transaction held it before the first put
   * (null: none), against which its orders are encoded as a patch. Kept across rollbacks: the
   * first put comes before any savepoint it could be rolled back to, so the value it saw is the
   * one before the transaction.
   */
  private @Nullable HashMap<ProfileId, @Nullable ProfileRecord> profileBases;
  /** Profiles this transaction deleted (not forgotten on rollbacks): later puts are whole. */
  private @Nullable HashSet<ProfileId> deletedProfiles;
  /** The index in {@link #ops} of the first op that erases, or -1. */
  private int firstErasing = -1;

  /** The wrapped capabilities, made when first asked for. */
  private @Nullable MetadataStorage metadata;
  private @Nullable PrivacyStorage privacy;
  private @Nullable Object segments;
  private @Nullable Object outbox;

  /** Ops after which {@link #spill} takes them as a body; 0: never. */
  private final int spillAfter;
  private final java.util.function.@Nullable Consumer<byte[]> spill;

  public JournalingTransaction(WriteTransaction inner) {
    this.inner = Objects.requireNonNull(inner, "inner");
    this.spillAfter = 0;
    this.spill = null;
  }

  /**
   * A journaling transaction that hands its ops to {@code spill} as a body each time
   * {@code spillAfter} of them were recorded (and keeps none of them): for copies that write
   * many records and no savepoints. {@link #encode} then gives the rest.
   */
  public JournalingTransaction(WriteTransaction inner, int spillAfter,
      java.util.function.Consumer<byte[]> spill) {
    this.inner = Objects.requireNonNull(inner, "inner");
    if (spillAfter < 1) {
      throw new IllegalArgumentException("spillAfter must be positive");
    }
    this.spillAfter = spillAfter;
    this.spill = Objects.requireNonNull(spill, "spill");
  }

  /** Records a write that returned normally. */
  void record(int code, Object a, @Nullable Object b, @Nullable Object key) {
    ops.add(new Op(code, a, b, key));
    if (spill != null && ops.size() >= spillAfter) {
      spill.accept(JournalCodec.encode(ops));
      ops.clear();
    }
  }

  /** Records a write that erases (see {@link #erases}). */
  private void recordErasing(int code, Object a, @Nullable Object b, @Nullable Object key) {
    if (firstErasing < 0) {
      firstErasing = ops.size();
    }
    record(code, a, b, key);
  }

  /** Whether nothing is recorded (after rollbacks). */
  public boolean isEmpty() {
    return ops.isEmpty();
  }

  /**
   * Whether a recorded op erases personal data: a tombstone, a delete of the privacy capability
   * ({@code deleteEvents}, {@code deleteNode}, {@code deleteLinks}, {@code deleteRedirect},
   * {@code deleteLedger}). A store then makes the erasure reach its tables at once.
   */
  public boolean erases() {
    return firstErasing >= 0;
  }

  /**
   * The recorded ops as one journal body (see {@link JournalCodec} for the format). A put of a
   * profile, node, component, membership, scheduled check or metadata value that a later op of
   * this transaction overwrites or deletes (same key) is left out: the state after replay is
   * the same.
   */
  public byte[] encode() {
    return JournalCodec.encode(ops);
  }

  // ------------------------------------------------------------------ capabilities

  @Override
  public <C> Optional<C> capability(Class<C> type) {
    Objects.requireNonNull(type, "type");
    Object c;
    if (type == MetadataStorage.class) {
      if (metadata == null) {
        metadata = inner.capability(MetadataStorage.class).map(Metadata::new).orElse(null);
      }
      c = metadata;
    } else if (type == PrivacyStorage.class) {
      if (privacy == null) {
        privacy = inner.capability(PrivacyStorage.class).map(Privacy::new).orElse(null);
      }
      c = privacy;
    } else if (type.getName().equals(SEGMENT_STORAGE)) {
      if (segments == null) {
        Object found = inner.capability(type).orElse(null);
        segments = found == null ? null : JournalingSegments.wrap(found, this);
      }
      c = segments;
    } else if (type.getName().equals(OUTBOX_STORAGE)) {
      if (outbox == null) {
        Object found = inner.capability(type).orElse(null);
        outbox = found == null ? null : JournalingOutbox.wrap(found, this);
      }
      c = outbox;
    } else {
      return inner.capability(type);
    }
    return c == null || !type.isInstance(c) ? Optional.empty() : Optional.of(type.cast(c));
  }

  // ------------------------------------------------------------------ reads

  @Override
  public Optional<StoredEvent> event(String messageId) {
    return inner.event(messageId);
  }

  @Override
  public List<StoredEvent> eventsByAnchors(Collection<Identifier> anchors) {
    return inner.eventsByAnchors(anchors);
  }

  @Override
  public Map<String, StoredEvent> events(Collection<String> messageIds) {
    return inner.events(messageIds);
  }

  @Override
  public Optional<IdentityNode> node(Identifier identifier) {
    return inner.node(identifier);
  }

  @Override
  public List<IdentityNode> nodesOfProfile(ProfileId profile) {
    return inner.nodesOfProfile(profile);
  }

  @Override
  public List<IdentityNode> nodesOfComponent(String component) {
    return inner.nodesOfComponent(component);
  }

  @Override
  public Optional<ComponentRecord> component(String id) {
    return inner.component(id);
  }

  @Override
  public List<Link> links(String component) {
    return inner.links(component);
  }

  @Override
  public Optional<ProfileRecord> profile(ProfileId id) {
    return inner.profile(id);
  }

  @Override
  public Optional<ProfileId> redirect(ProfileId mergedAway) {
    return inner.redirect(mergedAway);
  }

  @Override
  public List<LedgerEntry> ledger(ProfileId profile) {
    return inner.ledger(profile);
  }

  @Override
  public Map<String, Long> eventNameCounts() {
    return inner.eventNameCounts();
  }

  @Override
  public List<ProfileRecord> profilesAfter(@Nullable ProfileId after, int limit) {
    return inner.profilesAfter(after, limit);
  }

  @Override
  public List<ProfileId> redirectsTo(ProfileId to) {
    return inner.redirectsTo(to);
  }

  // ------------------------------------------------------------------ writes

  @Override
  public void prefetch(Collection<String> messageIds, Collection<Identifier> identifiers) {
    inner.prefetch(messageIds, identifiers);
  }

  @Override
  public boolean insertEvent(StoredEvent event) {
    boolean stored = inner.insertEvent(event);
    if (stored) {
      record(INSERT_EVENT, event, null, null);
    }
    return stored;
  }

  @Override
  public void putNode(IdentityNode node) {
    inner.putNode(node);
    record(PUT_NODE, node, null, node.identifier());
  }

  @Override
  public void putComponent(ComponentRecord component) {
    inner.putComponent(component);
    record(PUT_COMPONENT, component, null, component.id());
  }

  @Override
  public void deleteComponent(String id) {
    inner.deleteComponent(id);
    record(DELETE_COMPONENT, id, null, id);
  }

  @Override
  public void addLink(String component, Link link) {
    inner.addLink(component, link);
    record(ADD_LINK, component, link, null);
  }

  @Override
  public void moveLinks(String from, String to) {
    inner.moveLinks(from, to);
    record(MOVE_LINKS, from, to, null);
  }

  @Override
  public void putProfile(ProfileRecord profile) {
    ProfileRecord base = profileBase(profile.id());
    inner.putProfile(profile);
    record(PUT_PROFILE, profile, base, profile.id());
  }

  @Override
  public void deleteProfile(ProfileId id) {
    inner.deleteProfile(id);
    if (deletedProfiles == null) {
      deletedProfiles = new HashSet<>();
    }
    deletedProfiles.add(id);
    record(DELETE_PROFILE, id, null, id);
  }

  /**
   * The profile a put of {@code id} is encoded against ({@link JournalCodec#PATCH_PROFILE}):
   * what the inner transaction held before this transaction first put it, or null, for a whole
   * record, when it held none, when this transaction deleted the profile (the body replays the
   * delete before the put), or when this transaction spills (a copy: its bodies rebuild a store
   * from nothing).
   */
  private @Nullable ProfileRecord profileBase(ProfileId id) {
    if (spill != null || (deletedProfiles != null && deletedProfiles.contains(id))) {
      return null;
    }
    if (profileBases == null) {
      profileBases = new HashMap<>();
    } else if (profileBases.containsKey(id)) {
      return profileBases.get(id);
    }
    ProfileRecord base = inner.profile(id).orElse(null);
    profileBases.put(id, base);
    return base;
  }

  @Override
  public void putRedirect(ProfileId from, ProfileId to) {
    inner.putRedirect(from, to);
    record(PUT_REDIRECT, from, to, null);
  }

  @Override
  public void appendLedger(LedgerEntry entry) {
    inner.appendLedger(entry);
    record(APPEND_LEDGER, entry, null, null);
  }

  /** The inner savepoint and how many ops were recorded then. */
  private record Mark(Savepoint inner, int ops, JournalingTransaction owner)
      implements Savepoint {}

  @Override
  public Savepoint savepoint() {
    if (spill != null) {
      throw new UnsupportedOperationException("a spilling journal has no savepoints");
    }
    return new Mark(inner.savepoint(), ops.size(), this);
  }

  /**
   * {@inheritDoc}
   *
   * @throws IllegalArgumentException when the savepoint is not one of this transaction
   */
  @Override
  public void rollbackTo(Savepoint savepoint) {
    if (!(savepoint instanceof Mark m) || m.owner != this) {
      throw new IllegalArgumentException("savepoint is not one of this transaction");
    }
    inner.rollbackTo(m.inner);
    if (m.ops < ops.size()) {
      ops.subList(m.ops, ops.size()).clear();
      if (firstErasing >= m.ops) {
        firstErasing = -1;
      }
    }
  }

  @Override
  public RuntimeException inconsistentRead(String what) {
    return inner.inconsistentRead(what);
  }

  // ------------------------------------------------------------------ core capabilities

  /** The inner metadata capability, its writes recorded. */
  private final class Metadata implements MetadataStorage {
    private final MetadataStorage m;

    Metadata(MetadataStorage m) {
      this.m = m;
    }

    @Override
    public Map<String, String> metadata(String prefix) {
      return m.metadata(prefix);
    }

    @Override
    public void putMetadata(String key, String value) {
      m.putMetadata(key, value);
      record(PUT_METADATA, key, value, key);
    }

    @Override
    public void deleteMetadata(String key) {
      m.deleteMetadata(key);
      record(DELETE_METADATA, key, null, key);
    }
  }

  /** The inner privacy capability, its writes recorded. */
  private final class Privacy implements PrivacyStorage {
    private final PrivacyStorage p;

    Privacy(PrivacyStorage p) {
      this.p = p;
    }

    @Override
    public Map<String, Instant> tombstones(Collection<String> hashes) {
      return p.tombstones(hashes);
    }

    @Override
    public void putTombstone(String hash, Instant erasedAt) {
      p.putTombstone(hash, erasedAt);
      recordErasing(PUT_TOMBSTONE, hash, erasedAt, null);
    }

    @Override
    public List<AuditEntry> audit(long afterSeq, int limit) {
      return p.audit(afterSeq, limit);
    }

    @Override
    public long appendAudit(AuditEntry entry) {
      long seq = p.appendAudit(entry);
      record(APPEND_AUDIT, entry, null, null);
      return seq;
    }

    @Override
    public List<String> messageIdsByAnchors(Collection<Identifier> anchors) {
      return p.messageIdsByAnchors(anchors);
    }

    @Override
    public void deleteEvents(Collection<String> messageIds) {
      List<String> copy = List.copyOf(messageIds);
      p.deleteEvents(copy);
      recordErasing(DELETE_EVENTS, copy, null, null);
    }

    @Override
    public void deleteNode(Identifier identifier) {
      p.deleteNode(identifier);
      recordErasing(DELETE_NODE, identifier, null, identifier);
    }

    @Override
    public void deleteLinks(String component) {
      p.deleteLinks(component);
      recordErasing(DELETE_LINKS, component, null, null);
    }

    @Override
    public void deleteRedirect(ProfileId from) {
      p.deleteRedirect(from);
      recordErasing(DELETE_REDIRECT, from, null, null);
    }

    @Override
    public void deleteLedger(ProfileId profile) {
      p.deleteLedger(profile);
      recordErasing(DELETE_LEDGER, profile, null, null);
    }
  }
}
