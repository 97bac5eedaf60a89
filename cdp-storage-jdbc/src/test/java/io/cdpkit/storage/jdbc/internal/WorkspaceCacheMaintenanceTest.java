package io.cdpkit.storage.jdbc.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The cache's maintenance held back within a transaction ({@link WorkspaceCache#maintainedAfter}):
 * one run at the end instead of one per write, also when the transaction fails, and the size
 * bound holds again once it has run.
 */
class WorkspaceCacheMaintenanceTest {
  private static final int WRITES = 200;

  /** Commits {@code WRITES} distinct node keys as one writer's changes. */
  private static void commitMany(WorkspaceCache cache, String prefix) {
    commitMany(cache, prefix, WRITES);
  }

  private static void commitMany(WorkspaceCache cache, String prefix, int writes) {
    WorkspaceCache.Session s = cache.writer("w", 0);
    Map<WorkspaceCache.Key, @Nullable Object> changes = new HashMap<>();
    for (int i = 0; i < writes; i++) {
      changes.put(new WorkspaceCache.Key(WorkspaceCache.NODE, prefix + i), Optional.empty());
    }
    s.beginApply();
    s.commit(changes);
  }

  @Test
  @DisplayName("without a hold, Caffeine asks for a maintenance run after most writes")
  void unheldWritesRunMaintenanceOftenEnoughToMatter() {
    WorkspaceCache cache = new WorkspaceCache(50);
    commitMany(cache, "a");
    // The baseline the hold improves on: many runs for one transaction's writes.
    assertThat(cache.maintenanceRuns()).isGreaterThan(WRITES / 4);
    assertThat(cache.estimatedSize()).isLessThanOrEqualTo(50);
  }

  @Test
  @DisplayName("held: no run while the transaction works, one when it ends, and the size bound"
      + " holds again after it")
  void heldWritesRunMaintenanceOnceAtTheEnd() {
    WorkspaceCache cache = new WorkspaceCache(50);
    long during = cache.maintainedAfter(() -> {
      commitMany(cache, "a");
      return cache.maintenanceRuns();
    });
    assertThat(during).isZero();
    assertThat(cache.maintenanceRuns()).isEqualTo(1);
    assertThat(cache.estimatedSize()).isLessThanOrEqualTo(50);
  }

  @Test
  @DisplayName("held: a transaction that fails still has its maintenance run, and its failure"
      + " reaches the caller")
  void failedTransactionStillRunsMaintenance() {
    WorkspaceCache cache = new WorkspaceCache(50);
    IllegalStateException boom = new IllegalStateException("boom");
    assertThatThrownBy(() -> cache.maintainedAfter(() -> {
      commitMany(cache, "a");
      throw boom;
    })).isSameAs(boom);
    assertThat(cache.maintenanceRuns()).isEqualTo(1);
    assertThat(cache.estimatedSize()).isLessThanOrEqualTo(50);
  }

  @Test
  @DisplayName("a hold inside a hold runs nothing itself; the outer one runs it")
  void nestedHoldLeavesTheRunToTheOuterOne() {
    WorkspaceCache cache = new WorkspaceCache(50);
    long afterInner = cache.maintainedAfter(() -> {
      cache.maintainedAfter(() -> {
        commitMany(cache, "a");
        return null;
      });
      return cache.maintenanceRuns();
    });
    assertThat(afterInner).isZero();
    assertThat(cache.maintenanceRuns()).isEqualTo(1);
  }

  @Test
  @DisplayName("another thread writing many entries while a transaction holds a run back is"
      + " not blocked, and the size bound holds once the held run is done")
  void otherThreadWritesWhileARunIsHeld() throws InterruptedException {
    WorkspaceCache cache = new WorkspaceCache(50);
    Thread[] other = new Thread[1];
    cache.maintainedAfter(() -> {
      commitMany(cache, "a");
      // The held run is pending now: the other thread's writes go to Caffeine's buffer until
      // it is full, then that thread runs the maintenance itself.
      other[0] = new Thread(() -> commitMany(cache, "b", 20 * WRITES));
      other[0].start();
      try {
        other[0].join(30_000);
      } catch (InterruptedException e) {
        throw new AssertionError(e);
      }
      assertThat(other[0].isAlive()).as("the other thread is still writing").isFalse();
      return null;
    });
    assertThat(cache.estimatedSize()).isLessThanOrEqualTo(50);
  }

  @Test
  @DisplayName("a hold on one thread does not hold back another thread's maintenance")
  void holdIsPerThread() throws InterruptedException {
    WorkspaceCache cache = new WorkspaceCache(50);
    long[] otherRuns = new long[1];
    cache.maintainedAfter(() -> {
      Thread t = new Thread(() -> {
        commitMany(cache, "b");
        otherRuns[0] = cache.maintenanceRuns();
      });
      t.start();
      try {
        t.join();
      } catch (InterruptedException e) {
        throw new AssertionError(e);
      }
      return null;
    });
    assertThat(otherRuns[0]).isGreaterThan(WRITES / 4);
  }
}
