package io.cdpkit.core.internal;

import io.cdpkit.core.model.Identifier;
import java.util.Collection;
import java.util.List;

/**
 * Implemented by a transaction that can list the messageIds of the events anchored at some
 * identifiers without reading the events themselves (the in-memory store, which keeps events
 * packed and would otherwise unpack every one). Erasure uses it to delete a person's events;
 * any other store gives the same through {@code eventsByAnchors}. Internal: no compatibility
 * promise.
 */
public interface AnchoredMessageIds {
  /** The messageIds of the events anchored at these identifiers, each once, in no set order. */
  List<String> messageIdsByAnchors(Collection<Identifier> anchors);

  /** The messageIds {@code tx} lists for these anchors, read the cheap way where it can. */
  static List<String> of(io.cdpkit.core.spi.storage.ReadTransaction tx,
      Collection<Identifier> anchors) {
    io.cdpkit.core.spi.storage.ReadTransaction raw =
        tx instanceof ObservedTx o ? o.inner() : tx;
    if (raw instanceof AnchoredMessageIds a) {
      return a.messageIdsByAnchors(anchors);
    }
    return tx.eventsByAnchors(anchors).stream()
        .map(io.cdpkit.core.spi.storage.StoredEvent::messageId).toList();
  }
}
