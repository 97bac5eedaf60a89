package io.cdpkit.core.internal.memory;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import java.util.function.IntUnaryOperator;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Label;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;

/**
 * The scan order over the slots of a {@link SlotMap} that holds its freed slots, as the store
 * keeps its profiles: column 0 is the record (a key in the scan), column 1 a pin (a node's group,
 * which keeps a slot in use without a record).
 */
class SortedKeysTest {
  /** kind 0-5: add a record, 6-7: remove it, 8: pin, 9: unpin. */
  record Op(int kind, int key, int after) {}

  @Provide
  Arbitrary<List<Op>> ops() {
    return Combinators.combine(Arbitraries.integers().between(0, 9),
        Arbitraries.integers().between(0, 300), Arbitraries.integers().between(-1, 301))
        .as(Op::new).list().ofMinSize(50).ofMaxSize(2000);
  }

  private static List<Integer> scan(SlotMap<Integer> map, SortedKeys keys, int after) {
    IntUnaryOperator vs = after < 0 ? null : s -> Integer.compare(map.key(s), after);
    List<Integer> seen = new ArrayList<>();
    keys.after(vs).forEachRemaining((int s) -> seen.add(map.key(s)));
    return seen;
  }

  @Property(tries = 300)
  @Label("scans see exactly the keys present, in order, after any key, across rebuilds, freed"
      + " slots held and released, and keys back in other slots")
  void scansAsTreeSet(@ForAll("ops") List<Op> ops, @ForAll @IntRange(min = 1, max = 40)
      int minTree) {
    SlotMap<Integer> map = new SlotMap<>(2, 0, false, true);
    // A small tree, so rebuilds (and the dropping of removed keys) happen often.
    SortedKeys keys = new SortedKeys(s -> map.inUse(s) && map.get(s, 0) != null,
        (a, b) -> Integer.compare(map.key(a), map.key(b)), map::heldCount, map::release,
        minTree);
    TreeSet<Integer> model = new TreeSet<>();
    int n = 0;
    for (Op op : ops) {
      Integer key = op.key();
      if (op.kind() < 6) {
        int s = map.findOrAdd(key);
        if (map.get(s, 0) == null) {
          map.set(s, 0, "record");
          keys.add(s);
        }
        model.add(key);
      } else if (op.kind() < 8) {
        int s = map.find(key);
        if (s >= 0 && map.get(s, 0) != null) {
          map.set(s, 0, null);
          map.removeIfEmpty(s);
          keys.removed();
        }
        model.remove(key);
      } else {
        int s = op.kind() == 8 ? map.findOrAdd(key) : map.find(key);
        if (s >= 0) {
          map.set(s, 1, op.kind() == 8 ? "pin" : null);
          map.removeIfEmpty(s);
        }
      }
      if (++n % 7 == 0 || n == ops.size()) {
        assertThat(scan(map, keys, op.after())).containsExactlyElementsOf(
            op.after() < 0 ? model : model.tailSet(op.after(), false));
      }
    }
  }

  @Property(tries = 100)
  @Label("a slot added twice is seen once")
  void readdedOnce(@ForAll("ops") List<Op> ops) {
    SlotMap<Integer> map = new SlotMap<>(1, 0, false, true);
    SortedKeys keys = new SortedKeys(s -> map.inUse(s) && map.get(s, 0) != null,
        (a, b) -> Integer.compare(map.key(a), map.key(b)), map::heldCount, map::release, 4);
    TreeSet<Integer> model = new TreeSet<>();
    for (Op op : ops.subList(0, Math.min(ops.size(), 300))) {
      int s = map.findOrAdd(op.key());
      map.set(s, 0, "record");
      model.add(op.key());
      keys.add(s);
      keys.add(s);
    }
    assertThat(scan(map, keys, -1)).containsExactlyElementsOf(model);
  }
}
