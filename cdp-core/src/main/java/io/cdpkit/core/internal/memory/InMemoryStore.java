package io.cdpkit.core.internal.memory;

import io.cdpkit.core.model.EventKey;
import io.cdpkit.core.model.Identifier;
import io.cdpkit.core.model.IdentifierType;
import io.cdpkit.core.model.LedgerEntry;
import io.cdpkit.core.model.ProfileId;
import io.cdpkit.core.model.ProfileState;
import io.cdpkit.core.model.WorkspaceId;
import io.cdpkit.core.spi.storage.AuditEntry;
import io.cdpkit.core.spi.storage.ComponentRecord;
import io.cdpkit.core.spi.storage.IdentityNode;
import io.cdpkit.core.spi.storage.MetadataStorage;
import io.cdpkit.core.spi.storage.PrivacyStorage;
import io.cdpkit.core.spi.storage.memory.MemoryCapabilityProvider;
import io.cdpkit.core.spi.storage.memory.MemoryTransaction;
import io.cdpkit.core.spi.storage.memory.WorkspaceCopy;
import io.cdpkit.core.spi.storage.Link;
import io.cdpkit.core.spi.storage.ProfileRecord;
import io.cdpkit.core.spi.storage.ReadTransaction;
import io.cdpkit.core.spi.storage.Savepoint;
import io.cdpkit.core.spi.storage.Store;
import io.cdpkit.core.spi.storage.StoredEvent;
import io.cdpkit.core.spi.storage.WriteTransaction;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.Function;
import java.util.function.IntUnaryOperator;
import org.jspecify.annotations.Nullable;

/**
 * The reference store: plain maps per workspace behind a read/write lock. Writers of one
 * workspace run one at a time and write in place while keeping an undo log, so a transaction that
 * throws, or a rollback to a savepoint, restores exactly what was there; readers wait for the
 * writer and so never see half a transaction.
 *
 * <p>Besides the engine's records it keeps metadata ({@link MetadataStorage}) and the privacy
 * records ({@link PrivacyStorage}), which its transactions answer {@link #capability} for
 * themselves. The records a module owns (segment memberships, the outbox) it keeps only when
 * that module is on the class path: a {@link MemoryCapabilityProvider} the module registers gives
 * the capability over a state object the store keeps per workspace, under the workspace's lock
 * and undo log like everything else. A capability's writes in a read transaction throw
 * {@link IllegalStateException}.
 *
 * <p>Its transactions also answer {@link WorkspaceCopy}: everything the workspace holds, written
 * into another store's write transaction by a scan of the structures below (each provider's
 * records through {@link MemoryCapabilityProvider#copy}).
 *
 * <p>Events are kept in a compact form of the store's own ({@link PackedEvents}: about 90 bytes
 * for a typical web event, one after the other in shared byte chunks) and read back into equal
 * objects on each read, so the store holds no object of the caller's event and each read returns
 * a fresh copy.
 * Their indexes ({@link EventTable}) are arrays of slot numbers, not maps of objects. What the
 * store keeps per identifier, per profile and per component sits in one {@link SlotMap} entry
 * each (an identifier's node and its events' chain; a profile's record and its identifiers; a
 * component's record, identifiers and links), not in one hash map entry per map. A node is kept
 * as the slots of its profile and component and made on each read; profile and component ids
 * that are UUIDs are kept as their bits ({@link CompactIds}), two {@code long}s in their map's
 * own arrays (no object per id); identifiers whose value is a canonical UUID are kept as their
 * type and bits (an identifier is made again on each read, and any other value keeps its exact
 * text); a profile is kept as its state, identifier counts
 * and version, and its {@link ProfileRecord} made on each read (so the store keeps no
 * {@link ProfileId} per profile); a component without links and rules is kept as a mark, one
 * without rules as its latest link's time and messageId (a UUID as its bits); a
 * component's links are packed into one byte array ({@link PackedLinks}) and made again on each
 * read; a profile's or a component's identifiers are the lone identifier or a small array
 * ({@link IdGroups}); the profile ids' keys are in a sorted array for scans
 * ({@link SortedKeys}). The profiles are counted as they are put and deleted
 * ({@link ReadTransaction#profileCount}). The other records (profile states, the ledger, ...)
 * are immutable values and are kept as given.
 *
 * <p>Thread-safe. Workspaces do not share locks.
 */
public final class InMemoryStore implements Store {
  private final ConcurrentHashMap<WorkspaceId, Data> workspaces = new ConcurrentHashMap<>();
  /** The capabilities modules give this store (see {@link MemoryCapabilityProvider}). */
  private final List<MemoryCapabilityProvider> providers;

  public InMemoryStore() {
    List<MemoryCapabilityProvider> found = new ArrayList<>();
    java.util.ServiceLoader.load(MemoryCapabilityProvider.class,
        InMemoryStore.class.getClassLoader()).forEach(found::add);
    this.providers = List.copyOf(found);
  }

  @Override
  public <C> Optional<C> capability(Class<C> type) {
    Objects.requireNonNull(type, "type");
    for (MemoryCapabilityProvider p : providers) {
      Optional<C> c = p.openStore(type, ws -> data(ws).state(p));
      if (c.isPresent()) {
        return c;
      }
    }
    return Optional.empty();
  }

