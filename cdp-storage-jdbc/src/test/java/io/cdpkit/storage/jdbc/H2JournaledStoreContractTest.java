package io.cdpkit.storage.jdbc;

import java.nio.file.Path;

/**
 * The storage contract on an H2 file database in the journaled layout, the embedded default.
 * A checkpoint is queued after every write, so the row tables are written beside the test's
 * writes, and closing a store applies the rest: a journal body the row tables cannot take
 * fails the test there.
 */
class H2JournaledStoreContractTest extends H2FileStoreContractTest {
  @Override
  protected JdbcStore.Builder builder(Path dir) {
    return JdbcStore.builder().h2File(dir).journal(true).checkpointBytes(1);
  }

}
