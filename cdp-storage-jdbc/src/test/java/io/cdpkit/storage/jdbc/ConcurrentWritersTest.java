package io.cdpkit.storage.jdbc;

import static io.cdpkit.storage.jdbc.StorageCapabilities.segmentsOf;
import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.cdpkit.core.model.Event;
import io.cdpkit.core.model.EventKey;
import io.cdpkit.core.model.Identifier;
import io.cdpkit.core.model.IdentifierType;
import io.cdpkit.core.model.ProfileId;
import io.cdpkit.core.model.ProfileState;
import io.cdpkit.core.model.WorkspaceId;
import io.cdpkit.core.spi.storage.ComponentRecord;
import io.cdpkit.core.spi.storage.IdentityNode;
import io.cdpkit.core.spi.storage.ProfileRecord;
import io.cdpkit.core.spi.storage.StoredEvent;
import io.cdpkit.core.spi.storage.WriteTransaction;
import io.cdpkit.segmentation.spi.storage.Membership;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Writers of one workspace side by side on PostgreSQL and MariaDB, attacked with forced
 * interleavings between two store instances on one database (two nodes): a writer waits only
 * for writers of the same rows; a change another node committed between a read and a write is
 * never overwritten, whether the read came from the database or from the cache; two nodes that
 * create the same identifier end with one node for it; a read on one node sees what the other
 * committed.
 */
class ConcurrentWritersTest {
  private static final WorkspaceId SHOP = WorkspaceId.of("shop-rotterdam");
  private static final ProfileId AYSE = ProfileId.of("p-ayse");
  private static final ProfileId BRAM = ProfileId.of("p-bram");
  private static final Identifier AYSE_MAIL = Identifier.email("ayse@example.com");
  private static final Instant T0 = Instant.parse("2026-03-01T10:00:00Z");
  /** Far longer than any write that does not wait; far shorter than a lock timeout. */
  private static final long PROMPT_SECONDS = 5;

  private final ExecutorService pool = Executors.newCachedThreadPool();
  private TestDatabases.Scratch scratch;
  private JdbcStore one;
  private JdbcStore two;

  @AfterEach
  void tearDown() throws Exception {
    pool.shutdownNow();
    if (one != null) {
      one.close();
    }
    if (two != null) {
      two.close();
    }
    if (scratch != null) {
      TestDatabases.drop(scratch);
    }
  }

  private void open(String kind) {
    scratch = TestDatabases.server(kind);
    one = JdbcStore.create(scratch.dataSource());
    two = JdbcStore.create(scratch.dataSource());
  }

  private static ProfileRecord profile(ProfileId id, int emails, long version) {
    return new ProfileRecord(id, ProfileState.EMPTY, Map.of(IdentifierType.EMAIL, emails),
        version);
  }

  /** Adds one to the profile's e-mail count: a read, then a write of the next version. */
  private static Void increment(WriteTransaction tx, ProfileId id) {
    ProfileRecord r = tx.profile(id).orElseThrow();
    tx.putProfile(profile(id, r.identifierCounts().get(IdentifierType.EMAIL) + 1,
        r.version() + 1));
    return null;
  }

  /**
   * As {@link #increment}, but on its first run it reads the profile, counts down {@code read}
   * and waits for {@code go} before it writes: another writer can act in between.
   */
  private static Void incrementPausing(WriteTransaction tx, ProfileId id, AtomicInteger runs,
      CountDownLatch read, CountDownLatch go) {
    ProfileRecord r = tx.profile(id).orElseThrow();
    if (runs.incrementAndGet() == 1) {
      read.countDown();
      await(go);
    }
    tx.putProfile(profile(id, r.identifierCounts().get(IdentifierType.EMAIL) + 1,
        r.version() + 1));
    return null;
  }

  private static <T> T write(JdbcStore store, Function<WriteTransaction, T> work) {
    return store.write(SHOP, work);
  }

