package io.cdpkit.benchmarks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cdpkit.core.model.Event;
import io.cdpkit.examples.OnlineRetailEvents;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PlainRetailLoaderTest {
  private static final String HEADER =
      "InvoiceNo,StockCode,Description,Quantity,InvoiceDate,UnitPrice,CustomerID,Country\n";

  /** Two customers, an invoice whose rows span two minutes, a cancellation, a row without one. */
  private static final String SAMPLE = HEADER
      + "536366,22633,HAND WARMER UNION JACK,6,2010-12-01 08:28:00,1.85,17850.0,United Kingdom\n"
      + "536365,85123A,\"WHITE \"\"HANGING\"\" HEART, T-LIGHT\",6,2010-12-01 08:27:00,2.55,"
      + "17850.0,United Kingdom\n"
      + "536365,71053,,2,2010-12-01 08:26:00,3.39,17850.0,United Kingdom\n"
      + "536370,22728,ALARM CLOCK,24,2010-12-01 08:45:00,3.75,,United Kingdom\n"
      + "536367,84879,ASSORTED BIRD,32,2010-12-01 08:34:00,1.69,13047.0,France\n"
      + "C536379,D,Discount,-1,2010-12-01 09:41:00,27.50,13047.0,France\n";

  @TempDir Path dir;

  @Test
  @DisplayName("the plain loader writes one row per order, refund and customer, with its sums")
  void plainLoaderWritesRowsAndAggregates() throws IOException {
    List<Event> events = OnlineRetailEvents.load(gz(SAMPLE));
    try (PlainRetailLoader loader = PlainRetailLoader.open("h2file")) {
      loader.load(events.subList(0, 2));
      loader.load(events.subList(2, events.size()));
      assertThat(loader.counts()).containsExactly(Map.entry("orders", 3L),
          Map.entry("refunds", 1L), Map.entry("customers", 2L), Map.entry("customer_orders", 3L),
          Map.entry("spent_off_by", 0L), Map.entry("bad_order_times", 0L));

      // Not idempotent: a replayed invoice fails the whole call and writes nothing.
      assertThatThrownBy(() -> loader.load(events.subList(0, 3)))
          .isInstanceOf(IllegalStateException.class);
      assertThat(loader.counts()).containsEntry("orders", 3L).containsEntry("customer_orders", 3L);
    }
  }

  private Path gz(String csv) throws IOException {
    Path file = Files.createTempFile(dir, "retail", ".csv.gz");
    try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(file))) {
      out.write(csv.getBytes(StandardCharsets.UTF_8));
    }
    return file;
  }
}