  @Override
  public <T> T write(WorkspaceId workspace, Function<? super WriteTransaction, ? extends T> work) {
    Data d = data(workspace);
    d.lock.writeLock().lock();
    try {
      Tx tx = new Tx(d, true);
      try {
        T result = work.apply(tx);
        tx.undo.clear();
        return result;
      } catch (RuntimeException | Error e) {
        tx.rollbackTo(0);
        throw e;
      } finally {
        tx.end();
      }
    } finally {
      d.lock.writeLock().unlock();
    }
  }

  @Override
  public <T> T read(WorkspaceId workspace, Function<? super ReadTransaction, ? extends T> work) {
    Data d = data(workspace);
    d.lock.readLock().lock();
    try {
      Tx tx = new Tx(d, false);
      try {
        return work.apply(tx);
      } finally {
        tx.end();
      }
    } finally {
      d.lock.readLock().unlock();
    }
  }

  private Data data(WorkspaceId ws) {
    return workspaces.computeIfAbsent(ws, w -> new Data());
  }

  /** The {@code int} columns of {@link Data#identifiers} (the first is {@link EventTable}'s). */
  private static final int NODE_PROFILE = 1;
  private static final int NODE_COMPONENT = 2;
  /** Columns of {@link Data#profiles} and {@link Data#components}. */
  private static final int RECORD = 0;
  private static final int GROUP = 1;
  private static final int LINKS = 2;
  /** The column of {@link Data#profiles} that holds a profile's identifier counts. */
  private static final int COUNTS = 2;
  private static final int NONE = SlotMap.NONE;
  /** A component record without links and rules, kept in place of the record itself. */
  private static final Object BARE_COMPONENT = new Object();

  /**
   * A component record without rules but with a latest link, kept in place of the record: the
   * link's time and its messageId, a UUID as its bits ({@code messageId} {@code null}), else as
   * the string: 48 bytes instead of about 230 for the record with its id, key, instant and
   * strings.
   */
  private record LinkedComponent(long seconds, int nanos, long hi, long lo,
      @Nullable String messageId) {}

  /** One workspace's data. Every field is guarded by {@link #lock}. */
  private static final class Data {
    final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();
    /**
     * Per identifier: in its {@code int} columns, the newest event anchored at it (the first,
     * {@link EventTable}'s) and its node's profile and component as their slots in
     * {@link #profiles} and {@link #components} ({@link #NODE_PROFILE}, {@link #NODE_COMPONENT};
     * both {@link SlotMap#NONE} when it has no node). A node is in its profile's and its
     * component's group ({@link #nodesByProfile}, {@link #nodesByComponent}), which keeps those
     * slots in use while the node refers to them.
     */
    final SlotMap<Object> identifiers = new SlotMap<>(0, 3, false, false);
    /**
     * The keys of {@link #identifiers}: an identifier whose value is a canonical UUID is kept as
     * its type and bits ({@link CompactIds#key(Identifier)}), and made again on each read.
     */
    final IdentifierKeys idKeys = new IdentifierKeys();
    /** The events, packed: the store keeps none of the caller's objects. */
    final EventTable events = new EventTable(identifiers, idKeys);
    final HashMap<String, Long> nameCounts = new HashMap<>();
    /**
     * Per profile id (its {@link CompactIds#key}; a UUID's bits as two {@code long}s in the
     * map's arrays): its record's state ({@link #RECORD}), identifier counts ({@link #COUNTS})
     * and version (the {@code int} column), and its nodes' identifiers ({@link #GROUP}). The
     * {@link ProfileRecord} and its {@link ProfileId} are made on each read. A record whose
     * version does not fit an {@code int} is kept whole in the state's column. Freed slots are
     * held until {@link #profileOrder} has dropped them.
     */
    final SlotMap<Object> profiles = new SlotMap<>(3, 1, true, true);
    /** Profiles present (with a record), for {@link ReadTransaction#profileCount}. */
    long profileCount;
    /** The profile id made last from a slot, reused while reads ask for the same slot again. */
    private @Nullable MadeId lastMade;
    /**
     * The key of the profile id and of the component id parsed last ({@link #profileKey},
     * {@link #componentKey}): the engine hands the store the same id string several times in a
     * row (a new profile's node, then its record, then its place in the scan order), and each
     * parse reads the 36 characters again.
     */
    private final LastParsed profileKeys = new LastParsed();
    private final LastParsed componentKeys = new LastParsed();
    /** The component id made or stored last ({@link #componentId}). */
    private @Nullable MadeComponentId lastComponent;
    /**
     * Per component id (its {@link CompactIds#key}; a UUID's bits as two {@code long}s in the
     * map's arrays): its record, its nodes' identifiers and its links ({@link #LINKS}, packed:
     * {@link PackedLinks}).
     */
    final SlotMap<Object> components = new SlotMap<>(3, 0, true, false);
    final IdGroups<Object> nodesByProfile = new IdGroups<>(profiles, GROUP);
    final IdGroups<Object> nodesByComponent = new IdGroups<>(components, GROUP);
    /** Packs and reads the components' links (its table of identifier types is per workspace). */
    final PackedLinks packedLinks = new PackedLinks();
    /** The slots of {@link #profiles}, in {@link ProfileId#compareTo} order, for scans. */
    final SortedKeys profileOrder = new SortedKeys(
        s -> profiles.inUse(s) && profiles.get(s, RECORD) != null, this::compareProfiles,
        profiles::heldCount, () -> {
          profiles.release();
          lastMade = null; // its slot may now stand for another profile
        });
    final HashMap<ProfileId, ProfileId> redirects = new HashMap<>();
    final List<LedgerEntry> ledger = new ArrayList<>();
    final HashMap<ProfileId, List<LedgerEntry>> ledgerByProfile = new HashMap<>();
    final TreeMap<String, String> metadata = new TreeMap<>();
    /** Erasure tombstones: keyed hash of an identifier to the latest erasure's instant. */
    final HashMap<String, Instant> tombstones = new HashMap<>();
    /** The audit log, in append order; an entry's seq is its position plus one. */
    final List<AuditEntry> audit = new ArrayList<>();