  @ParameterizedTest
  @ValueSource(strings = {"postgres", "mariadb"})
  @DisplayName("the same new messageId committed by another node between this writer's read and"
      + " its write: the writer's write fails on the messageId's unique key (on MariaDB an index"
      + " beside the arrival key), the writer runs again and finds the event stored, and the"
      + " event is held once")
  void sameNewMessageIdOnTwoNodes(String kind) throws Exception {
    open(kind);
    Identifier cookie = Identifier.anonymousId("ck-race");
    StoredEvent event = new StoredEvent(Event.track("Product Viewed").messageId("m-race")
        .anonymousId("ck-race").timestamp(T0).build(), new EventKey(T0, "m-race"),
        List.of(cookie), cookie);
    CountDownLatch looked = new CountDownLatch(1);
    CountDownLatch go = new CountDownLatch(1);
    AtomicInteger runs = new AtomicInteger();
    Future<Boolean> slow = pool.submit(() -> write(one, tx -> {
      boolean stored = tx.insertEvent(event);
      if (runs.incrementAndGet() == 1) {
        assertThat(stored).as("absent when the first run looked").isTrue();
        looked.countDown();
        await(go);
      }
      return stored;
    }));
    assertThat(looked.await(PROMPT_SECONDS, TimeUnit.SECONDS)).isTrue();
    Boolean storedByTwo = write(two, tx -> tx.insertEvent(event));
    assertThat(storedByTwo).isTrue();
    go.countDown();

    assertThat(slow.get(PROMPT_SECONDS * 4, TimeUnit.SECONDS))
        .as("the second run finds the event stored").isFalse();
    assertThat(runs.get()).isEqualTo(2);
    List<StoredEvent> held = one.read(SHOP, tx -> tx.eventsByAnchors(List.of(cookie)));
    assertThat(held).extracting(StoredEvent::messageId).containsExactly("m-race");
  }

  @ParameterizedTest
  @ValueSource(strings = {"postgres", "mariadb"})
  @DisplayName("a writer waits for a writer of the same profile, not for one of another")
  void writersOfOtherCustomersDoNotWait(String kind) throws Exception {
    open(kind);
    write(one, tx -> {
      tx.putProfile(profile(AYSE, 0, 1));
      tx.putProfile(profile(BRAM, 0, 1));
      return null;
    });
    DataSource ds = scratch.dataSource();
    // Another node's transaction in the middle of its commit: it holds Ayşe's row.
    try (Connection held = ds.getConnection()) {
      held.setAutoCommit(false);
      try (PreparedStatement p = held.prepareStatement(
          "SELECT version FROM cdp_profiles WHERE workspace = ? AND id = ? FOR UPDATE")) {
        p.setString(1, SHOP.value());
        p.setString(2, AYSE.value());
        p.executeQuery().close();
      }
      Future<?> bram = pool.submit(() -> write(two, tx -> increment(tx, BRAM)));
      bram.get(PROMPT_SECONDS, TimeUnit.SECONDS);
      Future<?> ayse = pool.submit(() -> write(two, tx -> increment(tx, AYSE)));
      Thread.sleep(500);
      assertThat(ayse.isDone()).as("a writer of the held profile waits").isFalse();
      held.rollback();
      ayse.get(PROMPT_SECONDS * 4, TimeUnit.SECONDS);
    }
    assertThat(one.read(SHOP, tx -> tx.profile(AYSE)).orElseThrow().identifierCounts())
        .containsEntry(IdentifierType.EMAIL, 1);
    assertThat(one.read(SHOP, tx -> tx.profile(BRAM)).orElseThrow().identifierCounts())
        .containsEntry(IdentifierType.EMAIL, 1);
  }

