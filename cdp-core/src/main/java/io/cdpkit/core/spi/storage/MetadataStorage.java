package io.cdpkit.core.spi.storage;

import java.util.Map;

/**
 * A capability ({@link ReadTransaction#capability}): small named values of a workspace that
 * modules keep their definitions in (computed traits, segment definitions, which traits a
 * workspace's states are built with). Keys are 1 to
 * {@value #MAX_KEY_LENGTH} characters, values at most
 * {@value #MAX_VALUE_LENGTH} characters; modules prefix their keys
 * with their own name.
 *
 * <p>Not thread-safe, like the transaction it belongs to.
 */
public interface MetadataStorage {
  /** The entries whose key starts with {@code prefix} (empty: all), sorted by key. */
  Map<String, String> metadata(String prefix);

  /**
   * Sets a value, replacing the one there.
   *
   * @throws IllegalArgumentException when the key or value is out of bounds (see
   *     {@link #check})
   * @throws IllegalStateException in a read transaction
   */
  void putMetadata(String key, String value);

  /**
   * Removes a value; removing one that is not there does nothing.
   *
   * @throws IllegalStateException in a read transaction
   */
  void deleteMetadata(String key);

  /**
   * Checks the arguments of {@link #putMetadata} as the contract requires; stores
   * call it first.
   *
   * @throws IllegalArgumentException when the key is empty or too long, or the value too long
   */
  static void check(String key, String value) {
    java.util.Objects.requireNonNull(key, "key");
    java.util.Objects.requireNonNull(value, "value");
    if (key.isEmpty() || key.length() > MAX_KEY_LENGTH) {
      throw new IllegalArgumentException(
          "metadata key must be 1 to " + MAX_KEY_LENGTH + " characters");
    }
    if (value.length() > MAX_VALUE_LENGTH) {
      throw new IllegalArgumentException(
          "metadata value must be at most " + MAX_VALUE_LENGTH + " characters");
    }
  }

  /** Longest metadata key, in characters. */
  int MAX_KEY_LENGTH = 200;

  /** Longest metadata value, in characters (1 MiB). */
  int MAX_VALUE_LENGTH = 1 << 20;
}
