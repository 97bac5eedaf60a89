package io.cdpkit.core.internal.memory;

import static org.assertj.core.api.Assertions.assertThat;

import io.cdpkit.core.model.LedgerEntry;
import io.cdpkit.core.model.ProfileId;
import io.cdpkit.core.model.WorkspaceId;
import io.cdpkit.core.spi.storage.PrivacyStorage;
import io.cdpkit.core.spi.storage.Savepoint;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class InMemoryLedgerUndoTest {
  private static final WorkspaceId WS = WorkspaceId.of("shop");

  @Test
  @DisplayName("a rollback over an appended ledger entry and a deleteLedger of its profile"
      + " restores the ledger as it was")
  void rollbackOverAppendThenDelete() {
    InMemoryStore store = new InMemoryStore();
    ProfileId p = ProfileId.of("p-0");
    ProfileId q = ProfileId.of("p-1");
    LedgerEntry kept = new LedgerEntry(LedgerEntry.Kind.UNMERGED, p, null, null, null, null,
        Instant.parse("2026-01-01T00:00:00Z"), "kept");
    LedgerEntry added = new LedgerEntry(LedgerEntry.Kind.MERGED, p, q, null, null, null,
        Instant.parse("2026-01-02T00:00:00Z"), "added");
    store.write(WS, tx -> {
      tx.appendLedger(kept);
      return null;
    });
    store.write(WS, tx -> {
      Savepoint sp = tx.savepoint();
      tx.appendLedger(added);
      tx.require(PrivacyStorage.class).deleteLedger(p);
      tx.rollbackTo(sp);
      assertThat(tx.ledger(p)).containsExactly(kept);
      assertThat(tx.ledger(q)).isEmpty();
      tx.appendLedger(added);
      return null;
    });
    List<LedgerEntry> ofP = store.read(WS, tx -> tx.ledger(p));
    List<LedgerEntry> ofQ = store.read(WS, tx -> tx.ledger(q));
    assertThat(ofP).containsExactly(kept, added);
    assertThat(ofQ).containsExactly(added);
  }
}