  @ParameterizedTest
  @ValueSource(strings = {"postgres", "mariadb"})
  @DisplayName("a change another node commits between this writer's read and its write is kept:"
      + " the writer runs again on what is there now")
  void noLostUpdateBetweenNodes(String kind) throws Exception {
    open(kind);
    write(one, tx -> {
      tx.putProfile(profile(AYSE, 0, 1));
      return null;
    });
    CountDownLatch read = new CountDownLatch(1);
    CountDownLatch go = new CountDownLatch(1);
    AtomicInteger runs = new AtomicInteger();
    Future<?> slow = pool.submit(() -> write(one, tx -> incrementPausing(tx, AYSE, runs, read,
        go)));
    assertThat(read.await(PROMPT_SECONDS, TimeUnit.SECONDS)).isTrue();
    write(two, tx -> increment(tx, AYSE));
    go.countDown();
    slow.get(PROMPT_SECONDS * 4, TimeUnit.SECONDS);

    ProfileRecord after = two.read(SHOP, tx -> tx.profile(AYSE)).orElseThrow();
    assertThat(after.identifierCounts()).containsEntry(IdentifierType.EMAIL, 2);
    assertThat(after.version()).isEqualTo(3);
    assertThat(runs.get()).as("the overtaken writer ran again").isEqualTo(2);
  }

  @ParameterizedTest
  @ValueSource(strings = {"postgres", "mariadb"})
  @DisplayName("a writer that prefetched a customer holds the customer's rows: another node's"
      + " writer of the same customer waits for its commit and builds on it, and neither runs"
      + " again")
  void prefetchedRowsAreHeldNotOvertaken(String kind) throws Exception {
    open(kind);
    write(one, tx -> {
      tx.putProfile(profile(AYSE, 0, 1));
      tx.putNode(new IdentityNode(AYSE_MAIL, AYSE, "c-ayse"));
      return null;
    });
    // Both nodes' caches hold Ayşe, as a node that served her before does.
    one.read(SHOP, tx -> tx.profile(AYSE));
    two.read(SHOP, tx -> tx.profile(AYSE));
    CountDownLatch read = new CountDownLatch(1);
    CountDownLatch go = new CountDownLatch(1);
    AtomicInteger firstRuns = new AtomicInteger();
    AtomicInteger secondRuns = new AtomicInteger();
    Future<?> first = pool.submit(() -> write(one, tx -> {
      tx.prefetch(List.of("m-1"), List.of(AYSE_MAIL));
      return incrementPausing(tx, AYSE, firstRuns, read, go);
    }));
    assertThat(read.await(PROMPT_SECONDS, TimeUnit.SECONDS)).isTrue();
    Future<?> second = pool.submit(() -> write(two, tx -> {
      secondRuns.incrementAndGet();
      tx.prefetch(List.of("m-2"), List.of(AYSE_MAIL));
      return increment(tx, AYSE);
    }));
    Thread.sleep(500);
    assertThat(second.isDone()).as("the second writer waits for the first").isFalse();
    go.countDown();
    first.get(PROMPT_SECONDS * 4, TimeUnit.SECONDS);
    second.get(PROMPT_SECONDS * 4, TimeUnit.SECONDS);

    ProfileRecord after = one.read(SHOP, tx -> tx.profile(AYSE)).orElseThrow();
    assertThat(after.identifierCounts()).containsEntry(IdentifierType.EMAIL, 2);
    assertThat(after.version()).isEqualTo(3);
    assertThat(firstRuns.get()).as("the first writer was not overtaken").isEqualTo(1);
    assertThat(secondRuns.get()).as("the second writer read after the first's commit")
        .isEqualTo(1);
  }

