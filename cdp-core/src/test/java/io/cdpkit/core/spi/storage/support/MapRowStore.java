package io.cdpkit.core.spi.storage.support;

import io.cdpkit.core.model.Identifier;
import io.cdpkit.core.model.LedgerEntry;
import io.cdpkit.core.model.ProfileId;
import io.cdpkit.core.model.WorkspaceId;
import io.cdpkit.core.spi.storage.AuditEntry;
import io.cdpkit.core.spi.storage.ComponentRecord;
import io.cdpkit.core.spi.storage.IdentityNode;
import io.cdpkit.core.spi.storage.Link;
import io.cdpkit.core.spi.storage.ProfileRecord;
import io.cdpkit.core.spi.storage.ReadTransaction;
import io.cdpkit.core.spi.storage.Store;
import io.cdpkit.core.spi.storage.StoredEvent;
import io.cdpkit.core.spi.storage.WriteTransaction;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReadWriteLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import org.jspecify.annotations.Nullable;

/**
 * A complete store on {@link BufferedTransaction}, whose "database" is a few maps of committed
 * rows per workspace: what a store on a real database writes, with the reads as queries and
 * {@link Tables#apply} as the statements of a commit. Writers of a workspace take turns and
 * readers wait for them (one lock per workspace), so what a transaction reads holds until it
 * commits; it is thread-safe, as a store must be. It passes the core's storage contract suites
 * ({@code MapRowStoreContractTest} and its siblings), and shows how little a store on the base
 * class writes: the {@code load...} reads of {@link Tx} and {@link Tables#apply}.
 */
public final class MapRowStore implements Store {
  private final Map<WorkspaceId, Tables> workspaces = new ConcurrentHashMap<>();

  /** One workspace's committed rows. */
  static final class Tables {
    final ReadWriteLock lock = new ReentrantReadWriteLock();
    final Map<String, StoredEvent> events = new HashMap<>();
    final Map<Identifier, IdentityNode> nodes = new HashMap<>();
    final Map<String, ComponentRecord> components = new HashMap<>();
    final Map<String, List<Link>> links = new HashMap<>();
    final TreeMap<ProfileId, ProfileRecord> profiles = new TreeMap<>();
    final Map<ProfileId, ProfileId> redirects = new HashMap<>();
    final List<LedgerEntry> ledger = new ArrayList<>();
    final TreeMap<String, String> metadata = new TreeMap<>();
    final Map<String, Instant> tombstones = new HashMap<>();
    final List<AuditEntry> audit = new ArrayList<>();

    /** The commit: every change, in the order {@link Changes} gives. */
    void apply(Changes c) {
      c.deletedEvents().forEach(events::remove);
      c.insertedEvents().forEach(e -> events.put(e.messageId(), e));
      c.putNodes().forEach(n -> nodes.put(n.identifier(), n));
      c.deletedNodes().forEach(nodes::remove);
      c.putComponents().forEach(r -> components.put(r.id(), r));
      c.deletedComponents().forEach(components::remove);
      c.putProfiles().forEach(r -> profiles.put(r.id(), r));
      c.deletedProfiles().forEach(profiles::remove);
      redirects.putAll(c.putRedirects());
      c.deletedRedirects().forEach(redirects::remove);
      for (Changes.LinkMove m : c.linkMoves()) {
        List<Link> moved = links.remove(m.from());
        if (moved != null && m.to() != null) {
          links.computeIfAbsent(m.to(), k -> new ArrayList<>()).addAll(moved);
        }
      }
      c.newLinks().forEach(
          l -> links.computeIfAbsent(l.component(), k -> new ArrayList<>()).add(l.link()));
      ledger.removeIf(e -> c.deletedLedger().contains(e.profile())
          || e.other() != null && c.deletedLedger().contains(e.other()));
      ledger.addAll(c.appendedLedger());
      metadata.putAll(c.putMetadata());
      c.deletedMetadata().forEach(metadata::remove);
      tombstones.putAll(c.tombstones());
      audit.addAll(c.audit());
    }
  }

  /** A transaction of one workspace: the reads are queries over its tables. */
  static final class Tx extends BufferedTransaction {
    private final Tables t;

    Tx(Tables t) {
      this.t = t;
    }

    @Override
    protected Optional<StoredEvent> loadEvent(String messageId) {
      return Optional.ofNullable(t.events.get(messageId));
    }

