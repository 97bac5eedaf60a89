package io.cdpkit.storage.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

import io.cdpkit.activation.spi.storage.Delivery;
import io.cdpkit.activation.spi.storage.OutboxClaims;
import io.cdpkit.activation.spi.storage.OutboxEntry;
import io.cdpkit.activation.spi.storage.OutboxStorage;
import io.cdpkit.core.model.Event;
import io.cdpkit.core.model.EventKey;
import io.cdpkit.core.model.Identifier;
import io.cdpkit.core.model.ProfileId;
import io.cdpkit.core.model.ProfileState;
import io.cdpkit.core.model.WorkspaceId;
import io.cdpkit.core.spi.storage.AuditEntry;
import io.cdpkit.core.spi.storage.MetadataStorage;
import io.cdpkit.core.spi.storage.PrivacyStorage;
import io.cdpkit.core.spi.storage.ProfileRecord;
import io.cdpkit.core.spi.storage.ReadTransaction;
import io.cdpkit.core.spi.storage.Savepoint;
import io.cdpkit.core.spi.storage.StoredEvent;
import io.cdpkit.core.spi.storage.UnsupportedCapabilityException;
import io.cdpkit.core.spi.storage.WriteTransaction;
import io.cdpkit.segmentation.spi.storage.Membership;
import io.cdpkit.segmentation.spi.storage.ScheduledCheck;
import io.cdpkit.segmentation.spi.storage.SegmentStorage;
import java.lang.reflect.InvocationTargetException;
import java.net.URLClassLoader;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The JDBC store's capabilities ({@link ReadTransaction#capability}): the core's
 * {@link MetadataStorage} and {@link PrivacyStorage}, segmentation's {@link SegmentStorage},
 * activation's {@link OutboxStorage}, and the store-level {@link OutboxClaims}. Their writes
 * belong to the transaction (committed, rolled back and rolled back to a savepoint with it), a
 * read transaction refuses them, writers of different profiles still run side by side where
 * the database allows it, and what only a writer alone may do still runs alone. On H2, and on
 * PostgreSQL and MariaDB where they run (skipped without a server, failed under CI=true).
 */
class CapabilitiesTest {
  private static final WorkspaceId SHOP = WorkspaceId.of("shop-utrecht");
  private static final Instant T = Instant.parse("2026-03-01T10:00:00Z");
  private static final ProfileId AYSE = ProfileId.of("p-ayse");
  private static final ProfileId BRAM = ProfileId.of("p-bram");
  private static final Identifier AYSE_MAIL = Identifier.email("ayse@example.com");
  private static final Identifier BRAM_MAIL = Identifier.email("bram@example.com");
  /** Far longer than any write that does not wait; far shorter than a lock timeout. */
  private static final long PROMPT_SECONDS = 5;

  private final List<Runnable> cleanups = new ArrayList<>();
  private final ExecutorService pool = Executors.newCachedThreadPool();

  @AfterEach
  void tearDown() {
    pool.shutdownNow();
    for (int i = cleanups.size() - 1; i >= 0; i--) {
      cleanups.get(i).run();
    }
  }

  /** A fresh store of this kind; {@code nodes} stores on one database, as nodes would be. */
  private List<JdbcStore> stores(String kind, int nodes) {
    List<JdbcStore> out = new ArrayList<>();
    switch (kind) {
      case "postgres", "mariadb" -> {
        TestDatabases.Scratch s = kind.equals("postgres") ? TestDatabases.postgres()
            : TestDatabases.mariadb();
        cleanups.add(() -> TestDatabases.drop(s));
        for (int i = 0; i < nodes; i++) {
          out.add(JdbcStore.create(s.dataSource()));
        }
      }
      default -> {
        String name = "capabilities-" + UUID.randomUUID();
        for (int i = 0; i < nodes; i++) {
          out.add(JdbcStore.h2InMemory(name));
        }
      }
    }
    out.forEach(store -> cleanups.add(store::close));
    return out;
  }

  private JdbcStore store(String kind) {
    return stores(kind, 1).get(0);
  }

  private static StoredEvent event(String messageId, Identifier anchor, int minute) {
    Instant at = T.plusSeconds(60L * minute);
    return new StoredEvent(Event.track("Product Viewed").messageId(messageId)
        .anonymousId("anon-" + messageId).timestamp(at).build(), new EventKey(at, messageId),
        List.of(anchor), anchor);
  }

