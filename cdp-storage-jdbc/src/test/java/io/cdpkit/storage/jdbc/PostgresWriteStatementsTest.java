package io.cdpkit.storage.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import io.cdpkit.core.BatchResult;
import io.cdpkit.core.Cdp;
import io.cdpkit.core.model.Event;
import io.cdpkit.core.model.Identifier;
import io.cdpkit.core.model.Profile;
import io.cdpkit.core.model.WorkspaceId;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * On PostgreSQL a write transaction sends its inserts and upserts of events, identity nodes,
 * components, profiles, redirects, links and ledger entries as one statement, and reads the
 * stored messageIds and nodes of a batch in one statement. The statements a store prepares
 * are recorded through a data source that wraps the scratch schema's pool.
 */
class PostgresWriteStatementsTest {
  private static final WorkspaceId SHOP = WorkspaceId.of("shop-utrecht");
  private static final Instant T = Instant.parse("2026-03-01T10:00:00Z");

  private TestDatabases.Scratch scratch;

  @AfterEach
  void tearDown() {
    if (scratch != null) {
      TestDatabases.drop(scratch);
    }
  }

  /** Shoppers who are new to the store: each brings a cookie, a user id and an e-mail. */
  private static List<Event> newShoppers(int from, int count) {
    List<Event> out = new ArrayList<>();
    for (int i = from; i < from + count; i++) {
      out.add(Event.identify().messageId("id-" + i).anonymousId("ck-" + i).userId("C-" + i)
          .trait("email", "shopper" + i + "@example.com").timestamp(T.plusSeconds(i)).build());
      out.add(Event.track("Order Completed").messageId("o-" + i).userId("C-" + i)
          .property("order_id", "W-" + i).property("total", new BigDecimal("19.95"))
          .property("currency", "EUR").timestamp(T.plusSeconds(i + 1)).build());
    }
    return out;
  }

  private static long count(List<String> prepared, String fragment) {
    return prepared.stream().filter(sql -> sql.contains(fragment)).count();
  }

  @Test
  @DisplayName("a batch of new shoppers writes its events, nodes, components and profiles in one"
      + " statement, after one statement that reads its stored messageIds and nodes")
  void oneWriteStatementPerTransaction() {
    scratch = TestDatabases.postgres();
    List<String> prepared = new CopyOnWriteArrayList<>();
    try (JdbcStore store =
            JdbcStore.create(StatementRecorder.recording(scratch.dataSource(), prepared));
        Cdp cdp = Cdp.builder().store(store).build()) {
      cdp.workspace(SHOP).ingest(newShoppers(0, 2));

      prepared.clear();
      BatchResult r = cdp.workspace(SHOP).ingest(newShoppers(10, 20));

      assertThat(r.stored()).isEqualTo(40);
      List<String> writes = prepared.stream()
          .filter(sql -> sql.contains("insert into") || sql.contains("update cdp_")
              || sql.contains("delete from"))
          .toList();
      assertThat(writes).as("write statements of the batch").hasSize(1);
      String write = writes.get(0);
      assertThat(write).contains("insert into cdp_events", "insert into cdp_nodes",
          "insert into cdp_components", "insert into cdp_profiles", "unnest(");
      assertThat(count(prepared, "from cdp_events")).as("reads of stored messageIds")
          .isEqualTo(1);
      assertThat(prepared.stream()
          .filter(sql -> sql.contains("from cdp_events") && sql.contains("from cdp_nodes")))
          .as("one statement reads messageIds and nodes").hasSize(1);
      // Every profile and component of the batch is new: none to lock or read, also where an
      // identify linked its identifiers in a component it created.
      assertThat(prepared.stream().filter(sql -> sql.contains("from cdp_components")
          || sql.contains("from cdp_profiles")))
          .as("reads or locks of profiles and components").isEmpty();

      Profile p = cdp.workspace(SHOP).profiles()
          .find(Identifier.email("shopper25@example.com")).orElseThrow();
      assertThat(p.identifiers()).hasSize(3);
      assertThat(cdp.workspace(SHOP).profiles().events(p.id())).extracting(Event::messageId)
          .containsExactly("id-25", "o-25");
      assertThat(cdp.workspace(SHOP).ingest(newShoppers(10, 20)).stored())
          .as("a replay of the batch stores nothing").isZero();
    }
  }

  /** Page views of anonymous visitors {@code from} to {@code from + count - 1}. */
  private static List<Event> visitors(int from, int count, int second) {
    List<Event> out = new ArrayList<>();
    for (int i = from; i < from + count; i++) {
      out.add(Event.page("Home").messageId("pv-" + second + "-" + i).anonymousId("ck-" + i)
          .timestamp(T.plusSeconds(second)).build());
    }
    return out;
  }

