package io.cdpkit.core.internal;

import io.cdpkit.core.traits.ComputedTrait;
import io.cdpkit.core.traits.ComputedTraits;
import java.util.Collection;

/**
 * The computed traits in force: those the host declared, plus the aggregations extensions
 * require later. Events are prepared against the set current at the time and re-prepared inside
 * the transaction if it changed since (see {@link Pipeline}).
 *
 * <p>Thread-safe: the set is replaced as a whole, under this object's lock.
 */
public final class TraitRegistry {
  private volatile ComputedTraits current;

  TraitRegistry(ComputedTraits initial) {
    this.current = initial;
  }

  /** The set in force. */
  public ComputedTraits current() {
    return current;
  }

  /**
   * Adds aggregations not declared yet.
   *
   * @return whether the set changed
   * @throws IllegalArgumentException when a name is taken by a different trait
   */
  public synchronized boolean add(Collection<ComputedTrait> traits) {
    ComputedTraits next = current.with(traits);
    if (next == current) {
      return false;
    }
    current = next;
    return true;
  }
}
