package io.cdpkit.activation.internal.memory;

import io.cdpkit.activation.spi.storage.OutboxClaims;
import io.cdpkit.activation.spi.storage.OutboxEntry;
import io.cdpkit.core.model.WorkspaceId;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Function;

/**
 * {@link OutboxClaims} of the in-memory store. A claim holds the workspace's outbox lock only,
 * never its read/write lock: it does not wait for a write transaction, and skips the entries a
 * running one wrote (they may not commit, or a rollback may bring them back to another state).
 * A read transaction sees the claims that committed before each of its outbox reads.
 *
 * <p>Thread-safe.
 */
final class MemoryOutboxClaims implements OutboxClaims {
  private final Function<WorkspaceId, Object> states;

  MemoryOutboxClaims(Function<WorkspaceId, Object> states) {
    this.states = states;
  }

  @Override
  public List<OutboxEntry> claim(WorkspaceId workspace, Instant now, String lease,
      Instant leaseUntil, int limit) {
    Objects.requireNonNull(workspace, "workspace");
    OutboxClaims.checkClaim(now, lease, leaseUntil, limit);
    OutboxState s = (OutboxState) states.apply(workspace);
    synchronized (s.lock) {
      List<OutboxEntry> found = new ArrayList<>(Math.min(limit, 256));
      for (OutboxEntry e : s.pending) {
        if (found.size() == limit || e.dueAt().isAfter(now)) {
          break;
        }
        boolean leased = e.leaseUntil() != null && e.leaseUntil().isAfter(now);
        if (!leased && !s.written.contains(e.key())) {
          found.add(e);
        }
      }
      List<OutboxEntry> out = new ArrayList<>(found.size());
      for (OutboxEntry e : found) {
        OutboxEntry claimed = e.claimed(lease, leaseUntil);
        s.replace(e, claimed);
        out.add(claimed);
      }
      return List.copyOf(out);
    }
  }
}
