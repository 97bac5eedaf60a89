package io.cdpkit.core.internal.memory;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Label;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;

class SortedKeysTest {
  record Op(boolean add, int key, int after) {}

  @Provide
  Arbitrary<List<Op>> ops() {
    return Combinators.combine(Arbitraries.integers().between(0, 9).map(n -> n < 8),
        Arbitraries.integers().between(0, 300), Arbitraries.integers().between(-1, 301))
        .as(Op::new).list().ofMinSize(50).ofMaxSize(2000);
  }

  @Property(tries = 200)
  @Label("scans see exactly the keys present, in order, after any key, across rebuilds")
  void scansAsTreeSet(@ForAll("ops") List<Op> ops, @ForAll @IntRange(min = 1, max = 40)
      int minTree) {
    Set<Integer> present = new HashSet<>();
    // A small tree, so rebuilds (and the dropping of removed keys) happen often.
    SortedKeys<Integer> keys = new SortedKeys<>(present::contains, Comparator.naturalOrder(), minTree);
    TreeSet<Integer> model = new TreeSet<>();
    int n = 0;
    for (Op op : ops) {
      if (op.add()) {
        if (present.add(op.key())) {
          keys.add(op.key());
        }
        model.add(op.key());
      } else {
        if (present.remove(op.key())) {
          keys.removed();
        }
        model.remove(op.key());
      }
      if (++n % 7 == 0 || n == ops.size()) {
        Integer after = op.after() < 0 ? null : op.after();
        List<Integer> seen = new ArrayList<>();
        keys.after(after).forEachRemaining(seen::add);
        assertThat(seen).containsExactlyElementsOf(
            after == null ? model : model.tailSet(after, false));
      }
    }
  }

  @Property(tries = 100)
  @Label("a key taken out and added again is seen once")
  void readdedOnce(@ForAll("ops") List<Op> ops) {
    Set<Integer> present = new HashSet<>();
    SortedKeys<Integer> keys = new SortedKeys<>(present::contains, Comparator.naturalOrder(), 4);
    for (Op op : ops.subList(0, Math.min(ops.size(), 300))) {
      present.add(op.key());
      keys.add(op.key());
      keys.add(op.key());
    }
    List<Integer> seen = new ArrayList<>();
    keys.after(null).forEachRemaining(seen::add);
    assertThat(seen).containsExactlyElementsOf(new TreeSet<>(present));
  }
}