    /** Each provider's state for this workspace, created when first asked. */
    final ConcurrentHashMap<MemoryCapabilityProvider, Object> states = new ConcurrentHashMap<>();

    Object state(MemoryCapabilityProvider p) {
      return states.computeIfAbsent(p, MemoryCapabilityProvider::newState);
    }

    /**
     * The id whose key is in a slot (in use or held) of {@link #profiles} or
     * {@link #components}.
     */
    static String idOf(SlotMap<Object> map, int slot) {
      return map.isBits(slot) ? new UUID(map.hi(slot), map.lo(slot)).toString()
          : (String) map.key(slot);
    }

    /**
     * The order of two profile slots' ids ({@link String#compareTo}; see
     * {@link CompactIds#ORDER}).
     */
    int compareProfiles(int a, int b) {
      if (profiles.isBits(a) && profiles.isBits(b)) {
        int c = Long.compareUnsigned(profiles.hi(a), profiles.hi(b));
        return c != 0 ? c : Long.compareUnsigned(profiles.lo(a), profiles.lo(b));
      }
      return idOf(profiles, a).compareTo(idOf(profiles, b));
    }

    /** Compares a profile slot's id with {@code after}'s, for scans. */
    IntUnaryOperator versus(ProfileId after) {
      if (CompactIds.key(after.value()) instanceof CompactIds.Bits b) {
        return s -> {
          if (!profiles.isBits(s)) {
            return idOf(profiles, s).compareTo(after.value());
          }
          int c = Long.compareUnsigned(profiles.hi(s), b.hi());
          return c != 0 ? c : Long.compareUnsigned(profiles.lo(s), b.lo());
        };
      }
      return s -> idOf(profiles, s).compareTo(after.value());
    }

    @Nullable IdentityNode node(Identifier id) {
      int s = idKeys.find(identifiers, id);
      return s < 0 ? null : node(s, id);
    }

    /** The node of the identifier kept under {@code key}, or {@code null}. */
    @Nullable IdentityNode nodeOfKey(Object key) {
      int s = identifiers.find(key);
      return s < 0 ? null : node(s, null);
    }

    /**
     * The node of the identifier in a slot, or {@code null}; its identifier is {@code id} when
     * given (equal to the slot's), else made from the key.
     */
    @Nullable IdentityNode node(int slot, @Nullable Identifier id) {
      int p = identifiers.getInt(slot, NODE_PROFILE);
      return p == NONE ? null : new IdentityNode(
          id != null ? id : CompactIds.identifier(identifiers.key(slot)), profileId(p),
          componentId(identifiers.getInt(slot, NODE_COMPONENT)));
    }

    /**
     * The id of the component in a slot. The last one made or stored is kept with its slot and
     * bits and given again while the slot holds those bits (a slot of {@link #components} is
     * reused at once when freed, so the bits, not the slot alone, tell). The engine reads a
     * node's component and then asks for the component by that string; the same string object
     * also finds its parsed key again ({@link #componentKey}).
     */
    String componentId(int slot) {
      if (!components.isBits(slot)) {
        return (String) components.key(slot);
      }
      long hi = components.hi(slot);
      long lo = components.lo(slot);
      MadeComponentId m = lastComponent;
      if (m != null && m.slot() == slot && m.hi() == hi && m.lo() == lo) {
        return m.id();
      }
      String id = new UUID(hi, lo).toString();
      lastComponent = new MadeComponentId(slot, hi, lo, id);
      return id;
    }

    /**
     * The profile id in a slot. The last one made is kept with its slot (one object, so two
     * readers sharing the lock cannot tear it) and given again for the same slot.
     */
    ProfileId profileId(int slot) {
      MadeId m = lastMade;
      if (m != null && m.slot() == slot) {
        return m.id();
      }
      ProfileId id = new ProfileId(idOf(profiles, slot));
      lastMade = new MadeId(slot, id);
      return id;
    }

    /**
     * A profile id's slot, or -1. The id made last is often asked about again (a node's profile
     * is read, then its record): its slot is taken without reading the id, while it is in use
     * (then it still holds that id: a slot stands for another id only after a release, which
     * forgets the id made last).
     */
    int profileSlot(ProfileId profile) {
      MadeId m = lastMade;
      if (m != null && m.id() == profile && profiles.inUse(m.slot())) {
        return m.slot();
      }
      return profiles.find(profileKey(profile.value()));
    }

    /** A profile id's slot, made (with nothing under it yet) when it has none. */
    int profileSlotOrAdd(ProfileId profile) {
      int s = profileSlot(profile);
      return s >= 0 ? s : profiles.findOrAdd(profileKey(profile.value()));
    }

    /** {@link CompactIds#key(String)} of a profile id, kept for the same string object. */
    Object profileKey(String id) {
      return profileKeys.key(id);
    }

    /** {@link CompactIds#key(String)} of a component id, kept for the same string object. */
    Object componentKey(String id) {
      return componentKeys.key(id);
    }

