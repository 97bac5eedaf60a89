package io.cdpkit.core.internal.memory;

import io.cdpkit.core.model.Identifier;
import org.jspecify.annotations.Nullable;

/**
 * One workspace's way from identifiers to the keys its maps keep them under
 * ({@link CompactIds#key(Identifier)}), remembering the last identifier object found with the
 * key object its map holds: an event's anchor is looked up by the event table, then by the
 * resolver, with the same object, and giving the map's own key object back lets
 * {@link SlotMap} find it by identity without parsing the value again.
 *
 * <p>Not thread-safe in the usual sense: guarded by the workspace's lock. Readers, which share
 * the lock, may each replace the remembered pair; it is one immutable object, so a reader sees
 * either pair whole, and any pair gives a right answer.
 */
final class IdentifierKeys {
  /** An identifier object and its key. */
  private record Last(Identifier id, Object key) {}

  private @Nullable Last last;

  /** The key {@code id} is kept under. */
  Object key(Identifier id) {
    Last l = last;
    return l != null && l.id() == id ? l.key() : CompactIds.key(id);
  }

  /**
   * The slot of {@code id}'s key in {@code map}, or -1. The key object the map holds is
   * remembered for {@code id}, so the next look-up of the same object finds it by identity.
   */
  int find(SlotMap<Object> map, Identifier id) {
    int s = map.find(key(id));
    if (s >= 0) {
      remember(id, map.key(s));
    }
    return s;
  }

  /** The slot of {@code id}'s key in {@code map}, made when it has none (see {@link #find}). */
  int findOrAdd(SlotMap<Object> map, Identifier id) {
    int s = map.findOrAdd(key(id));
    remember(id, map.key(s));
    return s;
  }

  /**
   * Remembers {@code id} with the key its map holds. Only identifiers found are remembered (one
   * looked up in vain, an erased one say, is not).
   */
  private void remember(Identifier id, Object kept) {
    Last l = last;
    if (l == null || l.id() != id || l.key() != kept) {
      last = new Last(id, kept);
    }
  }

  /**
   * Forgets the remembered identifier, so that the store keeps no reference to an identifier
   * whose entry went (an erased identifier's value).
   */
  void forget() {
    last = null;
  }
}