  @Test
  @DisplayName("PostgreSQL: two writers that each prefetched one customer and then reach the"
      + " other's (a merge's other side) do not deadlock: the lock taken late does not wait, one"
      + " runs again, and both finish long before the database would end a deadlock")
  void lateLocksDoNotDeadlockWithPrefetchedRows() throws Exception {
    scratch = TestDatabases.postgres();
    // Deadlocks detected only after 10 s here, so that waiting for one cannot pass.
    HikariConfig cfg = new HikariConfig();
    cfg.setJdbcUrl(scratch.url());
    cfg.setUsername(scratch.user());
    cfg.setMaximumPoolSize(4);
    cfg.setConnectionInitSql("SET deadlock_timeout = '10s'");
    try (HikariDataSource slowDeadlocks = new HikariDataSource(cfg)) {
      one = JdbcStore.create(slowDeadlocks);
      two = JdbcStore.create(slowDeadlocks);
      Identifier bramMail = Identifier.email("bram@example.com");
      write(one, tx -> {
        tx.putProfile(profile(AYSE, 0, 1));
        tx.putProfile(profile(BRAM, 0, 1));
        tx.putNode(new IdentityNode(AYSE_MAIL, AYSE, "c-ayse"));
        tx.putNode(new IdentityNode(bramMail, BRAM, "c-bram"));
        return null;
      });
      CountDownLatch ready = new CountDownLatch(2);
      CountDownLatch go = new CountDownLatch(1);
      AtomicInteger runs = new AtomicInteger();
      Future<?> first = pool.submit(() -> write(one, tx -> both(tx, "m-1", AYSE_MAIL, AYSE,
          BRAM, runs, ready, go)));
      Future<?> second = pool.submit(() -> write(two, tx -> both(tx, "m-2", bramMail, BRAM,
          AYSE, runs, ready, go)));
      assertThat(ready.await(PROMPT_SECONDS, TimeUnit.SECONDS)).isTrue();
      go.countDown();
      first.get(PROMPT_SECONDS, TimeUnit.SECONDS);
      second.get(PROMPT_SECONDS, TimeUnit.SECONDS);

      for (ProfileId p : List.of(AYSE, BRAM)) {
        ProfileRecord after = one.read(SHOP, tx -> tx.profile(p)).orElseThrow();
        assertThat(after.identifierCounts()).as(p.value()).containsEntry(IdentifierType.EMAIL, 2);
        assertThat(after.version()).as(p.value()).isEqualTo(3);
      }
      assertThat(runs.get()).as("at least one writer ran again").isGreaterThan(2);
      one.close();
      two.close();
      one = null;
      two = null;
    }
  }

  /**
   * Prefetches {@code mine} (locking its rows), reads {@code own}, and on the first run waits
   * for the other writer to do the same; then reaches {@code other} and adds one to both.
   */
  private static Void both(WriteTransaction tx, String messageId, Identifier mine, ProfileId own,
      ProfileId other, AtomicInteger runs, CountDownLatch ready, CountDownLatch go) {
    tx.prefetch(List.of(messageId), List.of(mine));
    tx.profile(own).orElseThrow();
    if (runs.incrementAndGet() <= 2) {
      ready.countDown();
      await(go);
    }
    increment(tx, own);
    return increment(tx, other);
  }

  @ParameterizedTest
  @ValueSource(strings = {"postgres", "mariadb"})
  @DisplayName("a profile cached on one node and changed on another: the next write on the"
      + " first node builds on the change, and its reads see it at once")
  void staleCacheIsNeverWrittenBack(String kind) {
    open(kind);
    write(one, tx -> {
      tx.putProfile(profile(AYSE, 0, 1));
      return null;
    });
    write(one, tx -> increment(tx, AYSE)); // node one now caches version 2
    write(two, tx -> increment(tx, AYSE)); // version 3, behind node one's back

    assertThat(one.read(SHOP, tx -> tx.profile(AYSE)).orElseThrow().version()).isEqualTo(3);
    write(one, tx -> increment(tx, AYSE));
    ProfileRecord after = two.read(SHOP, tx -> tx.profile(AYSE)).orElseThrow();
    assertThat(after.version()).isEqualTo(4);
    assertThat(after.identifierCounts()).containsEntry(IdentifierType.EMAIL, 3);
  }

