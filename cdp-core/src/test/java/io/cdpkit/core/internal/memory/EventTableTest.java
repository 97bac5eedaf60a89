package io.cdpkit.core.internal.memory;

import static org.assertj.core.api.Assertions.assertThat;

import io.cdpkit.core.model.Event;
import io.cdpkit.core.model.EventKey;
import io.cdpkit.core.model.Identifier;
import io.cdpkit.core.spi.storage.StoredEvent;
import java.lang.reflect.Field;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Label;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The event table keeps packed events in shared chunks: every read must give back the event put
 * in its slot across deletions, undos, restores, chunk changes and compactions, and a deleted
 * event's bytes must not stay in the chunks.
 */
class EventTableTest {
  private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
  private static final List<Identifier> ANCHORS = List.of(Identifier.email("ann@example.com"),
      Identifier.email("bob@example.com"), Identifier.anonymousId("a-1"));

  /** An event whose payload is {@code size} characters, anchored at one of three ids. */
  private static StoredEvent event(int n, int size) {
    Identifier anchor = ANCHORS.get(n % ANCHORS.size());
    String id = "m-" + n;
    Event e = Event.track("Viewed").messageId(id).identifier(anchor)
        .timestamp(T0.plusSeconds(n)).property("payload", "p" + n + "-" + "x".repeat(size))
        .build();
    return new StoredEvent(e, new EventKey(e.eventTime(), id), List.of(anchor), anchor);
  }

  /** One step: 0 insert, 1 delete a live one, 2 restore a deleted one, 3 take the newest out. */
  record Op(int kind, int pick, int size) {}

  @Provide
  Arbitrary<List<Op>> ops() {
    Arbitrary<Integer> sizes = Arbitraries.frequencyOf(
        net.jqwik.api.Tuple.of(20, Arbitraries.integers().between(0, 200)),
        net.jqwik.api.Tuple.of(3, Arbitraries.integers().between(200, 5_000)),
        net.jqwik.api.Tuple.of(1, Arbitraries.integers().between(60_000, 140_000)));
    return net.jqwik.api.Combinators.combine(Arbitraries.integers().between(0, 9)
            .map(k -> k < 5 ? 0 : k < 8 ? 1 : k < 9 ? 2 : 3),
        Arbitraries.integers().between(0, Integer.MAX_VALUE), sizes)
        .as(Op::new).list().ofMinSize(1).ofMaxSize(400);
  }

  @Property(tries = 150)
  @Label("every slot reads back its event, and each anchor's chain its live events newest first,"
      + " across deletions, restores, undone inserts and compactions")
  void readsBackAsAModel(@ForAll("ops") List<Op> ops) {
    // A small compaction threshold, so that compactions happen within a few hundred steps.
    EventTable table = new EventTable(4_096);
    Map<Integer, StoredEvent> live = new HashMap<>();
    Map<Integer, byte[]> deleted = new HashMap<>();
    Map<Integer, StoredEvent> deletedEvents = new HashMap<>();
    List<Integer> inserted = new ArrayList<>(); // slots in insertion order, for the undo
    int n = 0;
    for (Op op : ops) {
      switch (op.kind()) {
        case 0 -> {
          StoredEvent e = event(n++, op.size());
          int slot = table.insert(e);
          assertThat(live).doesNotContainKey(slot);
          live.put(slot, e);
          inserted.add(slot);
        }
        case 1 -> {
          if (!live.isEmpty()) {
            List<Integer> slots = new ArrayList<>(live.keySet());
            int slot = slots.get(op.pick() % slots.size());
            StoredEvent e = live.remove(slot);
            deleted.put(slot, table.delete(slot));
            deletedEvents.put(slot, e);
            // The chain is the caller's to mend (as the store does): drop the slot from it.
            int[] chain = table.chain(e.anchor());
            table.setChain(e.anchor(), java.util.Arrays.stream(chain).filter(s -> s != slot)
                .toArray());
          }
        }
        case 2 -> {
          if (!deleted.isEmpty()) {
            List<Integer> slots = new ArrayList<>(deleted.keySet());
            int slot = slots.get(op.pick() % slots.size());
            StoredEvent e = deletedEvents.remove(slot);
            table.restore(slot, deleted.remove(slot));
            live.put(slot, e);
            table.setChain(e.anchor(), newestFirst(live, e.anchor()));
          }
        }
        default -> {
          // The undo of the newest insert, when it is still live and heads its chain.
          if (!inserted.isEmpty()) {
            int slot = inserted.get(inserted.size() - 1);
            StoredEvent e = live.get(slot);
            int[] chain = e == null ? new int[0] : table.chain(e.anchor());
            if (e != null && chain.length > 0 && chain[0] == slot) {
              table.uninsert(slot, e.anchor());
              live.remove(slot);
              inserted.remove(inserted.size() - 1);
            }
          }
        }
      }
      check(table, live, deletedEvents);
    }
  }

