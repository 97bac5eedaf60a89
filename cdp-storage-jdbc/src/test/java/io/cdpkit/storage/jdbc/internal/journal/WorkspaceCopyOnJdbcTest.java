package io.cdpkit.storage.jdbc.internal.journal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cdpkit.core.Cdp;
import io.cdpkit.core.model.Event;
import io.cdpkit.core.model.Identifier;
import io.cdpkit.core.model.ProfileId;
import io.cdpkit.core.model.WorkspaceId;
import io.cdpkit.core.spi.storage.ReadTransaction;
import io.cdpkit.core.spi.storage.Savepoint;
import io.cdpkit.core.spi.storage.Store;
import io.cdpkit.core.spi.storage.StoreScan;
import io.cdpkit.core.spi.storage.StoredEvent;
import io.cdpkit.core.spi.storage.UnsupportedCapabilityException;
import io.cdpkit.core.spi.storage.WriteTransaction;
import io.cdpkit.core.spi.storage.memory.WorkspaceCopy;
import io.cdpkit.segmentation.spi.storage.Membership;
import io.cdpkit.segmentation.spi.storage.SegmentStorage;
import io.cdpkit.storage.jdbc.JdbcStore;
import io.cdpkit.storage.jdbc.internal.journal.JournalFixtures.Action;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Label;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.statistics.Statistics;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The law of {@link WorkspaceCopy}: after random write transactions (every op kind, the
 * modules' capabilities, deletes, erasure's deletions and rollbacks to savepoints) on an
 * in-memory store, its copy into a fresh in-memory store, into a JDBC store (H2 in memory) and
 * through a {@link JournalingTransaction} whose body is replayed into a fresh store answers
 * every read as the original does over every key the writes used. Event-name counts are those
 * of the events copied (the original may keep counts of deleted events).
 */
class WorkspaceCopyOnJdbcTest {
  private static final WorkspaceId WS = WorkspaceId.of("shop-copy");
  private static final WorkspaceId OTHER = WorkspaceId.of("shop-other");

  @Provide
  Arbitrary<List<List<Action>>> transactions() {
    Arbitrary<Integer> small = Arbitraries.integers().between(0, 11);
    Arbitrary<Action> action = Combinators.combine(
        Arbitraries.integers().between(0, JournalFixtures.KINDS - 1), small, small,
        Arbitraries.integers().between(0, 40)).as(Action::new);
    return action.list().ofMinSize(0).ofMaxSize(60).list().ofMinSize(1).ofMaxSize(5);
  }

  private static void applyAll(Store store, WorkspaceId ws, List<List<Action>> transactions) {
    for (List<Action> actions : transactions) {
      store.write(ws, tx -> {
        ArrayDeque<Savepoint> savepoints = new ArrayDeque<>();
        for (Action a : actions) {
          JournalFixtures.apply(a, tx, savepoints);
        }
        return null;
      });
    }
  }

  /** The counted names of the live events of the universe, counted. */
  private static Map<String, Long> liveCounts(ReadTransaction tx) {
    Map<String, Long> out = new TreeMap<>();
    for (StoredEvent e : tx.events(JournalFixtures.MESSAGES).values()) {
      out.merge(e.countedName(), 1L, Long::sum);
    }
    return out;
  }

  private static Map<String, Object> snap(Store s, boolean withCounts) {
    return s.read(WS, tx -> JournalFixtures.snapshot(tx, withCounts));
  }

  private static Map<String, Long> counts(Store s) {
    return s.read(WS, ReadTransaction::eventNameCounts);
  }

  private static void copy(Store from, WorkspaceId ws, Store to) {
    from.read(ws, src -> {
      to.write(ws, dst -> {
        src.require(WorkspaceCopy.class).copyTo(dst);
        return null;
      });
      return null;
    });
  }

