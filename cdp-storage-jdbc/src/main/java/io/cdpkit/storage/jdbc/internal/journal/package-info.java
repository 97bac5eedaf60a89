/**
 * The journal of the journaled H2 file layout: what a write transaction wrote, captured
 * ({@link io.cdpkit.storage.jdbc.internal.journal.JournalingTransaction}), encoded as one compact
 * binary body, and applied again to another store's transaction
 * ({@link io.cdpkit.storage.jdbc.internal.journal.JournalCodec#replay}).
 *
 * <p>This package carries no compatibility promise: anything in it may change in any release.
 * The body format is persisted, so it changes only with a new format version byte.
 */
@NullMarked
package io.cdpkit.storage.jdbc.internal.journal;

import org.jspecify.annotations.NullMarked;
