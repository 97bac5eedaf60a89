package io.cdpkit.core.traits;

import io.cdpkit.core.model.ProfileState;
import io.cdpkit.core.model.WorkspaceId;
import java.time.Instant;
import java.util.Optional;

/**
 * What a {@link DerivedTrait} sees: the profile's workspace and state, the instant it is
 * evaluated at, and the values of the other computed traits at that instant.
 *
 * <p>Not thread-safe: valid only during the call it is passed to.
 */
public interface TraitContext {
  /**
   * The workspace the profile belongs to, for traits that read something kept per workspace (a
   * model fitted on its profiles, say).
   */
  WorkspaceId workspace();

  /** The profile's state. */
  ProfileState state();

  /** The instant the value is for. */
  Instant now();

  /**
   * The value of another computed trait at {@link #now()}.
   *
   * @throws IllegalArgumentException when no trait of that name is declared
   */
  Optional<Object> value(String computedTrait);

  /**
   * When another computed trait's value can next change without new events, or empty.
   *
   * @throws IllegalArgumentException when no trait of that name is declared
   */
  Optional<Instant> nextChange(String computedTrait);
}