  @Property(tries = 80)
  @Label("a copy into a fresh in-memory store, a JDBC store and a journal body answers every"
      + " read as the original")
  void copyAnswersAsTheOriginal(@ForAll("transactions") List<List<Action>> transactions) {
    Store original = Store.inMemory();
    applyAll(original, WS, transactions);
    // Another workspace of the same store, written differently: it must not leak.
    applyAll(original, OTHER, List.of(List.of(new Action(0, 5, 1, 3), new Action(8, 1, 0, 4),
        new Action(22, 0, 1, 2), new Action(16, 1, 1, 1))));
    Map<String, Object> expected = original.read(WS, tx -> JournalFixtures.snapshot(tx, false));
    Map<String, Long> counts = original.read(WS, WorkspaceCopyOnJdbcTest::liveCounts);
    boolean deletes = transactions.stream().flatMap(List::stream)
        .anyMatch(a -> a.kind() == JournalFixtures.DELETE_EVENTS_KIND);
    Statistics.label("deleteEvents").collect(deletes);

    Store memory = Store.inMemory();
    copy(original, WS, memory);
    assertThat(snap(memory, false)).isEqualTo(expected);
    assertThat(counts(memory)).isEqualTo(counts);
    if (!deletes) {
      assertThat(counts(memory)).isEqualTo(counts(original));
    }

    try (JdbcStore jdbc = JdbcStore.h2InMemory("copy-" + UUID.randomUUID())) {
      copy(original, WS, jdbc);
      assertThat(snap(jdbc, false)).isEqualTo(expected);
      assertThat(counts(jdbc)).isEqualTo(counts);
    }

    Store viaJournal = Store.inMemory();
    byte[] body = original.read(WS, src -> Store.inMemory().write(WS, scratch -> {
      JournalingTransaction j = new JournalingTransaction(scratch);
      src.require(WorkspaceCopy.class).copyTo(j);
      return j.encode();
    }));
    viaJournal.write(WS, tx -> {
      JournalCodec.replay(body, tx);
      return null;
    });
    assertThat(snap(viaJournal, false)).isEqualTo(expected);
    assertThat(counts(viaJournal)).isEqualTo(counts);

    // A copy of the copy is the copy: nothing is lost or added on the way.
    Store again = Store.inMemory();
    copy(memory, WS, again);
    assertThat(snap(again, true)).isEqualTo(snap(memory, true));
  }

  @Property(tries = 40)
  @Label("a copy inside a write transaction sees its own writes, rolled-back ones excluded")
  void copyInAWriteTransactionSeesItsWrites(
      @ForAll("transactions") List<List<Action>> transactions) {
    Store original = Store.inMemory();
    applyAll(original, WS, transactions.subList(0, transactions.size() - 1));
    Store memory = Store.inMemory();
    Map<String, Object> expected = original.write(WS, tx -> {
      ArrayDeque<Savepoint> savepoints = new ArrayDeque<>();
      for (Action a : transactions.get(transactions.size() - 1)) {
        JournalFixtures.apply(a, tx, savepoints);
      }
      memory.write(WS, dst -> {
        tx.require(WorkspaceCopy.class).copyTo(dst);
        return null;
      });
      return JournalFixtures.snapshot(tx, false);
    });
    assertThat(snap(memory, false)).isEqualTo(expected);
  }

  @Test
  @DisplayName("module records need the module's capability on the target; an empty state asks"
      + " for nothing")
  void moduleCapabilityOnTarget() {
    Store original = Store.inMemory();
    ProfileId p = ProfileId.of("p-1");
    original.write(WS, tx -> {
      tx.require(SegmentStorage.class).putMembership(
          new Membership("vip", p, Instant.parse("2026-01-01T00:00:00Z")));
      return null;
    });
    Store target = Store.inMemory();
    assertThatThrownBy(() -> original.read(WS, src -> target.write(WS, dst -> {
      src.require(WorkspaceCopy.class).copyTo(withoutSegments(dst));
      return null;
    }))).isInstanceOf(UnsupportedCapabilityException.class)
        .hasMessageContaining(SegmentStorage.class.getName());

    original.write(WS, tx -> {
      tx.require(SegmentStorage.class).deleteMembership("vip", p);
      return null;
    });
    original.read(WS, src -> target.write(WS, dst -> {
      src.require(WorkspaceCopy.class).copyTo(withoutSegments(dst));
      return null;
    }));
    List<Membership> left = target.read(WS, tx -> tx.require(SegmentStorage.class).memberships(p));
    assertThat(left).isEmpty();
  }

  @Test
  @DisplayName("a target that already holds a copied event, or the transaction itself, is"
      + " refused")
  void refusesANonEmptyTargetAndItself() {
    Store original = Store.inMemory();
    StoredEvent e = JournalFixtures.event(0, 1, 1);
    original.write(WS, tx -> tx.insertEvent(e));
    Store target = Store.inMemory();
    target.write(WS, tx -> tx.insertEvent(e));
    assertThatThrownBy(() -> copy(original, WS, target))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("target");
    assertThatThrownBy(() -> original.write(WS, tx -> {
      tx.require(WorkspaceCopy.class).copyTo(tx);
      return null;
    })).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("target");
    Optional<StoredEvent> kept = original.read(WS, tx -> tx.event(e.messageId()));
    assertThat(kept).contains(e);
  }

  private static String withoutCounts(String dump) {
    return String.join("\n", dump.lines().filter(l -> !l.startsWith("counts ")).toList());
  }

  /** The lines of each text that the other lacks, marked. */
  private static List<String> difference(String actual, String expected) {
    Set<String> a = new HashSet<>(List.of(actual.split("\n")));
    Set<String> e = new HashSet<>(List.of(expected.split("\n")));
    List<String> out = new ArrayList<>();
    a.stream().filter(l -> !e.contains(l)).forEach(l -> out.add("+ " + l));
    e.stream().filter(l -> !a.contains(l)).forEach(l -> out.add("- " + l));
    return out;
  }

