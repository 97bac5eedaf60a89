package io.cdpkit.storage.jdbc.internal.journal;

import org.jspecify.annotations.Nullable;

/**
 * One recorded write: its op code ({@link JournalCodec}), its arguments and, for a write that
 * sets or deletes one keyed value (a profile, a node, metadata, ...), that key, by which
 * {@link JournalingTransaction#encode} drops a put a later op of the transaction overwrites.
 * Arguments are typed as {@code Object} so that this class names no type of the optional
 * modules.
 *
 * <p>Immutable (its arguments are immutable records, strings or copied lists).
 */
final class Op {
  final int code;
  final Object a;
  final @Nullable Object b;
  final @Nullable Object key;

  Op(int code, Object a, @Nullable Object b, @Nullable Object key) {
    this.code = code;
    this.a = a;
    this.b = b;
    this.key = key;
  }

  /** Two parts of a key (a membership's segment and profile). */
  record Pair(Object first, Object second) {}
}
