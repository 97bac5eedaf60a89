package io.cdpkit.core.spi.storage;

import io.cdpkit.core.model.Identifier;
import io.cdpkit.core.model.LedgerEntry;
import io.cdpkit.core.model.ProfileId;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Reads inside one workspace, seeing a consistent state: either all or none of what one write
 * transaction wrote. Not thread-safe: used by the thread that the store handed it to, only
 * inside the callback.
 */
public interface ReadTransaction {
  /** The stored event with this messageId. */
  Optional<StoredEvent> event(String messageId);

  /** Events anchored at any of these identifiers, sorted by {@link StoredEvent#key()}. */
  List<StoredEvent> eventsByAnchors(Collection<Identifier> anchors);

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
}
