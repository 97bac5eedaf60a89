package io.cdpkit.core.spi.storage;

import io.cdpkit.core.model.Identifier;
import io.cdpkit.core.model.ProfileId;
import java.util.Objects;

/**
 * A node of the identity graph: a normalised identifier, the profile it belongs to now, and its
 * component (the connected part of the graph it lies in, counting links refused by rules too).
 *
 * <p>Immutable.
 *
 * @param identifier the identifier
 * @param profile the profile it belongs to
 * @param component the id of its component
 */
public record IdentityNode(Identifier identifier, ProfileId profile, String component) {
  public IdentityNode {
    Objects.requireNonNull(identifier, "identifier");
    Objects.requireNonNull(profile, "profile");
    Objects.requireNonNull(component, "component");
  }

  public IdentityNode withProfile(ProfileId p) {
    return new IdentityNode(identifier, p, component);
  }

  public IdentityNode withComponent(String c) {
    return new IdentityNode(identifier, profile, c);
  }
}
