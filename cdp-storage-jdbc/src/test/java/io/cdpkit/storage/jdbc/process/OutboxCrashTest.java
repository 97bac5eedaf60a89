package io.cdpkit.storage.jdbc.process;

import static io.cdpkit.storage.jdbc.StorageCapabilities.outboxOf;
import static org.assertj.core.api.Assertions.assertThat;

import io.cdpkit.activation.spi.storage.OutboxEntry;
import io.cdpkit.core.model.Event;
import io.cdpkit.core.model.WorkspaceId;
import io.cdpkit.storage.jdbc.JdbcStore;
import io.cdpkit.storage.jdbc.SlowSuite;
import io.cdpkit.storage.jdbc.TestDatabases;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A child JVM ingests a stream of shoppers' events into a JDBC store while its activation
 * worker delivers what a rule decides (every {@code Checkout Started}, through a channel that
 * appends each message to a file and forces it to disk), and is killed with SIGKILL at random
 * moments, then restarted where the store left off. After every kill, and after a last child
 * that finishes the stream and drains the outbox, what the store and the file hold proves the
 * outbox's promises:
 * <ul>
 *   <li>every stored event that fires the rule has exactly one outbox entry, and every entry
 *       its stored event: the decision commits with the event or not at all;
 *   <li>every message the channel received carries the key of an outbox entry, the one decided
 *       for the event it names, and one event's messages never carry two keys;
 *   <li>an entry is finished only after its message reached the channel; at the end every
 *       entry is finished and its message reached the channel at least once.
 * </ul>
 * Messages received more than once (allowed: delivery is at least once) are counted and
 * printed. Kills that left decided entries pending, and entries sent but not yet finished, are
 * counted too, and must have happened: otherwise the run proved nothing about that window.
 */
@SlowSuite
class OutboxCrashTest {
  static final long SEED = 0x0B0CL;
  static final int SHOPPERS = 60;
  static final int EVENTS = 2_000;
  static final int KILLS = 15;
  private static final Pattern MESSAGE_ID = Pattern.compile("\"messageId\":\"([^\"]+)\"");

  @Test
  @DisplayName("SIGKILL at random moments on H2: every decision commits with its event, and"
      + " every decided message is delivered at least once with its one key")
  void h2(@TempDir Path tmp) throws Exception {
    Path dir = tmp.resolve("store");
    run(tmp, "H2", "h2", List.of(dir.toString(), "-"), () -> JdbcStore.h2File(dir));
  }

  @Test
  @DisplayName("SIGKILL at random moments on PostgreSQL: every decision commits with its event,"
      + " and every decided message is delivered at least once with its one key")
  void postgres(@TempDir Path tmp) throws Exception {
    TestDatabases.Scratch db = TestDatabases.postgres();
    try {
      // The schema exists before the first child starts.
      JdbcStore.create(db.dataSource()).close();
      run(tmp, "PostgreSQL", "jdbc", List.of(db.url(), db.user()),
          () -> JdbcStore.create(db.dataSource()));
    } finally {
      TestDatabases.drop(db);
    }
  }

