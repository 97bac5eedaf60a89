package io.cdpkit.storage.jdbc.internal.journal;

import static org.assertj.core.api.Assertions.assertThat;

import io.cdpkit.core.model.WorkspaceId;
import io.cdpkit.core.spi.storage.Savepoint;
import io.cdpkit.core.spi.storage.Store;
import io.cdpkit.storage.jdbc.JdbcStore;
import io.cdpkit.storage.jdbc.internal.journal.JournalFixtures.Action;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Label;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.statistics.Statistics;

/**
 * The law of the journal: random write transactions (every op kind, the capabilities', and
 * rollbacks to savepoints) applied to an in-memory store through a
 * {@link JournalingTransaction}, and their bodies replayed in order into a fresh in-memory store
 * and into a JDBC store (H2 in memory), leave the same state in all three, as every read method
 * sees it over every key the writes used.
 */
class JournalReplayPropertiesTest {
  private static final WorkspaceId WS = WorkspaceId.of("shop-journal");

  @Provide
  Arbitrary<List<List<Action>>> transactions() {
    Arbitrary<Integer> small = Arbitraries.integers().between(0, 11);
    Arbitrary<Action> action = Combinators.combine(
        Arbitraries.integers().between(0, JournalFixtures.KINDS - 1), small, small,
        Arbitraries.integers().between(0, 40)).as(Action::new);
    return action.list().ofMinSize(0).ofMaxSize(40).list().ofMinSize(1).ofMaxSize(5);
  }

  @Property(tries = 60)
  @Label("replaying the journal bodies into a fresh in-memory store and into a JDBC store gives"
      + " the state the journaled transactions left")
  void replayGivesTheSameState(@ForAll("transactions") List<List<Action>> transactions) {
    Store original = Store.inMemory();
    Store replica = Store.inMemory();
    try (JdbcStore jdbc = JdbcStore.h2InMemory("journal-" + UUID.randomUUID())) {
      List<byte[]> bodies = new ArrayList<>();
      for (List<Action> actions : transactions) {
        byte[] body = original.write(WS, tx -> {
          JournalingTransaction j = new JournalingTransaction(tx);
          ArrayDeque<Savepoint> savepoints = new ArrayDeque<>();
          for (Action a : actions) {
            JournalFixtures.apply(a, j, savepoints);
          }
          Statistics.label("empty").collect(j.isEmpty());
          return j.encode();
        });
        bodies.add(body);
        replica.write(WS, tx -> {
          JournalCodec.replay(body, tx);
          return null;
        });
        jdbc.write(WS, tx -> {
          JournalCodec.replay(body, tx);
          return null;
        });
      }
      Map<String, Object> expected = original.read(WS, tx -> JournalFixtures.snapshot(tx, true));
      Map<String, Object> replayed = replica.read(WS, tx -> JournalFixtures.snapshot(tx, true));
      assertThat(replayed).isEqualTo(expected);
      // Event-name counts are aggregates a store may keep after deleteEvents (the contract
      // lets it), and the two stores differ there: compared only without deletions.
      boolean deletes = transactions.stream().flatMap(List::stream)
          .anyMatch(a -> a.kind() == JournalFixtures.DELETE_EVENTS_KIND);
      Map<String, Object> onJdbc = jdbc.read(WS, tx -> JournalFixtures.snapshot(tx, !deletes));
      Map<String, Object> expectedHere = deletes
          ? original.read(WS, tx -> JournalFixtures.snapshot(tx, false)) : expected;
      assertThat(onJdbc).isEqualTo(expectedHere);
    }
  }

  @Property(tries = 40)
  @Label("replaying into a journaling transaction encodes the same body again: nothing is lost"
      + " or added on the way, and coalescing is stable")
  void bodyIsAFixedPoint(@ForAll("transactions") List<List<Action>> transactions) {
    Store original = Store.inMemory();
    Store replica = Store.inMemory();
    for (List<Action> actions : transactions) {
      byte[] body = original.write(WS, tx -> {
        JournalingTransaction j = new JournalingTransaction(tx);
        ArrayDeque<Savepoint> savepoints = new ArrayDeque<>();
        for (Action a : actions) {
          JournalFixtures.apply(a, j, savepoints);
        }
        return j.encode();
      });
      byte[] again = replica.write(WS, tx -> {
        JournalingTransaction j = new JournalingTransaction(tx);
        JournalCodec.replay(body, j);
        return j.encode();
      });
      assertThat(again).isEqualTo(body);
    }
  }
}