    /**
     * Sets or ({@code null}) removes an identifier's node, with its place in its profile's and
     * its component's groups; returns the node it replaced.
     */
    @Nullable IdentityNode putNode(Identifier id, @Nullable IdentityNode node) {
      int s = node == null ? idKeys.find(identifiers, id) : idKeys.findOrAdd(identifiers, id);
      if (s < 0) {
        return null;
      }
      IdentityNode old = node(s, id);
      // The groups hold the key object the identifiers' map holds.
      Object key = identifiers.key(s);
      int oldProfile = identifiers.getInt(s, NODE_PROFILE);
      int oldComponent = identifiers.getInt(s, NODE_COMPONENT);
      int profile = NONE;
      int component = NONE;
      if (node != null) {
        // Each slot joins a group at once, so that it stays in use.
        profile = profileSlotOrAdd(node.profile());
        if (profile != oldProfile) {
          nodesByProfile.add(profile, key);
        }
        component = components.findOrAdd(componentKey(node.component()));
        if (component != oldComponent) {
          nodesByComponent.add(component, key);
        }
      }
      identifiers.setInt(s, NODE_PROFILE, profile);
      identifiers.setInt(s, NODE_COMPONENT, component);
      // Only now may the old slots go, as nothing of this node refers to them any more.
      if (oldProfile != NONE && oldProfile != profile) {
        nodesByProfile.remove(oldProfile, key);
      }
      if (oldComponent != NONE && oldComponent != component) {
        nodesByComponent.remove(oldComponent, key);
      }
      if (node == null && identifiers.removeIfEmpty(s)) {
        idKeys.forget();
      }
      return old;
    }

    @Nullable ProfileRecord profile(ProfileId id) {
      int s = profileSlot(id);
      return s < 0 ? null : profile(s, id);
    }

    /**
     * The record of the profile in a slot, or {@code null}; its id is {@code id} when given
     * (equal to the slot's), else made from the slot.
     */
    @SuppressWarnings("unchecked")
    @Nullable ProfileRecord profile(int slot, @Nullable ProfileId id) {
      Object kept = profiles.get(slot, RECORD);
      if (kept == null || kept instanceof ProfileRecord) {
        return (ProfileRecord) kept;
      }
      return new ProfileRecord(id != null ? id : profileId(slot),
          (ProfileState) kept, (Map<IdentifierType, Integer>) profiles.get(slot, COUNTS),
          profiles.getInt(slot));
    }

    /** Sets or ({@code null}) removes a profile's record; returns the one it replaced. */
    @Nullable ProfileRecord putProfile(ProfileId id, @Nullable ProfileRecord r) {
      int s = r == null ? profileSlot(id) : profileSlotOrAdd(id);
      if (s < 0) {
        return null;
      }
      ProfileRecord old = profile(s, id);
      if (r == null) {
        profiles.set(s, RECORD, null);
        profiles.set(s, COUNTS, null);
        profiles.setInt(s, NONE);
        profiles.removeIfEmpty(s);
      } else if (r.version() >= 0 && r.version() <= Integer.MAX_VALUE) {
        profiles.set(s, RECORD, r.state());
        profiles.set(s, COUNTS, r.identifierCounts());
        profiles.setInt(s, (int) r.version());
      } else {
        profiles.set(s, RECORD, r);
        profiles.set(s, COUNTS, null);
        profiles.setInt(s, NONE);
      }
      profileCount += (r != null ? 1 : 0) - (old != null ? 1 : 0);
      return old;
    }

    @Nullable ComponentRecord component(String id) {
      int s = components.find(componentKey(id));
      return s < 0 ? null : component(s, components.get(s, RECORD));
    }

    /**
     * Sets or ({@code null}) removes a component's record; returns the one it replaced. A record
     * without links and rules, as every new component has, is kept as a mark; one without rules
     * as its latest link's time and messageId ({@link LinkedComponent}).
     */
    @Nullable ComponentRecord putComponent(String id, @Nullable ComponentRecord r) {
      Object kept = r;
      if (r != null && r.rules().isEmpty()) {
        EventKey latest = r.latestLink();
        if (latest == null) {
          kept = BARE_COMPONENT;
        } else {
          long seconds = latest.time().getEpochSecond();
          int nanos = latest.time().getNano();
          kept = CompactIds.key(latest.messageId()) instanceof CompactIds.Bits b
              ? new LinkedComponent(seconds, nanos, b.hi(), b.lo(), null)
              : new LinkedComponent(seconds, nanos, 0, 0, latest.messageId());
        }
      }
      Object k = componentKey(id);
      int s = r == null ? components.find(k) : components.findOrAdd(k);
      if (s < 0) {
        return null;
      }
      if (k instanceof CompactIds.Bits b) {
        lastComponent = new MadeComponentId(s, b.hi(), b.lo(), id);
      }
      ComponentRecord old = component(s, components.get(s, RECORD));
      components.set(s, RECORD, kept);
      if (r == null) {
        components.removeIfEmpty(s);
      }
      return old;
    }

    private @Nullable ComponentRecord component(int slot, @Nullable Object kept) {
      if (kept == BARE_COMPONENT) {
        return new ComponentRecord(componentId(slot), null, List.of());
      }
      if (kept instanceof LinkedComponent l) {
        String messageId = l.messageId() != null ? l.messageId()
            : new UUID(l.hi(), l.lo()).toString();
        return new ComponentRecord(componentId(slot), new EventKey(
            Instant.ofEpochSecond(l.seconds(), l.nanos()), messageId), List.of());
      }
      return (ComponentRecord) kept;
    }

