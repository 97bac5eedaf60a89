package io.cdpkit.core.internal;

import io.cdpkit.core.model.Identifier;
import io.cdpkit.core.model.Profile;
import io.cdpkit.core.model.ProfileId;
import io.cdpkit.core.model.WorkspaceId;
import io.cdpkit.core.spi.extension.ReadModel;
import io.cdpkit.core.spi.storage.IdentityNode;
import io.cdpkit.core.spi.storage.ProfileRecord;
import io.cdpkit.core.spi.storage.ReadTransaction;
import io.cdpkit.core.spi.storage.StoredEvent;
import io.cdpkit.core.traits.ComputedTraits;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Supplier;

/** The {@link ReadModel}: see there. Thread-safe. */
public final class ProfileReads implements ReadModel {
  private final Supplier<ComputedTraits> traits;

  /** @param traits the computed traits in force at the time of each read */
  public ProfileReads(Supplier<ComputedTraits> traits) {
    this.traits = Objects.requireNonNull(traits, "traits");
  }

  @Override
  public Optional<ProfileId> resolve(ReadTransaction tx, ProfileId id) {
    ProfileId cur = Objects.requireNonNull(id, "id");
    for (int i = 0; i <= MAX_REDIRECTS; i++) {
      if (tx.profile(cur).isPresent()) {
        return Optional.of(cur);
      }
      Optional<ProfileId> next = tx.redirect(cur);
      if (next.isEmpty()) {
        return Optional.empty();
      }
      cur = next.get();
    }
    throw new IllegalStateException("identity graph is inconsistent: redirect chain longer than "
        + MAX_REDIRECTS);
  }

  @Override
  public Optional<Profile> profile(ReadTransaction tx, WorkspaceId workspace, ProfileId id,
      Instant now) {
    return resolve(tx, id).flatMap(tx::profile).map(r -> profile(tx, workspace, r, now));
  }

  @Override
  public Profile profile(ReadTransaction tx, WorkspaceId workspace, ProfileRecord record,
      Instant now) {
    List<Identifier> ids = identifiers(tx, record.id());
    ComputedTraits ct = traits.get();
    return new Profile(record.id(), workspace, ids, record.state(), record.version(),
        ct.isEmpty() ? Map.of() : ct.values(workspace, record.state(), now), now);
  }

  @Override
  public Profile stateView(WorkspaceId workspace, ProfileRecord record, Instant now) {
    return new Profile(record.id(), workspace, List.of(), record.state(), record.version(),
        Map.of(), now);
  }

  @Override
  public List<StoredEvent> events(ReadTransaction tx, ProfileId id) {
    return resolve(tx, id).map(p -> tx.eventsByAnchors(identifiers(tx, p))).orElse(List.of());
  }

  private static List<Identifier> identifiers(ReadTransaction tx, ProfileId id) {
    return tx.nodesOfProfile(id).stream().map(IdentityNode::identifier).toList();
  }
}