  private static OutboxEntry pending(String key, ProfileId profile, int minute) {
    return OutboxEntry.pending(key, "winback-email", profile, "email", T,
        T.plusSeconds(60L * minute), "{}");
  }

  private static Delivery delivery(String id, ProfileId profile, int minute, String outcome) {
    return new Delivery(id, profile, T.plusSeconds(60L * minute), "winback-email", "email",
        "k-1", 0, outcome, null, "{}");
  }

  private static <T> T write(JdbcStore store, Function<? super WriteTransaction, T> work) {
    return store.write(SHOP, work);
  }

  // ------------------------------------------------------------------ round trips

  @ParameterizedTest
  @ValueSource(strings = {"h2", "postgres", "mariadb"})
  @DisplayName("metadata: written, replaced and deleted through the capability, read back by"
      + " prefix in the same transaction, a later one and a read")
  void metadataRoundTrip(String kind) {
    JdbcStore store = store(kind);
    Map<String, String> inside = write(store, tx -> {
      MetadataStorage m = tx.require(MetadataStorage.class);
      m.putMetadata("segment/vip", "{\"v\":1}");
      m.putMetadata("segment/lapsed", "{}");
      m.putMetadata("trait/ltv", "{}");
      return m.metadata("segment/");
    });
    assertThat(inside).containsExactly(Map.entry("segment/lapsed", "{}"),
        Map.entry("segment/vip", "{\"v\":1}"));
    write(store, tx -> {
      MetadataStorage m = tx.require(MetadataStorage.class);
      m.putMetadata("segment/vip", "{\"v\":2}");
      m.deleteMetadata("segment/lapsed");
      m.deleteMetadata("segment/absent");
      return null;
    });
    Map<String, String> all = store.read(SHOP,
        tx -> tx.require(MetadataStorage.class).metadata(""));
    assertThat(all).containsExactly(Map.entry("segment/vip", "{\"v\":2}"),
        Map.entry("trait/ltv", "{}"));
    assertThatThrownBy(() -> write(store,
        tx -> {
          tx.require(MetadataStorage.class).putMetadata("", "x");
          return null;
        }))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("metadata key");
  }

  @ParameterizedTest
  @ValueSource(strings = {"h2", "postgres", "mariadb"})
  @DisplayName("privacy: tombstones keep the later instant, the audit log numbers in order, and"
      + " messageIdsByAnchors answers the committed events with this transaction's own new ones"
      + " added and its deleted ones left out")
  void privacyRoundTrip(String kind) {
    JdbcStore store = store(kind);
    write(store, tx -> {
      tx.insertEvent(event("m-1", AYSE_MAIL, 1));
      tx.insertEvent(event("m-2", AYSE_MAIL, 2));
      tx.insertEvent(event("m-3", BRAM_MAIL, 3));
      PrivacyStorage p = tx.require(PrivacyStorage.class);
      p.putTombstone("h-1", T.plusSeconds(60));
      p.appendAudit(new AuditEntry(0, T, "export", AYSE, null, "{}"));
      return null;
    });
    List<String> inside = write(store, tx -> {
      PrivacyStorage p = tx.require(PrivacyStorage.class);
      assertThat(p.messageIdsByAnchors(List.of(AYSE_MAIL)))
          .containsExactlyInAnyOrder("m-1", "m-2");
      tx.insertEvent(event("m-4", AYSE_MAIL, 4));
      p.deleteEvents(List.of("m-1"));
      p.putTombstone("h-1", T); // earlier: the later instant stays
      p.putTombstone("h-2", T);
      long seq = p.appendAudit(new AuditEntry(0, T, "erase", AYSE, "h-2", "{}"));
      assertThat(seq).isEqualTo(2);
      return p.messageIdsByAnchors(List.of(AYSE_MAIL, BRAM_MAIL));
    });
    assertThat(inside).containsExactlyInAnyOrder("m-2", "m-3", "m-4");
    store.read(SHOP, tx -> {
      PrivacyStorage p = tx.require(PrivacyStorage.class);
      assertThat(p.messageIdsByAnchors(List.of(AYSE_MAIL)))
          .containsExactlyInAnyOrder("m-2", "m-4");
      assertThat(p.messageIdsByAnchors(List.of(Identifier.email("nobody@example.com"))))
          .isEmpty();
      assertThat(p.tombstones(List.of("h-1", "h-2", "h-3")))
          .containsExactlyInAnyOrderEntriesOf(Map.of("h-1", T.plusSeconds(60), "h-2", T));
      assertThat(p.audit(0, 10)).extracting(AuditEntry::seq, AuditEntry::operation)
          .containsExactly(tuple(1L, "export"),
              tuple(2L, "erase"));
      return null;
    });
  }

