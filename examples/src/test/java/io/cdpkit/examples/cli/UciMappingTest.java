package io.cdpkit.examples.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.cdpkit.core.model.Event;
import io.cdpkit.core.testing.SharedData;
import io.cdpkit.examples.OnlineRetailEvents;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class UciMappingTest {
  @Test
  @DisplayName("the shipped UCI mapping builds exactly the events OnlineRetailEvents builds in "
      + "code, in the same order, from the real file")
  void shippedMappingEqualsTheCodedMapping() throws Exception {
    Path file = SharedData.dataDir("online-retail").resolve("online_retail.csv.gz");
    List<Event> coded = OnlineRetailEvents.load(file);

    Convert mapped = Convert.file(Mapping.load("uci"), file, RowSource.Format.CSV);

    assertThat(mapped.badLines()).isEmpty();
    assertThat(mapped.conversion.skipped).containsExactly(Map.entry("no CustomerID", 135_080L));
    assertThat(mapped.conversion.rows).isEqualTo(541_909L);
    List<Event> events = mapped.events();
    assertThat(events).hasSameSizeAs(coded);
    for (int i = 0; i < coded.size(); i++) {
      if (!events.get(i).equals(coded.get(i))) {
        assertThat(events.get(i)).as("event %d", i).isEqualTo(coded.get(i));
      }
    }
    assertThat(mapped.conversion.eventsByName).containsExactly(
        Map.entry("Order Completed", 18_536L), Map.entry("Order Refunded", 3_654L),
        Map.entry("identify", 4_372L));
  }
}
