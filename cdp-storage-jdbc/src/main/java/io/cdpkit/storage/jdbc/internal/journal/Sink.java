package io.cdpkit.storage.jdbc.internal.journal;

import io.cdpkit.core.model.Identifier;
import io.cdpkit.core.model.LedgerEntry;
import io.cdpkit.core.model.ProfileId;
import io.cdpkit.core.spi.storage.ComponentRecord;
import io.cdpkit.core.spi.storage.IdentityNode;
import io.cdpkit.core.spi.storage.Link;
import io.cdpkit.core.spi.storage.ProfileRecord;
import io.cdpkit.core.spi.storage.Savepoint;
import io.cdpkit.core.spi.storage.StoredEvent;
import io.cdpkit.core.spi.storage.WriteTransaction;
import java.lang.reflect.Proxy;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.jspecify.annotations.Nullable;

/**
 * A write transaction that keeps nothing: every write succeeds (an insert reports a new key)
 * and every read finds nothing. Under a {@link JournalingTransaction} it turns writes into
 * journal ops and nothing else: a snapshot copies a workspace into it. Its capabilities are
 * of any interface type asked for, built as proxies that do the same (a method returning
 * {@code boolean} returns true, a number 0, an {@code Optional}, {@code List} or {@code Map}
 * an empty one), so it names no type of the optional modules.
 */
final class Sink implements WriteTransaction {
  private static final Map<Class<?>, Object> NOTHING = new ConcurrentHashMap<>();

  @Override
  public <C> Optional<C> capability(Class<C> type) {
    if (!type.isInterface()) {
      return Optional.empty();
    }
    Object c = NOTHING.computeIfAbsent(type, t -> Proxy.newProxyInstance(t.getClassLoader(),
        new Class<?>[] {t}, (proxy, method, args) -> {
          if (method.getDeclaringClass() == Object.class) {
            return switch (method.getName()) {
              case "equals" -> proxy == args[0];
              case "hashCode" -> System.identityHashCode(proxy);
              default -> "Sink(" + t.getSimpleName() + ")";
            };
          }
          Class<?> r = method.getReturnType();
          if (r == boolean.class) {
            return true;
          } else if (r == long.class) {
            return 0L;
          } else if (r == int.class) {
            return 0;
          } else if (r == Optional.class) {
            return Optional.empty();
          } else if (r == List.class) {
            return List.of();
          } else if (r == Map.class) {
            return Map.of();
          }
          return null;
        }));
    return Optional.of(type.cast(c));
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
  public boolean insertEvent(StoredEvent event) {
    return true;
  }

  @Override
  public void putNode(IdentityNode node) {}

  @Override
  public void putComponent(ComponentRecord component) {}

  @Override
  public void deleteComponent(String id) {}

  @Override
  public void addLink(String component, Link link) {}

  @Override
  public void moveLinks(String from, String to) {}

  @Override
  public void putProfile(ProfileRecord profile) {}

  @Override
  public void deleteProfile(ProfileId id) {}

  @Override
  public void putRedirect(ProfileId from, ProfileId to) {}

  @Override
  public void appendLedger(LedgerEntry entry) {}

  @Override
  public Savepoint savepoint() {
    throw new UnsupportedOperationException("a sink has no savepoints");
  }

  @Override
  public void rollbackTo(Savepoint savepoint) {
    throw new UnsupportedOperationException("a sink has no savepoints");
  }
}