  @ParameterizedTest
  @ValueSource(strings = {"h2", "postgres", "mariadb"})
  @DisplayName("segments: memberships and scheduled checks written, replaced and deleted, read"
      + " by profile, by segment a page at a time, and by due time")
  void segmentsRoundTrip(String kind) {
    JdbcStore store = store(kind);
    ProfileId carol = ProfileId.of("p-carol");
    write(store, tx -> {
      SegmentStorage s = tx.require(SegmentStorage.class);
      s.putMembership(new Membership("vip", AYSE, T));
      s.putMembership(new Membership("vip", BRAM, T));
      s.putMembership(new Membership("vip", carol, T));
      s.putMembership(new Membership("lapsed", AYSE, T));
      s.putCheck(new ScheduledCheck(AYSE, T.plusSeconds(60)));
      s.putCheck(new ScheduledCheck(BRAM, T.plusSeconds(30)));
      assertThat(s.memberships(AYSE)).extracting(Membership::segment)
          .containsExactly("lapsed", "vip");
      return null;
    });
    write(store, tx -> {
      SegmentStorage s = tx.require(SegmentStorage.class);
      s.deleteMembership("lapsed", AYSE);
      s.putMembership(new Membership("vip", AYSE, T.plusSeconds(5)));
      s.deleteCheck(BRAM);
      s.putCheck(new ScheduledCheck(carol, T));
      assertThat(s.members("vip", null, 2)).extracting(Membership::profile)
          .containsExactly(AYSE, BRAM);
      return null;
    });
    store.read(SHOP, tx -> {
      SegmentStorage s = tx.require(SegmentStorage.class);
      assertThat(s.memberships(AYSE)).containsExactly(new Membership("vip", AYSE,
          T.plusSeconds(5)));
      assertThat(s.members("vip", BRAM, 10)).extracting(Membership::profile)
          .containsExactly(carol);
      assertThat(s.check(BRAM)).isEmpty();
      assertThat(s.check(AYSE)).contains(new ScheduledCheck(AYSE, T.plusSeconds(60)));
      assertThat(s.dueChecks(T.plusSeconds(60), 10)).extracting(ScheduledCheck::profile)
          .containsExactly(carol, AYSE);
      assertThat(s.dueChecks(T, 10)).extracting(ScheduledCheck::profile)
          .containsExactly(carol);
      return null;
    });
  }

  @ParameterizedTest
  @ValueSource(strings = {"h2", "postgres", "mariadb"})
  @DisplayName("outbox: entries inserted once per key, read by key, keys, status and profile,"
      + " claimed through the store's OutboxClaims, updated and deleted; delivery lines written"
      + " and deleted by profile")
  void outboxRoundTrip(String kind) {
    JdbcStore store = store(kind);
    write(store, tx -> {
      OutboxStorage o = tx.require(OutboxStorage.class);
      assertThat(o.insertOutbox(pending("k-1", AYSE, 0))).isTrue();
      assertThat(o.insertOutbox(pending("k-1", AYSE, 5))).isFalse();
      o.addOutbox(pending("k-2", BRAM, 1));
      o.putDelivery(delivery("d-1", AYSE, 1, "delivered"));
      o.putDelivery(delivery("d-2", BRAM, 1, "delivered"));
      return null;
    });
    OutboxClaims claims = store.capability(OutboxClaims.class).orElseThrow();
    assertThat(claims.claim(SHOP, T.plusSeconds(30), "worker-1", T.plusSeconds(90), 10))
        .extracting(OutboxEntry::key).containsExactly("k-1");
    assertThatThrownBy(() -> claims.claim(SHOP, T, "worker-1", T, 10))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("leaseUntil");
    write(store, tx -> {
      OutboxStorage o = tx.require(OutboxStorage.class);
      OutboxEntry claimed = o.outbox("k-1").orElseThrow();
      assertThat(claimed.lease()).isEqualTo("worker-1");
      assertThat(o.insertOutbox(pending("k-1", AYSE, 0))).isFalse();
      o.updateOutbox(claimed.next(OutboxEntry.Status.DONE, 1, T, null));
      o.deleteOutbox("k-2");
      o.deleteDeliveries(BRAM);
      assertThatThrownBy(() -> o.updateOutbox(pending("k-9", AYSE, 0)))
          .isInstanceOf(IllegalArgumentException.class);
      return null;
    });
    store.read(SHOP, tx -> {
      OutboxStorage o = tx.require(OutboxStorage.class);
      assertThat(o.outbox(List.of("k-1", "k-2", "k-3")).keySet()).containsExactly("k-1");
      assertThat(o.outbox(OutboxEntry.Status.DONE, null, 10)).extracting(OutboxEntry::key)
          .containsExactly("k-1");
      assertThat(o.outbox(OutboxEntry.Status.PENDING, null, 10)).isEmpty();
      assertThat(o.outboxOfProfile(BRAM)).isEmpty();
      assertThat(o.deliveries(AYSE)).extracting(Delivery::id).containsExactly("d-1");
      assertThat(o.deliveries(BRAM)).isEmpty();
      return null;
    });
  }

