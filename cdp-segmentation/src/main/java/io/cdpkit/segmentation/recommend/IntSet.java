package io.cdpkit.segmentation.recommend;

import java.util.Arrays;

/** A small growable bag of non-negative ints, read back sorted and distinct. Not thread-safe. */
final class IntSet {
  private int[] values = new int[16];
  private int size;

  void add(int v) {
    if (size == values.length) {
      values = Arrays.copyOf(values, size * 2);
    }
    values[size++] = v;
  }

  /** The distinct values, ascending. */
  int[] sorted() {
    int[] v = Arrays.copyOf(values, size);
    Arrays.sort(v);
    int m = 0;
    for (int i = 0; i < v.length; i++) {
      if (i == 0 || v[i] != v[i - 1]) {
        v[m++] = v[i];
      }
    }
    return Arrays.copyOf(v, m);
  }
}
