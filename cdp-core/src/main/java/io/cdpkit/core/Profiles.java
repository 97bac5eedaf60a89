package io.cdpkit.core;

import io.cdpkit.core.internal.Pipeline;
import io.cdpkit.core.model.Event;
import io.cdpkit.core.model.Identifier;
import io.cdpkit.core.model.LedgerEntry;
import io.cdpkit.core.model.Profile;
import io.cdpkit.core.model.ProfileId;
import io.cdpkit.core.model.WorkspaceId;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Profiles of one workspace: lookups, event history, the merge ledger, and unmerge.
 *
 * <p>Thread-safe. Each call sees a consistent state of the workspace: all or nothing of any
 * event's writes.
 */
public final class Profiles {
  private final Pipeline pipeline;
  private final WorkspaceId workspace;

  Profiles(Pipeline pipeline, WorkspaceId workspace) {
    this.pipeline = pipeline;
    this.workspace = workspace;
  }

  /** The profile with this id; a merged-away id gives the profile it was merged into. */
  public Optional<Profile> get(ProfileId id) {
    return pipeline.profile(workspace, id);
  }

  /**
   * The profile holding an identifier, given as a client would send it (it is normalised first).
   *
   * @throws InvalidEventException when the value is not acceptable for its type (the pointer is
   *     empty)
   */
  public Optional<Profile> find(Identifier identifier) {
    return pipeline.find(workspace, identifier);
  }

  /** The live id that a possibly merged-away id resolves to. */
  public Optional<ProfileId> resolve(ProfileId id) {
    return pipeline.resolve(workspace, id);
  }

  /** The profile's events, by event time then messageId. */
  public List<Event> events(ProfileId id) {
    return pipeline.events(workspace, id);
  }

  /**
   * The merge ledger of a profile: its merges, conflicts and unmerges, and those of the profiles
   * merged into it.
   */
  public List<LedgerEntry> ledger(ProfileId id) {
    return pipeline.ledger(workspace, id);
  }

  /** Stored events per event name ({@code track} name, else the type: {@code page}, ...). */
  public Map<String, Long> eventCounts() {
    return pipeline.eventNameCounts(workspace);
  }

  /**
   * Splits two identifiers apart for good. Records a do-not-link rule between them, re-resolves
   * the part of the identity graph they lie in, and recomputes the affected profiles from their
   * events. Atomic: other readers see the profiles before or after, never in between.
   *
   * @throws IllegalArgumentException when either identifier is unknown, blocked, or they are the
   *     same
   * @throws InvalidEventException when either value is not acceptable for its type
   */
  public void unmerge(Identifier a, Identifier b) {
    pipeline.unmerge(workspace, a, b);
  }
}
