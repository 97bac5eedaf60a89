package io.cdpkit.core.spi.storage.support;

import io.cdpkit.core.model.Identifier;
import io.cdpkit.core.model.LedgerEntry;
import io.cdpkit.core.model.ProfileId;
import io.cdpkit.core.spi.storage.AuditEntry;
import io.cdpkit.core.spi.storage.ComponentRecord;
import io.cdpkit.core.spi.storage.IdentityNode;
import io.cdpkit.core.spi.storage.Link;
import io.cdpkit.core.spi.storage.ProfileRecord;
import io.cdpkit.core.spi.storage.StoredEvent;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * Everything a {@link BufferedTransaction} writes, as its store receives it at commit
 * ({@link BufferedTransaction#write}): the net effect of the transaction, each key once, what a
 * rollback undid left out. A store applies it atomically, in this order where one kind of
 * record meets itself: deletions of events before insertions (a deleted messageId may be
 * inserted again), the link moves in order and then the new links, the ledger deletions before
 * the appended entries.
 *
 * <p>Immutable.
 *
 * @param deletedEvents messageIds whose committed events are deleted
 * @param insertedEvents new events, none with a committed messageId unless deleted above
 * @param putNodes nodes created or replaced
 * @param deletedNodes identifiers whose nodes are deleted
 * @param putComponents component records created or replaced
 * @param deletedComponents ids of component records deleted
 * @param putProfiles profiles created or replaced
 * @param deletedProfiles ids of profiles deleted
 * @param putRedirects redirects created or replaced, merged-away id to target
 * @param deletedRedirects merged-away ids whose redirects are deleted
 * @param linkMoves moves of committed links from one component to another, or deletions of
 *     them, in the order made; new links are not among them
 * @param newLinks links added, each with the component it ends in (after the moves)
 * @param deletedLedger profiles whose committed ledger entries (either side) are deleted
 * @param appendedLedger ledger entries appended, in order
 * @param putMetadata metadata entries set
 * @param deletedMetadata metadata keys removed
 * @param tombstones tombstones to write, hash to instant: already the later of the committed
 *     and the new one, so a store writes them as they are
 * @param audit audit entries appended, numbered after the last committed one
 *     ({@link BufferedTransaction#loadLastAuditSeq}), in order
 */
public record Changes(
    List<String> deletedEvents,
    List<StoredEvent> insertedEvents,
    List<IdentityNode> putNodes,
    List<Identifier> deletedNodes,
    List<ComponentRecord> putComponents,
    List<String> deletedComponents,
    List<ProfileRecord> putProfiles,
    List<ProfileId> deletedProfiles,
    Map<ProfileId, ProfileId> putRedirects,
    List<ProfileId> deletedRedirects,
    List<LinkMove> linkMoves,
    List<NewLink> newLinks,
    List<ProfileId> deletedLedger,
    List<LedgerEntry> appendedLedger,
    Map<String, String> putMetadata,
    List<String> deletedMetadata,
    Map<String, Instant> tombstones,
    List<AuditEntry> audit) {

  /** Copies every collection (maps keep their order). */
  public Changes {
    deletedEvents = List.copyOf(deletedEvents);
    insertedEvents = List.copyOf(insertedEvents);
    putNodes = List.copyOf(putNodes);
    deletedNodes = List.copyOf(deletedNodes);
    putComponents = List.copyOf(putComponents);
    deletedComponents = List.copyOf(deletedComponents);
    putProfiles = List.copyOf(putProfiles);
    deletedProfiles = List.copyOf(deletedProfiles);
    putRedirects = ordered(putRedirects);
    deletedRedirects = List.copyOf(deletedRedirects);
    linkMoves = List.copyOf(linkMoves);
    newLinks = List.copyOf(newLinks);
    deletedLedger = List.copyOf(deletedLedger);
    appendedLedger = List.copyOf(appendedLedger);
    putMetadata = ordered(putMetadata);
    deletedMetadata = List.copyOf(deletedMetadata);
    tombstones = ordered(tombstones);
    audit = List.copyOf(audit);
  }

  private static <K, V> Map<K, V> ordered(Map<K, V> m) {
    m.forEach((k, v) -> {
      Objects.requireNonNull(k, "key");
      Objects.requireNonNull(v, "value");
    });
    return java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(m));
  }

  /**
   * Moves every committed link of component {@code from} to component {@code to}, or deletes
   * them when {@code to} is null.
   */
  public record LinkMove(String from, @Nullable String to) {
    public LinkMove {
      Objects.requireNonNull(from, "from");
    }
  }

  /** A link added to a component. */
  public record NewLink(String component, Link link) {
    public NewLink {
      Objects.requireNonNull(component, "component");
      Objects.requireNonNull(link, "link");
    }
  }

  /** Whether the transaction wrote nothing. */
  public boolean isEmpty() {
    return audit.isEmpty() && !changesState();
  }

  /**
   * Whether it wrote anything besides audit entries (which only append to a log no read of
   * the other records depends on).
   */
  public boolean changesState() {
    return !deletedEvents.isEmpty() || !insertedEvents.isEmpty() || !putNodes.isEmpty()
        || !deletedNodes.isEmpty() || !putComponents.isEmpty() || !deletedComponents.isEmpty()
        || !putProfiles.isEmpty() || !deletedProfiles.isEmpty() || !putRedirects.isEmpty()
        || !deletedRedirects.isEmpty() || !linkMoves.isEmpty() || !newLinks.isEmpty()
        || !deletedLedger.isEmpty() || !appendedLedger.isEmpty() || !putMetadata.isEmpty()
        || !deletedMetadata.isEmpty() || !tombstones.isEmpty();
  }
}
