package io.cdpkit.core.spi.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cdpkit.core.model.LedgerEntry;
import io.cdpkit.core.model.ProfileId;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/**
 * The storage contract of the {@link PrivacyStorage} capability, written only against the public
 * SPI: what every store that keeps personal data must do for erasure, retention and the audit
 * log. A store passes it as it passes {@link StoreContractTest}, by subclassing it once and
 * returning a fresh, empty store from {@link #createStore()}:
 *
 * <pre>{@code
 * class MyStorePrivacyContractTest extends PrivacyStorageContractTest {
 *   @Override
 *   protected Store createStore() {
 *     return MyStore.openFreshSchema();
 *   }
 * }
 * }</pre>
 *
 * <p>Decisions the SPI leaves implicit and this suite pins down: deleting what is not there
 * changes nothing; a deleted messageId may be stored again; tombstones keep the latest instant
 * exactly; audit entries round-trip every field and number in append order per workspace; the
 * capability's writes are committed and rolled back (also to a savepoint) with the engine's
 * records, and throw {@link IllegalStateException} in a read transaction.
 */
public abstract class PrivacyStorageContractTest extends StoreContractSupport {

  /** The transaction's privacy records: the store must have the capability. */
  protected static PrivacyStorage privacy(ReadTransaction tx) {
    return tx.require(PrivacyStorage.class);
  }

  // ---------------------------------------------------------------------------------------------

  @Nested
  @DisplayName("Deletes, tombstones, the audit log")
  class Privacy {

    private List<AuditEntry> readAudit(long afterSeq, int limit) {
      return store.read(SHOP, tx -> privacy(tx).audit(afterSeq, limit));
    }

    private Map<String, Instant> readTombstones(List<String> hashes) {
      return store.read(SHOP, tx -> privacy(tx).tombstones(hashes));
    }

    private List<ProfileId> readRedirectsTo(ProfileId to) {
      return store.read(SHOP, tx -> tx.redirectsTo(to));
    }

    @Test
    @DisplayName("deleteEvents removes the events from event() and eventsByAnchors(), leaves the"
        + " others, ignores absent ids, and a deleted id can be inserted again")
    void deleteEvents() {
      StoredEvent a = viewed("m-1", at(1), AYSE_EMAIL);
      StoredEvent b = viewed("m-2", at(2), AYSE_EMAIL);
      StoredEvent c = order("m-3", at(3), AYSE_CARD);
      update(tx -> {
        tx.insertEvent(a);
        tx.insertEvent(b);
        tx.insertEvent(c);
      });
      update(tx -> privacy(tx).deleteEvents(List.of("m-1", "m-3", "m-absent")));

      assertThat(readEvent("m-1")).isEmpty();
      assertThat(readEvent("m-3")).isEmpty();
      assertThat(readEvent("m-2")).contains(b);
      assertThat(readEvents(List.of(AYSE_EMAIL, AYSE_CARD))).containsExactly(b);
      boolean again = store.write(SHOP, tx -> tx.insertEvent(a));
      assertThat(again).isTrue();
      assertThat(readEvents(List.of(AYSE_EMAIL))).containsExactlyInAnyOrder(a, b);
    }

    @Test
    @DisplayName("deleteNode removes the node from node(), nodesOfProfile() and"
        + " nodesOfComponent()")
    void deleteNode() {
      update(tx -> {
        tx.putNode(node(AYSE_EMAIL, AYSE, "c-1"));
        tx.putNode(node(AYSE_CARD, AYSE, "c-1"));
      });
      update(tx -> {
        privacy(tx).deleteNode(AYSE_EMAIL);
        privacy(tx).deleteNode(BOB_EMAIL);
      });

      assertThat(readNode(AYSE_EMAIL)).isEmpty();
      assertThat(readNodesOfProfile(AYSE)).containsExactly(node(AYSE_CARD, AYSE, "c-1"));
      assertThat(readNodesOfComponent("c-1")).containsExactly(node(AYSE_CARD, AYSE, "c-1"));
    }

