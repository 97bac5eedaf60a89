package io.cdpkit.core.spi.storage.support;

import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.BiFunction;
import java.util.function.Function;
import java.util.function.Predicate;
import org.jspecify.annotations.Nullable;

/**
 * Keyed records that a {@link BufferedTransaction} writes, kept in memory until it commits: for
 * each key it wrote, the new value or a deletion. Reads lay these writes over the committed
 * records ({@link #get}, {@link #overlay}, {@link #page}); every write records its undo in the
 * transaction, so {@link BufferedTransaction#rollbackTo} undoes it with the rest; in a read
 * transaction every write throws {@link IllegalStateException}. At commit the store writes
 * {@link #writes()}.
 *
 * <p>A store's capability (a module's records, say memberships or an outbox) keeps one per kind
 * of record instead of rebuilding the overlay:
 *
 * <pre>{@code
 * BufferedMap<String, OutboxEntry> outbox = new BufferedMap<>(tx, key -> rows.outbox(key));
 * outbox.put(entry.key(), entry);        // buffered; undone by a rollback to an earlier savepoint
 * outbox.get("k-1");                     // this transaction's value, else the committed one
 * }</pre>
 *
 * <p>Not thread-safe, like the transaction it belongs to.
 *
 * @param <K> the key: equals and hashCode by value
 * @param <V> the record
 */
public final class BufferedMap<K, V> {
  /** Rows read beyond a page's limit at most, to make up for rows this transaction hides. */
  private static final int EXTRA_ROWS = 1_000;

  private final BufferedTransaction tx;
  private final @Nullable Function<? super K, Optional<V>> committed;
  /** Written values by key, in the order first written; empty: deleted. */
  private final Map<K, Optional<V>> writes = new LinkedHashMap<>();
  private final Map<K, Optional<V>> view = Collections.unmodifiableMap(writes);

  /**
   * A map whose committed records are read a page or a group at a time by the caller (see
   * {@link #overlay} and {@link #page}): {@link #get} is not available.
   */
  public BufferedMap(BufferedTransaction tx) {
    this.tx = Objects.requireNonNull(tx, "tx");
    this.committed = null;
  }

  /**
   * A map that reads a key's committed record with {@code committed}.
   *
   * @param committed the committed record of a key, or empty; called only for keys this
   *     transaction has not written
   */
  public BufferedMap(BufferedTransaction tx, Function<? super K, Optional<V>> committed) {
    this.tx = Objects.requireNonNull(tx, "tx");
    this.committed = Objects.requireNonNull(committed, "committed");
  }

  /**
   * The record of a key as this transaction sees it: its own write (empty when it deleted it),
   * else the committed record.
   *
   * @throws IllegalStateException when the map was made without a committed read
   */
  public Optional<V> get(K key) {
    Optional<V> w = writes.get(key);
    if (w != null) {
      return w;
    }
    if (committed == null) {
      throw new IllegalStateException("this map reads no committed record by key");
    }
    return committed.apply(key);
  }

  /** Whether this transaction wrote or deleted the key. */
  public boolean wrote(K key) {
    return writes.containsKey(key);
  }

  /** Creates or replaces the record of a key. */
  public void put(K key, V value) {
    Objects.requireNonNull(key, "key");
    Objects.requireNonNull(value, "value");
    set(key, Optional.of(value));
  }

  /** Deletes the record of a key: the committed one at commit, and any this transaction wrote. */
  public void delete(K key) {
    Objects.requireNonNull(key, "key");
    set(key, Optional.empty());
  }

  private void set(K key, Optional<V> value) {
    tx.requireWritable();
    Optional<V> prev = writes.put(key, value);
    tx.onRollback(() -> {
      if (prev == null) {
        writes.remove(key);
      } else {
        writes.put(key, prev);
      }
    });
  }

  /** Whether this transaction wrote nothing here. */
  public boolean isEmpty() {
    return writes.isEmpty();
  }