  @Test
  @DisplayName("anonymous visitors: the first batch writes no component and reads none; their"
      + " return locks their components once, up front, and not again at the commit")
  void visitorsWithoutComponentRows() {
    scratch = TestDatabases.postgres();
    List<String> prepared = new CopyOnWriteArrayList<>();
    try (JdbcStore store =
            JdbcStore.create(StatementRecorder.recording(scratch.dataSource(), prepared));
        Cdp cdp = Cdp.builder().store(store).build()) {
      cdp.workspace(SHOP).ingest(visitors(0, 2, 0));
      prepared.clear();
      assertThat(cdp.workspace(SHOP).ingest(visitors(10, 20, 1)).stored()).isEqualTo(20);
      assertThat(prepared.stream().filter(sql -> sql.contains("cdp_components")))
          .as("statements on components for new visitors").isEmpty();

      prepared.clear();
      assertThat(cdp.workspace(SHOP).ingest(visitors(10, 20, 2)).stored()).isEqualTo(20);
      assertThat(prepared.stream().filter(sql -> sql.contains("from cdp_components")))
          .as("locks of returning visitors' components").hasSize(1)
          .noneMatch(sql -> sql.contains("nowait"));
      assertThat(prepared.stream().filter(sql -> sql.contains("insert into cdp_components")))
          .as("component rows written").isEmpty();
      Profile p = cdp.workspace(SHOP).profiles().find(Identifier.anonymousId("ck-15"))
          .orElseThrow();
      assertThat(cdp.workspace(SHOP).profiles().events(p.id())).extracting(Event::messageId)
          .containsExactly("pv-1-15", "pv-2-15");
    }
  }

  @Test
  @DisplayName("documents of every UTF-8 width, packed into one bytea per column, come back whole:"
      + " each row takes its own bytes, however wide the characters of the rows before it")
  void documentsOfEveryWidthComeBackWhole() {
    scratch = TestDatabases.postgres();
    List<String> prepared = new CopyOnWriteArrayList<>();
    // 1, 2, 3 and 4 bytes per character (a surrogate pair in Java), in rows of different lengths,
    // so that a slice counted in characters instead of bytes would cut every later row wrongly.
    List<String> texts = List.of("plain", "crème brûlée", "€ 中文 ☃", "\uD83D\uDE00 \uD83C\uDF81",
        "mixed é€\uD83D\uDE00".repeat(40), "", "x".repeat(3000));
    List<Event> batch = new ArrayList<>();
    for (int i = 0; i < texts.size(); i++) {
      batch.add(Event.identify().messageId("u-" + i).userId("U-" + i)
          .trait("nickname", texts.get(i) + "#" + i).timestamp(T.plusSeconds(i)).build());
      batch.add(Event.track("Product Viewed").messageId("v-" + i).userId("U-" + i)
          .property("name", texts.get(i)).property("note", texts.get((i + 3) % texts.size()))
          .timestamp(T.plusSeconds(i + 1)).build());
    }
    try (JdbcStore store =
            JdbcStore.create(StatementRecorder.recording(scratch.dataSource(), prepared));
        Cdp cdp = Cdp.builder().store(store).build()) {
      assertThat(cdp.workspace(SHOP).ingest(batch).stored()).isEqualTo(batch.size());
    }
    assertThat(prepared.stream().filter(sql -> sql.contains("insert into cdp_events")))
        .as("the batch's write statement").singleElement().asString()
        .contains("::bytea", "convert_from(substring(");
    // A second store on the same schema, with a cache of its own: what it reads came from the
    // database, not from the writer's memory.
    try (JdbcStore reader = JdbcStore.create(scratch.dataSource());
        Cdp cdp = Cdp.builder().store(reader).build()) {
      for (int i = 0; i < texts.size(); i++) {
        Profile p = cdp.workspace(SHOP).profiles().find(Identifier.customerId("U-" + i))
            .orElseThrow();
        assertThat(p.traits().get("nickname")).as("trait of U-%d", i)
            .isEqualTo(texts.get(i) + "#" + i);
        List<Event> events = cdp.workspace(SHOP).profiles().events(p.id());
        assertThat(events).extracting(Event::messageId).containsExactly("u-" + i, "v-" + i);
        assertThat(events.get(1).properties()).as("properties of v-%d", i)
            .containsEntry("name", texts.get(i))
            .containsEntry("note", texts.get((i + 3) % texts.size()));
      }
    }
  }
}
