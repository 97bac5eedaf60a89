/**
 * How a module that owns a storage capability gives it to the in-memory store
 * ({@code Store.inMemory()}): a {@link io.cdpkit.core.spi.storage.memory.MemoryCapabilityProvider}
 * found with {@link java.util.ServiceLoader}; and the in-memory store's
 * {@link io.cdpkit.core.spi.storage.memory.WorkspaceCopy}, which copies a workspace into another
 * store's write transaction.
 */
@NullMarked
package io.cdpkit.core.spi.storage.memory;

import org.jspecify.annotations.NullMarked;
