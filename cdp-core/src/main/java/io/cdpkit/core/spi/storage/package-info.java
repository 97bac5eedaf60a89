/**
 * The storage SPI: one interface for events, the identity graph, profiles and the merge ledger, scoped by workspace, with everything one event writes committed atomically.
 */
@NullMarked
package io.cdpkit.core.spi.storage;

import org.jspecify.annotations.NullMarked;
