package io.cdpkit.storage.jdbc;

/**
 * The one hook every column holding personal data passes through on its way into and out of the
 * database: identifier values, and the documents of events, profiles, identity links and the
 * ledger. The default is the identity, so encryption at rest can be added later by a codec,
 * without rewriting the schema.
 *
 * <p>{@link #protectKey} must be deterministic (the same value always gives the same text),
 * because identifiers are looked up by it; {@link #protect} need not be.
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

  /** The value from its stored key text. */
  default String revealKey(String stored) {
    return reveal(stored);
  }
}
