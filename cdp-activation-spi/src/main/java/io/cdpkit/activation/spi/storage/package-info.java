/**
 * The storage capabilities activation owns: the outbox and the delivery history
 * ({@link io.cdpkit.activation.spi.storage.OutboxStorage}) and outbox claims
 * ({@link io.cdpkit.activation.spi.storage.OutboxClaims}), what a store implements to hold them,
 * and their contract suite ({@code OutboxStorageContractTest} in this module's test kit).
 */
@NullMarked
package io.cdpkit.activation.spi.storage;

import org.jspecify.annotations.NullMarked;