  // ------------------------------------------------------------------ atomicity

  /** One write of every capability, all of them readable afterwards through {@link #seen}. */
  private static void writeEveryCapability(WriteTransaction tx,
      String suffix) {
    tx.require(MetadataStorage.class).putMetadata("m-" + suffix, "v");
    tx.require(PrivacyStorage.class).putTombstone("h-" + suffix, T);
    tx.require(PrivacyStorage.class).appendAudit(new AuditEntry(0, T, "erase-" + suffix, null,
        null, "{}"));
    tx.require(SegmentStorage.class).putMembership(new Membership("s-" + suffix, AYSE, T));
    tx.require(SegmentStorage.class).putCheck(new ScheduledCheck(
        ProfileId.of("p-" + suffix), T));
    tx.require(OutboxStorage.class).insertOutbox(pending("k-" + suffix, AYSE, 0));
    tx.require(OutboxStorage.class).putDelivery(delivery("d-" + suffix, AYSE, 0, "delivered"));
  }

  /** What {@link #writeEveryCapability} wrote, as one list of names. */
  private static List<String> seen(ReadTransaction tx) {
    List<String> out = new ArrayList<>();
    out.addAll(tx.require(MetadataStorage.class).metadata("m-").keySet());
    out.addAll(tx.require(PrivacyStorage.class).tombstones(List.of("h-a", "h-b")).keySet()
        .stream().sorted().toList());
    tx.require(PrivacyStorage.class).audit(0, 10).forEach(a -> out.add(a.operation()));
    tx.require(SegmentStorage.class).memberships(AYSE).forEach(m -> out.add(m.segment()));
    for (String p : List.of("p-a", "p-b")) {
      tx.require(SegmentStorage.class).check(ProfileId.of(p)).ifPresent(c -> out.add("check-"
          + c.profile().value()));
    }
    tx.require(OutboxStorage.class).outboxOfProfile(AYSE).forEach(e -> out.add(e.key()));
    tx.require(OutboxStorage.class).deliveries(AYSE).forEach(d -> out.add(d.id()));
    return out;
  }

  @ParameterizedTest
  @ValueSource(strings = {"h2", "postgres", "mariadb"})
  @DisplayName("what a transaction wrote through its capabilities is rolled back with it when"
      + " its work throws")
  void rolledBackWithTheTransaction(String kind) {
    JdbcStore store = store(kind);
    write(store, tx -> {
      writeEveryCapability(tx, "a");
      return null;
    });
    assertThatThrownBy(() -> write(store, tx -> {
      writeEveryCapability(tx, "b");
      assertThat(seen(tx)).contains("m-b", "h-b", "erase-b", "s-b", "check-p-b", "k-b", "d-b");
      throw new IllegalStateException("the work failed");
    })).hasMessage("the work failed");
    assertThat(store.read(SHOP, CapabilitiesTest::seen)).containsExactly(
        "m-a", "h-a", "erase-a", "s-a", "check-p-a", "k-a", "d-a");
  }

