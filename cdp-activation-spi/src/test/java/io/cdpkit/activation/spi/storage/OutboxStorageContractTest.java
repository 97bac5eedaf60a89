package io.cdpkit.activation.spi.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.cdpkit.core.model.ProfileId;
import io.cdpkit.core.model.WorkspaceId;
import io.cdpkit.core.spi.storage.ReadTransaction;
import io.cdpkit.core.spi.storage.Savepoint;
import io.cdpkit.core.spi.storage.Store;
import io.cdpkit.core.spi.storage.StoreContractSupport;
import io.cdpkit.core.spi.storage.WriteTransaction;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/**
 * The contract of activation's storage capabilities: what every {@link Store} that keeps the
 * outbox and the delivery history must do, through {@link OutboxStorage} (looked up in a
 * transaction with {@code tx.require(OutboxStorage.class)}) and {@link OutboxClaims} (looked up
 * on the store with {@code store.capability(OutboxClaims.class)}), written only against the
 * public SPI. A store passes it by subclassing once and returning a fresh, empty store from
 * {@link #createStore()}:
 *
 * <pre>{@code
 * class MyStoreOutboxContractTest extends OutboxStorageContractTest {
 *   @Override
 *   protected Store createStore() {
 *     return MyStore.openFreshSchema();
 *   }
 * }
 * }</pre>
 *
 * <p>Shipped in the test-jar of cdp-activation-spi, which does not bring its test dependencies
 * along: a consumer declares JUnit Jupiter, AssertJ and the test-jar of cdp-core (whose
 * {@link StoreContractSupport} this suite extends) itself.
 *
 * <p>Decisions the SPI leaves implicit and this suite pins down: keys and ids compare exactly
 * and order by {@link String#compareTo}; instants keep nanoseconds, and instants before 1970
 * work; text at the records' length limits round-trips, characters outside the Basic
 * Multilingual Plane included; a page ({@code outbox(status, afterKey, limit)}) is short only
 * when nothing follows it, any limit from 1 to {@link Integer#MAX_VALUE} is allowed, and
 * {@code afterKey} need not be a key; deleting what is not there changes nothing; a write
 * transaction's reads include its own writes; a capability's writes in a read transaction throw
 * {@link IllegalStateException}; a claim orders by due time, then key, and neither waits for a
 * running write transaction nor sees (or changes) the entries it has written before it ends.
 */
public abstract class OutboxStorageContractTest extends StoreContractSupport {

  /**
   * A new, empty store that has the {@link OutboxStorage} and {@link OutboxClaims}
   * capabilities. Called once per test; the store is closed with {@link #closeStore}
   * afterwards.
   */
  @Override
  protected abstract Store createStore();

  /**
   * Whether claims also hold back the committed entries a running write transaction has updated
   * or deleted (not only those it inserted), until it ends. The in-memory store does; a store
   * that writes at commit (a database store buffering its writes) claims the committed version,
   * and the writer's commit then replaces the entry. The default is {@code false}: the two
   * tests of that stronger promise are skipped.
   */
  protected boolean claimsHoldBackEntriesOfRunningWriters() {
    return false;
  }

  // ---------------------------------------------------------------------------------------------
  // Helpers

  /** The transaction's outbox; every store under this suite must have one. */
  private static OutboxStorage ob(ReadTransaction tx) {
    return tx.require(OutboxStorage.class);
  }

  /** The store's claims; every store under this suite must have them. */
  private OutboxClaims claims() {
    return store.capability(OutboxClaims.class).orElseThrow(() -> new AssertionError(
        "the store has no OutboxClaims capability"));
  }

  private Optional<OutboxEntry> readOutbox(String key) {
    return store.read(SHOP, tx -> ob(tx).outbox(key));
  }

  private List<OutboxEntry> readOutbox(OutboxEntry.Status status, String afterKey, int limit) {
    return store.read(SHOP, tx -> ob(tx).outbox(status, afterKey, limit));
  }

  private List<OutboxEntry> readOutboxOfProfile(ProfileId profile) {
    return store.read(SHOP, tx -> ob(tx).outboxOfProfile(profile));
  }

  private List<Delivery> readDeliveries(ProfileId profile) {
    return store.read(SHOP, tx -> ob(tx).deliveries(profile));
  }

  private boolean insertOutbox(WorkspaceId ws, OutboxEntry entry) {
    Boolean inserted = store.write(ws, tx -> ob(tx).insertOutbox(entry));
    return inserted;
  }

  private List<OutboxEntry> claim(Instant now, String lease, Instant leaseUntil, int limit) {
    return claims().claim(SHOP, now, lease, leaseUntil, limit);
  }

  private static final String TRIGGER = "{\"segment\":\"churn-risk\",\"change\":\"entered\"}";

  /** A pending entry for Ayşe by e-mail, decided at {@link #T0}. */
  private static OutboxEntry pending(String key, Instant dueAt) {
    return OutboxEntry.pending(key, "winback-email", AYSE, "email", T0, dueAt, TRIGGER);
  }

  /** The entry with another status, its claim released, as a worker finishing it writes. */
  private static OutboxEntry finished(OutboxEntry e, OutboxEntry.Status status) {
    return e.next(status, e.attempts() + 1, e.dueAt(), status == OutboxEntry.Status.DEAD
        ? "550 mailbox unavailable" : null);
  }

  private static Delivery delivery(String id, ProfileId profile, Instant at, String outcome) {
    return new Delivery(id, profile, at, "winback-email", "email", "key-" + id, 1, outcome,
        outcome.equals("delivered") ? null : "451 try again later",
        "{\"consent\":\"marketing/email\",\"recipient\":\"email\"}");
  }

  private static List<String> keys(List<OutboxEntry> entries) {
    return entries.stream().map(OutboxEntry::key).toList();
  }

  /**
   * Every entry of a status, a page of {@code pageSize} at a time until an empty page; checks
   * that every page but the last is full.
   */
  private static List<OutboxEntry> outboxPages(ReadTransaction tx, OutboxEntry.Status status,
      int pageSize) {
    List<OutboxEntry> out = pages((after, limit) -> ob(tx).outbox(status, after, limit),
        OutboxEntry::key, pageSize);
    assertThat(out).allSatisfy(e -> assertThat(e.status()).isEqualTo(status));
    return out;
  }

  /** Everything the outbox and the delivery history hold for these profiles, as read now. */
  private Map<String, Object> snapshot(ReadTransaction tx) {
    Map<String, Object> s = new LinkedHashMap<>();
    for (OutboxEntry.Status status : OutboxEntry.Status.values()) {
      s.put("status " + status, outboxPages(tx, status, 3));
    }
    for (ProfileId p : List.of(AYSE, BOB, CAROL)) {
      s.put("outbox of " + p.value(), ob(tx).outboxOfProfile(p));
      s.put("deliveries of " + p.value(), ob(tx).deliveries(p));
    }
    return s;
  }

  private Map<String, Object> snapshot() {
    return read(this::snapshot);
  }

  // ---------------------------------------------------------------------------------------------

  @Nested
  @DisplayName("The capabilities")
  class Capabilities {

    @Test
    @DisplayName("the store has OutboxClaims, and OutboxStorage in read and write transactions;"
        + " an empty store has no entry, no line and nothing to claim")
    void present() {
      assertThat(store.capability(OutboxClaims.class)).isPresent();
      read(tx -> {
        assertThat(tx.capability(OutboxStorage.class)).isPresent();
        assertThat(ob(tx).outbox("k-1")).isEmpty();
        assertThat(ob(tx).outbox(List.of("k-1", "k-2"))).isEmpty();
        assertThat(ob(tx).outbox(OutboxEntry.Status.PENDING, null, 10)).isEmpty();
        assertThat(ob(tx).outboxOfProfile(AYSE)).isEmpty();
        assertThat(ob(tx).deliveries(AYSE)).isEmpty();
        return null;
      });
      update(tx -> assertThat(tx.capability(OutboxStorage.class)).isPresent());
      assertThat(claim(Instant.MAX.minusNanos(1), "worker-1", Instant.MAX, 10)).isEmpty();
    }