  /** {@code tx} without the segmentation capability. */
  private static WriteTransaction withoutSegments(WriteTransaction tx) {
    return (WriteTransaction) Proxy.newProxyInstance(WriteTransaction.class.getClassLoader(),
        new Class<?>[] {WriteTransaction.class}, (proxy, method, args) -> {
          if (method.getName().equals("capability") && args[0] == SegmentStorage.class) {
            return Optional.empty();
          }
          if (method.getName().equals("require") && args[0] == SegmentStorage.class) {
            throw new UnsupportedCapabilityException(SegmentStorage.class);
          }
          try {
            return method.invoke(tx, args);
          } catch (InvocationTargetException ex) {
            throw ex.getCause();
          }
        });
  }

  @Test
  @DisplayName("the engine's state over retail-like events copies into an equal store; prints"
      + " what the copy costs per record")
  void retailCopyIsEqualAndTimed() {
    int events = Integer.getInteger("copy.events", 20_000);
    List<Event> stream = JournalOnCdpTest.retail(events, Math.max(10, events / 10), 0xC0B1);
    Store store = Store.inMemory();
    Clock clock = Clock.fixed(Instant.parse("2026-06-01T00:00:00Z"), ZoneOffset.UTC);
    try (Cdp cdp = Cdp.builder().store(store).clock(clock).build()) {
      for (int i = 0; i < stream.size(); i += 500) {
        cdp.ingest(stream.subList(i, Math.min(stream.size(), i + 500)));
      }
      try {
        cdp.profiles().unmerge(Identifier.customerId("C-100000"),
            Identifier.email("customer.0@example.com"));
      } catch (RuntimeException notLinked) {
        // this draw did not link them
      }
      cdp.privacy().erase(Identifier.customerId("C-100005"));
    }
    List<Identifier> probes = new ArrayList<>();
    for (int v = 0; v < 50; v++) {
      probes.add(Identifier.customerId("C-" + (100_000 + v)));
      probes.add(Identifier.email("customer." + v + "@example.com"));
    }
    StoreScan.Probes p = new StoreScan.Probes(probes,
        stream.subList(0, 500).stream().map(Event::messageId).toList(), List.of());
    String expected = StoreScan.dump(store, WS0, p);
    assertThat(expected).contains("profile").contains("event");

    Store copy = Store.inMemory();
    copy(store, WS0, copy);
    // The erasure's events are gone, and the original still counts them (the contract lets it):
    // the counts are compared with the live events' below.
    String dumped = withoutCounts(StoreScan.dump(copy, WS0, p));
    assertThat(difference(dumped, withoutCounts(expected))).isEmpty();
    assertThat(dumped).isEqualTo(withoutCounts(expected));
    List<String> ids = stream.stream().map(Event::messageId).toList();
    Map<String, StoredEvent> copied = copy.read(WS0, tx -> tx.events(ids));
    Map<String, StoredEvent> original = store.read(WS0, tx -> tx.events(ids));
    assertThat(copied).isEqualTo(original);
    Map<String, Long> copiedCounts = copy.read(WS0, ReadTransaction::eventNameCounts);
    Map<String, Long> liveCounts = new TreeMap<>();
    original.values().forEach(e -> liveCounts.merge(e.countedName(), 1L, Long::sum));
    assertThat(copiedCounts).isEqualTo(liveCounts);

    // Not asserted: the cost per record, into a sink that keeps nothing (the scan alone), into
    // a fresh in-memory store, and through a journaling transaction (encoded) over one.
    for (int round = 0; round < 4; round++) {
      CountingSink sink = new CountingSink();
      System.gc();
      long t0 = System.nanoTime();
      store.read(WS0, tx -> {
        tx.require(WorkspaceCopy.class).copyTo(sink);
        return null;
      });
      long scan = System.nanoTime() - t0;
      System.gc();
      t0 = System.nanoTime();
      int read = store.read(WS0, tx -> tx.events(ids).size());
      long readEvents = System.nanoTime() - t0;
      Store fresh = Store.inMemory();
      System.gc();
      t0 = System.nanoTime();
      copy(store, WS0, fresh);
      long intoMemory = System.nanoTime() - t0;
      System.gc();
      t0 = System.nanoTime();
      int bytes = store.read(WS0, tx -> Store.inMemory().write(WS0, scratch -> {
        JournalingTransaction j = new JournalingTransaction(scratch);
        tx.require(WorkspaceCopy.class).copyTo(j);
        return j.encode().length;
      }));
      long journal = System.nanoTime() - t0;
      System.out.printf(Locale.ROOT, "copy: %d records (%d events); ns/record: copy into a sink"
              + " %.0f (for reference, reading each event by messageId: %.0f ns/event), into a"
              + " fresh in-memory store %.0f, through a journaling transaction over one, encoded"
              + " %.0f (%d bytes)%n", sink.records, sink.events, (double) scan / sink.records,
          (double) readEvents / read, (double) intoMemory / sink.records,
          (double) journal / sink.records, bytes);
    }
  }

  private static final WorkspaceId WS0 = WorkspaceId.DEFAULT;
}
