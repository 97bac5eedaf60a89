package io.cdpkit.core.spi.storage;

/**
 * A point inside a write transaction that {@link WriteTransaction#rollbackTo} returns to. Valid
 * only inside the transaction that made it. Immutable.
 */
public interface Savepoint {}
