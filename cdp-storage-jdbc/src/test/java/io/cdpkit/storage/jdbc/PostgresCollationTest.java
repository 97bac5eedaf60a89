package io.cdpkit.storage.jdbc;

import static io.cdpkit.storage.jdbc.StorageCapabilities.segmentsOf;
import static org.assertj.core.api.Assertions.assertThat;

import io.cdpkit.core.model.ProfileId;
import io.cdpkit.core.model.ProfileState;
import io.cdpkit.core.model.WorkspaceId;
import io.cdpkit.core.spi.storage.ProfileRecord;
import io.cdpkit.core.spi.storage.Store;
import io.cdpkit.segmentation.spi.storage.Membership;
import io.cdpkit.segmentation.spi.storage.ScheduledCheck;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Profile ids sort as {@link String#compareTo} sorts them even on a PostgreSQL database whose
 * default collation follows a language (there {@code _x, a, B, x_1, x-1, x1, X1} is the order).
 * Scans, a segment's members and due checks page by key: a database order that differed from
 * the order callers and the transaction's own writes use would skip or repeat rows at page
 * boundaries.
 */
class PostgresCollationTest {
  static final WorkspaceId SHOP = WorkspaceId.of("shop-amsterdam");
  static final List<String> JAVA_ORDER = List.of("-x", ".x", "0", "9-", "B", "X1", "Z", "_x",
      "a", "x-1", "x.1", "x1", "x10", "x2", "x_1", "z");

  /** How the database itself orders some of the ids, by its default collation. */
  static String databaseOrder(TestDatabases.Scratch s) throws SQLException {
    try (Connection c = s.dataSource().getConnection(); Statement st = c.createStatement();
        ResultSet rs = st.executeQuery("SELECT string_agg(x, ',' ORDER BY x) FROM (VALUES"
            + " ('a'), ('B'), ('_x'), ('x-1'), ('x1'), ('X1'), ('x_1')) v(x)")) {
      rs.next();
      return rs.getString(1);
    }
  }

  @Test
  @DisplayName("on a database with a language's collation, profile scans, members and due checks"
      + " still come in String.compareTo order of the id, page after page")
  void javaOrderOnLanguageCollation() throws Exception {
    TestDatabases.Scratch s = TestDatabases.postgresIcu();
    try {
      assertThat(databaseOrder(s)).as("the database's own order")
          .isEqualTo("_x,a,B,x_1,x-1,x1,X1");
      Store store = JdbcStore.create(s.dataSource());
      Instant due = Instant.parse("2026-03-01T10:00:00Z");
      List<String> shuffled = new ArrayList<>(JAVA_ORDER);
      Collections.shuffle(shuffled, new Random(11));
      store.write(SHOP, tx -> {
        for (String v : shuffled) {
          ProfileId id = ProfileId.of(v);
          tx.putProfile(new ProfileRecord(id, ProfileState.EMPTY, Map.of(), 1));
          segmentsOf(tx).putMembership(new Membership("vip", id, due));
          segmentsOf(tx).putCheck(new ScheduledCheck(id, due));
        }
        return null;
      });

      List<String> scanned = new ArrayList<>();
      List<String> members = new ArrayList<>();
      store.read(SHOP, tx -> {
        ProfileId after = null;
        for (List<ProfileRecord> page; !(page = tx.profilesAfter(after, 3)).isEmpty(); ) {
          page.forEach(r -> scanned.add(r.id().value()));
          after = page.get(page.size() - 1).id();
        }
        after = null;
        for (List<Membership> page; !(page = segmentsOf(tx).members("vip", after, 3)).isEmpty(); ) {
          page.forEach(m -> members.add(m.profile().value()));
          after = page.get(page.size() - 1).profile();
        }
        return null;
      });
      List<String> dueOrder = store.read(SHOP, tx -> segmentsOf(tx).dueChecks(due, 100).stream()
          .map(c -> c.profile().value()).toList());

      assertThat(scanned).containsExactlyElementsOf(JAVA_ORDER);
      assertThat(members).containsExactlyElementsOf(JAVA_ORDER);
      assertThat(dueOrder).containsExactlyElementsOf(JAVA_ORDER);
    } finally {
      TestDatabases.drop(s);
    }
  }
}
