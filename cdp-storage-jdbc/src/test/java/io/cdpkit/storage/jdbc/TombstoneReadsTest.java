package io.cdpkit.storage.jdbc;

import static io.cdpkit.storage.jdbc.StorageCapabilities.privacyOf;
import static org.assertj.core.api.Assertions.assertThat;

import io.cdpkit.core.model.ProfileId;
import io.cdpkit.core.model.ProfileState;
import io.cdpkit.core.model.WorkspaceId;
import io.cdpkit.core.spi.storage.ProfileRecord;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import org.h2.jdbcx.JdbcDataSource;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Ingestion asks for the tombstones of every batch's identifiers once erasures exist, so the
 * store must answer mostly from its cache. The statements a store prepares are recorded through
 * a data source that wraps H2's.
 */
class TombstoneReadsTest {
  private static final WorkspaceId SHOP = WorkspaceId.of("shop-amsterdam");
  private static final Instant T = Instant.parse("2026-03-01T10:00:00Z");

  /** A data source whose connections record the text of every statement they prepare. */
  private static long onTombstones(List<String> prepared) {
    return prepared.stream().filter(sql -> sql.contains("cdp_tombstones")).count();
  }

  @Test
  @DisplayName("tombstones() asks the database nothing while the workspace has no tombstone,"
      + " then one statement per batch of hashes it has not answered before, and nothing for"
      + " hashes it has")
  void answeredFromTheCache() {
    JdbcDataSource h2 = new JdbcDataSource();
    h2.setURL("jdbc:h2:mem:tombstones-" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1");
    List<String> prepared = new CopyOnWriteArrayList<>();
    try (JdbcStore store = JdbcStore.create(StatementRecorder.recording(h2, prepared))) {
      store.write(SHOP, tx -> {
        tx.putProfile(new ProfileRecord(ProfileId.of("p-1"), ProfileState.EMPTY, Map.of(), 1));
        return null;
      });
      store.write(SHOP, tx -> privacyOf(tx).tombstones(List.of("h-1", "h-2")));

      prepared.clear();
      Map<String, Instant> none =
          store.write(SHOP, tx -> privacyOf(tx).tombstones(List.of("h-3", "h-4")));
      Map<String, Instant> noneRead =
          store.read(SHOP, tx -> privacyOf(tx).tombstones(List.of("h-5")));
      assertThat(none).isEmpty();
      assertThat(noneRead).isEmpty();
      assertThat(onTombstones(prepared)).as("statements on cdp_tombstones, none stored")
          .isZero();

      store.write(SHOP, tx -> {
        privacyOf(tx).putTombstone("h-1", T);
        return null;
      });
      prepared.clear();
      Map<String, Instant> known =
          store.write(SHOP, tx -> privacyOf(tx).tombstones(List.of("h-1")));
      assertThat(known).containsExactlyEntriesOf(Map.of("h-1", T));
      assertThat(onTombstones(prepared)).as("statements for a tombstone just written").isZero();

      prepared.clear();
      Map<String, Instant> fresh =
          store.write(SHOP, tx -> privacyOf(tx).tombstones(List.of("h-6", "h-7")));
      assertThat(fresh).isEmpty();
      assertThat(onTombstones(prepared)).as("statements for two new hashes").isEqualTo(1);

      prepared.clear();
      Map<String, Instant> again = store.read(SHOP,
          tx -> privacyOf(tx).tombstones(List.of("h-1", "h-6", "h-7")));
      assertThat(again).containsExactlyEntriesOf(Map.of("h-1", T));
      assertThat(onTombstones(prepared)).as("statements for hashes answered before").isZero();
    }
  }
}