    @Test
    @DisplayName("deleteLinks removes every link of one component only; deleteRedirect one"
        + " redirect; redirectsTo lists the ids redirected to a profile in id order")
    void deleteLinksAndRedirects() {
      update(tx -> {
        tx.addLink("c-1", link("m-1", at(1), AYSE_EMAIL, AYSE_CARD));
        tx.addLink("c-1", link("m-2", at(2), AYSE_EMAIL, AYSE_COOKIE));
        tx.addLink("c-2", link("m-3", at(3), BOB_EMAIL, BOB_PHONE));
        tx.putRedirect(CAROL, AYSE);
        tx.putRedirect(BOB, AYSE);
        tx.putRedirect(ProfileId.of("p-dave"), BOB);
      });
      assertThat(readRedirectsTo(AYSE)).containsExactly(BOB, CAROL);

      update(tx -> {
        privacy(tx).deleteLinks("c-1");
        privacy(tx).deleteRedirect(CAROL);
        privacy(tx).deleteRedirect(ProfileId.of("p-nobody"));
      });

      assertThat(readLinks("c-1")).isEmpty();
      assertThat(readLinks("c-2")).hasSize(1);
      assertThat(readRedirect(CAROL)).isEmpty();
      assertThat(readRedirect(BOB)).contains(AYSE);
      assertThat(readRedirectsTo(AYSE)).containsExactly(BOB);
      assertThat(readRedirectsTo(CAROL)).isEmpty();
    }

    @Test
    @DisplayName("deleteLedger removes every entry naming the profile on either side, from every"
        + " profile's ledger, and keeps the rest in write order")
    void deleteLedger() {
      LedgerEntry e1 = merged(AYSE, BOB, "m-1", at(1));
      LedgerEntry e2 = conflict(CAROL, AYSE, "m-2", at(2));
      LedgerEntry e3 = merged(CAROL, BOB, "m-3", at(3));
      LedgerEntry e4 = conflict(CAROL, null, "m-4", at(4));
      update(tx -> {
        tx.appendLedger(e1);
        tx.appendLedger(e2);
        tx.appendLedger(e3);
        tx.appendLedger(e4);
      });
      update(tx -> privacy(tx).deleteLedger(AYSE));

      assertThat(readLedger(AYSE)).isEmpty();
      assertThat(readLedger(BOB)).containsExactly(e3);
      assertThat(readLedger(CAROL)).containsExactly(e3, e4);
    }

    @Test
    @DisplayName("tombstones keep the latest erasure instant per hash, exactly, and answer only"
        + " for the hashes asked about")
    void tombstones() {
      Instant precise = Instant.parse("2026-03-01T10:15:00.123456Z");
      update(tx -> {
        privacy(tx).putTombstone("h-1", at(10));
        privacy(tx).putTombstone("h-2", precise);
        privacy(tx).putTombstone("h-4", precise);
      });
      update(tx -> {
        privacy(tx).putTombstone("h-1", at(5));
        privacy(tx).putTombstone("h-2", at(20));
      });

      Map<String, Instant> found = readTombstones(List.of("h-1", "h-2", "h-3", "h-4"));
      assertThat(found)
          .containsExactlyInAnyOrderEntriesOf(Map.of("h-1", at(10), "h-2", at(20), "h-4", precise));
      assertThat(readTombstones(List.of("h-3")).isEmpty()).isTrue();
      assertThat(readTombstones(List.of()).isEmpty()).isTrue();
      Map<String, Instant> other =
          store.read(OTHER_SHOP, tx -> privacy(tx).tombstones(List.of("h-1")));
      assertThat(other).isEmpty();
    }

    @Test
    @DisplayName("the audit log numbers entries in append order, pages by seq, round-trips every"
        + " field exactly, and is per workspace")
    void auditLog() {
      AuditEntry erase = new AuditEntry(0, Instant.parse("2026-03-01T10:15:00.000001Z"), "erase",
          AYSE, "h-ayse", "{\"events\":3}");
      AuditEntry export = new AuditEntry(0, at(2), "export", null, null, "{}");
      long s1 = store.write(SHOP, tx -> privacy(tx).appendAudit(erase));
      long s2 = store.write(SHOP, tx -> privacy(tx).appendAudit(export));
      long s3 = store.write(SHOP, tx -> privacy(tx).appendAudit(export));
      store.write(OTHER_SHOP, tx -> privacy(tx).appendAudit(export));

      assertThat(s1).isPositive();
      assertThat(s2).isGreaterThan(s1);
      assertThat(s3).isGreaterThan(s2);
      assertThat(readAudit(0, 10))
          .containsExactly(erase.withSeq(s1), export.withSeq(s2), export.withSeq(s3));
      assertThat(readAudit(s1, 1)).containsExactly(export.withSeq(s2));
      assertThat(readAudit(s3, 10)).isEmpty();
      List<AuditEntry> other = store.read(OTHER_SHOP, tx -> privacy(tx).audit(0, 10));
      assertThat(other).hasSize(1);
    }

