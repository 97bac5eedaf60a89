package io.cdpkit.storage.jdbc;

import static io.cdpkit.storage.jdbc.StorageCapabilities.outboxOf;
import static io.cdpkit.storage.jdbc.StorageCapabilities.privacyOf;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cdpkit.activation.spi.storage.Delivery;
import io.cdpkit.activation.spi.storage.OutboxEntry;
import io.cdpkit.core.model.Event;
import io.cdpkit.core.model.EventKey;
import io.cdpkit.core.model.Identifier;
import io.cdpkit.core.model.LedgerEntry;
import io.cdpkit.core.model.ProfileId;
import io.cdpkit.core.model.WorkspaceId;
import io.cdpkit.core.spi.storage.AuditEntry;
import io.cdpkit.core.spi.storage.IdentityNode;
import io.cdpkit.core.spi.storage.Link;
import io.cdpkit.core.spi.storage.ReadTransaction;
import io.cdpkit.core.spi.storage.Savepoint;
import io.cdpkit.core.spi.storage.StoredEvent;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * What the JDBC store's write transaction does with deletes before its commit, which the
 * contract suite sees only from outside: the transaction's own reads, savepoints, and a row
 * deleted and written again in one transaction (the commit deletes first). On every database,
 * because each sends a batch of deletes its own way.
 */
class PrivacyInTransactionTest {
  private static final WorkspaceId SHOP = WorkspaceId.of("shop-amsterdam");
  private static final Instant T = Instant.parse("2026-03-01T10:00:00Z");
  private static final ProfileId AYSE = ProfileId.of("p-ayse");
  private static final ProfileId BOB = ProfileId.of("p-bob");
  private static final ProfileId CAROL = ProfileId.of("p-carol");
  private static final Identifier EMAIL = Identifier.email("ayse.yilmaz@example.com");
  private static final Identifier COOKIE = Identifier.anonymousId("anon-7f3e9a");

  private record Fresh(JdbcStore store, Runnable drop) {}

  private static Fresh fresh(String kind) {
    switch (kind) {
      case "postgres", "mariadb" -> {
        TestDatabases.Scratch s = kind.equals("postgres") ? TestDatabases.postgres()
            : TestDatabases.mariadb();
        JdbcStore store = JdbcStore.create(s.dataSource());
        return new Fresh(store, () -> {
          store.close();
          TestDatabases.drop(s);
        });
      }
      default -> {
        JdbcStore store = JdbcStore.h2InMemory("privacy-tx-" + UUID.randomUUID());
        return new Fresh(store, store::close);
      }
    }
  }

  private static StoredEvent event(String messageId, String name, int minute) {
    Instant at = T.plusSeconds(60L * minute);
    return new StoredEvent(Event.track(name).messageId(messageId).anonymousId("anon-7f3e9a")
        .timestamp(at).build(), new EventKey(at, messageId), List.of(EMAIL), EMAIL);
  }

  private static Link link(String messageId) {
    return new Link(new EventKey(T, messageId), List.of(EMAIL, COOKIE));
  }

  private static Delivery delivery(String id, ProfileId profile) {
    return new Delivery(id, profile, T, "winback-email", "email", "k-1", 0, "delivered", null,
        "{}");
  }