  private static void run(Path tmp, String label, String kind, List<String> where,
      Supplier<JdbcStore> stores) throws Exception {
    List<Event> stream = Checkouts.stream(SEED, SHOPPERS, EVENTS);
    Path recorder = tmp.resolve("recorder.csv");
    // The children's clock: an hour after the stream's first event when this test starts,
    // moving with the system's, so that leases taken by a killed child run out in real time.
    long offset = Checkouts.T0.plus(Duration.ofHours(1)).toEpochMilli()
        - System.currentTimeMillis();
    Random random = new Random(SEED);
    int acked = 0;
    int killsWithPending = 0;
    int killsBetweenSendAndOutcome = 0;
    for (int round = 0; round < KILLS; round++) {
      int delay = 30 + random.nextInt(700);
      try (Child child = new Child(OutboxChild.class, tmp.resolve("child-" + round + ".log"),
          args("run", kind, where, recorder, offset))) {
        child.awaitReady();
        Thread.sleep(delay);
        child.kill();
        assertThat(child.exitValue()).as("the child was killed by SIGKILL (128 + 9); stderr: %s",
            child.stderr()).isEqualTo(137);
        acked = Math.max(acked, child.acked());
      }
      Outbox o = Outbox.read(stores.get(), stream, recorder);
      o.verify("after kill " + (round + 1) + " (" + delay + " ms)", stream, acked);
      if (o.pending() > 0) {
        killsWithPending++;
      }
      if (o.sentNotFinished() > 0) {
        killsBetweenSendAndOutcome++;
      }
    }

    // The last child's clock is a lease ahead, so no claim of a killed child holds it up.
    try (Child child = new Child(OutboxChild.class, tmp.resolve("child-final.log"),
        args("finish", kind, where, recorder,
            offset + OutboxChild.LEASE.plusSeconds(1).toMillis()))) {
      assertThat(child.await(120)).as("final child's exit code; stderr: %s", child.stderr())
          .isZero();
      assertThat(child.done()).isTrue();
      assertThat(child.acked()).isEqualTo(EVENTS);
    }
    Outbox o = Outbox.read(stores.get(), stream, recorder);
    o.verify("at the end", stream, EVENTS);
    SoftAssertions end = new SoftAssertions();
    end.assertThat(o.entries).as("an outbox entry per Checkout Started")
        .hasSize(Checkouts.firing(stream).size());
    end.assertThat(o.entries.values()).as("entries not finished at the end")
        .filteredOn(e -> e.status() != OutboxEntry.Status.DONE).isEmpty();
    end.assertThat(o.entries.keySet()).as("entries whose message never reached the channel")
        .filteredOn(k -> !o.linesByKey.containsKey(k)).isEmpty();
    end.assertAll();

    long again = o.linesByKey.values().stream().filter(n -> n > 1).count();
    System.out.printf("OutboxCrashTest[%s]: %d kills, %d with decided entries pending, %d between"
        + " a send and its outcome; %d messages delivered, %d of them more than once (%d"
        + " deliveries in all)%n", label, KILLS, killsWithPending, killsBetweenSendAndOutcome,
        o.entries.size(), again, o.lines.size());
    assertThat(killsWithPending).as("kills that left decided entries pending").isPositive();
    assertThat(killsBetweenSendAndOutcome)
        .as("kills between a message reaching the channel and its outcome").isPositive();
  }

  private static String[] args(String mode, String kind, List<String> where, Path recorder,
      long offset) {
    return new String[] {mode, kind, where.get(0), where.get(1), recorder.toString(),
        Long.toString(offset), Long.toString(SEED), Integer.toString(SHOPPERS),
        Integer.toString(EVENTS)};
  }

  /** What the store's outbox and the recorder file hold, read while no child runs. */
  private static final class Outbox {
    /** The stream's events the store holds. */
    final Set<String> stored = new HashSet<>();
    /** Every outbox entry, by key. */
    final Map<String, OutboxEntry> entries = new TreeMap<>();
    final List<RecorderProvider.Line> lines;
    /** How many times each key reached the channel. */
    final Map<String, Integer> linesByKey = new HashMap<>();

    private Outbox(List<RecorderProvider.Line> lines) {
      this.lines = lines;
      for (RecorderProvider.Line l : lines) {
        linesByKey.merge(l.key(), 1, Integer::sum);
      }
    }

    static Outbox read(JdbcStore store, List<Event> stream, Path recorder) throws Exception {
      try (store) {
        Outbox o = new Outbox(RecorderProvider.read(recorder));
        store.read(WorkspaceId.DEFAULT, tx -> {
          for (Event e : stream) {
            if (tx.event(e.messageId()).isPresent()) {
              o.stored.add(e.messageId());
            }
          }
          for (OutboxEntry.Status s : OutboxEntry.Status.values()) {
            String after = null;
            while (true) {
              List<OutboxEntry> page = outboxOf(tx).outbox(s, after, 500);
              page.forEach(e -> o.entries.put(e.key(), e));
              if (page.size() < 500) {
                break;
              }
              after = page.get(page.size() - 1).key();
            }
          }
          return null;
        });
        return o;
      }
    }

    long pending() {
      return entries.values().stream().filter(e -> e.status() == OutboxEntry.Status.PENDING)
          .count();
    }

    /** Pending entries whose message already reached the channel: its outcome is not stored. */
    long sentNotFinished() {
      return entries.values().stream().filter(e -> e.status() == OutboxEntry.Status.PENDING
          && linesByKey.containsKey(e.key())).count();
    }

