/**
 * Activation's outbox and delivery history in the in-memory store ({@code Store.inMemory()}),
 * given to it as a {@link io.cdpkit.core.spi.storage.memory.MemoryCapabilityProvider}. <p>This
 * package carries no compatibility promise: anything in it may change in any release.
 */
@NullMarked
package io.cdpkit.activation.internal.memory;

import org.jspecify.annotations.NullMarked;
