package io.cdpkit.storage.jdbc.internal;

import io.cdpkit.activation.spi.storage.OutboxClaims;
import io.cdpkit.activation.spi.storage.OutboxEntry;
import io.cdpkit.core.model.WorkspaceId;
import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * Activation's {@link OutboxClaims} over {@link JdbcStoreEngine#claimOutbox}: a short
 * transaction of its own per claim, {@code FOR UPDATE SKIP LOCKED}, no lock on the workspace's
 * row. Loaded only when a caller asks the store for the capability.
 *
 * <p>Thread-safe.
 */
final class EngineOutboxClaims implements OutboxClaims {
  private final JdbcStoreEngine engine;

  EngineOutboxClaims(JdbcStoreEngine engine) {
    this.engine = engine;
  }

  @Override
  public List<OutboxEntry> claim(WorkspaceId workspace, Instant now, String lease,
      Instant leaseUntil, int limit) {
    Objects.requireNonNull(workspace, "workspace");
    OutboxClaims.checkClaim(now, lease, leaseUntil, limit);
    return engine.claimOutbox(workspace, now, lease, leaseUntil, limit);
  }
}