    @Test
    @DisplayName("every write through an OutboxStorage looked up in a read transaction throws"
        + " IllegalStateException and changes nothing")
    void readTransactionCannotWrite() {
      OutboxEntry kept = pending("k-1", at(1));
      update(tx -> {
        ob(tx).insertOutbox(kept);
        ob(tx).putDelivery(delivery("d-1", AYSE, at(1), "sending"));
      });
      Map<String, Object> before = snapshot();

      read(tx -> {
        OutboxStorage o = ob(tx);
        assertThatThrownBy(() -> o.insertOutbox(pending("k-2", at(2))))
            .isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> o.addOutbox(pending("k-3", at(2))))
            .isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> o.updateOutbox(finished(kept, OutboxEntry.Status.DONE)))
            .isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> o.deleteOutbox("k-1"))
            .isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> o.putDelivery(delivery("d-2", AYSE, at(2), "delivered")))
            .isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> o.deleteDeliveries(AYSE))
            .isInstanceOf(IllegalStateException.class);
        assertThat(snapshot(tx)).isEqualTo(before);
        return null;
      });

      assertThat(snapshot()).isEqualTo(before);
      assertThat(claim(at(5), "worker-1", at(60), 10))
          .containsExactly(kept.claimed("worker-1", at(60)));
    }
  }

  // ---------------------------------------------------------------------------------------------

  @Nested
  @DisplayName("The outbox")
  class Outbox {

    @Test
    @DisplayName("insertOutbox adds entries that outbox(key) returns exactly, every field and"
        + " status, instants to the nanosecond and before 1970; an unknown key has none")
    void insertAndGet() {
      Instant precise = Instant.parse("2026-03-01T10:15:00.123456789Z");
      Instant before1970 = Instant.parse("1969-12-31T23:59:59.999999999Z");
      OutboxEntry leased = new OutboxEntry("winback/p-ayse/2026-03-01", "winback-email", AYSE,
          "email", before1970, precise, 3, OutboxEntry.Status.PENDING, TRIGGER, "worker-7",
          precise.plusNanos(1), "451 try again later");
      OutboxEntry done = new OutboxEntry("welcome/p-bob", "welcome", BOB, "sms", at(1), at(2),
          1, OutboxEntry.Status.DONE, "{}", null, null, null);
      OutboxEntry dead = finished(pending("winback/p-carol", at(3)), OutboxEntry.Status.DEAD);
      List<Boolean> inserted = store.write(SHOP, tx -> List.of(ob(tx).insertOutbox(leased),
          ob(tx).insertOutbox(done), ob(tx).insertOutbox(dead)));

      assertThat(inserted).containsExactly(true, true, true);
      assertThat(readOutbox(leased.key())).contains(leased);
      assertThat(readOutbox(done.key())).contains(done);
      assertThat(readOutbox(dead.key())).contains(dead);
      assertThat(readOutbox("winback/p-nobody")).isEmpty();
      assertThat(readOutbox("WINBACK/P-AYSE/2026-03-01")).isEmpty();
    }

    @Test
    @DisplayName("addOutbox stores a new key; over a key that exists the whole transaction fails"
        + " and nothing of it is kept")
    void addUnchecked() {
      OutboxEntry first = pending("a-1", at(1));
      update(tx -> ob(tx).addOutbox(first));
      assertThat(readOutbox("a-1")).contains(first);

      OutboxEntry other = pending("a-2", at(2));
      OutboxEntry again = OutboxEntry.pending("a-1", "other-rule", BOB, "sms", at(5), at(6),
          "{}");
      assertThatThrownBy(() -> update(tx -> {
        ob(tx).addOutbox(other);
        ob(tx).addOutbox(again);
      })).isInstanceOf(RuntimeException.class);
      assertThat(readOutbox("a-1")).contains(first);
      assertThat(readOutbox("a-2")).isEmpty();
    }

    @Test
    @DisplayName("outbox(keys) returns by key what outbox(key) returns for each, committed and"
        + " written earlier in the transaction, leaving out unknown keys")
    void batchRead() {
      OutboxEntry a = pending("b-1", at(1));
      OutboxEntry b = finished(pending("b-2", at(2)), OutboxEntry.Status.DONE);
      OutboxEntry c = pending("b-3", at(3));
      update(tx -> {
        ob(tx).insertOutbox(a);
        ob(tx).insertOutbox(b);
      });
      Map<String, OutboxEntry> read = store.write(SHOP, tx -> {
        ob(tx).insertOutbox(c);
        ob(tx).updateOutbox(finished(a, OutboxEntry.Status.DEAD));
        return ob(tx).outbox(List.of("b-3", "b-1", "nobody", "b-2"));
      });
      assertThat(read).containsOnlyKeys("b-1", "b-2", "b-3");
      assertThat(read.get("b-1")).isEqualTo(finished(a, OutboxEntry.Status.DEAD));
      assertThat(read.get("b-2")).isEqualTo(b);
      assertThat(read.get("b-3")).isEqualTo(c);
      Map<String, OutboxEntry> committed = store.read(SHOP,
          tx -> ob(tx).outbox(List.of("b-1", "b-2", "b-3", "b-4")));
      assertThat(committed).containsOnlyKeys("b-1", "b-2", "b-3");
      assertThat(committed.get("b-1").status()).isEqualTo(OutboxEntry.Status.DEAD);
      Map<String, OutboxEntry> elsewhere = store.read(OTHER_SHOP,
          tx -> ob(tx).outbox(List.of("b-1")));
      assertThat(elsewhere).isEmpty();
    }

    @Test
    @DisplayName("insertOutbox refuses a key that is there, whatever its status, also one"
        + " inserted earlier in the same transaction, and keeps the first entry")
    void insertRefusesExistingKey() {
      OutboxEntry first = pending("k-1", at(1));
      OutboxEntry other = OutboxEntry.pending("k-1", "other-rule", BOB, "sms", at(5), at(6),
          "{\"other\":true}");
      List<Boolean> inserted = store.write(SHOP, tx -> List.of(ob(tx).insertOutbox(first),
          ob(tx).insertOutbox(other)));
      assertThat(inserted).containsExactly(true, false);
      assertThat(insertOutbox(SHOP, other)).isFalse();
      assertThat(readOutbox("k-1")).contains(first);

      for (OutboxEntry.Status status : List.of(OutboxEntry.Status.DONE,
          OutboxEntry.Status.DEAD)) {
        OutboxEntry now = finished(first, status);
        update(tx -> ob(tx).updateOutbox(now));
        assertThat(insertOutbox(SHOP, other)).as("over %s", status)
            .isFalse();
        assertThat(readOutbox("k-1")).as("over %s", status).contains(now);
      }
    }

    @Test
    @DisplayName("updateOutbox replaces the entry with the key, also one inserted earlier in the"
        + " same transaction; of an absent key it throws IllegalArgumentException and stores"
        + " nothing")
    void updateReplaces() {
      update(tx -> ob(tx).insertOutbox(pending("k-1", at(1))));
      OutboxEntry retry = pending("k-1", at(1)).next(OutboxEntry.Status.PENDING, 1, at(11),
          "timeout after 10 s");
      update(tx -> ob(tx).updateOutbox(retry));
      assertThat(readOutbox("k-1")).contains(retry);

      OutboxEntry done = finished(pending("k-2", at(2)), OutboxEntry.Status.DONE);
      update(tx -> {
        ob(tx).insertOutbox(pending("k-2", at(2)));
        ob(tx).updateOutbox(done);
        assertThatThrownBy(() -> ob(tx).updateOutbox(pending("k-absent", at(3))))
            .isInstanceOf(IllegalArgumentException.class);
      });
      assertThatThrownBy(() -> update(tx -> ob(tx).updateOutbox(pending("k-absent-2", at(3)))))
          .isInstanceOf(IllegalArgumentException.class);

      assertThat(readOutbox("k-2")).contains(done);
      assertThat(readOutbox("k-absent")).isEmpty();
      assertThat(readOutbox("k-absent-2")).isEmpty();
      assertThat(readOutbox(OutboxEntry.Status.PENDING, null, 10)).containsExactly(retry);
      assertThat(readOutbox(OutboxEntry.Status.DONE, null, 10)).containsExactly(done);
    }

    @Test
    @DisplayName("outbox(status, afterKey, limit) pages through one status's entries in"
        + " String.compareTo order of the key, each once, afterKey exclusive and not"
        + " necessarily a key, full pages until the last")
    void pagesByStatus() {
      List<String> keys = awkwardIds(240).stream().map(ProfileId::value).toList();
      OutboxEntry.Status[] statuses = OutboxEntry.Status.values();
      Map<OutboxEntry.Status, List<String>> expected = new LinkedHashMap<>();
      update(tx -> {
        for (int i = 0; i < keys.size(); i++) {
          OutboxEntry e = pending(keys.get(i), at(i % 7));
          OutboxEntry.Status status = statuses[i % statuses.length];
          ob(tx).insertOutbox(status == OutboxEntry.Status.PENDING ? e : finished(e, status));
          expected.computeIfAbsent(status, s -> new ArrayList<>()).add(keys.get(i));
        }
      });
      expected.values().forEach(Collections::sort);

      for (OutboxEntry.Status status : statuses) {
        List<String> all = expected.get(status);
        for (int pageSize : new int[] {1, 7, 80, Integer.MAX_VALUE}) {
          assertThat(keys(read(tx -> outboxPages(tx, status, pageSize))))
              .as("%s, page size %d", status, pageSize).containsExactlyElementsOf(all);
        }
        assertThat(keys(readOutbox(status, all.get(10), 2)))
            .containsExactly(all.get(11), all.get(12));
        assertThat(readOutbox(status, all.get(all.size() - 1), 5)).isEmpty();
        String between = "x";
        assertThat(keys(readOutbox(status, between, 1000))).containsExactlyElementsOf(
            all.stream().filter(k -> k.compareTo(between) > 0).toList());
      }
      assertThat(readOutbox(OutboxEntry.Status.PENDING, null, 1000))
          .allSatisfy(e -> assertThat(e).isEqualTo(pending(e.key(), e.dueAt())));
    }

    @Test
    @DisplayName("a write transaction's reads see its own inserts and updates over what is"
        + " committed, across pages, an update moving an entry from one status's listing to"
        + " another's")
    void readsOwnWrites() {
      update(tx -> {
        for (String k : List.of("k-b", "k-d", "k-f", "k-h")) {
          ob(tx).insertOutbox(pending(k, at(1)));
        }
        ob(tx).insertOutbox(finished(pending("k-c", at(1)), OutboxEntry.Status.DONE));
      });
      OutboxEntry retried = pending("k-c", at(1)).next(OutboxEntry.Status.PENDING, 2, at(9),
          "retry");

      update(tx -> {
        ob(tx).insertOutbox(pending("k-a", at(2)));
        ob(tx).updateOutbox(finished(pending("k-d", at(1)), OutboxEntry.Status.DONE));
        ob(tx).updateOutbox(retried);
        ob(tx).insertOutbox(pending("k-z", at(2)));
        ob(tx).insertOutbox(pending("k-x", at(2)));
        ob(tx).updateOutbox(finished(pending("k-x", at(2)), OutboxEntry.Status.DEAD));

        for (int pageSize : new int[] {1, 2, 100}) {
          assertThat(keys(outboxPages(tx, OutboxEntry.Status.PENDING, pageSize)))
              .as("page size %d", pageSize)
              .containsExactly("k-a", "k-b", "k-c", "k-f", "k-h", "k-z");
          assertThat(keys(outboxPages(tx, OutboxEntry.Status.DONE, pageSize)))
              .containsExactly("k-d");
          assertThat(keys(outboxPages(tx, OutboxEntry.Status.DEAD, pageSize)))
              .containsExactly("k-x");
        }
        assertThat(keys(ob(tx).outbox(OutboxEntry.Status.PENDING, "k-b", 2)))
            .containsExactly("k-c", "k-f");
        assertThat(ob(tx).outbox("k-c")).contains(retried);
        assertThat(ob(tx).outbox("k-a")).contains(pending("k-a", at(2)));
        assertThat(ob(tx).insertOutbox(pending("k-a", at(5)))).isFalse();
      });

      assertThat(keys(readOutbox(OutboxEntry.Status.PENDING, null, 100)))
          .containsExactly("k-a", "k-b", "k-c", "k-f", "k-h", "k-z");
      assertThat(readOutbox("k-c")).contains(retried);
      assertThat(keys(readOutbox(OutboxEntry.Status.DEAD, null, 100))).containsExactly("k-x");
    }

    @Test
    @DisplayName("a page after finishing more than a thousand pending entries in the same"
        + " transaction still finds the first remaining ones")
    void pagePastManyOwnUpdates() {
      List<OutboxEntry> entries = new ArrayList<>();
      for (int i = 0; i < 1_200; i++) {
        entries.add(pending(String.format(Locale.ROOT, "k-%04d", i), at(1)));
      }
      update(tx -> entries.forEach(ob(tx)::insertOutbox));

      update(tx -> {
        entries.subList(0, 1_100).forEach(e ->
            ob(tx).updateOutbox(finished(e, OutboxEntry.Status.DONE)));
        assertThat(keys(ob(tx).outbox(OutboxEntry.Status.PENDING, null, 2)))
            .containsExactly("k-1100", "k-1101");
        assertThat(outboxPages(tx, OutboxEntry.Status.PENDING, 30)).hasSize(100);
        assertThat(outboxPages(tx, OutboxEntry.Status.DONE, 500)).hasSize(1_100);
      });
    }

    @Test
    @DisplayName("a limit below 1 is refused with IllegalArgumentException")
    void limitChecked() {
      update(tx -> ob(tx).insertOutbox(pending("k-1", at(1))));

      read(tx -> {
        assertThatThrownBy(() -> ob(tx).outbox(OutboxEntry.Status.PENDING, null, 0))
            .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> ob(tx).outbox(OutboxEntry.Status.DONE, "k", -1))
            .isInstanceOf(IllegalArgumentException.class);
        return null;
      });
      update(tx -> assertThatThrownBy(() -> ob(tx).outbox(OutboxEntry.Status.PENDING, null, 0))
          .isInstanceOf(IllegalArgumentException.class));
    }

    @Test
    @DisplayName("the longest key, rule, channel, lease, trigger and error round-trip exactly,"
        + " non-ASCII text included")
    void limitsRoundTrip() {
      String key = "k".repeat(OutboxEntry.MAX_KEY_LENGTH - 3) + "-ş1";
      String name = "ç".repeat(OutboxEntry.MAX_NAME_LENGTH);
      String lease = "w".repeat(OutboxEntry.MAX_NAME_LENGTH);
      OutboxEntry big = new OutboxEntry(key, name, AYSE, name, T0, at(1), 0,
          OutboxEntry.Status.PENDING, longText(OutboxEntry.MAX_TEXT_LENGTH), null, null,
          longText(OutboxEntry.MAX_ERROR_LENGTH));
      assertThat(big.trigger()).hasSize(OutboxEntry.MAX_TEXT_LENGTH).contains("🛍");
      update(tx -> ob(tx).insertOutbox(big));

      assertThat(readOutbox(key)).contains(big);
      assertThat(readOutbox(OutboxEntry.Status.PENDING, null, 10)).containsExactly(big);
      OutboxEntry claimed = big.claimed(lease, at(60));
      assertThat(claim(at(1), lease, at(60), 10)).containsExactly(claimed);
      assertThat(readOutbox(key)).contains(claimed);
    }

    @Test
    @DisplayName("a write that throws leaves no outbox write behind: inserted entries are gone"
        + " and can be inserted again, updated ones are as before, and claims find the"
        + " committed ones")
    void rollback() {
      OutboxEntry one = pending("k-1", at(1));
      OutboxEntry two = pending("k-2", at(2));
      update(tx -> {
        ob(tx).insertOutbox(one);
        ob(tx).insertOutbox(two);
      });

      updateAndFail(tx -> {
        ob(tx).insertOutbox(pending("k-new", at(0)));
        ob(tx).updateOutbox(finished(one, OutboxEntry.Status.DONE));
        ob(tx).updateOutbox(two.next(OutboxEntry.Status.PENDING, 1, at(9), "timeout"));
        ob(tx).insertOutbox(pending("k-new-2", at(0)));
        ob(tx).updateOutbox(finished(pending("k-new-2", at(0)), OutboxEntry.Status.DEAD));
      });

      assertThat(readOutbox("k-new")).isEmpty();
      assertThat(readOutbox("k-new-2")).isEmpty();
      assertThat(readOutbox("k-1")).contains(one);
      assertThat(readOutbox("k-2")).contains(two);
      assertThat(readOutbox(OutboxEntry.Status.PENDING, null, 10)).containsExactly(one, two);
      assertThat(readOutbox(OutboxEntry.Status.DONE, null, 10)).isEmpty();
      assertThat(readOutbox(OutboxEntry.Status.DEAD, null, 10)).isEmpty();
      assertThat(keys(claim(at(5), "worker-1", at(60), 10))).containsExactly("k-1", "k-2");
      assertThat(insertOutbox(SHOP, pending("k-new", at(0)))).isTrue();
    }

    @Test
    @DisplayName("rollbackTo undoes the outbox writes after the savepoint, keeps those before,"
        + " and the transaction may insert an undone key again")
    void savepoint() {
      update(tx -> ob(tx).insertOutbox(pending("k-old", at(1))));

      update(tx -> {
        ob(tx).insertOutbox(pending("k-1", at(1)));
        Savepoint sp = tx.savepoint();
        ob(tx).insertOutbox(pending("k-2", at(2)));
        ob(tx).updateOutbox(finished(pending("k-old", at(1)), OutboxEntry.Status.DONE));
        ob(tx).updateOutbox(finished(pending("k-1", at(1)), OutboxEntry.Status.DEAD));
        tx.rollbackTo(sp);

        assertThat(ob(tx).outbox("k-2")).isEmpty();
        assertThat(ob(tx).outbox("k-1")).contains(pending("k-1", at(1)));
        assertThat(keys(ob(tx).outbox(OutboxEntry.Status.PENDING, null, 10)))
            .containsExactly("k-1", "k-old");
        assertThat(ob(tx).outbox(OutboxEntry.Status.DONE, null, 10)).isEmpty();
        assertThat(ob(tx).insertOutbox(pending("k-2", at(3)))).isTrue();
      });

      assertThat(readOutbox("k-2")).contains(pending("k-2", at(3)));
      assertThat(readOutbox(OutboxEntry.Status.PENDING, null, 10)).containsExactly(
          pending("k-1", at(1)), pending("k-2", at(3)), pending("k-old", at(1)));
    }

    @Test
    @DisplayName("the outbox of one workspace is invisible in another, the same key is two"
        + " entries, and claims take only their own workspace's entries")
    void workspaceIsolation() {
      OutboxEntry mine = pending("k-1", at(1));
      OutboxEntry theirs = OutboxEntry.pending("k-1", "welcome", BOB, "sms", at(0), at(0), "{}");
      update(tx -> ob(tx).insertOutbox(mine));
      assertThat(insertOutbox(OTHER_SHOP, theirs)).isTrue();
      update(OTHER_SHOP, tx -> ob(tx).insertOutbox(pending("k-2", at(0))));
      update(OTHER_SHOP, tx -> ob(tx).updateOutbox(finished(pending("k-2", at(0)),
          OutboxEntry.Status.DONE)));
      assertThatThrownBy(() -> update(tx -> ob(tx).updateOutbox(pending("k-2", at(0)))))
          .isInstanceOf(IllegalArgumentException.class);

      assertThat(readOutbox("k-1")).contains(mine);
      assertThat(readOutbox("k-2")).isEmpty();
      assertThat(readOutbox(OutboxEntry.Status.DONE, null, 10)).isEmpty();
      assertThat(claim(at(5), "worker-1", at(60), 10)).containsExactly(
          mine.claimed("worker-1", at(60)));
      store.read(OTHER_SHOP, tx -> {
        assertThat(ob(tx).outbox("k-1")).contains(theirs);
        assertThat(keys(ob(tx).outbox(OutboxEntry.Status.DONE, null, 10))).containsExactly("k-2");
        return null;
      });
      assertThat(claims().claim(OTHER_SHOP, at(5), "worker-2", at(60), 10))
          .containsExactly(theirs.claimed("worker-2", at(60)));
      assertThat(claims().claim(WorkspaceId.of("shop-empty"), at(5), "worker-3", at(60),
          10)).isEmpty();
    }
  }

  // ---------------------------------------------------------------------------------------------

  @Nested
  @DisplayName("Claiming outbox entries")
  class Claiming {

    private static final int THREADS = 4;
    private static final long TIMEOUT_SECONDS = 60;

    @Test
    @DisplayName("claim returns the due pending entries, earliest dueAt first, then key in"
        + " String.compareTo order, each with the lease set and stored so, every other field"
        + " unchanged")
    void claimOrder() {
      OutboxEntry retry = pending("r-retry", at(0)).next(OutboxEntry.Status.PENDING, 2, at(1),
          "timeout");
      List<OutboxEntry> entries = List.of(pending("b", at(2)), pending("a", at(2)),
          pending("B", at(2)), pending("c", at(1)), pending("a-1", at(2).plusNanos(1)),
          pending("z", at(0)), retry, pending("_x", at(2)), pending("late", at(6)));
      update(tx -> entries.forEach(ob(tx)::insertOutbox));
      Instant until = Instant.parse("2026-03-01T11:00:00.000000001Z");

      List<OutboxEntry> claimed = claim(at(5), "worker-1", until, 100);

      assertThat(keys(claimed)).containsExactly("z", "c", "r-retry", "B", "_x", "a", "b", "a-1");
      for (OutboxEntry c : claimed) {
        OutboxEntry stored = entries.stream().filter(e -> e.key().equals(c.key())).findFirst()
            .orElseThrow();
        assertThat(c).isEqualTo(stored.claimed("worker-1", until));
        assertThat(readOutbox(c.key())).contains(c);
      }
      assertThat(readOutbox("late")).contains(pending("late", at(6)));
    }

    @Test
    @DisplayName("an entry is claimed once it is due: a dueAt equal to now is due, a"
        + " nanosecond later is not")
    void notDueNotClaimed() {
      Instant due = Instant.parse("2026-03-01T10:20:00.123456789Z");
      update(tx -> {
        ob(tx).insertOutbox(pending("k-due", due));
        ob(tx).insertOutbox(pending("k-later", due.plusNanos(1)));
        ob(tx).insertOutbox(pending("k-much-later", at(600)));
      });

      assertThat(claim(due.minusNanos(1), "worker-1", at(60), 10)).isEmpty();
      assertThat(keys(claim(due, "worker-1", at(60), 10))).containsExactly("k-due");
      assertThat(claim(due, "worker-2", at(60), 10)).isEmpty();
      assertThat(keys(claim(due.plusNanos(1), "worker-2", at(60), 10)))
          .containsExactly("k-later");
      assertThat(readOutbox("k-much-later")).contains(pending("k-much-later", at(600)));
    }

    @Test
    @DisplayName("a claimed entry is not claimed again while its lease runs; once leaseUntil is"
        + " not after now, another claim takes it with its own lease; a released one is"
        + " claimable at once")
    void leaseRuns() {
      update(tx -> {
        ob(tx).insertOutbox(pending("k-1", at(0)));
        ob(tx).insertOutbox(pending("k-2", at(0)));
        ob(tx).insertOutbox(pending("k-3", at(0)));
      });
      Instant until = Instant.parse("2026-03-01T10:30:00.000000001Z");

      assertThat(claim(at(1), "worker-1", until, 1)).containsExactly(
          pending("k-1", at(0)).claimed("worker-1", until));
      assertThat(keys(claim(at(1), "worker-2", at(60), 1))).containsExactly("k-2");
      OutboxEntry third = claim(at(1), "worker-3", at(60), 10).get(0);
      assertThat(third.key()).isEqualTo("k-3");
      assertThat(claim(until.minusNanos(1), "worker-4", at(90), 10)).isEmpty();
      assertThat(claim(until, "worker-4", at(90), 10)).containsExactly(
          pending("k-1", at(0)).claimed("worker-4", at(90)));

      update(tx -> ob(tx).updateOutbox(third.released()));
      assertThat(claim(at(31), "worker-5", at(90), 10)).containsExactly(
          pending("k-3", at(0)).claimed("worker-5", at(90)));
      assertThat(readOutbox("k-1").orElseThrow().lease()).isEqualTo("worker-4");
      assertThat(readOutbox("k-2").orElseThrow().lease()).isEqualTo("worker-2");
      assertThat(readOutbox("k-3").orElseThrow().lease()).isEqualTo("worker-5");
    }

    @Test
    @DisplayName("done and dead entries are never claimed, whatever their due time and lease;"
        + " one put back to pending is claimable again")
    void onlyPendingClaimed() {
      OutboxEntry done = finished(pending("k-done", at(0)), OutboxEntry.Status.DONE);
      OutboxEntry dead = finished(pending("k-dead", at(0)), OutboxEntry.Status.DEAD);
      OutboxEntry doneLeaseRanOut = new OutboxEntry("k-done-leased", "winback-email", AYSE,
          "email", T0, at(0), 1, OutboxEntry.Status.DONE, TRIGGER, "worker-0", at(1), null);
      update(tx -> {
        ob(tx).insertOutbox(done);
        ob(tx).insertOutbox(dead);
        ob(tx).insertOutbox(doneLeaseRanOut);
        ob(tx).insertOutbox(pending("k-pending", at(0)));
      });

      assertThat(keys(claim(at(100), "worker-1", at(200), 10))).containsExactly("k-pending");
      assertThat(claim(at(300), "worker-2", at(400), 10)).containsExactly(
          pending("k-pending", at(0)).claimed("worker-2", at(400)));
      assertThat(readOutbox("k-done")).contains(done);
      assertThat(readOutbox("k-dead")).contains(dead);
      assertThat(readOutbox("k-done-leased")).contains(doneLeaseRanOut);

      OutboxEntry again = done.next(OutboxEntry.Status.PENDING, 1, at(500), null);
      update(tx -> ob(tx).updateOutbox(again));
      assertThat(claim(at(500), "worker-3", at(600), 10)).containsExactly(
          pending("k-pending", at(0)).claimed("worker-3", at(600)),
          again.claimed("worker-3", at(600)));
    }

    @Test
    @DisplayName("claim takes at most limit entries; claims in turn take the next ones in"
        + " order until none are left")
    void limitRespected() {
      List<OutboxEntry> entries = new ArrayList<>();
      for (int i = 0; i < 25; i++) {
        entries.add(pending(String.format(Locale.ROOT, "k-%02d", i), at(i % 5)));
      }
      update(tx -> entries.forEach(ob(tx)::insertOutbox));
      List<String> expected = entries.stream()
          .sorted(Comparator.comparing(OutboxEntry::dueAt).thenComparing(OutboxEntry::key))
          .map(OutboxEntry::key).toList();

      List<String> taken = new ArrayList<>();
      for (int limit : new int[] {1, 10, 10}) {
        List<OutboxEntry> batch = claim(at(10), "worker-1", at(60), limit);
        assertThat(batch).as("limit %d", limit).hasSize(limit);
        taken.addAll(keys(batch));
      }
      List<OutboxEntry> rest = claim(at(10), "worker-1", at(60), Integer.MAX_VALUE);
      taken.addAll(keys(rest));

      assertThat(rest).hasSize(4);
      assertThat(taken).containsExactlyElementsOf(expected);
      assertThat(claim(at(10), "worker-1", at(60), 10)).isEmpty();
    }

    @Test
    @DisplayName("claim refuses a limit below 1, a leaseUntil not after now and a lease"
        + " that is empty or too long with IllegalArgumentException, and claims nothing then")
    void argumentsChecked() {
      update(tx -> ob(tx).insertOutbox(pending("k-1", at(0))));

      assertThatThrownBy(() -> claim(at(1), "worker-1", at(2), 0))
          .isInstanceOf(IllegalArgumentException.class);
      assertThatThrownBy(() -> claim(at(1), "worker-1", at(2), -1))
          .isInstanceOf(IllegalArgumentException.class);
      assertThatThrownBy(() -> claim(at(1), "worker-1", at(2), Integer.MIN_VALUE))
          .isInstanceOf(IllegalArgumentException.class);
      assertThatThrownBy(() -> claim(at(1), "worker-1", at(1), 10))
          .isInstanceOf(IllegalArgumentException.class);
      assertThatThrownBy(() -> claim(at(1), "worker-1", at(1).minusNanos(1), 10))
          .isInstanceOf(IllegalArgumentException.class);
      assertThatThrownBy(() -> claim(at(1), "", at(2), 10))
          .isInstanceOf(IllegalArgumentException.class);
      assertThatThrownBy(() -> claim(at(1), "w".repeat(OutboxEntry.MAX_NAME_LENGTH + 1), at(2),
          10)).isInstanceOf(IllegalArgumentException.class);

      assertThat(readOutbox("k-1")).contains(pending("k-1", at(0)));
      assertThat(claim(at(1), "worker-1", at(1).plusNanos(1), 1)).containsExactly(
          pending("k-1", at(0)).claimed("worker-1", at(1).plusNanos(1)));
    }

    @Test
    @DisplayName("claim does not wait for a running write transaction of the workspace,"
        + " and does not see the entries it has not committed")
    void claimsDoNotWaitForWriters() throws Exception {
      update(tx -> ob(tx).insertOutbox(pending("k-committed", at(0))));
      CountDownLatch release = new CountDownLatch(1);
      ExecutorService pool = Executors.newFixedThreadPool(2);
      try {
        Future<?> writer = startHeldWrite(pool, SHOP, tx -> {
          tx.putProfile(profile(AYSE, 1));
          ob(tx).insertOutbox(pending("k-uncommitted", at(0)));
          ob(tx).putDelivery(delivery("d-1", AYSE, at(0), "sending"));
        }, release, false);
        Future<List<OutboxEntry>> claimer = pool.submit(() ->
            claim(at(1), "worker-1", at(60), 10));

        assertThat(keys(claimer.get(TIMEOUT_SECONDS / 2, TimeUnit.SECONDS)))
            .as("claimed while the writer runs").containsExactly("k-committed");
        release.countDown();
        writer.get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
      } finally {
        release.countDown();
        pool.shutdownNow();
      }

      assertThat(keys(claim(at(1), "worker-2", at(60), 10))).containsExactly("k-uncommitted");
      assertThat(readDeliveries(AYSE)).extracting(Delivery::id).containsExactly("d-1");
    }

    @Test
    @DisplayName("four threads claiming a few entries at a time from 200 due ones, in five rounds,"
        + " take every entry exactly once, each batch in order, each entry stored with its"
        + " claimer's lease")
    void concurrentClaimsNeverOverlap() throws Exception {
      int rounds = 5;
      int perRound = 200;
      List<OutboxEntry> entries = new ArrayList<>();
      for (int r = 0; r < rounds; r++) {
        for (int i = 0; i < perRound; i++) {
          // Round r's entries fall due at minute 100 * r, a few at each of ten instants.
          entries.add(pending(String.format(Locale.ROOT, "r%d-k-%03d", r, (i * 37) % perRound),
              at(100 * r + i % 10)));
        }
      }
      update(tx -> entries.forEach(ob(tx)::insertOutbox));
      AtomicInteger[] claimed = new AtomicInteger[rounds];
      Arrays.setAll(claimed, r -> new AtomicInteger());
      List<List<OutboxEntry>> batches = Collections.synchronizedList(new ArrayList<>());
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(TIMEOUT_SECONDS);
      CyclicBarrier round = new CyclicBarrier(THREADS);
      ExecutorService pool = Executors.newFixedThreadPool(THREADS);
      try {
        List<Future<?>> futures = new ArrayList<>();
        for (int t = 0; t < THREADS; t++) {
          String lease = "worker-" + t;
          int limit = 1 + t;
          futures.add(pool.submit(() -> {
            for (int r = 0; r < rounds; r++) {
              // All threads start each round together, going for the same first entries.
              round.await(TIMEOUT_SECONDS, TimeUnit.SECONDS);
              Instant now = at(100 * r + 20);
              while (claimed[r].get() < perRound && System.nanoTime() < deadline) {
                List<OutboxEntry> batch = claim(now, lease, at(100 * rounds), limit);
                assertThat(batch.size()).isLessThanOrEqualTo(limit);
                batches.add(batch);
                claimed[r].addAndGet(batch.size());
              }
            }
            return null;
          }));
        }
        for (Future<?> f : futures) {
          f.get(TIMEOUT_SECONDS * 2, TimeUnit.SECONDS);
        }
      } finally {
        pool.shutdownNow();
      }

      List<String> all = new ArrayList<>();
      Map<String, String> leaseOf = new LinkedHashMap<>();
      Comparator<OutboxEntry> order =
          Comparator.comparing(OutboxEntry::dueAt).thenComparing(OutboxEntry::key);
      for (List<OutboxEntry> batch : batches) {
        assertThat(batch).isSortedAccordingTo(order);
        all.addAll(keys(batch));
        batch.forEach(e -> leaseOf.put(e.key(), e.lease()));
      }
      assertThat(all).doesNotHaveDuplicates()
          .containsExactlyInAnyOrderElementsOf(keys(entries));
      assertThat(claim(at(100 * rounds - 1), "worker-9", at(100 * rounds), 10)).isEmpty();
      read(tx -> {
        for (OutboxEntry e : outboxPages(tx, OutboxEntry.Status.PENDING, 250)) {
          assertThat(e.lease()).as(e.key()).isEqualTo(leaseOf.get(e.key()));
          assertThat(e.leaseUntil()).isEqualTo(at(100 * rounds));
        }
        return null;
      });
    }
  }

  // ---------------------------------------------------------------------------------------------

  @Nested
  @DisplayName("Delivery history")
  class Deliveries {

    @Test
    @DisplayName("putDelivery stores lines that deliveries(profile) lists exactly, by time, then"
        + " id in String.compareTo order, instants to the nanosecond and before 1970")
    void putAndList() {
      Instant precise = Instant.parse("2026-03-01T10:15:00.123456789Z");
      Instant before1970 = Instant.parse("1969-12-31T23:59:59.999999999Z");
      Delivery suppressed = new Delivery("d-0", AYSE, before1970, "winback-email", "email",
          "key-0", 0, "suppressed", "no consent for marketing/email", "{}");
      List<Delivery> ayse = List.of(delivery("d-b", AYSE, precise, "delivered"),
          delivery("d-a", AYSE, at(5), "failed"), delivery("d-B", AYSE, at(5), "sending"),
          delivery("d-_", AYSE, at(5), "dead"), suppressed,
          delivery("d-c", AYSE, precise.plusNanos(1), "delivered"));
      update(tx -> {
        ayse.forEach(ob(tx)::putDelivery);
        ob(tx).putDelivery(delivery("d-bob", BOB, at(1), "delivered"));
      });

      assertThat(readDeliveries(AYSE)).extracting(Delivery::id)
          .containsExactly("d-0", "d-b", "d-c", "d-B", "d-_", "d-a");
      assertThat(readDeliveries(AYSE)).containsExactlyInAnyOrderElementsOf(ayse);
      assertThat(readDeliveries(BOB)).containsExactly(delivery("d-bob", BOB, at(1),
          "delivered"));
      assertThat(readDeliveries(CAROL)).isEmpty();
    }

    @Test
    @DisplayName("putDelivery with an id that is there replaces the line, also for a reader"
        + " that saw the old one, and moves it to its new time or profile")
    void putReplaces() {
      update(tx -> {
        ob(tx).putDelivery(delivery("d-1", AYSE, at(1), "sending"));
        ob(tx).putDelivery(delivery("d-2", AYSE, at(2), "sending"));
      });
      assertThat(readDeliveries(AYSE)).extracting(Delivery::id).containsExactly("d-1", "d-2");
      update(tx -> {
        ob(tx).putDelivery(delivery("d-1", AYSE, at(3), "delivered"));
        ob(tx).putDelivery(delivery("d-2", BOB, at(2), "failed"));
      });

      assertThat(readDeliveries(AYSE)).containsExactly(delivery("d-1", AYSE, at(3),
          "delivered"));
      assertThat(readDeliveries(BOB)).containsExactly(delivery("d-2", BOB, at(2), "failed"));
    }

    @Test
    @DisplayName("the longest id, names, reason and detail round-trip exactly, non-ASCII text"
        + " included")
    void limitsRoundTrip() {
      String id = "d".repeat(OutboxEntry.MAX_KEY_LENGTH - 2) + "-ü";
      String name = "ğ".repeat(OutboxEntry.MAX_NAME_LENGTH);
      Delivery big = new Delivery(id, AYSE, at(1), name, name,
          "k".repeat(OutboxEntry.MAX_KEY_LENGTH), Integer.MAX_VALUE, name,
          longText(OutboxEntry.MAX_ERROR_LENGTH), longText(OutboxEntry.MAX_TEXT_LENGTH));
      assertThat(big.detail()).hasSize(OutboxEntry.MAX_TEXT_LENGTH).contains("🛍");
      update(tx -> ob(tx).putDelivery(big));

      assertThat(readDeliveries(AYSE)).containsExactly(big);
    }

    @Test
    @DisplayName("a write transaction's reads see its own puts and replacements over what is"
        + " committed, in order")
    void readsOwnWrites() {
      update(tx -> {
        ob(tx).putDelivery(delivery("d-1", AYSE, at(1), "sending"));
        ob(tx).putDelivery(delivery("d-2", AYSE, at(2), "sending"));
        ob(tx).putDelivery(delivery("d-3", AYSE, at(3), "sending"));
      });

      update(tx -> {
        ob(tx).putDelivery(delivery("d-1", AYSE, at(4), "delivered"));
        ob(tx).putDelivery(delivery("d-0", AYSE, at(2), "suppressed"));
        ob(tx).putDelivery(delivery("d-3", BOB, at(3), "sending"));
        ob(tx).putDelivery(delivery("d-9", BOB, at(0), "sending"));

        assertThat(ob(tx).deliveries(AYSE)).containsExactly(delivery("d-0", AYSE, at(2),
            "suppressed"), delivery("d-2", AYSE, at(2), "sending"),
            delivery("d-1", AYSE, at(4), "delivered"));
        assertThat(ob(tx).deliveries(BOB)).extracting(Delivery::id).containsExactly("d-9", "d-3");
      });

      assertThat(readDeliveries(AYSE)).extracting(Delivery::id)
          .containsExactly("d-0", "d-2", "d-1");
      assertThat(readDeliveries(BOB)).extracting(Delivery::id).containsExactly("d-9", "d-3");
    }

    @Test
    @DisplayName("a write that throws leaves no delivery line behind: new ones are gone,"
        + " replaced ones are as before")
    void rollback() {
      update(tx -> ob(tx).putDelivery(delivery("d-1", AYSE, at(1), "sending")));

      updateAndFail(tx -> {
        ob(tx).putDelivery(delivery("d-1", BOB, at(2), "delivered"));
        ob(tx).putDelivery(delivery("d-2", AYSE, at(0), "failed"));
        ob(tx).putDelivery(delivery("d-2", AYSE, at(3), "dead"));
      });

      assertThat(readDeliveries(AYSE)).containsExactly(delivery("d-1", AYSE, at(1),
          "sending"));
      assertThat(readDeliveries(BOB)).isEmpty();
    }

    @Test
    @DisplayName("rollbackTo undoes the delivery lines written after the savepoint and keeps"
        + " those before")
    void savepoint() {
      update(tx -> ob(tx).putDelivery(delivery("d-old", AYSE, at(1), "sending")));

      update(tx -> {
        ob(tx).putDelivery(delivery("d-1", AYSE, at(2), "sending"));
        Savepoint sp = tx.savepoint();
        ob(tx).putDelivery(delivery("d-old", AYSE, at(3), "delivered"));
        ob(tx).putDelivery(delivery("d-1", BOB, at(2), "failed"));
        ob(tx).putDelivery(delivery("d-2", AYSE, at(0), "suppressed"));
        tx.rollbackTo(sp);

        assertThat(ob(tx).deliveries(AYSE)).containsExactly(delivery("d-old", AYSE, at(1),
            "sending"), delivery("d-1", AYSE, at(2), "sending"));
        assertThat(ob(tx).deliveries(BOB)).isEmpty();
        ob(tx).putDelivery(delivery("d-3", AYSE, at(9), "delivered"));
      });

      assertThat(readDeliveries(AYSE)).extracting(Delivery::id)
          .containsExactly("d-old", "d-1", "d-3");
      assertThat(readDeliveries(BOB)).isEmpty();
    }

    @Test
    @DisplayName("the delivery history of one workspace is invisible in another, and the same"
        + " id is two lines")
    void workspaceIsolation() {
      update(tx -> ob(tx).putDelivery(delivery("d-1", AYSE, at(1), "sending")));
      update(OTHER_SHOP, tx -> {
        ob(tx).putDelivery(delivery("d-1", AYSE, at(7), "delivered"));
        ob(tx).putDelivery(delivery("d-2", BOB, at(7), "delivered"));
      });

      assertThat(readDeliveries(AYSE)).containsExactly(delivery("d-1", AYSE, at(1),
          "sending"));
      assertThat(readDeliveries(BOB)).isEmpty();
      store.read(OTHER_SHOP, tx -> {
        assertThat(ob(tx).deliveries(AYSE)).containsExactly(delivery("d-1", AYSE, at(7),
            "delivered"));
        assertThat(ob(tx).deliveries(BOB)).extracting(Delivery::id).containsExactly("d-2");
        return null;
      });
    }
  }

  // ---------------------------------------------------------------------------------------------
  // ---------------------------------------------------------------------------------------------

  @Nested
  @DisplayName("Erasure: a profile's outbox entries and delivery history")
  class Erasure {

    @Test
    @DisplayName("outboxOfProfile lists a profile's entries of every status in key order;"
        + " deleteOutbox removes one from every listing and from claims")
    void outboxOfProfileAndDelete() {
      OutboxEntry b = pending("k-b", at(0));
      OutboxEntry a = pending("k-a", at(0));
      OutboxEntry bob = OutboxEntry.pending("k-c", "winback-email", BOB, "email", T0, at(0),
          TRIGGER);
      update(tx -> {
        ob(tx).insertOutbox(b);
        ob(tx).insertOutbox(a);
        ob(tx).insertOutbox(bob);
      });
      update(tx -> ob(tx).updateOutbox(finished(a, OutboxEntry.Status.DONE)));
      assertThat(keys(readOutboxOfProfile(AYSE))).containsExactly("k-a", "k-b");
      assertThat(readOutboxOfProfile(CAROL)).isEmpty();

      update(tx -> {
        ob(tx).deleteOutbox("k-b");
        ob(tx).deleteOutbox("k-absent");
      });

      assertThat(keys(readOutboxOfProfile(AYSE))).containsExactly("k-a");
      assertThat(readOutbox("k-b")).isEmpty();
      assertThat(keys(readOutbox(OutboxEntry.Status.PENDING, null, 10))).containsExactly("k-c");
      assertThat(keys(claim(at(5), "node-1", at(10), 10))).containsExactly("k-c");
      assertThat(insertOutbox(SHOP, b)).as("the key is free again").isTrue();
    }

    @Test
    @DisplayName("deleteDeliveries removes one profile's history and no one else's")
    void deleteDeliveries() {
      update(tx -> {
        ob(tx).putDelivery(delivery("d-1", AYSE, at(1), "delivered"));
        ob(tx).putDelivery(delivery("d-2", AYSE, at(2), "failed"));
        ob(tx).putDelivery(delivery("d-3", BOB, at(3), "delivered"));
      });
      update(tx -> {
        ob(tx).deleteDeliveries(AYSE);
        ob(tx).deleteDeliveries(CAROL);
      });

      assertThat(readDeliveries(AYSE)).isEmpty();
      assertThat(readDeliveries(BOB)).extracting(Delivery::id).containsExactly("d-3");
      // the id is free again
      update(tx -> ob(tx).putDelivery(delivery("d-1", CAROL, at(4), "delivered")));
      assertThat(readDeliveries(CAROL)).extracting(Delivery::id).containsExactly("d-1");
    }

    @Test
    @DisplayName("a rolled-back transaction leaves no outbox or delivery delete behind")
    void rollback() {
      update(tx -> {
        ob(tx).putDelivery(delivery("d-1", AYSE, at(1), "delivered"));
        ob(tx).insertOutbox(pending("k-a", at(0)));
      });
      Map<String, Object> before = snapshot();
      updateAndFail(tx -> {
        ob(tx).deleteDeliveries(AYSE);
        ob(tx).deleteOutbox("k-a");
      });

      assertThat(snapshot()).isEqualTo(before);
      assertThat(readDeliveries(AYSE)).hasSize(1);
      assertThat(readOutbox("k-a")).isPresent();
      assertThat(keys(claim(at(1), "node-1", at(10), 10))).containsExactly("k-a");
    }
  }

  // ---------------------------------------------------------------------------------------------

  @Nested
  @DisplayName("Adversarial: rollbacks, running writers, racing claimers, other workspaces")
  class Adversarial {

    private static final long TIMEOUT_SECONDS = 60;

    /** Entries of every status, some leased, and delivery lines of two profiles, committed. */
    private void seed() {
      update(tx -> {
        for (int i = 0; i < 12; i++) {
          OutboxEntry e = pending(String.format(Locale.ROOT, "s-%02d", i), at(i % 4));
          ob(tx).insertOutbox(i % 3 == 1 ? finished(e, OutboxEntry.Status.DONE)
              : i % 3 == 2 ? finished(e, OutboxEntry.Status.DEAD) : e);
        }
        ob(tx).insertOutbox(OutboxEntry.pending("s-bob", "welcome", BOB, "sms", T0, at(1),
            "{}"));
        ob(tx).putDelivery(delivery("d-1", AYSE, at(1), "sending"));
        ob(tx).putDelivery(delivery("d-2", AYSE, at(1), "delivered"));
        ob(tx).putDelivery(delivery("d-3", BOB, at(2), "failed"));
      });
      assertThat(claim(at(0), "worker-0", at(30), 1)).hasSize(1);
    }

    /** Every kind of write, touching every index: status, pending order, profile, lines. */
    private void writeEverything(WriteTransaction tx) {
      OutboxStorage o = ob(tx);
      o.insertOutbox(pending("n-1", at(0)));
      o.addOutbox(OutboxEntry.pending("n-2", "welcome", CAROL, "sms", T0, at(0), "{}"));
      o.updateOutbox(pending("s-03", at(3)).next(OutboxEntry.Status.PENDING, 1, at(0), "moved"));
      o.updateOutbox(finished(pending("s-00", at(0)), OutboxEntry.Status.DEAD));
      o.updateOutbox(pending("s-01", at(1)).next(OutboxEntry.Status.PENDING, 2, at(9), null));
      o.updateOutbox(OutboxEntry.pending("s-06", "moved", CAROL, "sms", T0, at(2), "{}"));
      o.deleteOutbox("s-bob");
      o.deleteOutbox("s-02");
      o.insertOutbox(pending("s-bob", at(7)));
      o.putDelivery(delivery("d-1", BOB, at(0), "delivered"));
      o.putDelivery(delivery("d-4", CAROL, at(3), "sending"));
      o.deleteDeliveries(AYSE);
      o.putDelivery(delivery("d-2", AYSE, at(9), "dead"));
    }

    @Test
    @DisplayName("a write that throws restores the outbox (every status listing, each profile's"
        + " entries, the order of claims) and the delivery history exactly")
    void rollbackRestoresExactly() {
      seed();
      Map<String, Object> before = snapshot();

      updateAndFail(this::writeEverything);

      assertThat(snapshot()).isEqualTo(before);
      assertThat(keys(claim(at(10), "worker-1", at(60), 100)))
          .containsExactly("s-09", "s-bob", "s-06", "s-03");
    }

    @Test
    @DisplayName("rollbackTo(savepoint) restores the outbox and the delivery history exactly as"
        + " they were at the savepoint, in the transaction and after its commit")
    void savepointRestoresExactly() {
      seed();
      Map<String, Object> atSavepoint = store.write(SHOP, tx -> {
        ob(tx).insertOutbox(pending("early", at(0)));
        ob(tx).putDelivery(delivery("d-early", CAROL, at(0), "sending"));
        Map<String, Object> mark = snapshot(tx);
        Savepoint sp = tx.savepoint();
        writeEverything(tx);
        assertThat(snapshot(tx)).isNotEqualTo(mark);
        tx.rollbackTo(sp);
        assertThat(snapshot(tx)).isEqualTo(mark);
        return mark;
      });

      assertThat(snapshot()).isEqualTo(atSavepoint);
      assertThat(keys(claim(at(10), "worker-1", at(60), 100)))
          .containsExactly("early", "s-09", "s-bob", "s-06", "s-03");
    }

    /**
     * Runs {@link #writeEverything} in a write transaction on another thread, which holds its
     * writes until {@code release} is counted down, then commits or throws.
     */
    private Future<?> writer(ExecutorService pool, CountDownLatch release, boolean fail)
        throws InterruptedException {
      return startHeldWrite(pool, SHOP, this::writeEverything, release, fail);
    }

    @Test
    @DisplayName("claims never return an entry a running write transaction inserted, updated or"
        + " deleted; after it commits they return its version")
    void claimsSkipWrittenUntilCommit() throws Exception {
      assumeTrue(claimsHoldBackEntriesOfRunningWriters(),
          "this store claims the committed version of an entry a running writer changed");
      seed();
      CountDownLatch release = new CountDownLatch(1);
      ExecutorService pool = Executors.newFixedThreadPool(2);
      try {
        Future<?> w = writer(pool, release, false);
        Future<List<OutboxEntry>> c = pool.submit(() -> claim(at(10), "worker-1", at(60), 100));
        assertThat(keys(c.get(TIMEOUT_SECONDS / 2, TimeUnit.SECONDS)))
            .as("claimed while the writer runs").containsExactly("s-09");
        Future<List<OutboxEntry>> again = pool.submit(() ->
            claim(at(10), "worker-3", at(60), 100));
        assertThat(again.get(TIMEOUT_SECONDS / 2, TimeUnit.SECONDS))
            .as("claimed again while the writer runs").isEmpty();
        release.countDown();
        w.get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
      } finally {
        release.countDown();
        pool.shutdownNow();
      }

      assertThat(claim(at(10), "worker-2", at(60), 100)).containsExactly(
          pending("n-1", at(0)).claimed("worker-2", at(60)),
          OutboxEntry.pending("n-2", "welcome", CAROL, "sms", T0, at(0), "{}")
              .claimed("worker-2", at(60)),
          pending("s-03", at(3)).next(OutboxEntry.Status.PENDING, 1, at(0), "moved")
              .claimed("worker-2", at(60)),
          OutboxEntry.pending("s-06", "moved", CAROL, "sms", T0, at(2), "{}")
              .claimed("worker-2", at(60)),
          pending("s-bob", at(7)).claimed("worker-2", at(60)),
          pending("s-01", at(1)).next(OutboxEntry.Status.PENDING, 2, at(9), null)
              .claimed("worker-2", at(60)));
      assertThat(readOutbox("s-02")).isEmpty();
    }

    @Test
    @DisplayName("after a running write transaction rolls back, claims return the entries it"
        + " had written as they were before it, and never the ones it inserted")
    void claimsAfterRollbackSeeEntriesAsTheyWere() throws Exception {
      assumeTrue(claimsHoldBackEntriesOfRunningWriters(),
          "this store claims the committed version of an entry a running writer changed");
      seed();
      List<String> all = new ArrayList<>(List.of("s-bob", "n-1", "n-2"));
      for (int i = 0; i < 12; i++) {
        all.add(String.format(Locale.ROOT, "s-%02d", i));
      }
      Map<String, OutboxEntry> was = read(tx -> ob(tx).outbox(all));
      Map<String, Object> lines = new LinkedHashMap<>();
      for (ProfileId p : List.of(AYSE, BOB, CAROL)) {
        lines.put(p.value(), readDeliveries(p));
      }
      CountDownLatch release = new CountDownLatch(1);
      ExecutorService pool = Executors.newFixedThreadPool(2);
      try {
        Future<?> w = writer(pool, release, true);
        Future<List<OutboxEntry>> c = pool.submit(() -> claim(at(10), "worker-1", at(11), 100));
        assertThat(keys(c.get(TIMEOUT_SECONDS / 2, TimeUnit.SECONDS))).containsExactly("s-09");
        release.countDown();
        assertThatThrownBy(() -> w.get(TIMEOUT_SECONDS, TimeUnit.SECONDS))
            .hasRootCauseInstanceOf(IllegalStateException.class);
      } finally {
        release.countDown();
        pool.shutdownNow();
      }

      Map<String, OutboxEntry> expected = new LinkedHashMap<>(was);
      expected.put("s-09", was.get("s-09").claimed("worker-1", at(11)));
      Map<String, OutboxEntry> after = read(tx -> ob(tx).outbox(all));
      assertThat(after).isEqualTo(expected);
      for (ProfileId p : List.of(AYSE, BOB, CAROL)) {
        assertThat(readDeliveries(p)).as(p.value()).isEqualTo(lines.get(p.value()));
      }
      assertThat(claim(at(11), "worker-2", at(60), 100)).containsExactly(
          was.get("s-09").claimed("worker-2", at(60)),
          was.get("s-bob").claimed("worker-2", at(60)),
          was.get("s-06").claimed("worker-2", at(60)),
          was.get("s-03").claimed("worker-2", at(60)));
      assertThat(readOutbox("n-1")).isEmpty();
    }

    @Test
    @DisplayName("two threads claiming one entry at a time from 600 due ones, again and again,"
        + " never get the same entry, and between them get every one")
    void twoClaimersNeverShare() throws Exception {
      List<OutboxEntry> entries = new ArrayList<>();
      for (int i = 0; i < 600; i++) {
        entries.add(pending(String.format(Locale.ROOT, "k-%03d", (i * 7) % 600), at(i % 3)));
      }
      update(tx -> entries.forEach(ob(tx)::insertOutbox));
      CyclicBarrier start = new CyclicBarrier(2);
      ExecutorService pool = Executors.newFixedThreadPool(2);
      List<Future<List<String>>> futures = new ArrayList<>();
      try {
        for (int t = 0; t < 2; t++) {
          String lease = "worker-" + t;
          futures.add(pool.submit(() -> {
            List<String> mine = new ArrayList<>();
            start.await(TIMEOUT_SECONDS, TimeUnit.SECONDS);
            while (true) {
              List<OutboxEntry> got = claim(at(5), lease, at(60), 1);
              if (got.isEmpty()) {
                return mine;
              }
              assertThat(got.get(0).lease()).isEqualTo(lease);
              mine.add(got.get(0).key());
            }
          }));
        }
        List<String> a = futures.get(0).get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
        List<String> b = futures.get(1).get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
        // One claimer may get none at all (a store whose writers take turns may serve the
        // other one first, to the end), so the check is an intersection, not an assertion that
        // wants both lists filled.
        Set<String> both = new HashSet<>(a);
        both.retainAll(b);
        assertThat(both).as("entries both claimers got").isEmpty();
        List<String> all = new ArrayList<>(a);
        all.addAll(b);
        assertThat(all).doesNotHaveDuplicates().containsExactlyInAnyOrderElementsOf(
            keys(entries));
      } finally {
        pool.shutdownNow();
      }
    }

    @Test
    @DisplayName("workspaces are isolated: a running writer of one workspace holding a key does"
        + " not hide the same key of another from claims, nor do its writes, rollback or"
        + " claims change the other's records")
    void workspacesIsolated() throws Exception {
      OutboxEntry theirs = OutboxEntry.pending("s-09", "welcome", BOB, "sms", T0, at(0), "{}");
      Map<String, Object> other;
      seed();
      update(OTHER_SHOP, tx -> {
        ob(tx).insertOutbox(theirs);
        ob(tx).putDelivery(delivery("d-1", AYSE, at(5), "delivered"));
      });
      CountDownLatch release = new CountDownLatch(1);
      ExecutorService pool = Executors.newFixedThreadPool(2);
      try {
        Future<?> w = writer(pool, release, true);
        Future<List<OutboxEntry>> c = pool.submit(() ->
            claims().claim(OTHER_SHOP, at(10), "worker-9", at(11), 100));
        assertThat(c.get(TIMEOUT_SECONDS / 2, TimeUnit.SECONDS))
            .containsExactly(theirs.claimed("worker-9", at(11)));
        other = pool.submit(() -> store.read(OTHER_SHOP, this::snapshotOf))
            .get(TIMEOUT_SECONDS / 2, TimeUnit.SECONDS);
        release.countDown();
        assertThatThrownBy(() -> w.get(TIMEOUT_SECONDS, TimeUnit.SECONDS))
            .hasRootCauseInstanceOf(IllegalStateException.class);
      } finally {
        release.countDown();
        pool.shutdownNow();
      }
      update(tx -> writeEverything(tx));

      assertThat(store.read(OTHER_SHOP, this::snapshotOf)).isEqualTo(other);
      store.read(OTHER_SHOP, tx -> {
        assertThat(ob(tx).outbox("s-09")).contains(theirs.claimed("worker-9", at(11)));
        assertThat(ob(tx).outbox("n-1")).isEmpty();
        assertThat(ob(tx).deliveries(AYSE)).containsExactly(delivery("d-1", AYSE, at(5),
            "delivered"));
        assertThat(ob(tx).deliveries(BOB)).isEmpty();
        assertThat(ob(tx).outboxOfProfile(AYSE)).isEmpty();
        return null;
      });
      assertThat(claims().claim(OTHER_SHOP, at(12), "worker-9", at(13), 100))
          .containsExactly(theirs.claimed("worker-9", at(13)));
    }

    private Map<String, Object> snapshotOf(ReadTransaction tx) {
      return snapshot(tx);
    }
  }
}
