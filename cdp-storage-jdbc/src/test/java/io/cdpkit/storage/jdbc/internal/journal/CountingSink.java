package io.cdpkit.storage.jdbc.internal.journal;

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
import java.lang.reflect.Proxy;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * A write transaction that keeps nothing and counts the records written to it (the modules'
 * capabilities through a counting proxy): what a copy costs without its target.
 */
final class CountingSink implements WriteTransaction, MetadataStorage, PrivacyStorage {
  long records;
  long events;
  private long audit;

  @Override
  public <C> Optional<C> capability(Class<C> type) {
    if (type == MetadataStorage.class || type == PrivacyStorage.class) {
      return Optional.of(type.cast(this));
    }
    Object module = Proxy.newProxyInstance(type.getClassLoader(), new Class<?>[] {type},
        (proxy, method, args) -> {
          records++;
          return method.getReturnType() == boolean.class ? Boolean.TRUE : null;
        });
    return Optional.of(type.cast(module));
  }

  @Override
  public boolean insertEvent(StoredEvent event) {
    records++;
    events++;
    return true;
  }

  @Override
  public void putNode(IdentityNode node) {
    records++;
  }

  @Override
  public void putComponent(ComponentRecord component) {
    records++;
  }

  @Override
  public void deleteComponent(String id) {}

  @Override
  public void addLink(String component, Link link) {
    records++;
  }

  @Override
  public void moveLinks(String from, String to) {}

  @Override
  public void putProfile(ProfileRecord profile) {
    records++;
  }

  @Override
  public void deleteProfile(ProfileId id) {}

  @Override
  public void putRedirect(ProfileId from, ProfileId to) {
    records++;
  }

  @Override
  public void appendLedger(LedgerEntry entry) {
    records++;
  }

  @Override
  public Savepoint savepoint() {
    throw new UnsupportedOperationException();
  }

  @Override
  public void rollbackTo(Savepoint savepoint) {
    throw new UnsupportedOperationException();
  }

  @Override
  public Optional<StoredEvent> event(String messageId) {
    return Optional.empty();
  }

  @Override
  public List<StoredEvent> eventsByAnchors(Collection<Identifier> anchors) {
    return List.of();
  }

  @Override
  public Optional<IdentityNode> node(Identifier identifier) {
    return Optional.empty();
  }

  @Override
  public List<IdentityNode> nodesOfProfile(ProfileId profile) {
    return List.of();
  }

  @Override
  public List<IdentityNode> nodesOfComponent(String component) {
    return List.of();
  }

  @Override
  public Optional<ComponentRecord> component(String id) {
    return Optional.empty();
  }

  @Override
  public List<Link> links(String component) {
    return List.of();
  }

  @Override
  public Optional<ProfileRecord> profile(ProfileId id) {
    return Optional.empty();
  }

  @Override
  public Optional<ProfileId> redirect(ProfileId mergedAway) {
    return Optional.empty();
  }

  @Override
  public List<LedgerEntry> ledger(ProfileId profile) {
    return List.of();
  }

  @Override
  public Map<String, Long> eventNameCounts() {
    return Map.of();
  }

  @Override
  public List<ProfileRecord> profilesAfter(@Nullable ProfileId after, int limit) {
    return List.of();
  }

  @Override
  public List<ProfileId> redirectsTo(ProfileId to) {
    return List.of();
  }

  @Override
  public Map<String, String> metadata(String prefix) {
    return Map.of();
  }

  @Override
  public void putMetadata(String key, String value) {
    records++;
  }

  @Override
  public void deleteMetadata(String key) {}

  @Override
  public Map<String, Instant> tombstones(Collection<String> hashes) {
    return Map.of();
  }

  @Override
  public void putTombstone(String hash, Instant erasedAt) {
    records++;
  }

  @Override
  public List<AuditEntry> audit(long afterSeq, int limit) {
    return List.of();
  }

  @Override
  public long appendAudit(AuditEntry entry) {
    records++;
    return ++audit;
  }

  @Override
  public List<String> messageIdsByAnchors(Collection<Identifier> anchors) {
    return List.of();
  }

  @Override
  public void deleteEvents(Collection<String> messageIds) {}

  @Override
  public void deleteNode(Identifier identifier) {}

  @Override
  public void deleteLinks(String component) {}

  @Override
  public void deleteRedirect(ProfileId from) {}

  @Override
  public void deleteLedger(ProfileId profile) {}
}
