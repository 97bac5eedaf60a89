package io.cdpkit.core.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.HashMap;
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
    // The rest of Map, as a TreeMap answers it (ArrayMap implements Map without AbstractMap).
    assertThat(model).isEqualTo(m);
    assertThat(m.isEmpty()).isEqualTo(model.isEmpty());
    assertThat(keys).containsExactlyElementsOf(model.keySet());
    assertThat(new ArrayList<>(m.values())).containsExactlyElementsOf(model.values());
    assertThat(m.toString()).isEqualTo(model.toString());
    for (long v = -3; v <= 3; v++) {
      assertThat(m.containsValue(v)).isEqualTo(model.containsValue(v));
    }
    for (int k = -1; k <= 21; k++) {
      assertThat(m.keySet().contains(k)).isEqualTo(model.containsKey(k));
    }
    List<Object> walked = new ArrayList<>();
    m.forEach((k, v) -> {
      walked.add(k);
      walked.add(v);
    });
    List<Object> expected = new ArrayList<>();
    model.forEach((k, v) -> {
      expected.add(k);
      expected.add(v);
    });
    assertThat(walked).isEqualTo(expected);
    assertThatThrownBy(() -> m.put(1, 1L)).isInstanceOf(UnsupportedOperationException.class);
    assertThatThrownBy(() -> m.remove(1)).isInstanceOf(UnsupportedOperationException.class);
    assertThatThrownBy(m::clear).isInstanceOf(UnsupportedOperationException.class);
    assertThatThrownBy(() -> m.putAll(Map.of(1, 1L)))
        .isInstanceOf(UnsupportedOperationException.class);
  }

  @Property(tries = 200)
  @Label("equal to a map exactly when it holds the same entries, whatever its kind")
  void equality(@ForAll @Size(max = 6) Map<@IntRange(max = 8) Integer, @IntRange(max = 3) Long> a,
      @ForAll @Size(max = 6) Map<@IntRange(max = 8) Integer, @IntRange(max = 3) Long> b) {
    ArrayMap<Integer, Long> x = ArrayMap.copyOf(a);
    assertThat(x.equals(b)).isEqualTo(a.equals(b));
    assertThat(x.equals(ArrayMap.copyOf(b))).isEqualTo(a.equals(b));
    assertThat(x.equals(new HashMap<>(b))).isEqualTo(a.equals(b));
    assertThat(x.equals(Map.of("k", 1L))).isFalse();
    assertThat(x.equals(List.of())).isFalse();
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
