package io.cdpkit.examples.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.cdpkit.core.model.Event;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.Size;

/**
 * What the mapping language promises about the order of rows in a file: a group's event does
 * not depend on it, except for the order of its {@code $lines}, which follow the file.
 */
class GroupOrderProperties {
  /** One order line: order key, sku, quantity, price in cents, minute of the day. */
  record Line(int order, int sku, int qty, int cents, int minute) {
    String csv() {
      // Every line of an order has the order's customer, so "same" holds.
      return "O" + order + ",S" + sku + "," + qty + "," + BigDecimal.valueOf(cents, 2) + ","
          + String.format(java.util.Locale.ROOT, "2026-03-01 %02d:%02d", minute / 60,
              minute % 60) + ",c" + order % 3 + "@x.nl,\n";
    }
  }

  @Provide
  Arbitrary<Line> lines() {
    return Combinators.combine(Arbitraries.integers().between(1, 6),
        Arbitraries.integers().between(1, 20), Arbitraries.integers().between(1, 9),
        Arbitraries.integers().between(0, 99_999), Arbitraries.integers().between(0, 1_439))
        .as(Line::new);
  }

  @Property(tries = 60)
  void shufflingRowsChangesNoEventButTheOrderOfLines(
      @ForAll @Size(min = 1, max = 40) List<@net.jqwik.api.From("lines") Line> rows,
      @ForAll long seed) throws IOException {
    List<Line> shuffled = new ArrayList<>(rows);
    Collections.shuffle(shuffled, new Random(seed));

    Map<String, Event> a = byMessageId(convert(rows));
    Map<String, Event> b = byMessageId(convert(shuffled));

    assertThat(b.keySet()).isEqualTo(a.keySet());
    for (String id : a.keySet()) {
      assertThat(normalised(b.get(id))).as(id).isEqualTo(normalised(a.get(id)));
    }
    for (Event e : a.values()) {
      if (e.name() != null && e.properties().containsKey("total")) {
        BigDecimal sum = MappingTest.products(e).stream().map(p -> ((BigDecimal) p.get("price"))
            .multiply(BigDecimal.valueOf((Long) p.get("quantity"))))
            .reduce(BigDecimal.ZERO, BigDecimal::add);
        assertThat((BigDecimal) e.properties().get("total")).isEqualByComparingTo(sum);
      }
    }
  }

  private static List<Event> convert(List<Line> rows) throws IOException {
    StringBuilder csv = new StringBuilder(MappingTest.HEADER);
    rows.forEach(r -> csv.append(r.csv()));
    Path f = Files.createTempFile("rows", ".csv");
    try {
      Files.writeString(f, csv, StandardCharsets.UTF_8);
      Convert c = Convert.file(Mapping.parse(MappingTest.ORDERS), f, RowSource.Format.CSV);
      assertThat(c.badLines()).isEmpty();
      return c.events();
    } finally {
      Files.delete(f);
    }
  }

  private static Map<String, Event> byMessageId(List<Event> events) {
    Map<String, Event> out = new TreeMap<>();
    events.forEach(e -> out.put(e.messageId(), e));
    assertThat(out).hasSameSizeAs(events);
    return out;
  }

  /** The event with its lines sorted, so only their order is ignored. */
  private static Event normalised(Event e) {
    if (!e.properties().containsKey("products")) {
      return e;
    }
    List<Map<String, Object>> lines = new ArrayList<>(MappingTest.products(e));
    lines.sort(Comparator.comparing(Object::toString));
    Map<String, Object> props = new TreeMap<>(e.properties());
    props.put("products", lines);
    return e.withProperties(props);
  }
}
