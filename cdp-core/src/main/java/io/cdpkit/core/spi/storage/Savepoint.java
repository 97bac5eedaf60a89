package io.cdpkit.core.spi.storage;

/** A point inside a write transaction that {@link WriteTransaction#rollbackTo} returns to. */
public interface Savepoint {}
