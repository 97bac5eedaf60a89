package io.cdpkit.benchmarks;

import io.cdpkit.core.spi.storage.Store;

/**
 * The stores a benchmark's {@code store} parameter can name. Add {@code h2} and {@code postgres}
 * here (and to the {@code @Param} lists) once cdp-storage-jdbc can be benchmarked; baselines such
 * as plain SQL become more names in the same switch.
 */
final class Stores {
  private Stores() {}

  /**
   * A new, empty store.
   *
   * @throws IllegalArgumentException for a name this class does not know
   */
  static Store create(String name) {
    return switch (name) {
      case "memory" -> Store.inMemory();
      default -> throw new IllegalArgumentException(
          "unknown store " + name + "; known: memory");
    };
  }
}
