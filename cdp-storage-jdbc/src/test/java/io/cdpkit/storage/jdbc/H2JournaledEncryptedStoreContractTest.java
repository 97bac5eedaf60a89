package io.cdpkit.storage.jdbc;

import java.nio.file.Path;

/**
 * The storage contract on an H2 file database in the journaled layout with encryption at rest:
 * journal bodies are stored encrypted, and checkpoints write encrypted rows.
 */
class H2JournaledEncryptedStoreContractTest extends H2FileStoreContractTest {
  @Override
  protected JdbcStore.Builder builder(Path dir) {
    return JdbcStore.builder().h2File(dir).journal(true).checkpointBytes(1)
        .encryption(EncryptionAtRestTest.keys());
  }
}
