package io.cdpkit.core.tcf;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.stream.IntStream;

/**
 * A set of TCF ids (purposes, special features, vendors): positive integers from 1 to
 * {@value #MAX_ID}, the largest a TC string can carry (16 bits). Iterates in ascending order;
 * equal when the ids are equal.
 *
 * <p>Memory is one bit per id up to the largest one held, so at most 8 KiB.
 *
 * <p>Immutable.
 */
public final class IdSet {
  /** The largest id a TC string can encode: vendor ids are 16-bit fields. */
  public static final int MAX_ID = 65_535;

  private static final IdSet EMPTY = new IdSet(new BitSet());

  private final BitSet bits;

  private IdSet(BitSet bits) {
    this.bits = bits;
  }

  /** The empty set. */
  public static IdSet of() {
    return EMPTY;
  }

  /**
   * The set of these ids; repeats count once.
   *
   * @throws IllegalArgumentException when an id is below 1 or above {@value #MAX_ID}
   */
  public static IdSet of(int... ids) {
    BitSet bits = new BitSet();
    for (int id : ids) {
      bits.set(check(id));
    }
    return bits.isEmpty() ? EMPTY : new IdSet(bits);
  }

  /**
   * The set of these ids; repeats count once.
   *
   * @throws IllegalArgumentException when an id is null, below 1 or above {@value #MAX_ID}
   */
  public static IdSet of(Collection<Integer> ids) {
    BitSet bits = new BitSet();
    for (Integer id : ids) {
      if (id == null) {
        throw new IllegalArgumentException("ids: must not contain null");
      }
      bits.set(check(id));
    }
    return bits.isEmpty() ? EMPTY : new IdSet(bits);
  }

  /** Takes ownership of {@code bits}, which must hold only ids in range; the decoder's door. */
  static IdSet owning(BitSet bits) {
    return bits.isEmpty() ? EMPTY : new IdSet(bits);
  }

  private static int check(int id) {
    if (id < 1 || id > MAX_ID) {
      throw new IllegalArgumentException("ids: " + id + " is not in 1-" + MAX_ID);
    }
    return id;
  }

  /** Whether {@code id} is in the set; {@code false} for any id out of range. */
  public boolean contains(int id) {
    return id >= 1 && id <= MAX_ID && bits.get(id);
  }

  /** Whether every id of {@code other} is in this set. */
  public boolean containsAll(IdSet other) {
    BitSet missing = (BitSet) other.bits.clone();
    missing.andNot(bits);
    return missing.isEmpty();
  }

  /** The number of ids. */
  public int size() {
    return bits.cardinality();
  }

  /** Whether the set holds no id. */
  public boolean isEmpty() {
    return bits.isEmpty();
  }

  /** The largest id, or 0 for the empty set. */
  public int max() {
    return bits.length() == 0 ? 0 : bits.length() - 1;
  }

  /** The ids in ascending order. */
  public IntStream stream() {
    return bits.stream();
  }

  /** The ids in ascending order; unmodifiable. */
  public List<Integer> toList() {
    List<Integer> out = new ArrayList<>(size());
    bits.stream().forEach(out::add);
    return Collections.unmodifiableList(out);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof IdSet other && bits.equals(other.bits);
  }

  @Override
  public int hashCode() {
    return bits.hashCode();
  }

  /** The ids as {@code [1, 3, 7]}. */
  @Override
  public String toString() {
    return toList().toString();
  }

  static IdSet requireWithin(IdSet set, int max, String field) {
    Objects.requireNonNull(set, field);
    if (set.max() > max) {
      throw new IllegalArgumentException(field + ": id " + set.max() + " is above " + max);
    }
    return set;
  }
}