  @ParameterizedTest
  @ValueSource(strings = {"h2", "postgres", "mariadb"})
  @DisplayName("rollbackTo(savepoint) undoes the capability writes made after the savepoint,"
      + " in the transaction's own reads and in what it commits")
  void rolledBackToASavepoint(String kind) {
    JdbcStore store = store(kind);
    List<String> afterRollback = write(store, tx -> {
      writeEveryCapability(tx, "a");
      Savepoint sp = tx.savepoint();
      writeEveryCapability(tx, "b");
      tx.require(MetadataStorage.class).deleteMetadata("m-a");
      tx.require(SegmentStorage.class).deleteMembership("s-a", AYSE);
      tx.require(OutboxStorage.class).updateOutbox(pending("k-a", AYSE, 0)
          .next(OutboxEntry.Status.DONE, 1, T, null));
      tx.rollbackTo(sp);
      assertThat(tx.require(OutboxStorage.class).outbox("k-a").orElseThrow().status())
          .isEqualTo(OutboxEntry.Status.PENDING);
      return seen(tx);
    });
    List<String> onlyA = List.of("m-a", "h-a", "erase-a", "s-a", "check-p-a", "k-a", "d-a");
    assertThat(afterRollback).isEqualTo(onlyA);
    assertThat(store.read(SHOP, CapabilitiesTest::seen)).isEqualTo(onlyA);
    // The audit numbers taken after the savepoint are given again.
    long seq = write(store, tx -> tx.require(PrivacyStorage.class).appendAudit(
        new AuditEntry(0, T, "export", null, null, "{}")));
    assertThat(seq).isEqualTo(2);
  }

  // ------------------------------------------------------------------ reads, unknown types

  @ParameterizedTest
  @ValueSource(strings = {"h2", "postgres", "mariadb"})
  @DisplayName("in a read transaction every capability reads and every capability write throws"
      + " IllegalStateException, and nothing is written")
  void readTransactionsRefuseWrites(String kind) {
    JdbcStore store = store(kind);
    write(store, tx -> {
      tx.putProfile(new ProfileRecord(AYSE, ProfileState.EMPTY, Map.of(), 1));
      writeEveryCapability(tx, "a");
      return null;
    });
    List<Consumer<ReadTransaction>> writes = List.of(
        tx -> tx.require(MetadataStorage.class).putMetadata("m-b", "v"),
        tx -> tx.require(MetadataStorage.class).deleteMetadata("m-a"),
        tx -> tx.require(PrivacyStorage.class).putTombstone("h-b", T),
        tx -> tx.require(PrivacyStorage.class).appendAudit(
            new AuditEntry(0, T, "erase-b", null, null, "{}")),
        tx -> tx.require(PrivacyStorage.class).deleteEvents(List.of("m-1")),
        tx -> tx.require(PrivacyStorage.class).deleteNode(AYSE_MAIL),
        tx -> tx.require(PrivacyStorage.class).deleteLinks("c-1"),
        tx -> tx.require(PrivacyStorage.class).deleteRedirect(BRAM),
        tx -> tx.require(PrivacyStorage.class).deleteLedger(AYSE),
        tx -> tx.require(SegmentStorage.class).putMembership(new Membership("s-b", AYSE, T)),
        tx -> tx.require(SegmentStorage.class).deleteMembership("s-a", AYSE),
        tx -> tx.require(SegmentStorage.class).putCheck(new ScheduledCheck(AYSE, T)),
        tx -> tx.require(SegmentStorage.class).deleteCheck(ProfileId.of("p-a")),
        tx -> tx.require(OutboxStorage.class).insertOutbox(pending("k-b", AYSE, 0)),
        tx -> tx.require(OutboxStorage.class).addOutbox(pending("k-b", AYSE, 0)),
        tx -> tx.require(OutboxStorage.class).updateOutbox(pending("k-a", AYSE, 1)),
        tx -> tx.require(OutboxStorage.class).deleteOutbox("k-a"),
        tx -> tx.require(OutboxStorage.class).putDelivery(delivery("d-b", AYSE, 0, "sent")),
        tx -> tx.require(OutboxStorage.class).deleteDeliveries(AYSE),
        // The engine's own writes, reached by a cast, are refused the same way.
        tx -> ((WriteTransaction) tx).putProfile(
            new ProfileRecord(AYSE, ProfileState.EMPTY, Map.of(), 2)));
    for (int i = 0; i < writes.size(); i++) {
      Consumer<ReadTransaction> w = writes.get(i);
      assertThatThrownBy(() -> store.read(SHOP, tx -> {
        w.accept(tx);
        return null;
      })).as("write %d", i).isInstanceOf(IllegalStateException.class)
          .hasMessage("a read transaction cannot write");
    }
    assertThat(store.read(SHOP, CapabilitiesTest::seen)).containsExactly(
        "m-a", "h-a", "erase-a", "s-a", "check-p-a", "k-a", "d-a");
    assertThat(store.read(SHOP, tx -> tx.profile(AYSE)).orElseThrow().version()).isEqualTo(1);
  }

