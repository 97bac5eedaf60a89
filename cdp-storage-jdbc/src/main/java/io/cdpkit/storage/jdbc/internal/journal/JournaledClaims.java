package io.cdpkit.storage.jdbc.internal.journal;

import io.cdpkit.activation.spi.storage.OutboxClaims;
import io.cdpkit.activation.spi.storage.OutboxEntry;
import io.cdpkit.activation.spi.storage.OutboxStorage;
import io.cdpkit.core.model.WorkspaceId;
import java.time.Instant;
import java.util.List;

/**
 * Activation's claims on the journaled layout: the in-memory store's claim, then one journal
 * row that stores each claimed entry as it now is in memory (not as the claim returned it: a
 * writer may have changed it in between, and the journal must end where memory is). Loaded
 * only when a caller asks for {@code OutboxClaims}, so a class path without cdp-activation-spi
 * never loads it.
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
    List<OutboxEntry> claimed = inner.claim(workspace, now, lease, leaseUntil, limit);
    if (!claimed.isEmpty()) {
      store.journaled(workspace, tx -> {
        OutboxStorage outbox = tx.require(OutboxStorage.class);
        for (OutboxEntry e : claimed) {
          outbox.outbox(e.key()).ifPresent(outbox::updateOutbox);
        }
        return null;
      });
    }
    return claimed;
  }
}
