package io.cdpkit.storage.jdbc.redteam;

import static org.assertj.core.api.Assertions.assertThat;

import io.cdpkit.core.BatchResult;
import io.cdpkit.core.Cdp;
import io.cdpkit.core.IngestResult;
import io.cdpkit.core.model.Event;
import io.cdpkit.core.model.Identifier;
import io.cdpkit.core.model.Profile;
import io.cdpkit.core.model.ProfileId;
import io.cdpkit.core.spi.storage.Store;
import io.cdpkit.storage.jdbc.JdbcStore;
import io.cdpkit.storage.jdbc.TestDatabases;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Attacks "a lookup never matches a different stored value" where the database compares text:
 * a case-, accent- or width-insensitive collation, or one that pads trailing spaces
 * ({@code utf8mb4_general_ci}, {@code utf8mb4_unicode_ci} on MariaDB; an ICU database on
 * PostgreSQL), would make {@code jose@example.com} find {@code josé@example.com}, a replayed
 * messageId in other case count as a duplicate, and two event names count as one. Values that
 * differ only in what such collations ignore are stored as different values and each found
 * only by itself, on every store and on a PostgreSQL database whose default collation is ICU.
 */
class LookupCollationRedTeamTest {
  static final Instant T = Instant.parse("2026-03-01T10:00:00Z");

  /** Groups of values that lenient collations take as equal; each must stay distinct. */
  static final List<List<String>> VARIANTS = List.of(
      List.of("Order-1", "order-1", "ORDER-1", "Order-1 ", "Order-1  ", "Ord\u00E9r-1",
          "Orde\u0301r-1", "Ord\u00E8r-1", "Order-\uFF11", "Ord\u0435r-1"),
      List.of("Stra\u00DFe", "Strasse", "STRASSE", "stra\u00DFe", "Stra\u1E9Ee"),
      List.of("Cust-i", "Cust-\u0131", "Cust-I", "Cust-\u0130"),
      List.of("ae", "\u00E6", "AE", "\u00C6", "a\u00EB"));

  static final List<List<String>> EMAILS = List.of(
      List.of("jose@example.com", "jos\u00E9@example.com", "jos\u00E8@example.com",
          "jos\u00EA@example.com"),
      List.of("strasse@example.com", "stra\u00DFe@example.com"),
      List.of("ae@example.com", "\u00E6@example.com"),
      List.of("i@example.com", "\u0131@example.com"));