  @ParameterizedTest
  @ValueSource(strings = {"postgres", "mariadb"})
  @DisplayName("a read answered from one node's cache checks it first: a membership, a node and"
      + " a profile another node changed are read as they are now")
  void cachedReadsSeeOtherNodesChanges(String kind) {
    open(kind);
    write(one, tx -> {
      tx.putComponent(new ComponentRecord("c-1", null, List.of()));
      tx.putNode(new IdentityNode(AYSE_MAIL, AYSE, "c-1"));
      tx.putProfile(profile(AYSE, 1, 1));
      segmentsOf(tx).putMembership(new Membership("vip", AYSE, T0));
      return null;
    });
    // Node one's cache now holds the node, the profile and its memberships.
    write(one, tx -> {
      tx.node(AYSE_MAIL);
      segmentsOf(tx).memberships(AYSE);
      return increment(tx, AYSE);
    });
    List<Membership> cached = one.read(SHOP, tx -> segmentsOf(tx).memberships(AYSE));
    assertThat(cached).extracting(Membership::segment).containsExactly("vip");

    write(two, tx -> {
      segmentsOf(tx).memberships(AYSE);
      segmentsOf(tx).deleteMembership("vip", AYSE);
      segmentsOf(tx).putMembership(new Membership("lapsed", AYSE, T0));
      tx.putNode(new IdentityNode(AYSE_MAIL, BRAM, "c-1"));
      tx.putProfile(profile(BRAM, 1, 1));
      return null;
    });
    List<Membership> now = one.read(SHOP, tx -> segmentsOf(tx).memberships(AYSE));
    assertThat(now).extracting(Membership::segment).containsExactly("lapsed");
    Optional<IdentityNode> node = one.read(SHOP, tx -> tx.node(AYSE_MAIL));
    assertThat(node.orElseThrow().profile()).isEqualTo(BRAM);
    assertThat(one.read(SHOP, tx -> tx.profile(AYSE)).orElseThrow().version()).isEqualTo(2);
  }

  @ParameterizedTest
  @ValueSource(strings = {"postgres", "mariadb"})
  @DisplayName("two nodes that both find an identifier new and create it end with one node for"
      + " it: the later one runs again and joins the first one's profile")
  void sameNewIdentifierOnTwoNodes(String kind) throws Exception {
    open(kind);
    CountDownLatch looked = new CountDownLatch(1);
    CountDownLatch go = new CountDownLatch(1);
    AtomicInteger runs = new AtomicInteger();
    Future<ProfileId> slow = pool.submit(() -> write(one, tx -> {
      Optional<IdentityNode> n = tx.node(AYSE_MAIL);
      if (runs.incrementAndGet() == 1) {
        looked.countDown();
        await(go);
      }
      return attachOrCreate(tx, n, ProfileId.of("p-from-one"), "c-one");
    }));
    assertThat(looked.await(PROMPT_SECONDS, TimeUnit.SECONDS)).isTrue();
    ProfileId first = write(two, tx ->
        attachOrCreate(tx, tx.node(AYSE_MAIL), ProfileId.of("p-from-two"), "c-two"));
    go.countDown();
    ProfileId second = slow.get(PROMPT_SECONDS * 4, TimeUnit.SECONDS);

    assertThat(first).isEqualTo(ProfileId.of("p-from-two"));
    assertThat(second).isEqualTo(first);
    assertThat(runs.get()).isEqualTo(2);
    assertThat(one.read(SHOP, tx -> tx.node(AYSE_MAIL)).orElseThrow().profile()).isEqualTo(first);
    Optional<ProfileRecord> none = one.read(SHOP, tx -> tx.profile(ProfileId.of("p-from-one")));
    assertThat(none).isEmpty();
    ProfileRecord p = one.read(SHOP, tx -> tx.profile(first)).orElseThrow();
    assertThat(p.identifierCounts()).containsEntry(IdentifierType.EMAIL, 2);
    List<IdentityNode> nodes = one.read(SHOP, tx -> tx.nodesOfProfile(first));
    assertThat(nodes).hasSize(1);
  }

