package io.cdpkit.core.internal.memory;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
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
}
