package io.cdpkit.core.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import net.jqwik.api.ForAll;
import net.jqwik.api.Label;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

class ArrayMapTest {
  @Property(tries = 500)
  @Label("copyOf and union answer as TreeMaps: entries in key order, get, size, equals")
  void actsAsTreeMap(@ForAll @Size(max = 12) Map<@IntRange(max = 20) Integer, Long> a,
      @ForAll @Size(max = 12) Map<@IntRange(max = 20) Integer, Long> b) {
    ArrayMap<Integer, Long> x = ArrayMap.copyOf(a);
    ArrayMap<Integer, Long> y = ArrayMap.copyOf(b);
    check(x, new TreeMap<>(a));
    check(y, new TreeMap<>(b));
    TreeMap<Integer, Long> union = new TreeMap<>(a);
    b.forEach((k, v) -> union.merge(k, v, (p, q) -> p * 31 + q));
    check(x.union(y, (p, q) -> p * 31 + q), union);
    check(ArrayMap.copyOf(x), new TreeMap<>(a));
  }

  private static void check(ArrayMap<Integer, Long> m, TreeMap<Integer, Long> model) {
    assertThat(m).isEqualTo(model);
    assertThat(m.size()).isEqualTo(model.size());
    assertThat(m.hashCode()).isEqualTo(model.hashCode());
    assertThat(new ArrayList<>(m.entrySet())).containsExactlyElementsOf(
        new ArrayList<>(model.entrySet()));
    for (int k = -1; k <= 21; k++) {
      assertThat(m.get(k)).isEqualTo(model.get(k));
      assertThat(m.containsKey(k)).isEqualTo(model.containsKey(k));
    }
    assertThat(m.get("not an integer")).isNull();
    List<Integer> keys = new ArrayList<>(m.keySet());
    assertThat(keys).isSorted();
  }

  @Property(tries = 50)
  @Label("a single entry and the empty map")
  void small(@ForAll int k, @ForAll long v) {
    check(ArrayMap.of(k, v), new TreeMap<>(Map.of(k, v)));
    check(ArrayMap.of(), new TreeMap<>());
    assertThat(ArrayMap.<Integer, Long>of().union(ArrayMap.of(k, v), Long::sum))
        .isEqualTo(Map.of(k, v));
  }
}
