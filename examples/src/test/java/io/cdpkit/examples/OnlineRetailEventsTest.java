package io.cdpkit.examples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cdpkit.core.BatchResult;
import io.cdpkit.core.Cdp;
import io.cdpkit.core.model.Event;
import io.cdpkit.core.model.EventType;
import java.io.IOException;
import java.io.OutputStream;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OnlineRetailEventsTest {
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
  @DisplayName("invoices become orders and refunds, each customer's identify first, in time order")
  void mapsInvoicesCancellationsAndCustomers() throws IOException {
    List<Event> events = OnlineRetailEvents.load(gz(SAMPLE));

    assertThat(events).extracting(Event::messageId).containsExactly("uci-i-17850", "uci-o-536365",
        "uci-o-536366", "uci-i-13047", "uci-o-536367", "uci-r-C536379");
    assertThat(events).extracting(Event::userId)
        .containsExactly("c17850", "c17850", "c17850", "c13047", "c13047", "c13047");
    assertThat(events).extracting(Event::timestamp).isSorted();

    Event identify = events.get(0);
    assertThat(identify.type()).isEqualTo(EventType.IDENTIFY);
    assertThat(identify.traits()).containsExactly(Map.entry("country", "United Kingdom"));
    assertThat(identify.timestamp()).isEqualTo(Instant.parse("2010-12-01T08:26:00Z"));

    Event order = events.get(1);
    assertThat(order.name()).isEqualTo(OnlineRetailEvents.ORDER);
    assertThat(order.timestamp()).isEqualTo(Instant.parse("2010-12-01T08:26:00Z"));
    assertThat(order.properties()).containsEntry("order_id", "536365")
        .containsEntry("total", new BigDecimal("22.08")).containsEntry("currency", "GBP");
    assertThat(order.properties().get("products")).isEqualTo(List.of(
        Map.of("product_id", "85123A", "name", "WHITE \"HANGING\" HEART, T-LIGHT",
            "quantity", 6L, "price", new BigDecimal("2.55")),
        Map.of("product_id", "71053", "quantity", 2L, "price", new BigDecimal("3.39"))));

    Event refund = events.get(5);
    assertThat(refund.name()).isEqualTo(OnlineRetailEvents.REFUND);
    assertThat(refund.properties()).containsEntry("order_id", "C536379")
        .containsEntry("total", new BigDecimal("27.50")).doesNotContainKey("currency");
    assertThat(refund.properties().get("products")).isEqualTo(List.of(
        Map.of("product_id", "D", "name", "Discount", "quantity", 1L,
            "price", new BigDecimal("27.50"))));

    assertThat(OnlineRetailEvents.countByName(events)).containsExactly(
        Map.entry(OnlineRetailEvents.ORDER, 3L), Map.entry(OnlineRetailEvents.REFUND, 1L),
        Map.entry(OnlineRetailEvents.IDENTIFY, 2L));
  }

  @Test
  @DisplayName("a second load gives the same messageIds, so CDPKit stores a replay as duplicates")
  void replayIsIdempotent() throws IOException {
    Path file = gz(SAMPLE);
    List<Event> first = OnlineRetailEvents.load(file);
    List<Event> again = OnlineRetailEvents.load(file);
    try (Cdp cdp = Cdp.builder().build()) {
      BatchResult stored = cdp.ingest(first);
      BatchResult replayed = cdp.ingest(again);
      assertThat(stored.stored()).isEqualTo(first.size());
      assertThat(replayed.duplicates()).isEqualTo(first.size());
      assertThat(cdp.profiles().eventCounts()).isEqualTo(OnlineRetailEvents.countByName(first));
    }
  }

  @Test
  @DisplayName("a missing data file is named with how to point at it")
  void missingFile() {
    Path missing = dir.resolve("nope.csv.gz");
    assertThatThrownBy(() -> OnlineRetailEvents.load(missing))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("is missing").hasMessageContaining(missing.toString())
        .hasMessageContaining(OnlineRetailEvents.FILE_PROPERTY);
  }

  @Test
  @DisplayName("a bad row is refused naming its line and column")
  void badRows() throws IOException {
    Path customer = gz(HEADER + "536365,71053,X,2,2010-12-01 08:26:00,3.39,17850.5,UK\n");
    assertThatThrownBy(() -> OnlineRetailEvents.load(customer))
        .hasMessage("Online Retail line 2: CustomerID is not a whole customer number");
    Path date = gz(HEADER + "536365,71053,X,2,01/12/2010 08:26,3.39,17850.0,UK\n");
    assertThatThrownBy(() -> OnlineRetailEvents.load(date))
        .hasMessageContaining("line 2: InvoiceDate");
    Path positiveCancel = gz(HEADER + "C536365,71053,X,2,2010-12-01 08:26:00,3.39,17850.0,UK\n");
    assertThatThrownBy(() -> OnlineRetailEvents.load(positiveCancel))
        .hasMessage("Online Retail line 2: Quantity must be negative in a cancellation");
    Path quote = gz(HEADER + "536365,71053,\"X,2,2010-12-01 08:26:00,3.39,17850.0,UK\n");
    assertThatThrownBy(() -> OnlineRetailEvents.load(quote))
        .hasMessageContaining("line 2: row has an unterminated quoted field");
    Path header = gz("InvoiceNo,StockCode\n");
    assertThatThrownBy(() -> OnlineRetailEvents.load(header))
        .hasMessageContaining("line 1: expected the header");
  }

  private Path gz(String csv) throws IOException {
    Path file = Files.createTempFile(dir, "retail", ".csv.gz");
    try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(file))) {
      out.write(csv.getBytes(StandardCharsets.UTF_8));
    }
    return file;
  }
}
