/**
 * The storage SPI, scoped by workspace, with everything one event writes committed atomically.
 * A core interface ({@link io.cdpkit.core.spi.storage.Store} with its
 * {@link io.cdpkit.core.spi.storage.ReadTransaction} and
 * {@link io.cdpkit.core.spi.storage.WriteTransaction}) holds what the engine itself stores:
 * events, the identity graph, profiles and the merge ledger. Everything else is a capability a
 * store may offer, looked up by type: the core's
 * {@link io.cdpkit.core.spi.storage.MetadataStorage} and
 * {@link io.cdpkit.core.spi.storage.PrivacyStorage} here, the records of a module (segment
 * memberships, the outbox) in an interface that module owns.
 */
@NullMarked
package io.cdpkit.core.spi.storage;

import org.jspecify.annotations.NullMarked;
