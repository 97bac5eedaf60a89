package io.cdpkit.core.internal.memory;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Label;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

class SlotMapTest {
  /** column -1 is the int column; value -1 clears. */
  record Op(int key, int column, int value) {}

  @Provide
  Arbitrary<List<Op>> ops() {
    // Keys whose hashes collide often (multiples of 64 share low bits), so runs form and
    // backward-shift deletion moves cells; values that clear often, so slots are reused.
    return Combinators.combine(
        Arbitraries.integers().between(0, 120).map(k -> k % 3 == 0 ? k * 64 : k),
        Arbitraries.integers().between(-1, 1), Arbitraries.integers().between(-1, 3))
        .as(Op::new).list().ofMaxSize(600);
  }

  @Property(tries = 300)
  @Label("a slot map answers as one HashMap per column, and drops keys left with nothing")
  void actsAsMaps(@ForAll("ops") List<Op> ops) {
    SlotMap<Integer> map = new SlotMap<>(2, true);
    List<Map<Integer, Object>> model = List.of(new HashMap<>(), new HashMap<>(),
        new HashMap<>());
    for (Op op : ops) {
      Integer key = op.key();
      if (op.column() < 0) {
        int s = op.value() < 0 ? map.find(key) : map.findOrAdd(key);
        if (s >= 0) {
          map.setInt(s, op.value() < 0 ? SlotMap.NONE : op.value());
          map.removeIfEmpty(s);
        }
      } else {
        Object old = map.put(key, op.column(), op.value() < 0 ? null : "v" + op.value());
        assertThat(old).isEqualTo(model.get(op.column()).get(key));
      }
      Map<Integer, Object> m = model.get(op.column() + 1 == 0 ? 2 : op.column());
      if (op.value() < 0) {
        m.remove(key);
      } else {
        m.put(key, op.column() < 0 ? (Object) op.value() : "v" + op.value());
      }
      java.util.Set<Integer> live = new java.util.HashSet<>();
      model.forEach(x -> live.addAll(x.keySet()));
      assertThat(map.size()).isEqualTo(live.size());
      for (int k : new int[] {key, 0, 64, 128, 1, 2}) {
        int s = map.find(k);
        assertThat(s >= 0).isEqualTo(live.contains(k));
        if (s >= 0) {
          assertThat(map.key(s)).isEqualTo(k);
          assertThat(map.get(s, 0)).isEqualTo(model.get(0).get(k));
          assertThat(map.get(s, 1)).isEqualTo(model.get(1).get(k));
          assertThat(map.getInt(s)).isEqualTo(model.get(2).getOrDefault(k, SlotMap.NONE));
        }
      }
    }
    java.util.Set<Integer> live = new java.util.HashSet<>();
    model.forEach(x -> live.addAll(x.keySet()));
    for (int k = 0; k < 121 * 64; k++) {
      assertThat(map.find(k) >= 0).isEqualTo(live.contains(k));
    }
  }

  /**
   * Ids of a map of profiles or components: UUIDs whose bits hash alike ({@code hi * 31 + lo}
   * equal), the same UUIDs in upper case and with one character off (kept as strings), and
   * plain ids.
   */
  private static final List<String> IDS = new ArrayList<>();

  static {
    for (int i = 0; i < 6; i++) {
      long hi = i * 0x9E3779B97F4A7C15L;
      long lo = -i * 0x632BE59BD9B4E019L;
      for (UUID u : new UUID[] {new UUID(hi, lo), new UUID(hi + 1, lo - 31),
          new UUID(hi + 2, lo - 62), new UUID(lo, hi)}) {
        IDS.add(u.toString());
      }
      String u = new UUID(hi, lo).toString();
      IDS.add(u.toUpperCase(Locale.ROOT));
      IDS.add(u.substring(0, 35) + "g");
    }
    IDS.addAll(List.of("p1", "zz", "0", "ffffffff-ffff-ffff-ffff-ffffffffffff",
        "00000000-0000-0000-0000-000000000001",
        // hashes as the nil UUID does, with the same high bits
        "00000000-0000-0000-0000-000100000001"));
    List<String> distinct = List.copyOf(new java.util.LinkedHashSet<>(IDS));
    IDS.clear();
    IDS.addAll(distinct);
  }

  /** value -1 clears; release: the held slots are released after the op. */
  record IdOp(int id, int value, boolean release) {}

  @Provide
  Arbitrary<List<IdOp>> idOps() {
    return Combinators.combine(Arbitraries.integers().between(0, IDS.size() - 1),
        Arbitraries.integers().between(-1, 2),
        Arbitraries.integers().between(0, 9).map(n -> n == 0))
        .as(IdOp::new).list().ofMaxSize(400);
  }

  private static String idOf(SlotMap<Object> map, int s) {
    return map.isBits(s) ? new UUID(map.hi(s), map.lo(s)).toString() : (String) map.key(s);
  }

  @Property(tries = 300)
  @Label("ids kept as bits: a slot gives back its id exactly, and two ids share a slot exactly"
      + " when they are equal, across removals, held slots and reuse")
  void bitsKeysRoundTrip(@ForAll("idOps") List<IdOp> ops, @ForAll boolean hold) {
    SlotMap<Object> map = new SlotMap<>(1, 0, true, hold);
    Map<String, String> model = new HashMap<>();
    // One key object per id, as the store asks with the same object again and again (the map
    // remembers the last key found by identity), and a fresh one besides.
    Map<String, Object> same = new HashMap<>();
    for (IdOp op : ops) {
      String id = IDS.get(op.id());
      Object key = same.computeIfAbsent(id, CompactIds::key);
      String value = op.value() < 0 ? null : "v" + op.value();
      assertThat(map.put(key, 0, value)).isEqualTo(model.get(id));
      if (value == null) {
        model.remove(id);
      } else {
        model.put(id, value);
      }
      if (op.release()) {
        map.release();
      }
      Set<Integer> slots = new HashSet<>();
      for (String other : IDS) {
        int s = map.find(same.computeIfAbsent(other, CompactIds::key));
        assertThat(map.find(CompactIds.key(other))).isEqualTo(s);
        assertThat(s >= 0).as(other).isEqualTo(model.containsKey(other));
        if (s >= 0) {
          assertThat(slots.add(s)).isTrue();
          assertThat(map.inUse(s)).isTrue();
          assertThat(idOf(map, s)).isEqualTo(other);
          assertThat(map.isBits(s)).isEqualTo(CompactIds.key(other) instanceof CompactIds.Bits);
          assertThat(map.key(s)).isEqualTo(CompactIds.key(other));
          assertThat(map.get(s, 0)).isEqualTo(model.get(other));
        }
      }
      assertThat(map.size()).isEqualTo(model.size());
      int inUse = 0;
      for (int s = 0; s < map.slotLimit(); s++) {
        inUse += map.inUse(s) ? 1 : 0;
      }
      assertThat(inUse).isEqualTo(model.size());
    }
  }
}
