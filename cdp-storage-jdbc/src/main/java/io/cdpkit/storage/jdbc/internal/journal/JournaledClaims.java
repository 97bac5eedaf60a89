package io.cdpkit.storage.jdbc.internal.journal;

import io.cdpkit.activation.spi.storage.OutboxClaims;
import io.cdpkit.activation.spi.storage.OutboxEntry;
import io.cdpkit.core.model.WorkspaceId;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * Activation's claims on the journaled layout: the in-memory store's claim (which takes the
 * workspace's outbox lock only, never its write lock, and skips entries a running writer
 * wrote), then one journal row updating each claimed entry, both while holding the journal's
 * append lock. A writer that read a claimed entry after the claim can append its own row only
 * after the claim's, so replaying the journal ends where memory is. Loaded only when a caller
 * asks for {@code OutboxClaims}, so a class path without cdp-activation-spi never loads it.
 */
final class JournaledClaims implements OutboxClaims {
  private final OutboxClaims inner;
  private final JournaledStore store;

  private JournaledClaims(OutboxClaims inner, JournaledStore store) {
    this.inner = inner;
    this.store = store;
  }

  static Object over(Object inner, JournaledStore store) {
    return new JournaledClaims((OutboxClaims) inner, store);
  }

  @Override
  public List<OutboxEntry> claim(WorkspaceId workspace, Instant now, String lease,
      Instant leaseUntil, int limit) {
    OutboxClaims.checkClaim(now, lease, leaseUntil, limit);
    return store.claiming(() -> {
      List<OutboxEntry> claimed = inner.claim(workspace, now, lease, leaseUntil, limit);
      if (claimed.isEmpty()) {
        return claimed;
      }
      List<Op> ops = new ArrayList<>(claimed.size());
      for (OutboxEntry e : claimed) {
        ops.add(new Op(JournalCodec.UPDATE_OUTBOX, e, null, null));
      }
      store.appendHoldingLock(workspace, JournalCodec.encode(ops));
      return claimed;
    });
  }
}
