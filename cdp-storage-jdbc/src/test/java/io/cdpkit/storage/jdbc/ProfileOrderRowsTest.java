package io.cdpkit.storage.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cdpkit.core.Cdp;
import io.cdpkit.core.StorageException;
import io.cdpkit.core.model.Event;
import io.cdpkit.core.model.Identifier;
import io.cdpkit.core.model.Profile;
import io.cdpkit.core.model.WorkspaceId;
import io.cdpkit.core.spi.storage.ProfileRecord;
import io.cdpkit.core.spi.storage.RecordCodec;
import io.cdpkit.core.spi.storage.Store;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import javax.sql.DataSource;
import org.h2.jdbcx.JdbcDataSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A profile's orders are kept in rows of their own ({@code cdp_profile_orders}) beside a head
 * in {@code cdp_profiles}: on the H2 row layout, PostgreSQL and MariaDB, every profile must come
 * back as an in-memory store gives it for the same events, whatever path its orders took
 * (many commits, refunds, a merge, an unmerge, a row written by a version that kept orders in
 * the profile's row), no order may be left behind or lost without an error, and a commit must
 * not write the customer's earlier orders again.
 */
class ProfileOrderRowsTest {
  private static final Instant T = Instant.parse("2026-03-01T10:00:00Z");
  private static final AtomicInteger H2_NAMES = new AtomicInteger();
  private static final RecordCodec CODEC = RecordCodec.create();

  private TestDatabases.Scratch scratch;

  @AfterEach
  void tearDown() {
    if (scratch != null) {
      TestDatabases.drop(scratch);
    }
  }

  private DataSource database(String kind) {
    if (kind.equals("h2")) {
      JdbcDataSource ds = new JdbcDataSource();
      ds.setURL("jdbc:h2:mem:orders" + H2_NAMES.incrementAndGet() + ";DB_CLOSE_DELAY=-1");
      return ds;
    }
    scratch = TestDatabases.server(kind);
    return scratch.dataSource();
  }

  private static Event order(String user, int i) {
    return Event.track("Order Completed").messageId("o-" + user + "-" + i).userId(user)
        .property("order_id", "ORD-" + user + "-" + i)
        .property("total", new BigDecimal(10 + i + ".50")).property("currency", "EUR")
        .timestamp(T.plusSeconds(3_600L * i)).build();
  }

  private static Event anonymousOrder(String cookie, int i) {
    return Event.track("Order Completed").messageId("a-" + cookie + "-" + i).anonymousId(cookie)
        .property("order_id", "ANON-" + cookie + "-" + i)
        .property("total", new BigDecimal("7.25")).property("currency", "EUR")
        .timestamp(T.plusSeconds(60L * i)).build();
  }

  private static Event refund(String user, int i, String amount) {
    return Event.track("Order Refunded").messageId("r-" + user + "-" + i + "-" + amount)
        .userId(user).property("order_id", "ORD-" + user + "-" + i)
        .property("total", new BigDecimal(amount)).property("currency", "EUR")
        .timestamp(T.plusSeconds(3_600L * i + 600)).build();
  }

  private static long count(DataSource ds, String sql) throws SQLException {
    try (Connection c = ds.getConnection(); Statement s = c.createStatement();
        ResultSet rs = s.executeQuery(sql)) {
      rs.next();
      return rs.getLong(1);
    }
  }

  private static String text(DataSource ds, String sql) throws SQLException {
    try (Connection c = ds.getConnection(); Statement s = c.createStatement();
        ResultSet rs = s.executeQuery(sql)) {
      assertThat(rs.next()).as(sql).isTrue();
      return rs.getString(1);
    }
  }

  private static void assertSameProfile(Cdp got, Cdp want, Identifier id) {
    Profile g = got.profiles().find(id).orElseThrow();
    Profile w = want.profiles().find(id).orElseThrow();
    assertThat(g.state()).as("profile of " + id).isEqualTo(w.state());
  }

  @ParameterizedTest
  @ValueSource(strings = {"h2", "postgres", "mariadb"})
  @DisplayName("orders over many commits and refunds come back whole, also to a store that reads"
      + " them cold and then adds one; the profile's row does not grow with the orders")
  void ordersOverManyCommits(String kind) throws Exception {
    DataSource ds = database(kind);
    Identifier ada = Identifier.customerId("ada");
    try (JdbcStore store = JdbcStore.create(ds);
        Cdp cdp = Cdp.builder().store(store).build();
        Cdp reference = Cdp.builder().store(Store.inMemory()).build()) {
      List<Event> all = new ArrayList<>();
      all.add(order("ada", 0));
      cdp.ingest(all.get(0));
      int headAfterOne = text(ds, "SELECT body FROM cdp_profiles").length();
      for (int i = 1; i < 40; i++) {
        Event e = order("ada", i);
        all.add(e);
        assertThat(cdp.ingest(List.of(e)).rejected()).isZero();
      }
      for (Event e : List.of(refund("ada", 3, "5.00"), refund("ada", 3, "2.00"),
          refund("ada", 17, "27.50"))) {
        all.add(e);
        assertThat(cdp.ingest(List.of(e)).rejected()).isZero();
      }
      reference.ingest(all);

      assertThat(count(ds, "SELECT COUNT(*) FROM cdp_profile_orders")).isEqualTo(40);
      String head = text(ds, "SELECT body FROM cdp_profiles");
      assertThat(head).doesNotContain("ORD-ada").contains("\"ro\":40");
      // 39 more orders and 3 refunds: the head grew by a few digits of counts, not by orders.
      assertThat(head.length()).isLessThan(headAfterOne + 100);
      // The row key is a hash, not the order id.
      assertThat(count(ds, "SELECT COUNT(*) FROM cdp_profile_orders WHERE order_key LIKE '%ORD%'"))
          .isZero();
      assertThat(text(ds, "SELECT body FROM cdp_profile_orders WHERE body LIKE '%ORD-ada-17\"%'"))
          .contains("r-ada-17-27.50");
      assertSameProfile(cdp, reference, ada);
      // Order 17 was refunded in full, so it no longer counts.
      assertThat(cdp.profiles().find(ada).orElseThrow().orderCount()).isEqualTo(39);
    }
    // A second store, with its own (empty) cache, reads the rows.
    try (JdbcStore again = JdbcStore.create(ds);
        Cdp cdp = Cdp.builder().store(again).build();
        Cdp reference = Cdp.builder().store(Store.inMemory()).build()) {
      List<Event> all = new ArrayList<>();
      for (int i = 0; i < 40; i++) {
        all.add(order("ada", i));
      }
      all.add(refund("ada", 3, "5.00"));
      all.add(refund("ada", 3, "2.00"));
      all.add(refund("ada", 17, "27.50"));
      reference.ingest(all);
      assertSameProfile(cdp, reference, ada);
      List<ProfileRecord> scanned = again.read(WorkspaceId.DEFAULT, tx -> tx.profilesAfter(null,
          10));
      assertThat(scanned).hasSize(1);
      assertThat(scanned.get(0).state())
          .isEqualTo(reference.profiles().find(ada).orElseThrow().state());
      // Her next order through the store that read her rows cold: one row more, none again.
      Event next = order("ada", 40);
      assertThat(cdp.ingest(List.of(next)).rejected()).isZero();
      reference.ingest(next);
      assertThat(count(ds, "SELECT COUNT(*) FROM cdp_profile_orders")).isEqualTo(41);
      assertSameProfile(cdp, reference, ada);
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"h2", "postgres", "mariadb"})
  @DisplayName("a commit writes the rows of the orders it adds or changes and leaves the others"
      + " alone (an old order's row changed behind the store's back stays as it is)")
  void commitLeavesOtherOrdersAlone(String kind) throws Exception {
    DataSource ds = database(kind);
    try (JdbcStore store = JdbcStore.create(ds);
        Cdp cdp = Cdp.builder().store(store).build()) {
      for (int i = 0; i < 3; i++) {
        cdp.ingest(order("eve", i));
      }
      String where = " FROM cdp_profile_orders WHERE body LIKE '%\"o\":\"ORD-eve-0\"%'";
      String body = text(ds, "SELECT body" + where);
      assertThat(body).contains("\"mu\":1050");
      try (Connection c = ds.getConnection();
          PreparedStatement p = c.prepareStatement("UPDATE cdp_profile_orders SET body = ?"
              + " WHERE body = ?")) {
        p.setString(1, body.replace("\"mu\":1050", "\"mu\":777"));
        p.setString(2, body);
        assertThat(p.executeUpdate()).isEqualTo(1);
      }
      cdp.ingest(order("eve", 3));
      cdp.ingest(refund("eve", 1, "1.00"));
      assertThat(text(ds, "SELECT body" + where)).contains("\"mu\":777");
      assertThat(text(ds, "SELECT body FROM cdp_profile_orders WHERE body LIKE"
          + " '%\"o\":\"ORD-eve-1\"%'")).contains("r-eve-1-1.00");
      assertThat(count(ds, "SELECT COUNT(*) FROM cdp_profile_orders")).isEqualTo(4);
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"h2", "postgres", "mariadb"})
  @DisplayName("a merge moves the merged-away profile's orders to the one that stays, leaving no"
      + " row behind; an unmerge gives each side its own orders back")
  void mergeAndUnmerge(String kind) throws Exception {
    DataSource ds = database(kind);
    Identifier cookie = Identifier.anonymousId("ck-1");
    Identifier bea = Identifier.customerId("bea");
    List<Event> events = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      events.add(anonymousOrder("ck-1", i));
    }
    for (int i = 0; i < 4; i++) {
      events.add(order("bea", i));
    }
    Event link = Event.identify().messageId("link").userId("bea").anonymousId("ck-1")
        .timestamp(T.plusSeconds(90_000)).build();
    try (JdbcStore store = JdbcStore.create(ds);
        Cdp cdp = Cdp.builder().store(store).build();
        Cdp reference = Cdp.builder().store(Store.inMemory()).build()) {
      for (Event e : events) {
        cdp.ingest(e);
      }
      assertThat(count(ds, "SELECT COUNT(DISTINCT profile_id) FROM cdp_profile_orders"))
          .isEqualTo(2);
      cdp.ingest(link);
      reference.ingest(events);
      reference.ingest(link);
      assertSameProfile(cdp, reference, bea);
      String survivor = cdp.profiles().find(bea).orElseThrow().id().value();
      assertThat(count(ds, "SELECT COUNT(*) FROM cdp_profile_orders")).isEqualTo(7);
      assertThat(count(ds, "SELECT COUNT(*) FROM cdp_profile_orders WHERE profile_id <> '"
          + survivor + "'")).isZero();

      cdp.profiles().unmerge(bea, cookie);
      reference.profiles().unmerge(bea, cookie);
      assertSameProfile(cdp, reference, bea);
      assertSameProfile(cdp, reference, cookie);
      assertThat(cdp.profiles().find(cookie).orElseThrow().orderCount()).isEqualTo(3);
      assertThat(count(ds, "SELECT COUNT(*) FROM cdp_profile_orders")).isEqualTo(7);
      assertThat(count(ds, "SELECT COUNT(DISTINCT profile_id) FROM cdp_profile_orders"))
          .isEqualTo(2);
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"h2", "postgres", "mariadb"})
  @DisplayName("a profile row written before order rows (its orders inside) is read whole, and"
      + " its next write moves every order into rows")
  void profileWrittenWithItsOrdersInside(String kind) throws Exception {
    DataSource ds = database(kind);
    Identifier cy = Identifier.customerId("cy");
    List<Event> events = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      events.add(order("cy", i));
    }
    try (JdbcStore store = JdbcStore.create(ds);
        Cdp cdp = Cdp.builder().store(store).build()) {
      cdp.ingest(events);
      // The row as the version before wrote it: the whole profile, orders inside, no rows.
      ProfileRecord whole = store.read(WorkspaceId.DEFAULT,
          tx -> tx.profile(cdp.profiles().find(cy).orElseThrow().id())).orElseThrow();
      try (Connection c = ds.getConnection();
          PreparedStatement p = c.prepareStatement("UPDATE cdp_profiles SET body = ?")) {
        p.setString(1, CODEC.writeProfile(whole));
        assertThat(p.executeUpdate()).isEqualTo(1);
        try (Statement s = c.createStatement()) {
          assertThat(s.executeUpdate("DELETE FROM cdp_profile_orders")).isEqualTo(5);
        }
      }
    }
    try (JdbcStore store = JdbcStore.create(ds);
        Cdp cdp = Cdp.builder().store(store).build();
        Cdp reference = Cdp.builder().store(Store.inMemory()).build()) {
      reference.ingest(events);
      assertSameProfile(cdp, reference, cy);
      Event more = order("cy", 5);
      cdp.ingest(more);
      reference.ingest(more);
      assertSameProfile(cdp, reference, cy);
      assertThat(count(ds, "SELECT COUNT(*) FROM cdp_profile_orders")).isEqualTo(6);
      assertThat(text(ds, "SELECT body FROM cdp_profiles")).doesNotContain("ORD-cy")
          .contains("\"ro\":6");
    }
    try (JdbcStore store = JdbcStore.create(ds);
        Cdp cdp = Cdp.builder().store(store).build()) {
      assertThat(cdp.profiles().find(cy).orElseThrow().orderCount()).isEqualTo(6);
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"h2", "postgres", "mariadb"})
  @DisplayName("an order row deleted behind the store's back fails the read of its profile"
      + " instead of a profile that lost an order")
  void lostOrderRowFailsTheRead(String kind) throws Exception {
    DataSource ds = database(kind);
    Identifier dan = Identifier.customerId("dan");
    try (JdbcStore store = JdbcStore.create(ds);
        Cdp cdp = Cdp.builder().store(store).build()) {
      cdp.ingest(List.of(order("dan", 0), order("dan", 1), order("dan", 2)));
    }
    try (Connection c = ds.getConnection(); Statement s = c.createStatement()) {
      String key;
      try (ResultSet rs = s.executeQuery("SELECT MIN(order_key) FROM cdp_profile_orders")) {
        rs.next();
        key = rs.getString(1);
      }
      assertThat(s.executeUpdate("DELETE FROM cdp_profile_orders WHERE order_key = '" + key
          + "'")).isEqualTo(1);
    }
    try (JdbcStore store = JdbcStore.create(ds);
        Cdp cdp = Cdp.builder().store(store).build()) {
      assertThatThrownBy(() -> cdp.profiles().find(dan))
          .isInstanceOf(StorageException.class)
          .hasMessageContaining("counts 3 orders, and 2 order rows were found")
          .hasMessageNotContaining("ORD-dan");
    }
  }
}
