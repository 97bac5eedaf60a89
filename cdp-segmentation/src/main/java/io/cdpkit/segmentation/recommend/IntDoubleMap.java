package io.cdpkit.segmentation.recommend;

import java.util.Arrays;

/**
 * Sums of doubles by non-negative int key, open addressing with linear probing; the scratch of
 * one {@link Recommender#recommend} call. Not thread-safe.
 */
final class IntDoubleMap {
  private int[] keys = new int[64];
  private double[] values = new double[64];
  private int size;

  IntDoubleMap() {
    Arrays.fill(keys, -1);
  }

  /** Adds {@code delta} to the key's sum (0 when absent). */
  void add(int key, double delta) {
    if ((size + 1) * 2 > keys.length) {
      grow();
    }
    int mask = keys.length - 1;
    int i = mix(key) & mask;
    while (keys[i] != -1 && keys[i] != key) {
      i = (i + 1) & mask;
    }
    if (keys[i] == -1) {
      keys[i] = key;
      size++;
    }
    values[i] += delta;
  }

  /** The key's sum, 0 when absent. */
  double get(int key) {
    int mask = keys.length - 1;
    int i = mix(key) & mask;
    while (keys[i] != -1) {
      if (keys[i] == key) {
        return values[i];
      }
      i = (i + 1) & mask;
    }
    return 0;
  }

  /** The keys present, in no particular order. */
  int[] keys() {
    int[] out = new int[size];
    int m = 0;
    for (int k : keys) {
      if (k != -1) {
        out[m++] = k;
      }
    }
    return out;
  }

  private void grow() {
    int[] oldKeys = keys;
    double[] oldValues = values;
    keys = new int[oldKeys.length * 2];
    values = new double[oldKeys.length * 2];
    Arrays.fill(keys, -1);
    size = 0;
    for (int i = 0; i < oldKeys.length; i++) {
      if (oldKeys[i] != -1) {
        add(oldKeys[i], oldValues[i]);
      }
    }
  }

  /** MurmurHash3's finaliser: every bit of the key moves the low bits the mask keeps. */
  private static int mix(int key) {
    int h = key;
    h ^= h >>> 16;
    h *= 0x85EBCA6B;
    h ^= h >>> 13;
    h *= 0xC2B2AE35;
    h ^= h >>> 16;
    return h;
  }
}