    /** A component's links, packed ({@link PackedLinks}), or {@code null}. */
    byte @Nullable [] links(String component) {
      return (byte[]) components.get(componentKey(component), LINKS);
    }

    /** Sets or ({@code null}) removes a component's packed links; returns what it replaced. */
    byte @Nullable [] putLinks(String component, byte @Nullable [] links) {
      return (byte[]) components.put(componentKey(component), LINKS, links);
    }
  }

  private record Mark(int undoSize) implements Savepoint {}

  /** A profile id and the slot it was made from. */
  private record MadeId(int slot, ProfileId id) {}

  private record MadeComponentId(int slot, long hi, long lo, String id) {}

  /**
   * The {@link CompactIds#key(String)} of the id string asked about last, by identity. Readers
   * sharing the lock may each replace it: it is one immutable pair, so each sees a whole one.
   */
  private static final class LastParsed {
    private record Parsed(String id, Object key) {}

    private @Nullable Parsed last;

    Object key(String id) {
      Parsed p = last;
      if (p != null && p.id() == id) {
        return p.key();
      }
      Object k = CompactIds.key(id);
      last = new Parsed(id, k);
      return k;
    }
  }

  private final class Tx implements WriteTransaction, MetadataStorage,
      PrivacyStorage, MemoryTransaction, WorkspaceCopy {
    private final Data d;
    private final boolean writable;
    /** Undo actions, newest last. */
    final ArrayDeque<Runnable> undo = new ArrayDeque<>();
    /**
     * The capabilities providers opened in this transaction, by type ({@link #NONE}: none has
     * it): one per transaction, however often the engine asks (activation asks per decision).
     */
    private final Map<Class<?>, Object> opened = new HashMap<>(4);
    /** Marks a type no provider has, in {@link #opened}. */
    private static final Object NONE = new Object();

    /** What runs when the transaction ends (see {@link MemoryTransaction#onEnd}). */
    private final List<Runnable> onEnd = new ArrayList<>();

    Tx(Data d, boolean writable) {
      this.d = d;
      this.writable = writable;
    }

    @Override
    public <C> Optional<C> capability(Class<C> type) {
      Objects.requireNonNull(type, "type");
      if (type == MetadataStorage.class || type == PrivacyStorage.class
          || type == WorkspaceCopy.class) {
        return Optional.of(type.cast(this));
      }
      Object found = opened.get(type);
      if (found == null) {
        for (MemoryCapabilityProvider p : providers) {
          Optional<C> c = p.open(type, d.state(p), this);
          if (c.isPresent()) {
            found = c.get();
            break;
          }
        }
        if (found == null) {
          found = NONE;
        }
        opened.put(type, found);
      }
      return found == NONE ? Optional.empty() : Optional.of(type.cast(found));
    }

    @Override
    public boolean writable() {
      return writable;
    }

    @Override
    public void undo(Runnable action) {
      Objects.requireNonNull(action, "action");
      checkWritable();
      undo.add(action);
    }

    /** Every write calls it first: a read transaction (or a capability in one) cannot write. */
    private void checkWritable() {
      if (!writable) {
        throw new IllegalStateException("a read transaction cannot write");
      }
    }

    @Override
    public void onEnd(Runnable action) {
      onEnd.add(Objects.requireNonNull(action, "action"));
    }

    /** Runs the end actions, each once, in the order registered. */
    void end() {
      RuntimeException first = null;
      for (Runnable r : onEnd) {
        try {
          r.run();
        } catch (RuntimeException e) {
          if (first == null) {
            first = e;
          } else {
            first.addSuppressed(e);
          }
        }
      }
      onEnd.clear();
      if (first != null) {
        throw first;
      }
    }

    @Override
    public Optional<StoredEvent> event(String messageId) {
      int slot = d.events.find(Objects.requireNonNull(messageId, "messageId"));
      return slot < 0 ? Optional.empty() : Optional.of(d.events.event(slot));
    }

    @Override
    public List<StoredEvent> eventsByAnchors(Collection<Identifier> anchors) {
      List<StoredEvent> out = new ArrayList<>();
      for (Identifier a : new LinkedHashSet<>(anchors)) {
        for (int slot : d.events.chain(a)) {
          out.add(d.events.event(slot));
        }
      }
      out.sort(Comparator.comparing(StoredEvent::key));
      return out;
    }

    @Override
    public List<String> messageIdsByAnchors(Collection<Identifier> anchors) {
      List<String> out = new ArrayList<>();
      for (Identifier a : new LinkedHashSet<>(anchors)) {
        for (int slot : d.events.chain(a)) {
          out.add(d.events.messageId(slot));
        }
      }
      return out;
    }

    @Override
    public Optional<IdentityNode> node(Identifier identifier) {
      return Optional.ofNullable(d.node(identifier));
    }

    @Override
    public List<IdentityNode> nodesOfProfile(ProfileId profile) {
      int s = d.profileSlot(profile);
      return s < 0 ? List.of() : nodesOf(d.nodesByProfile.get(s));
    }

    @Override
    public List<IdentityNode> nodesOfComponent(String component) {
      int s = d.components.find(d.componentKey(component));
      return s < 0 ? List.of() : nodesOf(d.nodesByComponent.get(s));
    }

    private List<IdentityNode> nodesOf(List<Object> keys) {
      List<IdentityNode> out = new ArrayList<>(keys.size());
      for (Object k : keys) {
        out.add(d.nodeOfKey(k));
      }
      return out;
    }

    @Override
    public Optional<ComponentRecord> component(String id) {
      return Optional.ofNullable(d.component(id));
    }

    @Override
    public List<Link> links(String component) {
      byte[] l = d.links(component);
      return l == null ? List.of() : d.packedLinks.read(l);
    }

    @Override
    public Optional<ProfileRecord> profile(ProfileId id) {
      return Optional.ofNullable(d.profile(id));
    }

    @Override
    public Optional<ProfileId> redirect(ProfileId mergedAway) {
      return Optional.ofNullable(d.redirects.get(mergedAway));
    }

    @Override
    public List<LedgerEntry> ledger(ProfileId profile) {
      List<LedgerEntry> l = d.ledgerByProfile.get(profile);
      return l == null ? List.of() : List.copyOf(l);
    }

    @Override
    public Map<String, Long> eventNameCounts() {
      return Map.copyOf(d.nameCounts);
    }

    @Override
    public List<ProfileRecord> profilesAfter(@Nullable ProfileId after, int limit) {
      checkLimit(limit);
      List<ProfileRecord> out = new ArrayList<>(Math.min(limit, 256));
      var it = d.profileOrder.after(after == null ? null : d.versus(after));
      while (it.hasNext() && out.size() < limit) {
        out.add(d.profile(it.nextInt(), null));
      }
      return out;
    }

    /** Counted as profiles are put and deleted: no profile is read. */
    @Override
    public long profileCount() {
      return d.profileCount;
    }

    @Override
    public Map<String, String> metadata(String prefix) {
      Objects.requireNonNull(prefix, "prefix");
      TreeMap<String, String> out = new TreeMap<>();
      for (Map.Entry<String, String> e : d.metadata.tailMap(prefix, true).entrySet()) {
        if (!e.getKey().startsWith(prefix)) {
          break;
        }
        out.put(e.getKey(), e.getValue());
      }
      return Collections.unmodifiableSortedMap(out);
    }

    @Override
    public Map<String, Instant> tombstones(Collection<String> hashes) {
      Map<String, Instant> out = new HashMap<>();
      for (String h : hashes) {
        Instant at = d.tombstones.get(Objects.requireNonNull(h, "hash"));
        if (at != null) {
          out.put(h, at);
        }
      }
      return out;
    }

    @Override
    public List<AuditEntry> audit(long afterSeq, int limit) {
      checkLimit(limit);
      if (afterSeq < 0) {
        throw new IllegalArgumentException("afterSeq must not be negative, was " + afterSeq);
      }
      int from = (int) Math.min(afterSeq, d.audit.size());
      int to = (int) Math.min((long) from + limit, d.audit.size());
      return List.copyOf(d.audit.subList(from, to));
    }

    @Override
    public List<ProfileId> redirectsTo(ProfileId to) {
      Objects.requireNonNull(to, "to");
      List<ProfileId> out = new ArrayList<>();
      for (Map.Entry<ProfileId, ProfileId> e : d.redirects.entrySet()) {
        if (e.getValue().equals(to)) {
          out.add(e.getKey());
        }
      }
      Collections.sort(out);
      return out;
    }

    private static void checkLimit(int limit) {
      if (limit < 1) {
        throw new IllegalArgumentException("limit must be at least 1, was " + limit);
      }
    }

    // ---- the copy of the workspace (WorkspaceCopy) ----

    /**
     * Scans the packed structures in place (no look-up by key): the events in slot order, which
     * is insertion order, so each anchor's chain comes out as it is here; the nodes, components
     * (record, then links in order) and profiles in slot order; then the redirects, the ledger in
     * order, metadata, tombstones, the audit log in seq order, and the providers' records.
     */
    @Override
    public void copyTo(WriteTransaction target) {
      Objects.requireNonNull(target, "target");
      if (target instanceof Tx t && t.d == d) {
        throw new IllegalArgumentException(
            "target must be a transaction of another workspace or store, was this workspace's");
      }
      EventTable events = d.events;
      for (int s = 0, n = events.slotLimit(); s < n; s++) {
        if (events.holds(s) && !target.insertEvent(events.event(s))) {
          throw new IllegalArgumentException("target must hold no event of the workspace, but"
              + " already held the messageId of one copied");
        }
      }
      SlotMap<Object> ids = d.identifiers;
      for (int s = 0, n = ids.slotLimit(); s < n; s++) {
        Object id = ids.keyOrNull(s);
        IdentityNode node = id == null ? null : d.node(s, null);
        if (node != null) {
          target.putNode(node);
        }
      }
      SlotMap<Object> components = d.components;
      for (int s = 0, n = components.slotLimit(); s < n; s++) {
        if (!components.inUse(s)) {
          continue;
        }
        Object kept = components.get(s, RECORD);
        if (kept != null) {
          target.putComponent(d.component(s, kept));
        }
        byte[] links = (byte[]) components.get(s, LINKS);
        if (links != null) {
          String component = Data.idOf(components, s);
          for (Link link : d.packedLinks.read(links)) {
            target.addLink(component, link);
          }
        }
      }
      SlotMap<Object> profiles = d.profiles;
      for (int s = 0, n = profiles.slotLimit(); s < n; s++) {
        if (profiles.inUse(s)) {
          ProfileRecord r = d.profile(s, null);
          if (r != null) {
            target.putProfile(r);
          }
        }
      }
      for (Map.Entry<ProfileId, ProfileId> e : d.redirects.entrySet()) {
        target.putRedirect(e.getKey(), e.getValue());
      }
      for (LedgerEntry e : d.ledger) {
        target.appendLedger(e);
      }
      if (!d.metadata.isEmpty()) {
        MetadataStorage meta = target.require(MetadataStorage.class);
        for (Map.Entry<String, String> e : d.metadata.entrySet()) {
          meta.putMetadata(e.getKey(), e.getValue());
        }
      }
      if (!d.tombstones.isEmpty() || !d.audit.isEmpty()) {
        PrivacyStorage privacy = target.require(PrivacyStorage.class);
        for (Map.Entry<String, Instant> e : d.tombstones.entrySet()) {
          privacy.putTombstone(e.getKey(), e.getValue());
        }
        for (AuditEntry e : d.audit) {
          privacy.appendAudit(e.withSeq(0));
        }
      }
      for (MemoryCapabilityProvider p : providers) {
        Object state = d.states.get(p);
        if (state != null) {
          p.copy(state, target);
        }
      }
    }

    // ---- writes: each records how to undo itself ----

    @Override
    public boolean insertEvent(StoredEvent event) {
      checkWritable();
      if (d.events.find(event.messageId()) >= 0) {
        return false;
      }
      int slot = d.events.insert(event);
      Identifier anchor = event.anchor();
      undo.add(() -> d.events.uninsert(slot, anchor));
      String name = event.countedName();
      Long before = d.nameCounts.merge(name, 1L, Long::sum) - 1;
      undo.add(() -> restore(d.nameCounts, name, before == 0 ? null : before));
      return true;
    }

    @Override
    public void putNode(IdentityNode node) {
      checkWritable();
      Identifier id = node.identifier();
      // The node's groups change with it, and back with its undo.
      IdentityNode old = d.putNode(id, node);
      undo.add(() -> d.putNode(id, old));
    }

    @Override
    public void putComponent(ComponentRecord component) {
      checkWritable();
      ComponentRecord old = d.putComponent(component.id(), component);
      undo.add(() -> d.putComponent(component.id(), old));
    }

    @Override
    public void deleteComponent(String id) {
      checkWritable();
      ComponentRecord old = d.putComponent(id, null);
      undo.add(() -> d.putComponent(id, old));
    }

    @Override
    public void addLink(String component, Link link) {
      checkWritable();
      byte[] l = d.links(component);
      int before = l == null ? 0 : PackedLinks.used(l);
      d.putLinks(component, d.packedLinks.add(l, link));
      // The undo looks the array up again: a later write may have put a larger copy there.
      undo.add(() -> d.putLinks(component, PackedLinks.truncate(d.links(component), before)));
    }

    @Override
    public void moveLinks(String from, String to) {
      checkWritable();
      if (from.equals(to)) {
        return;
      }
      byte[] moved = d.putLinks(from, null);
      if (moved == null) {
        return;
      }
      byte[] existing = d.links(to);
      if (existing == null) {
        // The very array moves: later additions to `to` may append to it in place, and their
        // undo cuts back the array `to` holds then, which is a copy once it has grown. So the
        // undo cuts this one back to what moved.
        int used = PackedLinks.used(moved);
        d.putLinks(to, moved);
        undo.add(() -> {
          d.putLinks(to, null);
          d.putLinks(from, PackedLinks.truncate(moved, used));
        });
      } else {
        int before = PackedLinks.used(existing);
        d.putLinks(to, PackedLinks.concat(existing, moved));
        undo.add(() -> {
          d.putLinks(to, PackedLinks.truncate(d.links(to), before));
          d.putLinks(from, moved);
        });
      }
    }

    @Override
    public void putProfile(ProfileRecord profile) {
      checkWritable();
      ProfileId id = profile.id();
      ProfileRecord old = d.putProfile(id, profile);
      undo.add(() -> d.putProfile(id, old));
      if (old == null) {
        d.profileOrder.add(d.profileSlot(id)); // an undo leaves it there, as if it had gone
      }
    }

    @Override
    public void deleteProfile(ProfileId id) {
      checkWritable();
      ProfileRecord old = d.putProfile(id, null);
      if (old != null) {
        d.profileOrder.removed();
        undo.add(() -> {
          d.putProfile(id, old);
          d.profileOrder.add(d.profileSlot(id)); // a rebuild since may have dropped it
        });
      }
    }

    @Override
    public void putRedirect(ProfileId from, ProfileId to) {
      checkWritable();
      ProfileId old = d.redirects.put(from, to);
      undo.add(() -> restore(d.redirects, from, old));
    }

    @Override
    public void appendLedger(LedgerEntry entry) {
      checkWritable();
      d.ledger.add(entry);
      undo.add(() -> d.ledger.remove(d.ledger.size() - 1));
      index(entry.profile(), entry);
      if (entry.other() != null && !entry.other().equals(entry.profile())) {
        index(entry.other(), entry);
      }
    }

    private void index(ProfileId p, LedgerEntry entry) {
      d.ledgerByProfile.computeIfAbsent(p, k -> new ArrayList<>(2)).add(entry);
      // The undo looks the list up again: the undo of a later deleteLedger puts a copy back.
      undo.add(() -> {
        List<LedgerEntry> l = d.ledgerByProfile.get(p);
        l.remove(l.size() - 1);
        if (l.isEmpty()) {
          d.ledgerByProfile.remove(p);
        }
      });
    }

    @Override
    public void putMetadata(String key, String value) {
      checkWritable();
      MetadataStorage.check(key, value);
      String old = d.metadata.put(key, value);
      undo.add(() -> restore(d.metadata, key, old));
    }

    @Override
    public void deleteMetadata(String key) {
      checkWritable();
      Objects.requireNonNull(key, "key");
      String old = d.metadata.remove(key);
      if (old != null) {
        undo.add(() -> d.metadata.put(key, old));
      }
    }

    /**
     * Linear in the events deleted plus the lengths of their anchors' lists: each anchor's list
     * is filtered once (not one {@code List.remove} per event, which made erasing a person with
     * a million events quadratic), and its old contents are kept for the undo.
     */
    @Override
    public void deleteEvents(Collection<String> messageIds) {
      checkWritable();
      java.util.BitSet gone = new java.util.BitSet();
      Set<Identifier> anchors = new LinkedHashSet<>();
      int[] slots = new int[Math.min(messageIds.size(), 1024)];
      byte[][] removed = new byte[slots.length][];
      int n = 0;
      for (String id : new LinkedHashSet<>(messageIds)) {
        int slot = d.events.find(Objects.requireNonNull(id, "messageId"));
        if (slot < 0) {
          continue;
        }
        Identifier anchor = d.events.anchor(slot);
        if (anchor != null) {
          anchors.add(anchor);
        }
        if (n == slots.length) {
          slots = java.util.Arrays.copyOf(slots, n * 2);
          removed = java.util.Arrays.copyOf(removed, n * 2);
        }
        gone.set(slot);
        slots[n] = slot;
        removed[n++] = d.events.delete(slot);
      }
      if (n > 0) {
        int count = n;
        int[] s = slots;
        byte[][] b = removed;
        undo.add(() -> {
          for (int k = count - 1; k >= 0; k--) {
            d.events.restore(s[k], b[k]);
          }
        });
      }
      for (Identifier anchor : anchors) {
        int[] before = d.events.chain(anchor);
        int kept = 0;
        int[] after = new int[before.length];
        for (int slot : before) {
          if (!gone.get(slot)) {
            after[kept++] = slot;
          }
        }
        d.events.setChain(anchor, java.util.Arrays.copyOf(after, kept));
        undo.add(() -> d.events.setChain(anchor, before));
      }
    }

    @Override
    public void deleteNode(Identifier identifier) {
      checkWritable();
      IdentityNode old = d.putNode(Objects.requireNonNull(identifier, "identifier"), null);
      if (old != null) {
        undo.add(() -> d.putNode(identifier, old));
      }
    }

    @Override
    public void deleteLinks(String component) {
      checkWritable();
      byte[] old = d.putLinks(Objects.requireNonNull(component, "component"), null);
      if (old != null) {
        undo.add(() -> d.putLinks(component, old));
      }
    }

    @Override
    public void deleteRedirect(ProfileId from) {
      checkWritable();
      ProfileId old = d.redirects.remove(Objects.requireNonNull(from, "from"));
      if (old != null) {
        undo.add(() -> d.redirects.put(from, old));
      }
    }

    @Override
    public void deleteLedger(ProfileId profile) {
      checkWritable();
      Objects.requireNonNull(profile, "profile");
      List<LedgerEntry> named = d.ledgerByProfile.get(profile);
      if (named == null) {
        return;
      }
      Set<LedgerEntry> gone = Collections.newSetFromMap(new java.util.IdentityHashMap<>());
      gone.addAll(named);
      List<LedgerEntry> ledgerBefore = new ArrayList<>(d.ledger);
      Map<ProfileId, List<LedgerEntry>> indexBefore = new HashMap<>();
      for (LedgerEntry e : gone) {
        for (ProfileId p : new ProfileId[] {e.profile(), e.other()}) {
          if (p != null && !indexBefore.containsKey(p)) {
            List<LedgerEntry> l = d.ledgerByProfile.get(p);
            indexBefore.put(p, l == null ? null : new ArrayList<>(l));
            if (l != null) {
              l.removeIf(gone::contains);
              if (l.isEmpty()) {
                d.ledgerByProfile.remove(p);
              }
            }
          }
        }
      }
      d.ledger.removeIf(gone::contains);
      undo.add(() -> {
        d.ledger.clear();
        d.ledger.addAll(ledgerBefore);
        indexBefore.forEach((p, l) -> restore(d.ledgerByProfile, p, l));
      });
    }

    @Override
    public void putTombstone(String hash, Instant erasedAt) {
      checkWritable();
      PrivacyStorage.checkTombstone(hash, erasedAt);
      Instant old = d.tombstones.get(hash);
      if (old == null || erasedAt.isAfter(old)) {
        d.tombstones.put(hash, erasedAt);
        undo.add(() -> restore(d.tombstones, hash, old));
      }
    }

    @Override
    public long appendAudit(AuditEntry entry) {
      checkWritable();
      Objects.requireNonNull(entry, "entry");
      long seq = d.audit.size() + 1L;
      d.audit.add(entry.withSeq(seq));
      undo.add(() -> d.audit.remove(d.audit.size() - 1));
      return seq;
    }

    @Override
    public Savepoint savepoint() {
      return new Mark(undo.size());
    }

    @Override
    public void rollbackTo(Savepoint savepoint) {
      if (!(savepoint instanceof Mark m)) {
        throw new IllegalArgumentException("savepoint of another store");
      }
      rollbackTo(m.undoSize());
    }

    void rollbackTo(int size) {
      while (undo.size() > size) {
        undo.removeLast().run();
      }
    }

    private static <K, V> void restore(Map<K, V> map, K key, V old) {
      if (old == null) {
        map.remove(key);
      } else {
        map.put(key, old);
      }
    }
  }
}