  /** A capability no store has. */
  private interface TeleportStorage {}

  @ParameterizedTest
  @ValueSource(strings = {"h2", "postgres", "mariadb"})
  @DisplayName("a capability the store does not have is empty, and require throws"
      + " UnsupportedCapabilityException naming it; the store itself has only OutboxClaims")
  void unknownCapabilities(String kind) {
    JdbcStore store = store(kind);
    for (boolean inRead : new boolean[] {true, false}) {
      Function<ReadTransaction, Void> check = tx -> {
        assertThat(tx.capability(TeleportStorage.class)).isEmpty();
        assertThatThrownBy(() -> tx.require(TeleportStorage.class))
            .isInstanceOf(UnsupportedCapabilityException.class)
            .hasMessageContaining(TeleportStorage.class.getName())
            .satisfies(e -> assertThat(((UnsupportedCapabilityException) e).capability())
                .isEqualTo(TeleportStorage.class.getName()));
        assertThat(tx.capability(OutboxClaims.class)).as("a store-level capability").isEmpty();
        assertThat(tx.require(SegmentStorage.class)).as("the same adapter each time")
            .isSameAs(tx.require(SegmentStorage.class));
        return null;
      };
      if (inRead) {
        store.read(SHOP, check);
      } else {
        store.write(SHOP, check);
      }
    }
    assertThat(store.capability(OutboxClaims.class)).isPresent();
    assertThat(store.capability(OutboxStorage.class)).as("a transaction's capability").isEmpty();
    assertThat(store.capability(TeleportStorage.class)).isEmpty();
  }

  // ------------------------------------------------------------------ writers side by side