  static Stream<String> kinds() {
    return Stream.concat(RedTeamStores.kinds(), Stream.of("postgres-icu"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("kinds")
  @DisplayName("messageIds, customer ids, e-mail addresses and event names that differ only in"
      + " case, accents, width or trailing spaces are different values on every store")
  void lenientCollationsFindNothing(String kind) throws SQLException {
    TestDatabases.Scratch icu = kind.equals("postgres-icu") ? TestDatabases.postgresIcu() : null;
    try (RedTeamStores place = RedTeamStores.open(icu != null ? "memory" : kind);
        Store store = icu != null ? JdbcStore.create(icu.dataSource()) : place.store();
        Cdp cdp = Cdp.builder().store(store).build()) {
      int tried = 0;
      int matched = 0;
      // messageIds: none is a duplicate of another; each replay is
      List<Event> events = new ArrayList<>();
      int n = 0;
      for (List<String> group : VARIANTS) {
        for (String v : group) {
          events.add(Event.track("Probe " + v).messageId("m-" + v).userId("u-" + v)
              .timestamp(T.plusSeconds(n++)).build());
        }
      }
      BatchResult first = cdp.ingest(events);
      assertThat(first.results()).extracting(IngestResult::status)
          .containsOnly(IngestResult.Status.STORED);
      BatchResult replay = cdp.ingest(events);
      assertThat(replay.results()).extracting(IngestResult::status)
          .containsOnly(IngestResult.Status.DUPLICATE);
      tried += 2 * events.size();

      // customer ids (from userId): each finds its own profile, unless the documented
      // canonical form (trimmed, NFC) makes two the same value
      java.util.Map<String, ProfileId> byCanonical = new java.util.HashMap<>();
      for (List<String> group : VARIANTS) {
        for (String v : group) {
          tried++;
          String canonical = java.text.Normalizer.normalize(("u-" + v).strip(),
              java.text.Normalizer.Form.NFC);
          Profile p = cdp.profiles().find(Identifier.customerId("u-" + v)).orElseThrow();
          ProfileId had = byCanonical.putIfAbsent(canonical, p.id());
          if (had != null && !had.equals(p.id())) {
            throw new AssertionError("one canonical id, two profiles");
          }
          assertThat(p.identifiers()).contains(Identifier.customerId(canonical));
        }
      }
      if (new HashSet<>(byCanonical.values()).size() != byCanonical.size()) {
        matched++;
      }
      // event names are counted apart, exactly as sent
      java.util.Map<String, Long> counts = cdp.profiles().eventCounts();
      for (Event e : events) {
        tried++;
        if (counts.getOrDefault(e.name(), 0L) != 1L) {
          matched++;
        }
      }

      // e-mail addresses: each its own person; find and export never cross
      for (List<String> group : EMAILS) {
        for (String v : group) {
          cdp.ingest(Event.identify().messageId("e-" + v).userId("E-" + v)
              .trait("email", v).timestamp(T).build());
        }
        for (String v : group) {
          tried += 2;
          Profile p = cdp.profiles().find(Identifier.email(v)).orElseThrow();
          if (!p.identifiers().contains(Identifier.customerId("E-" + v))) {
            matched++;
          }
          assertThat(cdp.privacy().export(Identifier.email(v)).orElseThrow())
              .contains("E-" + v);
        }
        // erasing one leaves the others, and their later events are stored
        tried++;
        cdp.privacy().erase(Identifier.email(group.get(0)));
        for (String v : group.subList(1, group.size())) {
          tried++;
          assertThat(cdp.profiles().find(Identifier.email(v))).isPresent();
          IngestResult later = cdp.ingest(Event.identify().messageId("later-" + v)
              .userId("E-" + v).trait("email", v).timestamp(T.plusSeconds(60)).build());
          if (later.status() != IngestResult.Status.STORED) {
            matched++;
          }
        }
      }
      assertThat(matched).isZero();
      System.out.printf("LookupCollationRedTeamTest[%s]: %d lookups, %d matched another value%n",
          kind, tried, matched);
    } finally {
      if (icu != null) {
        TestDatabases.drop(icu);
      }
    }
  }

  @Test
  @DisplayName("MariaDB: every text column of the schema compares byte for byte, without"
      + " padding (utf8mb4_nopad_bin)")
  void mariadbColumnsAreBinary() throws SQLException {
    try (RedTeamStores place = RedTeamStores.open("mariadb");
        Store store = place.store();
        Cdp cdp = Cdp.builder().store(store).build()) {
      cdp.ingest(Event.identify().messageId("m").userId("u").timestamp(T).build());
      List<String> lenient = new ArrayList<>();
      int columns = 0;
      try (Connection c = place.database().dataSource().getConnection();
          Statement st = c.createStatement();
          ResultSet rs = st.executeQuery("SELECT table_name, column_name, collation_name"
              + " FROM information_schema.columns WHERE table_schema = DATABASE()"
              + " AND table_name LIKE 'cdp%' AND collation_name IS NOT NULL")) {
        while (rs.next()) {
          columns++;
          if (!rs.getString(3).equals("utf8mb4_nopad_bin")) {
            lenient.add(rs.getString(1) + "." + rs.getString(2) + " " + rs.getString(3));
          }
        }
      }
      assertThat(columns).isGreaterThan(20);
      assertThat(lenient).isEmpty();
    }
  }
}
