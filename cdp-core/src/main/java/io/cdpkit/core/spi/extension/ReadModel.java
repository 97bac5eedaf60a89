package io.cdpkit.core.spi.extension;

import io.cdpkit.core.model.Profile;
import io.cdpkit.core.model.ProfileId;
import io.cdpkit.core.model.WorkspaceId;
import io.cdpkit.core.spi.storage.ProfileRecord;
import io.cdpkit.core.spi.storage.ReadTransaction;
import io.cdpkit.core.spi.storage.StoredEvent;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * How a person is read inside a transaction: the live profile an id resolves to (following
 * merges), the profile as the public API shows it, and its events. It is the one place that
 * follows merged-away ids and the one place that builds a {@link Profile}; {@code Cdp}'s own
 * reads go through it, so an extension sees a person exactly as {@code Cdp.profiles()} does.
 *
 * <p>Each method reads through the transaction it is given and nothing else. Thread-safe.
 */
public interface ReadModel {
  /**
   * The longest chain of merges followed. Each merge adds one step to the ids merged away
   * before it, so a real chain is short; a longer one (or a loop) means the store is corrupt.
   */
  int MAX_REDIRECTS = 64;

  /**
   * The live profile {@code id} is, or was merged into (through any number of merges up to
   * {@value #MAX_REDIRECTS}).
   *
   * @return empty when there is none: the id was never a profile, or its person was erased
   * @throws IllegalStateException when the chain of merges is longer than
   *     {@value #MAX_REDIRECTS} steps or loops (the store is inconsistent)
   */
  Optional<ProfileId> resolve(ReadTransaction tx, ProfileId id);

  /**
   * The profile {@code id} resolves to, as the public API shows it: its identifiers, its state
   * and the computed traits in force, evaluated at {@code now}.
   *
   * @return empty when {@code id} resolves to no profile
   * @throws IllegalStateException as {@link #resolve}
   */
  Optional<Profile> profile(ReadTransaction tx, WorkspaceId workspace, ProfileId id,
      Instant now);

  /**
   * A live profile whose record the caller read in this transaction, as the public API shows
   * it (its identifiers are read here).
   */
  Profile profile(ReadTransaction tx, WorkspaceId workspace, ProfileRecord record, Instant now);

  /**
   * A record as a {@link Profile} without reading anything: its state and the fields derived
   * from it (order count, spend, last order, ...) at {@code now}, but no identifiers and no
   * computed traits. For evaluations that read only those fields many times per transaction
   * (segment conditions, say) and must not pay a read per profile.
   */
  Profile stateView(WorkspaceId workspace, ProfileRecord record, Instant now);

  /**
   * The events of the profile {@code id} resolves to: those anchored at any of its identifiers,
   * sorted by {@link StoredEvent#key()}; empty when it resolves to none.
   *
   * @throws IllegalStateException as {@link #resolve}
   */
  List<StoredEvent> events(ReadTransaction tx, ProfileId id);
}
