package io.cdpkit.examples.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cdpkit.core.model.Event;
import io.cdpkit.core.model.EventType;
import io.cdpkit.core.model.Identifier;
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
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MappingTest {
  /** Order lines grouped into one event per order; an identify once per e-mail. */
  static final String ORDERS = """
      {"name": "orders", "format": "csv",
       "values": {
         "order": {"column": "order", "required": true},
         "sku": "sku",
         "qty": {"column": "qty", "type": "integer", "required": true},
         "price": {"column": "price", "type": "decimal", "min": 0, "required": true},
         "at": {"column": "at", "type": "time", "format": "yyyy-MM-dd HH:mm",
                "zone": "Europe/Amsterdam", "required": true},
         "email": "email",
         "status": "status"},
       "skip": [{"when": {"$eq": ["{status}", "test"]}, "reason": "test order"},
                {"when": {"$empty": "{email}"}, "reason": "no e-mail"}],
       "checks": [{"require": {"$gt": ["{qty}", 0]}, "column": "qty",
                   "reason": "must be positive"}],
       "group": {"by": "{order}", "same": ["email"], "order": {"$min": "{at}"}},
       "events": [
         {"type": "identify", "once": "{email}", "messageId": "id-{email}",
          "identifiers": {"email": "{email}"}, "timestamp": {"$min": "{at}"}},
         {"event": "Order Completed", "messageId": "shop-{order}",
          "identifiers": {"email": "{email}"}, "timestamp": {"$min": "{at}"},
          "properties": {"order_id": "{order}", "lines": {"$count": true},
            "total": {"$sum": {"$multiply": ["{price}", "{qty}"]}},
            "big": {"$if": [{"$gte": [{"$sum": "{qty}"}, 10]}, true, false]},
            "products": {"$lines": {"sku": "{sku}", "quantity": "{qty}", "price": "{price}"}}}}]}
      """;
  static final String HEADER = "order,sku,qty,price,at,email,status\n";

  @TempDir Path dir;

  private Path write(String name, String text) throws IOException {
    Path p = dir.resolve(name);
    Files.writeString(p, text, StandardCharsets.UTF_8);
    return p;
  }

  private Path gzip(String name, String text) throws IOException {
    Path p = dir.resolve(name);
    try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(p))) {
      out.write(text.getBytes(StandardCharsets.UTF_8));
    }
    return p;
  }

  private Convert orders(Path file) throws IOException {
    return Convert.file(Mapping.parse(ORDERS), file, RowSource.Format.CSV);
  }

  @Nested
  @DisplayName("CSV")
  class Csv {
    @Test
    @DisplayName("quoted fields keep commas, doubled quotes and line breaks, and later lines "
        + "are numbered by the file's lines")
    void quoting() throws IOException {
      Path f = write("q.csv", HEADER
          + "A1,\"SKU, \"\"big\"\"\",1,2.50,2026-03-01 10:00,a@x.nl,\n"
          + "A2,\"two\nlines\",1,1.00,2026-03-01 11:00,b@x.nl,\n"
          + "A3,s,x,1.00,2026-03-01 12:00,c@x.nl,\n");
      Convert c = orders(f);
      Event a1 = byId(c.events(), "shop-A1");
      assertThat(products(a1)).extracting(p -> p.get("sku")).containsExactly("SKU, \"big\"");
      assertThat(products(byId(c.events(), "shop-A2"))).extracting(p -> p.get("sku"))
          .containsExactly("two\nlines");
      assertThat(c.badLines()).containsExactly("line 5: qty is not a whole number");
    }

    @Test
    @DisplayName("a record that cannot be read is reported with its line and reading goes on")
    void unreadable() throws IOException {
      Path f = write("u.csv", HEADER
          + "A1,s,1,1.00,2026-03-01 10:00,a@x.nl\n"
          + "A2,\"s\"x,1,1.00,2026-03-01 10:00,a@x.nl,\n"
          + "\n"
          + "A3,s,1,1.00,2026-03-01 10:00,a@x.nl,\n"
          + "A4,\"s,1,1.00,2026-03-01 10:00,a@x.nl,\n");
      Convert c = orders(f);
      assertThat(c.badLines()).containsExactly("line 2: row has 6 columns, expected 7",
          "line 3: row has text after a closing quote",
          "line 6: row has an unterminated quoted field");
      assertThat(c.events()).extracting(Event::messageId).containsExactly("id-a@x.nl",
          "shop-A3");
      assertThat(c.conversion.rows).isEqualTo(4);
      assertThat(c.conversion.badRows).isEqualTo(3);
    }

    @Test
    @DisplayName("gzip is recognised by its bytes, not the file name")
    void gz() throws IOException {
      String text = HEADER + "A1,s,2,1.25,2026-03-01 10:00,a@x.nl,\n";
      List<Event> plain = orders(write("p.csv", text)).events();
      assertThat(orders(gzip("z.csv.gz", text)).events()).isEqualTo(plain).hasSize(2);
      assertThat(orders(gzip("misnamed.csv", text)).events()).isEqualTo(plain);
      assertThat(orders(write("plain.csv.gz", text)).events()).isEqualTo(plain);
      assertThat(RowSource.estimateRecords(gzip("n.csv.gz", text + text.substring(
          HEADER.length())), RowSource.Format.CSV)).isEqualTo(2);
    }

    @Test
    @DisplayName("a byte order mark before the header is dropped, CRLF line ends are read")
    void bomAndCrlf() throws IOException {
      Path f = write("b.csv", "\uFEFF" + HEADER.replace("\n", "\r\n")
          + "A1,s,2,1.25,2026-03-01 10:00,a@x.nl,\r\n");
      assertThat(orders(f).events()).hasSize(2);
    }
  }

  @Nested
  @DisplayName("values, conditions and groups")
  class Values {
    @Test
    @DisplayName("rows group into one event per key, lines in file order, groups in time order, "
        + "sums exact, ids from templates, identify once per e-mail before its first order")
    void groups() throws IOException {
      Path f = write("g.csv", HEADER
          + "B,s1,3,0.10,2026-03-01 12:00,b@x.nl,\n"
          + "A,s2,1,19.99,2026-03-01 11:00,a@x.nl,\n"
          + "B,s3,1,0.20,2026-03-01 11:30,b@x.nl,\n"
          + "C,s4,7,0.01,2026-03-02 09:00,a@x.nl,\n");
      Convert c = orders(f);
      assertThat(c.badLines()).isEmpty();
      List<Event> events = c.events();
      assertThat(events).extracting(Event::messageId).containsExactly("id-a@x.nl", "shop-A",
          "id-b@x.nl", "shop-B", "shop-C");
      Event b = events.get(3);
      assertThat(b.timestamp()).isEqualTo(Instant.parse("2026-03-01T10:30:00Z"));
      assertThat(b.properties().get("total")).isEqualTo(new BigDecimal("0.50"));
      assertThat(b.properties()).containsEntry("lines", 2L).containsEntry("big", false)
          .containsEntry("order_id", "B");
      assertThat(products(b)).containsExactly(
          Map.of("sku", "s1", "quantity", 3L, "price", new BigDecimal("0.10")),
          Map.of("sku", "s3", "quantity", 1L, "price", new BigDecimal("0.20")));
      assertThat(events.get(0).type()).isEqualTo(EventType.IDENTIFY);
      assertThat(events.get(0).identifiers()).contains(Identifier.email("a@x.nl"));
      assertThat(c.conversion.eventsByName).containsExactly(Map.entry("Order Completed", 3L),
          Map.entry("identify", 2L));
    }

    @Test
    @DisplayName("skipped rows are counted by reason; a check that fails makes the row bad")
    void skipsAndChecks() throws IOException {
      Path f = write("s.csv", HEADER
          + "A,s,1,1.00,2026-03-01 10:00,a@x.nl,test\n"
          + "B,s,1,1.00,2026-03-01 10:00,,\n"
          + "C,s,1,1.00,2026-03-01 10:00,  ,\n"
          + "D,s,0,1.00,2026-03-01 10:00,d@x.nl,\n"
          + "E,s,1,1.00,2026-03-01 10:00,e@x.nl,\n");
      Convert c = orders(f);
      assertThat(c.conversion.skipped).containsExactly(Map.entry("test order", 1L),
          Map.entry("no e-mail", 2L));
      assertThat(c.badLines()).containsExactly("line 5: qty must be positive");
      assertThat(c.events()).extracting(Event::messageId).containsExactly("id-e@x.nl",
          "shop-E");
    }

    @Test
    @DisplayName("a bad row rejects its whole group (nothing stored half); other groups stay")
    void badRowRejectsGroup() throws IOException {
      Path f = write("b.csv", HEADER
          + "A,s1,1,1.00,2026-03-01 10:00,a@x.nl,\n"
          + "B,s1,1,1.00,2026-03-01 10:00,b@x.nl,\n"
          + "A,s2,1,-1.00,2026-03-01 10:00,a@x.nl,\n"
          + "A,s3,1,1.00,2026-03-01 10:00,a@x.nl,\n"
          + "B,s2,1,1.00,2026-03-01 10:00,other@x.nl,\n"
          + "C,s2,1,1.00,01/03/2026,c@x.nl,\n"
          + "D,s2,1,1.00,2026-03-01 10:00,d@x.nl,\n");
      Convert c = orders(f);
      assertThat(c.badLines()).containsExactly("line 4: price is negative",
          "line 6: email differs from the group's earlier rows",
          "line 7: at is not a time like yyyy-MM-dd HH:mm");
      assertThat(c.events()).extracting(Event::messageId).containsExactly("id-d@x.nl",
          "shop-D");
      assertThat(c.conversion.groupsRejected).isEqualTo(3);
      assertThat(c.conversion.rowsInRejectedGroups).isEqualTo(3);
      assertThat(c.conversion.badByReason).containsEntry("price is negative", 1L);
    }

    @Test
    @DisplayName("errors name line and column, never the value")
    void errorsWithoutValues() throws IOException {
      Path f = write("v.csv", HEADER
          + "A,s,1,1.00,secret-jane@x.nl,a@x.nl,\n"
          + "B,s,1,jane.doe,2026-03-01 10:00,a@x.nl,\n");
      Convert c = orders(f);
      assertThat(c.badLines()).hasSize(2).allSatisfy(l -> assertThat(l).doesNotContain("jane"));
    }

    @Test
    @DisplayName("without a group each row is an event at once; a pattern's group is the value")
    void rowMode() throws IOException {
      Mapping m = Mapping.parse("""
          {"values": {"id": {"column": "id", "pattern": "X-(\\\\d+)", "required": true},
                      "v": {"column": "v", "type": "boolean"}},
           "events": [{"event": "Seen", "messageId": "m-{id}", "userId": "u{id}",
                       "properties": {"v": "{v}", "n": 1.50, "tags": ["a", "{v}"]}}]}
          """);
      Path f = write("r.csv", "id,v\nX-1,yes\nX-2,\nY-3,no\nX-4,maybe\n");
      Convert c = Convert.file(m, f, RowSource.Format.CSV);
      assertThat(c.badLines()).containsExactly("line 4: id does not match the pattern X-(\\d+)",
          "line 5: v is not true or false");
      assertThat(c.events()).extracting(Event::userId).containsExactly("u1", "u2");
      assertThat(c.events().get(0).properties()).containsEntry("v", true)
          .containsEntry("n", new BigDecimal("1.50")).containsEntry("tags", List.of("a", true));
      assertThat(c.events().get(1).properties()).doesNotContainKey("v")
          .containsEntry("tags", List.of("a"));
    }

    @Test
    @DisplayName("an empty value inside a template makes the row bad, naming the column")
    void emptyInTemplate() throws IOException {
      Mapping m = Mapping.parse("""
          {"values": {"id": "id"},
           "events": [{"event": "Seen", "messageId": "m-{id}", "userId": "u"}]}
          """);
      Convert c = Convert.file(m, write("e.csv", "id\n\"\"\n7\n"), RowSource.Format.CSV);
      assertThat(c.badLines()).containsExactly("line 2: id is empty");
      assertThat(c.events()).extracting(Event::messageId).containsExactly("m-7");
    }

    @Test
    @DisplayName("an event the engine's builder refuses is a bad row naming the event")
    void eventRefusedByBuilder() throws IOException {
      Mapping m = Mapping.parse("""
          {"values": {"id": "id"},
           "events": [{"event": "Seen", "messageId": "m-{id}", "userId": "u\\u0000{id}"}]}
          """);
      Convert c = Convert.file(m, write("n.csv", "id\n1\n"), RowSource.Format.CSV);
      assertThat(c.badLines()).singleElement().asString().startsWith("line 2: event 0 cannot "
          + "be built:");
      Mapping ids = Mapping.parse("""
          {"values": {"id": "id"},
           "events": [{"event": "Seen", "messageId": "m-{id}", "identifiers": {"email": "{id}"}}]}
          """);
      Convert tooLong = Convert.file(ids, write("l.csv", "id\n" + "x".repeat(600) + "\nok\n"),
          RowSource.Format.CSV);
      assertThat(tooLong.badLines()).containsExactly("line 2: event 0 cannot be built: "
          + "identifier value must be 1 to 512 characters");
      assertThat(tooLong.events()).hasSize(1);
    }
  }

  @Nested
  @DisplayName("JSON lines")
  class JsonLines {
    static final String MAP = """
        {"format": "jsonl",
         "values": {"id": {"column": "id", "required": true},
                    "email": {"column": "customer.email", "required": true},
                    "amount": {"column": "amount", "type": "decimal"},
                    "n": {"column": "n", "type": "integer"}},
         "events": [{"event": "Paid", "messageId": "p-{id}", "identifiers": {"email": "{email}"},
                     "properties": {"amount": "{amount}", "n": "{n}"}}]}
        """;

    @Test
    @DisplayName("nested columns, exact decimals, blank lines; bad lines named with their line")
    void jsonl() throws IOException {
      Path f = gzip("x.jsonl.gz", """
          {"id": "1", "customer": {"email": "a@x.nl"}, "amount": 0.10, "n": 3}

          {"id": 2, "customer": {"email": "b@x.nl"}, "amount": "12.345"}
          {"id": "3", "customer": {}}
          {"id": "4", "customer": {"email": ["a"]}}
          not json
          [1, 2]
          {"id": "7", "customer": {"email": "c@x.nl"}, "n": 1.5}
          """);
      Mapping m = Mapping.parse(MAP);
      assertThat(m.format).isEqualTo(RowSource.Format.JSONL);
      Convert c = Convert.file(m, f, RowSource.Format.JSONL);
      assertThat(c.badLines()).containsExactly("line 4: customer.email is missing",
          "line 5: customer.email is an array, expected a single value",
          "line 6: row is not valid JSON (column 4)", "line 7: row is not a JSON object",
          "line 8: n is not a whole number");
      assertThat(c.events()).extracting(Event::messageId).containsExactly("p-1", "p-2");
      assertThat(c.events().get(0).properties()).containsEntry("amount",
          new BigDecimal("0.10")).containsEntry("n", 3L);
      assertThat(c.events().get(1).properties()).containsEntry("amount",
          new BigDecimal("12.345")).doesNotContainKey("n");
      assertThat(RowSource.estimateRecords(f, RowSource.Format.JSONL)).isEqualTo(7);
    }
  }

  @Nested
  @DisplayName("mapping errors name the place as a JSON pointer")
  class Errors {
    private void refused(String json, String message) {
      assertThatThrownBy(() -> Mapping.parse(json)).isInstanceOf(MappingException.class)
          .hasMessage(message);
    }

    @Test
    void everyPlace() {
      refused("[1]", "mapping /: must be a JSON object");
      refused("{\"values\": ", "mapping /: is not valid JSON (line 1, column 12)");
      refused("{\"events\": []}", "mapping /values: is required: an object of named values");
      refused("{\"values\": {\"a\": \"a\"}, \"evnts\": []}",
          "mapping /evnts: is not a known key; known: [checks, description, events, format, "
              + "group, header, name, skip, values]");
      refused("{\"values\": {\"a\": {\"column\": \"a\", \"type\": \"money\"}}, \"events\": []}",
          "mapping /values/a/type: must be one of string, integer, decimal, time, boolean");
      refused("{\"values\": {\"a\": {\"column\": \"a\", \"pattern\": \"(\"}}}",
          "mapping /values/a/pattern: is not a regular expression: Unclosed group");
      refused("{\"header\": [\"b\"], \"values\": {\"a\": \"a\"}}",
          "mapping /values/a/column: names a, which is not in /header");
      String values = "{\"values\": {\"a\": \"a\"}, ";
      refused(values + "\"events\": [{\"event\": \"E\", \"userId\": \"u\"}]}",
          "mapping /events/0/messageId: is required: derive it from the row (\"shop-{order}\") "
              + "so that importing the file again stores nothing twice");
      refused(values + "\"events\": [{\"event\": \"E\", \"messageId\": \"m-{b}\", "
          + "\"userId\": \"u\"}]}", "mapping /events/0/messageId: {b} names no value of /values");
      refused(values + "\"events\": [{\"event\": \"E\", \"messageId\": \"m\", \"userId\": "
          + "{\"$sum\": \"{a}\"}}]}", "mapping /events/0/userId/$sum: $sum works over the rows "
          + "of a group: it needs \"group\" and cannot sit inside another $lines, $sum, $min, "
          + "$max, $count");
      refused(values + "\"events\": [{\"event\": \"E\", \"messageId\": \"m\", \"userId\": "
          + "{\"$upper\": \"{a}\"}}]}", "mapping /events/0/userId/$upper: unknown operator "
          + "$upper; known: $lines, $sum, $min, $max, $count, $abs, $multiply, $add, $empty, "
          + "$startsWith, $eq, $gt, $gte, $lt, $lte, $not, $and, $or, $if");
      refused(values + "\"events\": [{\"event\": \"E\", \"messageId\": \"m\"}]}",
          "mapping /events/0: needs userId, anonymousId or identifiers");
      refused(values + "\"events\": [{\"event\": \"E\", \"messageId\": \"m{\", \"userId\": \"u\""
          + "}]}", "mapping /events/0/messageId: has an unmatched { or }");
      refused(values + "\"group\": {\"by\": \"{a}\"}, \"events\": [{\"event\": \"E\", "
          + "\"messageId\": \"m\", \"userId\": {\"$sum\": {\"$sum\": \"{a}\"}}}]}",
          "mapping /events/0/userId/$sum/$sum: $sum works over the rows of a group: it needs "
          + "\"group\" and cannot sit inside another $lines, $sum, $min, $max, $count");
      refused(values + "\"events\": [{\"event\": \"E\", \"messageId\": \"m\", \"userId\": "
          + "{\"$eq\": [\"{a}\"]}}]}", "mapping /events/0/userId/$eq: $eq takes 2 arguments");
    }
  }

  private static Event byId(List<Event> events, String id) {
    return events.stream().filter(e -> e.messageId().equals(id)).findFirst().orElseThrow();
  }

  @SuppressWarnings("unchecked")
  static List<Map<String, Object>> products(Event e) {
    return (List<Map<String, Object>>) e.properties().get("products");
  }
}
