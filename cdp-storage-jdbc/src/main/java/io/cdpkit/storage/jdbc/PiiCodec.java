package io.cdpkit.storage.jdbc;

/**
 * The one hook every column holding personal data passes through on its way into and out of the
 * database: identifier values, and the documents of events, profiles, identity links and the
 * ledger, outbox triggers and errors, delivery details and reasons, and metadata values. The
 * default is the identity; {@link JdbcStore.Builder#encryption} installs AES-GCM encryption
 * with blind indexes (see {@link Encryption}).
 *
 * <p>The store calls the forms that name the <em>place</em> of a value: its workspace and its
 * column ({@code "cdp_profiles.body"}), so that a codec can bind its text to the place (text
 * copied into another column or workspace then fails to read). Their defaults ignore the place
 * and call the one-argument forms, so a codec written against those keeps working.
 *
 * <p>{@link #protectKey} must be deterministic (the same value always gives the same text),
 * because identifiers are looked up by it; {@link #protect} need not be. When
 * {@link #keysReversible} is false (a keyed hash, a "blind index"), the store keeps each
 * identifier value a second time, {@link #protect}ed, in a column of its own.
 *
 * <p>Implementations must be thread-safe.
 */
public interface PiiCodec {
  /** Stores values as they are. */
  PiiCodec IDENTITY = new PiiCodec() {
    @Override
    public String protect(String value) {
      return value;
    }

    @Override
    public String reveal(String stored) {
      return stored;
    }
  };

  /** The text to store for a document. */
  String protect(String value);

  /** The document from its stored text. */
  String reveal(String stored);

  /** The text to store for a value that is looked up by equality (an identifier value). */
  default String protectKey(String value) {
    return protect(value);
  }

  /** The value from its stored key text; only called when {@link #keysReversible}. */
  default String revealKey(String stored) {
    return reveal(stored);
  }

  /**
   * The text to store for a document in {@code column} of {@code workspace}; by default
   * {@link #protect(String)}.
   */
  default String protect(String workspace, String column, String value) {
    return protect(value);
  }

  /**
   * The document from its text stored in {@code column} of {@code workspace}; by default
   * {@link #reveal(String)}.
   */
  default String reveal(String workspace, String column, String stored) {
    return reveal(stored);
  }

  /**
   * The lookup text of an identifier of type {@code type} (its id, {@code "email"}) in
   * {@code workspace}; deterministic. By default {@link #protectKey(String)} of the value.
   */
  default String protectKey(String workspace, String type, String value) {
    return protectKey(value);
  }

  /**
   * Whether {@link #revealKey} gives an identifier's value back from its lookup text; true by
   * default. When false, the store keeps the value {@link #protect}ed beside the lookup text
   * ({@code cdp_nodes.id_secret}) and reads it from there.
   */
  default boolean keysReversible() {
    return true;
  }
}
