package io.cdpkit.core.spi.storage;

import io.cdpkit.core.model.Identifier;
import io.cdpkit.core.model.LedgerEntry;
import io.cdpkit.core.model.ProfileId;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * Reads inside one workspace, seeing a consistent state: either all or none of what one write
 * transaction wrote. Not thread-safe: used by the thread that the store handed it to, only
 * inside the callback.
 */
public interface ReadTransaction {
  /**
   * A capability of this store that is not part of this interface, seen from this transaction:
   * the records a module keeps for itself (segmentation's memberships and scheduled checks,
   * activation's outbox and deliveries, the core's metadata and privacy records). The module
   * that needs a capability owns its interface; a store offers the capabilities it implements.
   * What is read and written through a capability belongs to this transaction: it is seen,
   * committed and rolled back with everything else. In a read transaction a capability's writes
   * throw {@link IllegalStateException}.
   *
   * <p>The default offers none.
   *
   * @return the capability, or empty when this store does not have it
   */
  default <C> Optional<C> capability(Class<C> type) {
    java.util.Objects.requireNonNull(type, "type");
    return Optional.empty();
  }

  /**
   * The capability of this type; see {@link #capability}.
   *
   * @throws UnsupportedCapabilityException when this store does not have it
   */
  default <C> C require(Class<C> type) {
    return capability(type).orElseThrow(() -> new UnsupportedCapabilityException(type));
  }

  /** The stored event with this messageId. */
  Optional<StoredEvent> event(String messageId);

  /** Events anchored at any of these identifiers, sorted by {@link StoredEvent#key()}. */
  List<StoredEvent> eventsByAnchors(Collection<Identifier> anchors);

  /**
   * The stored events with these messageIds, by messageId; those not stored left out. The
   * default reads them one by one; a database store reads them in a few queries.
   */
  default Map<String, StoredEvent> events(Collection<String> messageIds) {
    Map<String, StoredEvent> out = new java.util.LinkedHashMap<>();
    for (String m : messageIds) {
      event(m).ifPresent(e -> out.put(m, e));
    }
    return out;
  }

  /** The node of this normalised identifier. */
  Optional<IdentityNode> node(Identifier identifier);

  /** Nodes that belong to the profile, in no particular order. */
  List<IdentityNode> nodesOfProfile(ProfileId profile);

  /** Nodes of a component, in no particular order. */
  List<IdentityNode> nodesOfComponent(String component);

  /** A component. */
  Optional<ComponentRecord> component(String id);

  /** Links of a component, in no particular order. */
  List<Link> links(String component);

  /** A live profile; merged-away ids are not profiles (see {@link #redirect}). */
  Optional<ProfileRecord> profile(ProfileId id);

  /** The profile a merged-away id was merged into, one step (it may itself be merged away). */
  Optional<ProfileId> redirect(ProfileId mergedAway);

  /** Ledger entries that name this profile id on either side, in the order they were written. */
  List<LedgerEntry> ledger(ProfileId profile);

  /** Stored events per counted name ({@link StoredEvent#countedName()}), in this workspace. */
  Map<String, Long> eventNameCounts();

  /**
   * Live profiles whose id value sorts after {@code after} ({@link String#compareTo}), in that
   * order, at most {@code limit}; from the first when {@code after} is {@code null}. For scans
   * over every profile a page at a time.
   *
   * @throws IllegalArgumentException when limit is less than 1
   */
  List<ProfileRecord> profilesAfter(@Nullable ProfileId after, int limit);

  /**
   * The number of live profiles of the workspace, as {@link #profilesAfter} would list them.
   * The default pages through them (so it reads every profile); a store that can count without
   * reading them overrides it.
   */
  default long profileCount() {
    long n = 0;
    ProfileId after = null;
    while (true) {
      List<ProfileRecord> page = profilesAfter(after, 1_000);
      n += page.size();
      if (page.size() < 1_000) {
        return n;
      }
      after = page.get(page.size() - 1).id();
    }
  }

  /** The profiles merged into this one whose ids redirect to it, in id order. */
  List<ProfileId> redirectsTo(ProfileId to);
}