  /** How many keys this transaction wrote or deleted. */
  public int size() {
    return writes.size();
  }

  /**
   * What this transaction wrote, key to value (empty: deleted), in the order the keys were first
   * written: what the commit writes. A read-only view that follows later writes.
   */
  public Map<K, Optional<V>> writes() {
    return view;
  }

  /**
   * Committed records overlaid with this transaction's writes: those of {@code committed} whose
   * key it did not write, in their order, then its own values that {@code belongs} accepts, in
   * write order. {@code committed} itself when this transaction wrote nothing here.
   *
   * @param keyOf the key of a record
   */
  public List<V> overlay(List<V> committed, Function<? super V, ? extends K> keyOf,
      Predicate<? super V> belongs) {
    if (writes.isEmpty()) {
      return committed;
    }
    List<V> out = new ArrayList<>();
    for (V v : committed) {
      if (!writes.containsKey(keyOf.apply(v))) {
        out.add(v);
      }
    }
    for (Optional<V> w : writes.values()) {
      w.filter(belongs).ifPresent(out::add);
    }
    return out;
  }

  /**
   * One page of an ordered read, with this transaction's writes laid over the committed records:
   * committed records whose key it wrote are dropped, its own values that {@code onPage} accepts
   * are merged in, and the first {@code limit} in {@code order} are returned, so that a scan a
   * page at a time neither skips nor repeats a record this transaction changed.
   *
   * <p>The committed records are read from the page's start in {@code order}, {@code limit}
   * (plus as many as this transaction could hide, up to 1,000) at a time, until {@code limit}
   * of them survive or none are left; every committed record not read then sorts after
   * {@code limit} records kept, so it could not be on the page. A transaction that wrote
   * nothing here costs exactly one read.
   *
   * @param order the order of the page, the one {@code committedAfter} reads in
   * @param keyOf the key of a record
   * @param onPage whether one of this transaction's values belongs on the page (it sorts after
   *     the page's start and meets the read's condition)
   * @param committedAfter reads up to {@code n} committed records after the given one (from the
   *     page's start when null), in {@code order}
   * @throws IllegalArgumentException when limit is less than 1
   */
  public List<V> page(int limit, Comparator<? super V> order,
      Function<? super V, ? extends K> keyOf, Predicate<? super V> onPage,
      BiFunction<@Nullable V, Integer, List<V>> committedAfter) {
    checkLimit(limit);
    int fetch = (int) Math.min(Integer.MAX_VALUE,
        (long) limit + Math.min(writes.size(), EXTRA_ROWS));
    List<V> out = new ArrayList<>();
    @Nullable V last = null;
    int kept = 0;
    while (true) {
      List<V> rows = committedAfter.apply(last, fetch);
      for (V row : rows) {
        if (!writes.containsKey(keyOf.apply(row))) {
          out.add(row);
          kept++;
        }
      }
      if (rows.size() < fetch || kept >= limit) {
        break;
      }
      last = rows.get(rows.size() - 1);
    }
    List<V> own = new ArrayList<>();
    for (Optional<V> w : writes.values()) {
      w.filter(onPage).ifPresent(own::add);
    }
    if (own.isEmpty() && kept <= limit) {
      return out;
    }
    out.addAll(own);
    out.sort(order);
    return List.copyOf(out.subList(0, Math.min(limit, out.size())));
  }

  static void checkLimit(int limit) {
    if (limit < 1) {
      throw new IllegalArgumentException("limit must be at least 1, was " + limit);
    }
  }

  /** The values this transaction put, in write order: what the commit creates or replaces. */
  public List<V> puts() {
    List<V> out = new ArrayList<>();
    writes.values().forEach(v -> v.ifPresent(out::add));
    return out;
  }

  /** The keys this transaction deleted, in write order: what the commit deletes. */
  public List<K> deletions() {
    List<K> out = new ArrayList<>();
    writes.forEach((k, v) -> {
      if (v.isEmpty()) {
        out.add(k);
      }
    });
    return out;
  }
}
