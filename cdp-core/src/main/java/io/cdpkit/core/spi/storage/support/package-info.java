/**
 * Support for writing a store: {@link io.cdpkit.core.spi.storage.support.BufferedTransaction}
 * keeps a transaction's writes in memory over the committed rows (reads see them laid over
 * those rows, savepoints undo them, ordered pages merge them), so that a store implements the
 * reads of committed rows and one write of everything at commit
 * ({@link io.cdpkit.core.spi.storage.support.Changes}). A store's own capabilities buffer their
 * records the same way with {@link io.cdpkit.core.spi.storage.support.BufferedMap}.
 */
@NullMarked
package io.cdpkit.core.spi.storage.support;

import org.jspecify.annotations.NullMarked;
