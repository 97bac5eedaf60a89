package io.cdpkit.core.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Label;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

class EventSizeTest {
  @Provide
  Arbitrary<Map<String, Object>> maps() {
    return map(3);
  }

  private Arbitrary<Map<String, Object>> map(int depth) {
    return Arbitraries.maps(Arbitraries.strings().alpha().ofMinLength(1).ofMaxLength(8),
        value(depth)).ofMaxSize(5).map(m -> {
          Map<String, Object> plain = new LinkedHashMap<>();
          plain.putAll(m);
          return plain;
        });
  }

  private Arbitrary<Object> value(int depth) {
    Arbitrary<Object> scalars = Arbitraries.oneOf(
        Arbitraries.strings().alpha().numeric().withChars(" é€").ofMaxLength(20).map(s -> s),
        Arbitraries.longs().map(l -> l), Arbitraries.of(true, false).map(b -> b),
        Arbitraries.bigDecimals().between(BigDecimal.valueOf(-1000), BigDecimal.valueOf(1000))
            .ofScale(2).map(d -> d));
    if (depth == 0) {
      return scalars;
    }
    Arbitrary<Object> lists = Arbitraries.lazy(() -> value(depth - 1)).list().ofMaxSize(4)
        .map(l -> new ArrayList<Object>(l));
    return Arbitraries.frequencyOf(
        net.jqwik.api.Tuple.of(4, scalars),
        net.jqwik.api.Tuple.of(1, Arbitraries.lazy(() -> map(depth - 1)).map(m -> m)),
        net.jqwik.api.Tuple.of(1, lists));
  }

  @Property(tries = 500)
  @Label("the bound a copied map carries is the bound of walking the same map, checked at the"
      + " door or copied plainly, also inside a map that is not a copy")
  void copiesCarryTheWalkedBound(@ForAll("maps") Map<String, Object> plain) {
    long walked = EventSize.map(plain);
    Map<String, Object> checked = JsonValues.copyMap(plain, "/properties", 1);
    Map<String, Object> copied = JsonValues.copyMap(plain);
    assertThat(JsonValues.sizeBound(checked)).isIn(walked, plain.isEmpty() ? -1 : walked);
    assertThat(EventSize.map(checked)).isEqualTo(walked);
    assertThat(EventSize.map(copied)).isEqualTo(walked);
    Map<String, Object> outer = new LinkedHashMap<>();
    outer.put("inner", checked);
    outer.put("list", List.of(copied, "x"));
    Map<String, Object> outerPlain = new LinkedHashMap<>();
    outerPlain.put("inner", plain);
    outerPlain.put("list", new ArrayList<>(List.of(plain, "x")));
    assertThat(EventSize.map(outer)).isEqualTo(EventSize.map(outerPlain));
  }
}