    @Override
    protected List<StoredEvent> loadEvents(Collection<String> messageIds) {
      return messageIds.stream().map(t.events::get).filter(e -> e != null).toList();
    }

    @Override
    protected List<StoredEvent> loadEventsByAnchors(Collection<Identifier> anchors) {
      Set<Identifier> wanted = Set.copyOf(anchors);
      return t.events.values().stream()
          .filter(e -> e.anchor() != null && wanted.contains(e.anchor())).toList();
    }

    @Override
    protected Map<String, Long> loadEventNameCounts() {
      return t.events.values().stream()
          .collect(Collectors.groupingBy(StoredEvent::countedName, Collectors.counting()));
    }

    @Override
    protected Optional<IdentityNode> loadNode(Identifier identifier) {
      return Optional.ofNullable(t.nodes.get(identifier));
    }

    @Override
    protected List<IdentityNode> loadNodesOfProfile(ProfileId profile) {
      return t.nodes.values().stream().filter(n -> n.profile().equals(profile)).toList();
    }

    @Override
    protected List<IdentityNode> loadNodesOfComponent(String component) {
      return t.nodes.values().stream().filter(n -> n.component().equals(component)).toList();
    }

    @Override
    protected Optional<ComponentRecord> loadComponent(String id) {
      return Optional.ofNullable(t.components.get(id));
    }

    @Override
    protected List<Link> loadLinks(Collection<String> components) {
      return components.stream().flatMap(c -> t.links.getOrDefault(c, List.of()).stream())
          .toList();
    }

    @Override
    protected Optional<ProfileRecord> loadProfile(ProfileId id) {
      return Optional.ofNullable(t.profiles.get(id));
    }

    @Override
    protected List<ProfileRecord> loadProfilesAfter(@Nullable ProfileId after, int limit) {
      return (after == null ? t.profiles : t.profiles.tailMap(after, false)).values().stream()
          .limit(limit).toList();
    }

    @Override
    protected Optional<ProfileId> loadRedirect(ProfileId mergedAway) {
      return Optional.ofNullable(t.redirects.get(mergedAway));
    }

    @Override
    protected List<ProfileId> loadRedirectsTo(ProfileId to) {
      return t.redirects.entrySet().stream().filter(e -> e.getValue().equals(to))
          .map(Map.Entry::getKey).toList();
    }

    @Override
    protected List<LedgerEntry> loadLedger(ProfileId profile) {
      return t.ledger.stream()
          .filter(e -> e.profile().equals(profile) || profile.equals(e.other())).toList();
    }

    @Override
    protected Map<String, String> loadMetadata(String prefix) {
      return t.metadata.subMap(prefix, prefix + Character.MAX_VALUE);
    }

    @Override
    protected Map<String, Instant> loadTombstones(Collection<String> hashes) {
      Map<String, Instant> out = new HashMap<>();
      hashes.forEach(h -> Optional.ofNullable(t.tombstones.get(h)).ifPresent(
          at -> out.put(h, at)));
      return out;
    }

    @Override
    protected List<AuditEntry> loadAudit(long afterSeq, int limit) {
      return t.audit.stream().filter(e -> e.seq() > afterSeq).limit(limit).toList();
    }

    @Override
    protected long loadLastAuditSeq() {
      return t.audit.isEmpty() ? 0 : t.audit.get(t.audit.size() - 1).seq();
    }

    @Override
    protected void write(Changes changes) {
      t.apply(changes);
    }
  }

  private Tables tables(WorkspaceId workspace) {
    return workspaces.computeIfAbsent(workspace, w -> new Tables());
  }

  @Override
  public <T> T write(WorkspaceId workspace, Function<? super WriteTransaction, ? extends T> work) {
    Tables t = tables(workspace);
    return locked(t, true, () -> {
      Tx tx = new Tx(t);
      T result = work.apply(tx);
      tx.commit();
      return result;
    });
  }

  @Override
  public <T> T read(WorkspaceId workspace, Function<? super ReadTransaction, ? extends T> work) {
    Tables t = tables(workspace);
    return locked(t, false, () -> {
      Tx tx = new Tx(t);
      tx.makeReadOnly();
      return work.apply(tx);
    });
  }

  private static <T> T locked(Tables t, boolean writer, Supplier<T> work) {
    var lock = writer ? t.lock.writeLock() : t.lock.readLock();
    lock.lock();
    try {
      return work.get();
    } finally {
      lock.unlock();
    }
  }
}