    @Test
    @DisplayName("a rolled-back transaction leaves no audit entry, tombstone or delete behind")
    void rollback() {
      StoredEvent a = viewed("m-1", at(1), AYSE_EMAIL);
      update(tx -> {
        tx.insertEvent(a);
        tx.putNode(node(AYSE_EMAIL, AYSE, "c-1"));
        tx.addLink("c-1", link("m-1", at(1), AYSE_EMAIL, AYSE_CARD));
        tx.putRedirect(BOB, AYSE);
        tx.appendLedger(merged(AYSE, BOB, "m-1", at(1)));
      });
      updateAndFail(tx -> {
        privacy(tx).appendAudit(new AuditEntry(0, at(3), "erase", AYSE, "h-ayse", "{}"));
        privacy(tx).putTombstone("h-ayse", at(3));
        privacy(tx).deleteEvents(List.of("m-1"));
        privacy(tx).deleteNode(AYSE_EMAIL);
        privacy(tx).deleteLinks("c-1");
        privacy(tx).deleteRedirect(BOB);
        privacy(tx).deleteLedger(AYSE);
      });

      assertThat(readAudit(0, 10)).isEmpty();
      assertThat(readTombstones(List.of("h-ayse")).isEmpty()).isTrue();
      assertThat(readEvent("m-1")).contains(a);
      assertThat(readEvents(List.of(AYSE_EMAIL))).containsExactly(a);
      assertThat(readNode(AYSE_EMAIL)).isPresent();
      assertThat(readNodesOfProfile(AYSE)).hasSize(1);
      assertThat(readLinks("c-1")).hasSize(1);
      assertThat(readRedirect(BOB)).contains(AYSE);
      assertThat(readLedger(AYSE)).hasSize(1);
    }

    @Test
    @DisplayName("bad arguments are refused naming the field")
    void badArguments() {
      assertThatThrownBy(() -> update(tx -> privacy(tx).putTombstone("", at(1))))
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("hash");
      assertThatThrownBy(() -> readAudit(0, 0))
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("limit");
      assertThatThrownBy(() -> new AuditEntry(0, at(1), "", null, null, "{}"))
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("operation");
    }
  

    @Test
    @DisplayName("messageIdsByAnchors lists the messageIds of the events anchored at the"
        + " identifiers, each once, whatever the order; not those of other anchors or workspaces")
    void messageIdsByAnchors() {
      update(tx -> {
        tx.insertEvent(viewed("m-1", at(1), AYSE_EMAIL));
        tx.insertEvent(order("m-2", at(2), AYSE_CARD, AYSE_EMAIL));
        tx.insertEvent(viewed("m-3", at(3), AYSE_EMAIL, AYSE_CARD));
        tx.insertEvent(viewed("m-4", at(4), BOB_EMAIL));
        tx.insertEvent(viewed("m-5", at(5)));
      });
      update(OTHER_SHOP, tx -> tx.insertEvent(viewed("m-9", at(9), AYSE_EMAIL)));

      read(tx -> {
        assertThat(privacy(tx).messageIdsByAnchors(List.of(AYSE_EMAIL, AYSE_CARD, AYSE_EMAIL)))
            .containsExactlyInAnyOrder("m-1", "m-2", "m-3");
        assertThat(privacy(tx).messageIdsByAnchors(List.of(AYSE_CARD)))
            .containsExactly("m-2");
        assertThat(privacy(tx).messageIdsByAnchors(List.of(AYSE_COOKIE))).isEmpty();
        assertThat(privacy(tx).messageIdsByAnchors(List.of())).isEmpty();
        return null;
      });
      update(tx -> {
        privacy(tx).deleteEvents(List.of("m-1"));
        tx.insertEvent(viewed("m-6", at(6), AYSE_CARD));
        assertThat(privacy(tx).messageIdsByAnchors(List.of(AYSE_EMAIL, AYSE_CARD)))
            .as("a write transaction's own writes")
            .containsExactlyInAnyOrder("m-2", "m-3", "m-6");
      });
    }