    /**
     * Checks what holds after any kill: nothing acknowledged lost, one decision per stored
     * firing event and none without it, messages only under their entry's key, and an entry
     * finished only after its message reached the channel.
     */
    void verify(String when, List<Event> stream, int acked) {
      List<String> lost = new ArrayList<>();
      for (int i = 0; i < acked; i++) {
        if (!stored.contains(stream.get(i).messageId())) {
          lost.add(stream.get(i).messageId());
        }
      }

      // The decision commits with its event: one entry per stored firing event, no other.
      Map<String, List<String>> keysByEvent = new TreeMap<>();
      Map<String, String> eventOfKey = new HashMap<>();
      List<String> otherRules = new ArrayList<>();
      for (OutboxEntry e : entries.values()) {
        Matcher m = MESSAGE_ID.matcher(e.trigger());
        String messageId = m.find() ? m.group(1) : "(none)";
        keysByEvent.computeIfAbsent(messageId, x -> new ArrayList<>()).add(e.key());
        eventOfKey.put(e.key(), messageId);
        if (!e.rule().equals(OutboxChild.RULE)) {
          otherRules.add(e.key());
        }
      }
      Set<String> firingStored = new TreeSet<>();
      for (String id : Checkouts.firing(stream)) {
        if (stored.contains(id)) {
          firingStored.add(id);
        }
      }
      List<String> undecided = firingStored.stream()
          .filter(id -> !keysByEvent.containsKey(id)).toList();
      List<String> decidedTwice = keysByEvent.entrySet().stream()
          .filter(x -> x.getValue().size() > 1).map(Map.Entry::getKey).toList();
      List<String> withoutEvent = keysByEvent.keySet().stream()
          .filter(id -> !firingStored.contains(id)).toList();
      List<String> dead = entries.values().stream()
          .filter(e -> e.status() == OutboxEntry.Status.DEAD).map(OutboxEntry::key).toList();

      // Each message reaching the channel carries the key decided for the event it names, so
      // one event's messages never carry two keys.
      Map<String, Set<String>> keysByGroup = new TreeMap<>();
      Set<String> unknownKeys = new TreeSet<>();
      Set<String> otherEvent = new TreeSet<>();
      for (RecorderProvider.Line l : lines) {
        keysByGroup.computeIfAbsent(l.rule() + "/" + l.messageId(), x -> new TreeSet<>())
            .add(l.key());
        String decidedFor = eventOfKey.get(l.key());
        if (decidedFor == null) {
          unknownKeys.add(l.key());
        } else if (!decidedFor.equals(l.messageId())) {
          otherEvent.add(l.key() + " names " + l.messageId() + ", decided for " + decidedFor);
        }
      }
      Map<String, Set<String>> severalKeys = new TreeMap<>(keysByGroup);
      severalKeys.values().removeIf(keys -> keys.size() == 1);

      // An outcome is stored only after the send it records.
      List<String> finishedUnsent = entries.values().stream()
          .filter(e -> e.status() == OutboxEntry.Status.DONE && !linesByKey.containsKey(e.key()))
          .map(OutboxEntry::key).toList();

      SoftAssertions soft = new SoftAssertions();
      soft.assertThat(lost).as("%s: acknowledged events not stored", when).isEmpty();
      soft.assertThat(undecided).as("%s: stored Checkout Started events without an outbox"
          + " entry", when).isEmpty();
      soft.assertThat(decidedTwice).as("%s: events with more than one outbox entry", when)
          .isEmpty();
      soft.assertThat(withoutEvent).as("%s: outbox entries whose event is not stored", when)
          .isEmpty();
      soft.assertThat(otherRules).as("%s: outbox entries of another rule", when).isEmpty();
      soft.assertThat(dead).as("%s: dead letters", when).isEmpty();
      soft.assertThat(unknownKeys).as("%s: keys of messages that no outbox entry has", when)
          .isEmpty();
      soft.assertThat(otherEvent).as("%s: messages naming another event than their key's",
          when).isEmpty();
      soft.assertThat(severalKeys).as("%s: (rule, event)s whose messages carry several keys",
          when).isEmpty();
      soft.assertThat(finishedUnsent).as("%s: entries finished whose message never reached the"
          + " channel", when).isEmpty();
      soft.assertAll();
    }
  }
}
