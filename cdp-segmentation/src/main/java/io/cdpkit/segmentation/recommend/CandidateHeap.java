package io.cdpkit.segmentation.recommend;

/**
 * A binary heap of positions into parallel arrays of item indexes and scores, best first: the
 * higher score, then the lower index (the earlier sku). Built in linear time; each
 * {@link #poll} costs a logarithm. Not thread-safe.
 */
final class CandidateHeap {
  private final int[] items;
  private final double[] scores;
  private final int[] heap;
  private int size;

  CandidateHeap(int[] items, double[] scores) {
    this.items = items;
    this.scores = scores;
    this.size = items.length;
    this.heap = new int[size];
    for (int i = 0; i < size; i++) {
      heap[i] = i;
    }
    for (int i = size / 2 - 1; i >= 0; i--) {
      down(i);
    }
  }

  boolean isEmpty() {
    return size == 0;
  }

  /** Takes out the best position. */
  int poll() {
    int top = heap[0];
    heap[0] = heap[--size];
    down(0);
    return top;
  }

  private boolean better(int a, int b) {
    return scores[a] != scores[b] ? scores[a] > scores[b] : items[a] < items[b];
  }

  private void down(int i) {
    while (true) {
      int l = 2 * i + 1;
      if (l >= size) {
        return;
      }
      int best = l + 1 < size && better(heap[l + 1], heap[l]) ? l + 1 : l;
      if (!better(heap[best], heap[i])) {
        return;
      }
      int t = heap[i];
      heap[i] = heap[best];
      heap[best] = t;
      i = best;
    }
  }
}