  /** Waits for {@code latch}, in a writer's work (which may not throw checked exceptions). */
  private static void await(CountDownLatch latch) {
    try {
      latch.await();
    } catch (InterruptedException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The profile of a node read before, read as the pipeline reads it. */
  private static ProfileRecord profileOf(WriteTransaction tx, IdentityNode n) {
    return tx.profile(n.profile())
        .orElseThrow(() -> tx.inconsistentRead("node without profile"));
  }

  @ParameterizedTest
  @ValueSource(strings = {"postgres", "mariadb"})
  @DisplayName("another node merges a profile away between this writer's read of a node and its"
      + " read of the node's profile: the writer runs again on the merged graph, it does not"
      + " take the gap for corruption")
  void mergeBetweenTwoReadsRunsAgain(String kind) throws Exception {
    open(kind);
    // Written by node two, so node one's cache is cold and both of its reads ask the database.
    write(two, tx -> {
      tx.putComponent(new ComponentRecord("c-ayse", null, List.of()));
      tx.putNode(new IdentityNode(AYSE_MAIL, AYSE, "c-ayse"));
      tx.putProfile(profile(AYSE, 1, 1));
      tx.putComponent(new ComponentRecord("c-bram", null, List.of()));
      tx.putProfile(profile(BRAM, 0, 1));
      return null;
    });
    CountDownLatch looked = new CountDownLatch(1);
    CountDownLatch go = new CountDownLatch(1);
    AtomicInteger runs = new AtomicInteger();
    Future<ProfileId> slow = pool.submit(() -> write(one, tx -> {
      IdentityNode n = tx.node(AYSE_MAIL).orElseThrow();
      if (runs.incrementAndGet() == 1) {
        looked.countDown();
        await(go);
      }
      ProfileRecord r = profileOf(tx, n);
      tx.putProfile(profile(r.id(), r.identifierCounts().get(IdentifierType.EMAIL) + 1,
          r.version() + 1));
      return r.id();
    }));
    assertThat(looked.await(PROMPT_SECONDS, TimeUnit.SECONDS)).isTrue();
    // Node two merges Ayşe's profile into Bram's, as the pipeline does: the node moves, the
    // merged-away profile and its component are deleted.
    write(two, tx -> {
      tx.node(AYSE_MAIL);
      tx.profile(AYSE);
      ProfileRecord b = tx.profile(BRAM).orElseThrow();
      tx.putNode(new IdentityNode(AYSE_MAIL, BRAM, "c-bram"));
      tx.moveLinks("c-ayse", "c-bram");
      tx.deleteComponent("c-ayse");
      tx.deleteProfile(AYSE);
      tx.putRedirect(AYSE, BRAM);
      tx.putProfile(profile(BRAM, 1, b.version() + 1));
      return null;
    });
    go.countDown();
    ProfileId wrote = slow.get(PROMPT_SECONDS * 4, TimeUnit.SECONDS);

    assertThat(wrote).isEqualTo(BRAM);
    assertThat(runs.get()).as("the writer that met the gap ran again").isEqualTo(2);
    ProfileRecord b = one.read(SHOP, tx -> tx.profile(BRAM)).orElseThrow();
    assertThat(b.identifierCounts()).containsEntry(IdentifierType.EMAIL, 2);
    Optional<ProfileRecord> gone = one.read(SHOP, tx -> tx.profile(AYSE));
    assertThat(gone).isEmpty();
  }

  @ParameterizedTest
  @ValueSource(strings = {"postgres", "mariadb"})
  @DisplayName("a node whose profile is truly missing is still reported as an inconsistent graph"
      + " once the writer has run alone and read through the cache; it does not retry forever")
  void trulyMissingProfileIsStillCorruption(String kind) {
    open(kind);
    write(two, tx -> {
      tx.putComponent(new ComponentRecord("c-ayse", null, List.of()));
      tx.putNode(new IdentityNode(AYSE_MAIL, AYSE, "c-ayse"));
      return null;
    });
    AtomicInteger runs = new AtomicInteger();
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> write(one, tx -> {
      runs.incrementAndGet();
      return profileOf(tx, tx.node(AYSE_MAIL).orElseThrow());
    })).isExactlyInstanceOf(IllegalStateException.class)
        .hasMessageContaining("identity graph is inconsistent: node without profile");
    assertThat(runs.get()).as("beside others, beside others reading through, alone")
        .isEqualTo(3);
  }

  @ParameterizedTest
  @ValueSource(strings = {"postgres", "mariadb"})
  @DisplayName("an erasure on one node while another node is writing an event of the same"
      + " person waits for that write and then erases the event too: nothing of hers is left")
  void erasureWaitsForWritersBesideIt(String kind) throws Exception {
    open(kind);
    Identifier mail = Identifier.email("ayse@example.com");
    try (io.cdpkit.core.Cdp first = io.cdpkit.core.Cdp.builder().store(one).build();
        io.cdpkit.core.Cdp second = io.cdpkit.core.Cdp.builder().store(two).build()) {
      first.ingest(io.cdpkit.core.model.Event.identify().messageId("m-1").userId("c-1")
          .trait("email", "ayse@example.com").timestamp(T0).build());
      IdentityNode node = one.read(WorkspaceId.DEFAULT, tx -> tx.node(mail)).orElseThrow();
      CountDownLatch inside = new CountDownLatch(1);
      CountDownLatch go = new CountDownLatch(1);
      // A writer beside the others, mid-transaction: it has stored an event of hers.
      Future<?> late = pool.submit(() -> one.write(WorkspaceId.DEFAULT, tx -> {
        io.cdpkit.core.model.Event e = io.cdpkit.core.model.Event.track("Product Viewed")
            .messageId("m-late").userId("c-1").timestamp(T0.plusSeconds(5)).build();
        tx.insertEvent(new io.cdpkit.core.spi.storage.StoredEvent(e, e.key(), List.of(mail),
            mail));
        ProfileRecord r = tx.profile(node.profile()).orElseThrow();
        tx.putProfile(new ProfileRecord(r.id(), r.state(), r.identifierCounts(),
            r.version() + 1));
        inside.countDown();
        await(go);
        return null;
      }));
      assertThat(inside.await(PROMPT_SECONDS, TimeUnit.SECONDS)).isTrue();
      Future<?> erase = pool.submit(() -> second.privacy().erase(mail));
      Thread.sleep(500);
      assertThat(erase.isDone()).as("the erasure waits for the writer beside it").isFalse();
      go.countDown();
      late.get(PROMPT_SECONDS * 4, TimeUnit.SECONDS);
      erase.get(PROMPT_SECONDS * 4, TimeUnit.SECONDS);

      List<io.cdpkit.core.spi.storage.StoredEvent> left = one.read(WorkspaceId.DEFAULT,
          tx -> tx.eventsByAnchors(List.of(mail, Identifier.customerId("c-1"))));
      assertThat(left).isEmpty();
      Optional<IdentityNode> gone = two.read(WorkspaceId.DEFAULT, tx -> tx.node(mail));
      assertThat(gone).isEmpty();
    }
  }

  /** As identity resolution does: the identifier's profile gains a sighting, or a new one. */
  private static ProfileId attachOrCreate(WriteTransaction tx, Optional<IdentityNode> n,
      ProfileId fresh, String component) {
    if (n.isPresent()) {
      increment(tx, n.get().profile());
      return n.get().profile();
    }
    tx.putComponent(new ComponentRecord(component, null, List.of()));
    tx.putNode(new IdentityNode(AYSE_MAIL, fresh, component));
    tx.putProfile(profile(fresh, 1, 1));
    return fresh;
  }
}