    @Test
    @DisplayName("every write of the capability in a read transaction throws"
        + " IllegalStateException and changes nothing")
    void readTransactionCannotWrite() {
      StoredEvent a = viewed("m-1", at(1), AYSE_EMAIL);
      update(tx -> {
        tx.insertEvent(a);
        tx.putNode(node(AYSE_EMAIL, AYSE, "c-1"));
        tx.addLink("c-1", link("m-1", at(1), AYSE_EMAIL, AYSE_CARD));
        tx.putRedirect(BOB, AYSE);
        tx.appendLedger(merged(AYSE, BOB, "m-1", at(1)));
      });

      read(tx -> {
        PrivacyStorage p = privacy(tx);
        List<org.assertj.core.api.ThrowableAssert.ThrowingCallable> writes = List.of(
            () -> p.putTombstone("h-ayse", at(2)),
            () -> p.appendAudit(new AuditEntry(0, at(2), "erase", AYSE, "h-ayse", "{}")),
            () -> p.deleteEvents(List.of("m-1")),
            () -> p.deleteNode(AYSE_EMAIL),
            () -> p.deleteLinks("c-1"),
            () -> p.deleteRedirect(BOB),
            () -> p.deleteLedger(AYSE));
        for (var write : writes) {
          assertThatThrownBy(write).isInstanceOf(IllegalStateException.class);
        }
        return null;
      });

      assertThat(readTombstones(List.of("h-ayse"))).isEmpty();
      assertThat(readAudit(0, 10)).isEmpty();
      assertThat(readEvent("m-1")).contains(a);
      assertThat(readNode(AYSE_EMAIL)).isPresent();
      assertThat(readLinks("c-1")).hasSize(1);
      assertThat(readRedirect(BOB)).contains(AYSE);
      assertThat(readLedger(AYSE)).hasSize(1);
    }

    @Test
    @DisplayName("rollbackTo undoes the capability's writes after the savepoint with the engine's,"
        + " keeps those before, and the transaction commits the rest")
    void savepoint() {
      StoredEvent a = viewed("m-1", at(1), AYSE_EMAIL);
      StoredEvent b = viewed("m-2", at(2), AYSE_EMAIL);
      update(tx -> {
        tx.insertEvent(a);
        tx.insertEvent(b);
        tx.putNode(node(AYSE_EMAIL, AYSE, "c-1"));
        tx.appendLedger(merged(AYSE, BOB, "m-1", at(1)));
      });

      long seq = store.write(SHOP, tx -> {
        PrivacyStorage p = privacy(tx);
        p.putTombstone("h-kept", at(3));
        p.deleteEvents(List.of("m-1"));
        Savepoint sp = tx.savepoint();
        p.putTombstone("h-dropped", at(3));
        p.putTombstone("h-kept", at(9));
        p.appendAudit(new AuditEntry(0, at(3), "erase", AYSE, "h-dropped", "{}"));
        p.deleteEvents(List.of("m-2"));
        p.deleteNode(AYSE_EMAIL);
        p.deleteLedger(AYSE);
        tx.putProfile(profile(CAROL, 1));
        tx.rollbackTo(sp);

        assertThat(p.tombstones(List.of("h-kept", "h-dropped"))).containsOnlyKeys("h-kept");
        assertThat(p.audit(0, 10)).isEmpty();
        assertThat(tx.event("m-2")).contains(b);
        assertThat(tx.node(AYSE_EMAIL)).isPresent();
        assertThat(tx.profile(CAROL)).isEmpty();
        return p.appendAudit(new AuditEntry(0, at(4), "export", AYSE, null, "{}"));
      });

      assertThat(readTombstones(List.of("h-kept", "h-dropped")))
          .containsExactlyInAnyOrderEntriesOf(Map.of("h-kept", at(3)));
      assertThat(readAudit(0, 10)).containsExactly(
          new AuditEntry(seq, at(4), "export", AYSE, null, "{}"));
      assertThat(readEvent("m-1")).isEmpty();
      assertThat(readEvent("m-2")).contains(b);
      assertThat(readNode(AYSE_EMAIL)).isPresent();
      assertThat(readLedger(AYSE)).hasSize(1);
      assertThat(readProfile(CAROL)).isEmpty();
    }
  }
}
