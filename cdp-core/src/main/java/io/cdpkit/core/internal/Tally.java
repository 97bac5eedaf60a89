package io.cdpkit.core.internal;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.LongAdder;

/**
 * A family of counters with one name and fixed tag keys, one {@link LongAdder} per combination
 * of tag values. The engine counts into it whether or not anyone reads it (an increment costs a
 * map lookup and an add); a metrics binder {@linkplain #listen listens} to learn of every
 * combination, present and future, and reads each adder from its meters. Tag values must never
 * be personal values: callers pass workspace ids, segment ids, channel names and closed sets of
 * codes only.
 *
 * <p>Thread-safe: any number of threads may count and listen at once.
 */
public final class Tally {
  /** Told of each combination of tag values, once per combination (possibly more, never less). */
  @FunctionalInterface
  public interface Listener {
    /**
     * A combination of tag values and its adder. Called on the counting thread the first time
     * a combination is counted, and on the listening thread for those counted before; must be
     * quick and must not throw.
     */
    void added(List<String> tagValues, LongAdder adder);
  }

  private final List<String> tagKeys;
  private final ConcurrentHashMap<List<String>, LongAdder> counts = new ConcurrentHashMap<>();
  private final CopyOnWriteArrayList<Listener> listeners = new CopyOnWriteArrayList<>();

  /** A tally with these tag keys (none for a single counter). */
  public Tally(String... tagKeys) {
    this.tagKeys = List.of(tagKeys);
  }

  /** The tag keys, in the order values are given. */
  public List<String> tagKeys() {
    return tagKeys;
  }

  /** Adds one for these tag values. */
  public void increment(String... tagValues) {
    add(1, tagValues);
  }

  /**
   * Adds {@code n} for these tag values.
   *
   * @throws IllegalArgumentException when the number of values is not the number of keys
   */
  public void add(long n, String... tagValues) {
    if (tagValues.length != tagKeys.size()) {
      throw new IllegalArgumentException("tagValues: expected " + tagKeys.size() + ", got "
          + tagValues.length);
    }
    List<String> key = List.of(tagValues);
    LongAdder a = counts.get(key);
    if (a == null) {
      LongAdder created = new LongAdder();
      LongAdder prior = counts.putIfAbsent(key, created);
      if (prior == null) {
        for (Listener l : listeners) {
          l.added(key, created);
        }
        a = created;
      } else {
        a = prior;
      }
    }
    a.add(n);
  }

  /** The count for these tag values, 0 when never counted. */
  public long count(String... tagValues) {
    LongAdder a = counts.get(List.of(tagValues));
    return a == null ? 0 : a.sum();
  }

  /** Every combination counted so far with its count. */
  public Map<List<String>, Long> snapshot() {
    Map<List<String>, Long> out = new HashMap<>();
    counts.forEach((k, v) -> out.put(k, v.sum()));
    return out;
  }

  /**
   * Tells {@code listener} of every combination counted so far and from now on. A combination
   * first counted while this call runs may be told twice.
   */
  public void listen(Listener listener) {
    Objects.requireNonNull(listener, "listener");
    listeners.add(listener);
    for (Map.Entry<List<String>, LongAdder> e : new ArrayList<>(counts.entrySet())) {
      listener.added(e.getKey(), e.getValue());
    }
  }

  /** Stops telling {@code listener}. */
  public void unlisten(Listener listener) {
    listeners.remove(listener);
  }
}
