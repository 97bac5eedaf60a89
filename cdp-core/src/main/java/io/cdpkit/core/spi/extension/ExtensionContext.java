package io.cdpkit.core.spi.extension;

import io.cdpkit.core.ProgressListener;
import io.cdpkit.core.identity.IdentityRules;
import io.cdpkit.core.model.WorkspaceId;
import io.cdpkit.core.spi.storage.Store;
import io.cdpkit.core.spi.storage.WriteTransaction;
import io.cdpkit.core.traits.ComputedTrait;
import io.cdpkit.core.traits.ComputedTraits;
import java.time.Clock;
import java.util.Collection;
import java.util.List;
import java.util.Set;

/**
 * What a {@link CdpExtension} may use of the {@code Cdp} it is attached to.
 *
 * <p>Thread-safe.
 */
public interface ExtensionContext {
  /**
   * The store, for an extension's own records: it opens transactions here and reaches its
   * records through the capability it owns ({@code tx.require(SegmentStorage.class)}, say; see
   * {@link io.cdpkit.core.spi.storage.ReadTransaction#capability}). People (profiles, their
   * events, merged-away ids) it reads through {@link #readModel()}, not the store's records.
   */
  Store store();

  /**
   * How a person is read inside a transaction (following merges, building a {@code Profile},
   * reading its events), exactly as {@code Cdp.profiles()} reads: extensions use it rather
   * than assembling these from the store's records.
   */
  ReadModel readModel();

  /** The clock of the {@code Cdp}. */
  Clock clock();

  /** The identifier rules in force. */
  IdentityRules identityRules();

  /**
   * A workspace's product catalog, as {@code workspace.catalog()} gives it (activation reads it
   * when it sends: availability, product groups).
   */
  io.cdpkit.core.catalog.Catalog catalog(WorkspaceId workspace);

  /**
   * The track event names the {@code Cdp} books as orders ({@code Cdp.Builder.orderEvent},
   * default {@code Order Completed}): what {@link io.cdpkit.core.traits.EventFilter#ORDERS}
   * stands for in an extension's own filters ({@code filter.withOrderEvents(orderEvents())}).
   */
  java.util.Set<String> orderEvents();

  /**
   * The currency of orders that name none ({@code Cdp.Builder.defaultCurrency}, default
   * {@code EUR}), an ISO 4217 code.
   */
  String defaultCurrency();

  /** The computed traits in force now (the host's and those extensions added). */
  ComputedTraits computedTraits();

  /**
   * Registers an observer of profile changes; see {@link ProfileObserver} for when it runs.
   * Observers run in the order registered.
   */
  void observe(ProfileObserver observer);

  /** Registers an observer of signals; observers run in the order registered. */
  void observeSignals(SignalObserver observer);

  /**
   * Hands signals to every {@link SignalObserver}, synchronously, inside {@code transaction};
   * does nothing when {@code signals} is empty.
   *
   * @throws RuntimeException whatever an observer throws; the caller should let it fail its
   *     transaction
   */
  void signal(WorkspaceId workspace, WriteTransaction transaction, List<Signal> signals);

  /**
   * Makes sure these aggregations are kept for every profile of a workspace: adds the ones not
   * in force yet (later events contribute to them at once), and if the workspace has profiles
   * whose state was built without one of them, recomputes every profile of the workspace from
   * its events, a page of profiles per transaction, reporting to {@code progress} (phase
   * {@code recompute}: the profiles done so far, total unknown). Observers see each recomputed profile that changed. Returns when
   * done; the next call for the same traits and workspace finds them kept and returns at once.
   *
   * <p>Which traits a workspace's states are built with is recorded in the store, so this also
   * holds across restarts, as long as every node of a workspace declares the same traits.
   *
   * @throws IllegalArgumentException when a name is taken by a different trait
   * @throws io.cdpkit.core.StorageException when the store fails; what was recomputed stays
   */
  void requireAggregates(WorkspaceId workspace, Collection<ComputedTrait> traits,
      ProgressListener progress);

  /**
   * Tells every extension of the {@code Cdp} ({@link CdpExtension#traitsChanged}) that the
   * values of these derived traits changed for many profiles of a workspace at once: the
   * extension that offers them refitted or retrained the model behind them. Call it after the
   * new model is committed and in use, outside any transaction; it returns when every extension
   * is done (segmentation re-evaluates the segments that read the traits, a page of profiles
   * per transaction, so memberships and activation follow the new model at once rather than at
   * each profile's next change).
   *
   * @param traits names of derived traits in force; derived traits that read one of them are
   *     added
   * @throws IllegalArgumentException when a name is not a derived trait in force
   */
  void traitsChanged(WorkspaceId workspace, Set<String> traits, ProgressListener progress);
}