  @ParameterizedTest
  @ValueSource(strings = {"postgres", "mariadb"})
  @DisplayName("two writers on two nodes changing memberships and checks of different profiles"
      + " run side by side (each waits inside its transaction until the other is inside its"
      + " own) and both commit")
  void membershipWritersRunSideBySide(String kind) throws Exception {
    List<JdbcStore> nodes = stores(kind, 2);
    write(nodes.get(0), tx -> {
      tx.putProfile(new ProfileRecord(AYSE, ProfileState.EMPTY, Map.of(), 1));
      tx.putProfile(new ProfileRecord(BRAM, ProfileState.EMPTY, Map.of(), 1));
      return null;
    });
    CountDownLatch bothInside = new CountDownLatch(2);
    AtomicInteger runs = new AtomicInteger();
    Function<ProfileId, Function<WriteTransaction, Void>> work =
        p -> tx -> {
          runs.incrementAndGet();
          SegmentStorage s = tx.require(SegmentStorage.class);
          s.memberships(p);
          s.putMembership(new Membership("vip", p, T));
          s.putCheck(new ScheduledCheck(p, T));
          bothInside.countDown();
          try {
            if (!bothInside.await(PROMPT_SECONDS, TimeUnit.SECONDS)) {
              throw new AssertionError("the other writer never ran beside this one");
            }
          } catch (InterruptedException e) {
            throw new AssertionError(e);
          }
          return null;
        };
    Future<Void> ayse = pool.submit(() -> write(nodes.get(0), work.apply(AYSE)));
    Future<Void> bram = pool.submit(() -> write(nodes.get(1), work.apply(BRAM)));
    ayse.get(PROMPT_SECONDS * 2, TimeUnit.SECONDS);
    bram.get(PROMPT_SECONDS * 2, TimeUnit.SECONDS);
    assertThat(runs.get()).as("no writer ran again").isEqualTo(2);
    for (JdbcStore node : nodes) {
      List<Membership> vip = node.read(SHOP, tx -> tx.require(SegmentStorage.class)
          .members("vip", null, 10));
      assertThat(vip).extracting(Membership::profile).containsExactly(AYSE, BRAM);
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"postgres:deleteOutbox", "postgres:deleteDeliveries",
      "postgres:putTombstone", "postgres:appendAudit", "postgres:putMetadata",
      "postgres:deleteEvents", "mariadb:deleteOutbox", "mariadb:putTombstone"})
  @DisplayName("a writer that deletes an outbox entry or a delivery history, writes a"
      + " tombstone, an audit entry or metadata, or deletes events, runs again alone: it waits"
      + " for a writer of another profile on another node, which it would not do beside it")
  void deletionsAndTombstonesRunAlone(String kindAndCall) throws Exception {
    String kind = kindAndCall.substring(0, kindAndCall.indexOf(':'));
    String call = kindAndCall.substring(kindAndCall.indexOf(':') + 1);
    List<JdbcStore> nodes = stores(kind, 2);
    write(nodes.get(0), tx -> {
      tx.putProfile(new ProfileRecord(AYSE, ProfileState.EMPTY, Map.of(), 1));
      tx.putProfile(new ProfileRecord(BRAM, ProfileState.EMPTY, Map.of(), 1));
      tx.insertEvent(event("m-1", AYSE_MAIL, 1));
      tx.require(OutboxStorage.class).insertOutbox(pending("k-1", AYSE, 0));
      tx.require(OutboxStorage.class).putDelivery(delivery("d-1", AYSE, 0, "delivered"));
      return null;
    });
    Map<String, Consumer<WriteTransaction>> calls = Map.of(
        "deleteOutbox", tx -> tx.require(OutboxStorage.class).deleteOutbox("k-1"),
        "deleteDeliveries", tx -> tx.require(OutboxStorage.class).deleteDeliveries(AYSE),
        "putTombstone", tx -> tx.require(PrivacyStorage.class).putTombstone("h-1", T),
        "appendAudit", tx -> tx.require(PrivacyStorage.class).appendAudit(
            new AuditEntry(0, T, "erase", AYSE, "h-1", "{}")),
        "putMetadata", tx -> tx.require(MetadataStorage.class).putMetadata("segment/vip", "{}"),
        "deleteEvents", tx -> tx.require(PrivacyStorage.class).deleteEvents(List.of("m-1")));

    CountDownLatch inside = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    Future<Void> other = pool.submit(() -> write(nodes.get(1), tx -> {
      tx.putProfile(new ProfileRecord(BRAM, ProfileState.EMPTY, Map.of(), 2));
      inside.countDown();
      try {
        release.await(PROMPT_SECONDS * 4, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        throw new AssertionError(e);
      }
      return null;
    }));
    assertThat(inside.await(PROMPT_SECONDS, TimeUnit.SECONDS)).isTrue();

    // Beside the held writer, a writer of another profile does not wait.
    pool.submit(() -> write(nodes.get(0), tx -> tx.require(SegmentStorage.class)
        .memberships(AYSE))).get(PROMPT_SECONDS, TimeUnit.SECONDS);
    AtomicInteger runs = new AtomicInteger();
    Future<Void> alone = pool.submit(() -> write(nodes.get(0), tx -> {
      runs.incrementAndGet();
      tx.profile(AYSE);
      calls.get(call).accept(tx);
      return null;
    }));
    Thread.sleep(500);
    assertThat(alone.isDone()).as("the writer alone waits for the writer beside it").isFalse();
    release.countDown();
    other.get(PROMPT_SECONDS, TimeUnit.SECONDS);
    alone.get(PROMPT_SECONDS * 2, TimeUnit.SECONDS);
    assertThat(runs.get()).as("a run beside the others, then one alone").isEqualTo(2);
    holds(nodes.get(0), call);
  }

  private static void holds(JdbcStore store, String call) {
    store.read(SHOP, tx -> {
      switch (call) {
        case "deleteOutbox" -> assertThat(tx.require(OutboxStorage.class).outbox("k-1"))
            .isEmpty();
        case "deleteDeliveries" -> assertThat(tx.require(OutboxStorage.class).deliveries(AYSE))
            .isEmpty();
        case "putTombstone" -> assertThat(tx.require(PrivacyStorage.class)
            .tombstones(List.of("h-1"))).containsEntry("h-1", T);
        case "appendAudit" -> assertThat(tx.require(PrivacyStorage.class).audit(0, 10))
            .hasSize(1);
        case "putMetadata" -> assertThat(tx.require(MetadataStorage.class).metadata(""))
            .containsKey("segment/vip");
        case "deleteEvents" -> assertThat(tx.event("m-1")).isEmpty();
        default -> throw new AssertionError(call);
      }
      return null;
    });
  }

  // ------------------------------------------------------------------ optional modules

  @ParameterizedTest
  @ValueSource(strings = {"h2", "postgres", "mariadb"})
  @DisplayName("a host without cdp-segmentation and cdp-activation-spi on its classpath opens"
      + " the store, ingests, reads, erases events, keeps metadata and tombstones, and asks for"
      + " capabilities without loading a class of either module")
  void worksWithoutTheOptionalModules(String kind) throws Exception {
    String url = "";
    String user = "";
    if (!kind.equals("h2")) {
      TestDatabases.Scratch s = kind.equals("postgres") ? TestDatabases.postgres()
          : TestDatabases.mariadb();
      cleanups.add(() -> TestDatabases.drop(s));
      url = s.url();
      user = s.user();
    }
    Set<String> asked = ConcurrentHashMap.newKeySet();
    try (URLClassLoader host = WithoutModulesLoader.open(asked, n -> false)) {
      assertThatThrownBy(() -> host.loadClass(SegmentStorage.class.getName()))
          .as("the module is really absent").isInstanceOf(ClassNotFoundException.class);
      asked.clear();
      Class<?> hostSide = host.loadClass(WithoutOptionalModules.class.getName());
      Object result;
      try {
        result = hostSide.getMethod("run", String.class, String.class, String.class)
            .invoke(null, kind, url, user);
      } catch (InvocationTargetException e) {
        throw new AssertionError("the store failed without the optional modules",
            e.getCause());
      }
      assertThat(result).isEqualTo("ingested 2, erased [m-1, m-2], events left 0, metadata {k=v},"
          + " tombstones [h-1], none, none");
    }
    assertThat(asked).as("classes of the optional modules asked for").isEmpty();
  }

  /**
   * Runs in a class loader without cdp-segmentation and cdp-activation-spi. It names nothing of
   * the enclosing test, which does name their classes.
   */
  public static final class WithoutOptionalModules {
    private WithoutOptionalModules() {}

    /** On H2 in memory, or on the PostgreSQL or MariaDB database at {@code url}. */
    public static String run(String kind, String url, String user) {
      WorkspaceId ws = WorkspaceId.DEFAULT; // where the Cdp below ingests
      Instant t = Instant.parse("2026-03-01T10:00:00Z");
      javax.sql.DataSource ds = null;
      if (kind.equals("postgres")) {
        org.postgresql.ds.PGSimpleDataSource pg = new org.postgresql.ds.PGSimpleDataSource();
        pg.setURL(url);
        pg.setUser(user);
        ds = pg;
      } else if (kind.equals("mariadb")) {
        try {
          ds = new org.mariadb.jdbc.MariaDbDataSource(url + "?user=" + user);
        } catch (java.sql.SQLException e) {
          throw new IllegalStateException(e);
        }
      }
      try (JdbcStore store = ds == null ? JdbcStore.h2InMemory("no-modules-" + UUID.randomUUID())
          : JdbcStore.create(ds);
          io.cdpkit.core.Cdp cdp = io.cdpkit.core.Cdp.builder().store(store).build()) {
        long stored = cdp.ingest(List.of(
            Event.identify().messageId("m-1").userId("C-1").trait("email", "a@example.com")
                .timestamp(t).build(),
            Event.track("Order Completed").messageId("m-2").userId("C-1")
                .timestamp(t.plusSeconds(60)).build())).stored();
        List<String> erased = store.write(ws, tx -> {
          tx.require(MetadataStorage.class).putMetadata("k", "v");
          PrivacyStorage privacy = tx.require(PrivacyStorage.class);
          privacy.putTombstone("h-1", t);
          List<String> ids = privacy.messageIdsByAnchors(List.of(Identifier.customerId("C-1"),
              Identifier.email("a@example.com")));
          privacy.deleteEvents(ids);
          return ids.stream().sorted().toList();
        });
        return store.read(ws, tx -> "ingested " + stored + ", erased " + erased
            + ", events left " + tx.events(List.of("m-1", "m-2")).size()
            + ", metadata " + tx.require(MetadataStorage.class).metadata("")
            + ", tombstones " + tx.require(PrivacyStorage.class)
                .tombstones(List.of("h-1", "h-2")).keySet()
            + ", " + tx.capability(Runnable.class).map(x -> "some").orElse("none")
            + ", " + store.capability(Runnable.class).map(x -> "some").orElse("none"));
      }
    }
  }
}
