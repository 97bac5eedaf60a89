package io.cdpkit.storage.jdbc.process;

import static org.assertj.core.api.Assertions.assertThat;

import io.cdpkit.core.Cdp;
import io.cdpkit.core.model.Event;
import io.cdpkit.core.model.Identifier;
import io.cdpkit.storage.jdbc.JdbcStore;
import io.cdpkit.storage.jdbc.SlowSuite;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.io.TempDir;

/**
 * A child JVM ingests into an H2 file store and is killed with SIGKILL at random moments; after
 * each kill the store must hold every acknowledged event exactly once, a whole identity graph,
 * and profiles equal to a recomputation from exactly the events it holds; and the next child
 * resumes. At the end a child runs to completion and the store equals an in-memory ingest of
 * the whole stream.
 */
@SlowSuite
class CrashTest {
  static final long SEED = 0xC0FFEEL;
  static final int SHOPPERS = 40;
  static final int KILLS = 20;

  /**
   * The H2 file store of this kind: {@code h2} the journaled layout, snapshotting after every
   * 200 KB of journal (so kills also land in snapshots and their replacement of journal rows),
   * {@code h2rows} the row layout.
   */
  static JdbcStore open(String kind, Path dir) {
    return kind.equals("h2rows") ? JdbcStore.builder().h2File(dir).journal(false).build()
        : JdbcStore.builder().h2File(dir).checkpointBytes(200_000).build();
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"h2", "h2rows"})
  @DisplayName("SIGKILL at random moments loses no acknowledged event and leaves no half-merge")
  void killedChildrenLoseNothingAcknowledged(String kind, @TempDir Path tmp) throws Exception {
    Path dir = tmp.resolve("store");
    // Enough events that the child is still ingesting at the 20th kill (the journaled layout
    // ingests these small batches about ten times as fast as the row layout).
    int events = kind.equals("h2") ? 60_000 : 8_000;
    List<Event> stream = Shoppers.stream(SEED, SHOPPERS, events);
    Set<Identifier> universe = Shoppers.identifiers(SHOPPERS);
    Random random = new Random(SEED);
    int acked = 0;
    int kills = 0;
    for (int round = 0; kills < KILLS; round++) {
      int delay = 30 + random.nextInt(400);
      try (Child child = new Child(tmp.resolve("child-" + round + ".log"), kind, dir.toString(),
          Long.toString(SEED), Integer.toString(SHOPPERS), Integer.toString(events),
          Integer.toString(acked))) {
        child.awaitReady();
        Thread.sleep(delay);
        child.kill();
        assertThat(child.acked()).as("acknowledgements only go forward").isGreaterThanOrEqualTo(0);
        if (child.done()) {
          break; // The stream ran out before the kill: nothing left to interrupt.
        }
        acked = Math.max(acked, child.acked());
        kills++;
      }
      verify(kind, dir, stream, universe, acked, "after kill " + kills + " (" + delay + " ms, "
          + acked + " acknowledged)");
    }
    assertThat(kills).as("kills while ingesting").isEqualTo(KILLS);
    assertThat(acked).as("progress across restarts").isPositive();

    try (Child child = new Child(tmp.resolve("child-final.log"), kind, dir.toString(),
        Long.toString(SEED), Integer.toString(SHOPPERS), Integer.toString(events),
        Integer.toString(acked))) {
      assertThat(child.await(300)).as("final child's exit code; stderr: %s", child.stderr())
          .isZero();
      assertThat(child.acked()).isEqualTo(events);
    }
    try (JdbcStore store = open(kind, dir); Cdp cdp = Cdp.builder().store(store).build()) {
      assertThat(ProfileCheck.storedMessageIds(cdp, universe)).hasSize(events);
      ProfileCheck.sameAsInMemory(cdp, stream, universe);
    }
  }

  /**
   * Every acknowledged event is held exactly once; the graph is whole; the profiles are what
   * the held events make (nothing half-applied).
   */
  private static void verify(String kind, Path dir, List<Event> stream, Set<Identifier> universe,
      int acked, String when) {
    try (JdbcStore store = open(kind, dir); Cdp cdp = Cdp.builder().store(store).build()) {
      Set<String> held = ProfileCheck.storedMessageIds(cdp, universe);
      for (int i = 0; i < acked; i++) {
        assertThat(held).as("%s: acknowledged event %d", when, i)
            .contains(stream.get(i).messageId());
      }
      List<Event> heldEvents = stream.stream().filter(e -> held.contains(e.messageId())).toList();
      assertThat(heldEvents).as("%s: the store holds only events of the stream", when)
          .hasSize(held.size());
      ProfileCheck.sameAsInMemory(cdp, heldEvents, universe);
    }
  }
}