  /** What one transaction sees of everything the tests delete. */
  private record Seen(Optional<StoredEvent> event, List<StoredEvent> byAnchor,
      Map<String, Long> counts, Optional<IdentityNode> node, Optional<ProfileId> redirect,
      List<ProfileId> redirectsTo, List<LedgerEntry> ledger, List<Link> links,
      Optional<OutboxEntry> outbox, List<OutboxEntry> outboxOfAyse, List<Delivery> deliveries,
      Map<String, Instant> tombstones, List<AuditEntry> audit) {
    static Seen of(ReadTransaction tx) {
      return new Seen(tx.event("m-1"), tx.eventsByAnchors(List.of(EMAIL)), tx.eventNameCounts(),
          tx.node(EMAIL), tx.redirect(BOB), tx.redirectsTo(AYSE), tx.ledger(AYSE),
          tx.links("c-1"), outboxOf(tx).outbox("k-1"), outboxOf(tx).outboxOfProfile(AYSE),
          outboxOf(tx).deliveries(AYSE), privacyOf(tx).tombstones(List.of("h-ayse")),
          privacyOf(tx).audit(0, 10));
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"h2", "postgres", "mariadb"})
  @DisplayName("deletes are seen by the transaction's own reads, a savepoint undoes them (and"
      + " the audit numbers taken after it), and what is committed equals what the transaction"
      + " saw last")
  void ownReadsAndSavepoints(String kind) {
    Fresh f = fresh(kind);
    try {
      JdbcStore store = f.store();
      StoredEvent viewed = event("m-1", "Product Viewed", 1);
      LedgerEntry merge = new LedgerEntry(LedgerEntry.Kind.MERGED, AYSE, BOB, EMAIL, "m-1", T, T,
          "shared identifier");
      OutboxEntry entry = OutboxEntry.pending("k-1", "winback-email", AYSE, "email", T, T, "{}");
      store.write(SHOP, tx -> {
        tx.insertEvent(viewed);
        tx.putNode(new IdentityNode(EMAIL, AYSE, "c-1"));
        tx.putRedirect(BOB, AYSE);
        tx.appendLedger(merge);
        tx.addLink("c-1", link("m-1"));
        outboxOf(tx).insertOutbox(entry);
        outboxOf(tx).putDelivery(delivery("d-1", AYSE));
        return null;
      });
      Seen before = store.read(SHOP, Seen::of);
      assertThat(before.event()).contains(viewed);
      assertThat(before.outboxOfAyse()).containsExactly(entry);

      Seen[] inside = new Seen[3];
      long[] seqs = new long[3];
      store.write(SHOP, tx -> {
        Savepoint sp = tx.savepoint();
        seqs[0] = privacyOf(tx).appendAudit(new AuditEntry(0, T, "erase", AYSE, "h-ayse", "{}"));
        privacyOf(tx).deleteEvents(List.of("m-1"));
        privacyOf(tx).deleteNode(EMAIL);
        privacyOf(tx).deleteRedirect(BOB);
        privacyOf(tx).deleteLedger(AYSE);
        privacyOf(tx).deleteLinks("c-1");
        outboxOf(tx).deleteOutbox("k-1");
        outboxOf(tx).deleteDeliveries(AYSE);
        privacyOf(tx).putTombstone("h-ayse", T);
        inside[0] = Seen.of(tx);
        tx.rollbackTo(sp);
        inside[1] = Seen.of(tx);
        seqs[1] = privacyOf(tx).appendAudit(new AuditEntry(0, T, "export", AYSE, null, "{}"));
        seqs[2] = privacyOf(tx).appendAudit(new AuditEntry(0, T, "erase", AYSE, "h-ayse", "{}"));
        privacyOf(tx).deleteEvents(List.of("m-1"));
        privacyOf(tx).deleteNode(EMAIL);
        privacyOf(tx).deleteLinks("c-1");
        privacyOf(tx).putTombstone("h-ayse", T);
        inside[2] = Seen.of(tx);
        return null;
      });

      Seen deleted = inside[0];
      assertThat(deleted.event()).isEmpty();
      assertThat(deleted.byAnchor()).isEmpty();
      assertThat(deleted.counts()).doesNotContainKey("Product Viewed");
      assertThat(deleted.node()).isEmpty();
      assertThat(deleted.redirect()).isEmpty();
      assertThat(deleted.redirectsTo()).isEmpty();
      assertThat(deleted.ledger()).isEmpty();
      assertThat(deleted.links()).isEmpty();
      assertThat(deleted.outbox()).isEmpty();
      assertThat(deleted.outboxOfAyse()).isEmpty();
      assertThat(deleted.deliveries()).isEmpty();
      assertThat(deleted.tombstones()).containsExactlyEntriesOf(Map.of("h-ayse", T));
      assertThat(deleted.audit()).extracting(AuditEntry::seq).containsExactly(1L);
      assertThat(inside[1]).as("after the rollback to the savepoint").isEqualTo(before);
      assertThat(seqs).containsExactly(1, 1, 2);

      Seen committed = store.read(SHOP, Seen::of);
      assertThat(committed).isEqualTo(inside[2]);
      assertThat(committed.event()).isEmpty();
      assertThat(committed.node()).isEmpty();
      assertThat(committed.links()).isEmpty();
      assertThat(committed.redirect()).contains(AYSE);
      assertThat(committed.ledger()).containsExactly(merge);
      assertThat(committed.outbox()).contains(entry);
      assertThat(committed.deliveries()).hasSize(1);
      assertThat(committed.audit()).extracting(AuditEntry::operation)
          .containsExactly("export", "erase");
      long next = store.write(SHOP,
          tx -> privacyOf(tx).appendAudit(new AuditEntry(0, T, "purge", null, null, "{}")));
      assertThat(next).isEqualTo(3);
    } finally {
      f.drop().run();
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"h2", "postgres", "mariadb"})
  @DisplayName("a messageId, outbox key or delivery id deleted and written again in one"
      + " transaction holds the new row after the commit; an outbox entry deleted cannot be"
      + " updated; links moved, deleted and added in one transaction land as they were read")
  void deletedThenWrittenAgain(String kind) {
    Fresh f = fresh(kind);
    try {
      JdbcStore store = f.store();
      OutboxEntry entry = OutboxEntry.pending("k-1", "winback-email", AYSE, "email", T, T, "{}");
      OutboxEntry again = OutboxEntry.pending("k-1", "welcome-email", CAROL, "email", T, T,
          "{\"again\":true}");
      store.write(SHOP, tx -> {
        tx.insertEvent(event("m-1", "Product Viewed", 1));
        outboxOf(tx).insertOutbox(entry);
        outboxOf(tx).putDelivery(delivery("d-1", AYSE));
        tx.addLink("c-1", link("m-1"));
        tx.addLink("c-2", link("m-2"));
        tx.addLink("c-3", link("m-3"));
        return null;
      });

      StoredEvent replacement = event("m-1", "Order Completed", 2);
      List<Link> seenInside = store.write(SHOP, tx -> {
        privacyOf(tx).deleteEvents(List.of("m-1", "m-absent"));
        assertThat(tx.insertEvent(replacement)).isTrue();
        assertThat(tx.insertEvent(replacement)).isFalse();
        outboxOf(tx).deleteOutbox("k-1");
        assertThatThrownBy(() -> outboxOf(tx).updateOutbox(entry.claimed("w", T)))
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("outbox");
        assertThat(outboxOf(tx).insertOutbox(again)).isTrue();
        outboxOf(tx).deleteDeliveries(AYSE);
        outboxOf(tx).putDelivery(delivery("d-1", CAROL));
        tx.moveLinks("c-1", "c-2");
        privacyOf(tx).deleteLinks("c-2");
        tx.addLink("c-2", link("m-4"));
        tx.moveLinks("c-3", "c-2");
        return tx.links("c-2");
      });

      assertThat(seenInside).containsExactlyInAnyOrder(link("m-3"), link("m-4"));
      Optional<StoredEvent> stored = store.read(SHOP, tx -> tx.event("m-1"));
      Map<String, Long> counts = store.read(SHOP, ReadTransaction::eventNameCounts);
      Optional<OutboxEntry> outbox = store.read(SHOP, tx -> outboxOf(tx).outbox("k-1"));
      List<OutboxEntry> ofCarol = store.read(SHOP, tx -> outboxOf(tx).outboxOfProfile(CAROL));
      List<Delivery> ofAyse = store.read(SHOP, tx -> outboxOf(tx).deliveries(AYSE));
      List<Delivery> ofCarolLines = store.read(SHOP, tx -> outboxOf(tx).deliveries(CAROL));
      List<Link> links = store.read(SHOP, tx -> tx.links("c-2"));
      List<Link> linksOfC1 = store.read(SHOP, tx -> tx.links("c-1"));
      assertThat(stored).contains(replacement);
      assertThat(counts).isEqualTo(Map.of("Order Completed", 1L));
      assertThat(outbox).contains(again);
      assertThat(ofCarol).containsExactly(again);
      assertThat(ofAyse).isEmpty();
      assertThat(ofCarolLines).containsExactly(delivery("d-1", CAROL));
      assertThat(links).containsExactlyInAnyOrderElementsOf(seenInside);
      assertThat(linksOfC1).isEmpty();
    } finally {
      f.drop().run();
    }
  }
}
