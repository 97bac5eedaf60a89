package io.cdpkit.core.internal.memory;

import static org.assertj.core.api.Assertions.assertThat;

import io.cdpkit.core.model.Identifier;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Label;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

class IdGroupsTest {
  record Op(boolean add, int key, int id) {}

  @Provide
  Arbitrary<List<Op>> ops() {
    // Few keys and up to 40 ids, so groups cross the array/set boundary both ways.
    return Combinators.combine(Arbitraries.integers().between(0, 9).map(n -> n < 7),
        Arbitraries.integers().between(0, 2), Arbitraries.integers().between(0, 39))
        .as(Op::new).list().ofMaxSize(400);
  }

  @Property(tries = 300)
  @Label("groups behave as insertion-ordered sets: same answers and order as LinkedHashSet")
  void actsAsLinkedHashSets(@ForAll("ops") List<Op> ops) {
    SlotMap<Integer> map = new SlotMap<>(1, false);
    IdGroups<Integer> groups = new IdGroups<>(map, 0);
    Map<Integer, LinkedHashSet<Identifier>> model = new HashMap<>();
    for (Op op : ops) {
      Identifier id = Identifier.anonymousId("a" + op.id());
      LinkedHashSet<Identifier> m = model.computeIfAbsent(op.key(), k -> new LinkedHashSet<>());
      if (op.add()) {
        assertThat(groups.add(map.findOrAdd(op.key()), id)).isEqualTo(m.add(id));
      } else {
        int s = map.find(op.key());
        assertThat(s >= 0 && groups.remove(s, id)).isEqualTo(m.remove(id));
      }
      int s = map.find(op.key());
      assertThat(s < 0 ? List.of() : groups.get(s)).containsExactlyElementsOf(new ArrayList<>(m));
      assertThat(s >= 0).isEqualTo(!m.isEmpty());
    }
  }
}