  private static int[] newestFirst(Map<Integer, StoredEvent> live, Identifier anchor) {
    return live.entrySet().stream().filter(x -> x.getValue().anchor().equals(anchor))
        .mapToInt(Map.Entry::getKey).boxed().sorted((a, b) -> Integer.compare(b, a))
        .mapToInt(Integer::intValue).toArray();
  }

  private static void check(EventTable table, Map<Integer, StoredEvent> live,
      Map<Integer, StoredEvent> deleted) {
    assertThat(table.size()).isEqualTo(live.size());
    for (Map.Entry<Integer, StoredEvent> e : live.entrySet()) {
      int slot = e.getKey();
      assertThat(table.holds(slot)).isTrue();
      assertThat(table.find(e.getValue().messageId())).isEqualTo(slot);
      assertThat(table.messageId(slot)).isEqualTo(e.getValue().messageId());
      assertThat(table.anchor(slot)).isEqualTo(e.getValue().anchor());
      assertThat(table.event(slot)).isEqualTo(e.getValue());
    }
    for (Map.Entry<Integer, StoredEvent> e : deleted.entrySet()) {
      assertThat(table.find(e.getValue().messageId())).isEqualTo(-1);
      if (e.getKey() < table.slotLimit()) {
        assertThat(table.holds(e.getKey())).isFalse();
      }
    }
    for (Identifier a : ANCHORS) {
      assertThat(table.chain(a)).containsExactly(newestFirst(live, a));
    }
  }

  @Test
  @DisplayName("a deleted event's values are gone from the chunks at once, and a restored one"
      + " reads back equal")
  void deletedBytesAreZeroed() throws Exception {
    EventTable table = new EventTable(1L << 40); // no compaction: the zeros must do it
    for (int i = 0; i < 50; i++) {
      table.insert(event(i, 10));
    }
    Identifier anchor = Identifier.email("carol@example.com");
    Event secret = Event.track("Viewed").messageId("secret-1").identifier(anchor)
        .timestamp(T0).property("note", "A-VERY-SECRET-VALUE").build();
    StoredEvent stored = new StoredEvent(secret, new EventKey(secret.eventTime(), "secret-1"),
        List.of(anchor), anchor);
    int slot = table.insert(stored);
    for (int i = 50; i < 100; i++) {
      table.insert(event(i, 10));
    }
    byte[] needle = "A-VERY-SECRET-VALUE".getBytes(StandardCharsets.ISO_8859_1);
    assertThat(chunksContain(table, needle)).isTrue();
    byte[] kept = table.delete(slot);
    assertThat(chunksContain(table, needle)).isFalse();
    assertThat(chunksContain(table, "carol@example.com".getBytes(StandardCharsets.ISO_8859_1)))
        .isFalse();
    table.restore(slot, kept);
    assertThat(table.event(slot)).isEqualTo(stored);
    assertThat(table.find("secret-1")).isEqualTo(slot);
  }

  @Test
  @DisplayName("events larger than a chunk get one of their own, between ordinary ones")
  void eventsLargerThanAChunk() {
    EventTable table = new EventTable(1L << 40);
    List<StoredEvent> events = List.of(event(0, 10), event(1, EventTable.CHUNK + 10),
        event(2, 10), event(3, EventTable.CHUNK * 2), event(4, EventTable.CHUNK - 20));
    List<Integer> slots = new ArrayList<>();
    for (StoredEvent e : events) {
      slots.add(table.insert(e));
    }
    for (int i = 0; i < events.size(); i++) {
      assertThat(table.event(slots.get(i))).isEqualTo(events.get(i));
    }
  }

  private static boolean chunksContain(EventTable table, byte[] needle) throws Exception {
    Field f = EventTable.class.getDeclaredField("chunks");
    f.setAccessible(true);
    for (byte[] chunk : (byte[][]) f.get(table)) {
      if (chunk == null) {
        continue;
      }
      outer:
      for (int i = 0; i + needle.length <= chunk.length; i++) {
        for (int j = 0; j < needle.length; j++) {
          if (chunk[i + j] != needle[j]) {
            continue outer;
          }
        }
        return true;
      }
    }
    return false;
  }
}
