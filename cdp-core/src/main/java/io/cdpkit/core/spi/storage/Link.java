package io.cdpkit.core.spi.storage;

import io.cdpkit.core.model.EventKey;
import io.cdpkit.core.model.Identifier;
import java.util.List;
import java.util.Objects;

/**
 * A hyperedge of the identity graph: the identifiers one event carried together, highest priority
 * first. Whether it merged anything is decided by replaying links in {@link EventKey} order
 * under the rules, so a link is kept even when a rule refused it.
 *
 * <p>Immutable.
 *
 * @param key the event's time and messageId
 * @param identifiers two or more normalised identifiers, highest priority first
 */
public record Link(EventKey key, List<Identifier> identifiers) {
  public Link {
    Objects.requireNonNull(key, "key");
    identifiers = List.copyOf(identifiers);
    if (identifiers.size() < 2) {
      throw new IllegalArgumentException("a link joins at least two identifiers");
    }
  }
}
