package io.cdpkit.core.spi.storage;

import java.util.Map;

/**
 * A capability ({@link ReadTransaction#capability}): small named values of a workspace that
 * modules keep their definitions in (computed traits, segment definitions, which traits a
 * workspace's states are built with). Keys are 1 to
 * {@value WriteTransaction#MAX_METADATA_KEY_LENGTH} characters, values at most
 * {@value WriteTransaction#MAX_METADATA_VALUE_LENGTH} characters; modules prefix their keys
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
   *     {@link WriteTransaction#checkMetadata})
   * @throws IllegalStateException in a read transaction
   */
  void putMetadata(String key, String value);

  /**
   * Removes a value; removing one that is not there does nothing.
   *
   * @throws IllegalStateException in a read transaction
   */
  void deleteMetadata(String key);
}
