package io.cdpkit.storage.jdbc.process;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cdpkit.core.Cdp;
import io.cdpkit.core.StorageException;
import io.cdpkit.core.model.Event;
import io.cdpkit.core.model.Identifier;
import io.cdpkit.core.model.LedgerEntry;
import io.cdpkit.core.model.ProfileId;
import io.cdpkit.core.model.WorkspaceId;
import io.cdpkit.core.spi.storage.IdentityNode;
import io.cdpkit.core.spi.storage.ProfileRecord;
import io.cdpkit.core.spi.storage.Store;
import io.cdpkit.storage.jdbc.JdbcStore;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The journaled H2 file layout across closes, checkpoints and layouts: what one instance wrote,
 * the next one holds, whichever layout wrote it and however much of the journal was applied.
 */
class JournaledLayoutTest {
  private static final long SEED = 0x10_5EEDL;
  private static final int SHOPPERS = 25;
  private static final int EVENTS = 1_500;

  @TempDir Path dir;

  private static JdbcStore open(Path dir, boolean journal, long checkpointBytes) {
    return JdbcStore.builder().h2File(dir).journal(journal).checkpointBytes(checkpointBytes)
        .build();
  }

  private static void ingest(JdbcStore store, List<Event> events) {
    try (Cdp cdp = Cdp.builder().store(store).build()) {
      for (int i = 0; i < events.size(); i += 100) {
        cdp.ingest(events.subList(i, Math.min(events.size(), i + 100)));
      }
    }
  }

  private static void check(JdbcStore store, List<Event> events) {
    Set<Identifier> universe = Shoppers.identifiers(SHOPPERS);
    try (Cdp cdp = Cdp.builder().store(store).build()) {
      assertThat(ProfileCheck.storedMessageIds(cdp, universe)).hasSize(events.size());
      ProfileCheck.sameAsInMemory(cdp, events, universe);
    }
  }

  /** Everything the engine's records say, in a comparable form: profiles, nodes, ledgers. */
  private static Map<String, Object> records(Store store) {
    return store.read(WorkspaceId.DEFAULT, tx -> {
      Map<String, Object> out = new TreeMap<>();
      ProfileId after = null;
      while (true) {
        List<ProfileRecord> page = tx.profilesAfter(after, 100);
        if (page.isEmpty()) {
          break;
        }
        for (ProfileRecord p : page) {
          List<String> nodes = new ArrayList<>();
          for (IdentityNode n : tx.nodesOfProfile(p.id())) {
            nodes.add(n.toString());
          }
          nodes.sort(null);
          List<LedgerEntry> ledger = tx.ledger(p.id());
          out.put(p.id().value(), List.of(p, nodes, ledger, tx.redirectsTo(p.id())));
          after = p.id();
        }
      }
      out.put("~names", tx.eventNameCounts());
      return out;
    });
  }

  @Test
  void whatWasAcknowledgedIsThereAfterReopening() {
    List<Event> events = Shoppers.stream(SEED, SHOPPERS, EVENTS);
    Map<String, Object> before;
    try (JdbcStore store = open(dir, true, JdbcStore.DEFAULT_CHECKPOINT_BYTES)) {
      ingest(store, events);
      before = records(store);
    }
    assertReopensAsBefore(before, events);
  }

  @Test
  void snapshotsInTheBackgroundWhileWritingLoseNothing() throws Exception {
    List<Event> events = Shoppers.stream(SEED + 1, SHOPPERS, EVENTS);
    Map<String, Object> before;
    long snapshots;
    // A snapshot after every few transactions, running beside the writer.
    try (JdbcStore store = open(dir, true, 20_000)) {
      ingest(store, events);
      before = records(store);
    }
    try (Connection c = connect(dir)) {
      snapshots = count(c, "cdp_snapshots");
      assertThat(snapshots).as("snapshot parts written in the background").isPositive();
      shutdown(c);
    }
    assertReopensAsBefore(before, events);
  }

  @Test
  void aDatabaseOfTheRowLayoutMovesIntoTheJournaledLayout() throws SQLException {
    List<Event> events = Shoppers.stream(SEED + 2, SHOPPERS, EVENTS);
    int half = EVENTS / 2;
    try (JdbcStore rows = open(dir, false, 1)) {
      ingest(rows, events.subList(0, half));
    }
    try (JdbcStore journaled = open(dir, true, JdbcStore.DEFAULT_CHECKPOINT_BYTES)) {
      check(journaled, events.subList(0, half));
      try (Connection c = connect(dir)) {
        for (String table : List.of("cdp_events", "cdp_nodes", "cdp_profiles", "cdp_ledger")) {
          assertThat(count(c, table)).as("rows left in %s after the move", table).isZero();
        }
        assertThat(count(c, "cdp_snapshots")).isPositive();
      }
      ingest(journaled, events.subList(half, EVENTS));
      check(journaled, events);
    }
    try (JdbcStore journaled = open(dir, true, JdbcStore.DEFAULT_CHECKPOINT_BYTES)) {
      check(journaled, events);
    }
    assertThatThrownBy(() -> open(dir, false, 1))
        .as("the row layout must not open (and write beside) journaled data")
        .isInstanceOf(StorageException.class)
        .hasMessageContaining("journal(true)");
  }

  /**
   * A database written by the previous version (schema 6: the row layout, no journal tables)
   * opens in the journaled layout: it is migrated, loaded and snapshotted, with every record.
   */
  @Test
  void aSchema6DatabaseOpensJournaled() throws SQLException {
    List<Event> events = Shoppers.stream(SEED + 6, SHOPPERS, EVENTS);
    Map<String, Object> before;
    try (JdbcStore rows = open(dir, false, 1)) {
      ingest(rows, events);
      before = records(rows);
    }
    try (Connection c = connect(dir); Statement s = c.createStatement()) {
      s.execute("DROP TABLE cdp_journal");
      s.execute("DROP TABLE cdp_snapshots");
      s.executeUpdate("UPDATE cdp_schema_version SET version = 6 WHERE id = 1");
      s.execute("SHUTDOWN");
    }
    assertReopensAsBefore(before, events);
    try (JdbcStore store = open(dir, true, JdbcStore.DEFAULT_CHECKPOINT_BYTES)) {
      assertThat(records(store)).as("after a reopen from the snapshot").isEqualTo(before);
    }
  }

  /**
   * Journal rows a snapshot covers, still in the table (as a crash between the two would leave
   * them if they were not one transaction): the next open must not apply them again (appends
   * such as the ledger would double, inserts of events fail).
   */
  @Test
  void journalRowsASnapshotCoversAreNotReplayedAgain() throws SQLException {
    List<Event> events = Shoppers.stream(SEED + 3, SHOPPERS, EVENTS);
    List<Object[]> journal = new ArrayList<>();
    Map<String, Object> before;
    try (JdbcStore store = open(dir, true, JdbcStore.DEFAULT_CHECKPOINT_BYTES)) {
      ingest(store, events);
      before = records(store);
      journal.addAll(journalRows(dir));
      store.checkpoint();
    }
    assertThat(journal).as("journal rows before the checkpoint").hasSizeGreaterThan(5);
    try (Connection c = connect(dir)) {
      assertThat(count(c, "cdp_journal")).as("the checkpoint snapshotted and deleted the journal")
          .isZero();
      insertJournalRows(c, journal);
      try (Statement s = c.createStatement()) {
        s.execute("SHUTDOWN");
      }
    }
    try (JdbcStore store = open(dir, true, JdbcStore.DEFAULT_CHECKPOINT_BYTES)) {
      assertThat(records(store)).isEqualTo(before);
      check(store, events);
      // The next snapshot of the workspace deletes the rows the last one left.
      try (Cdp cdp = Cdp.builder().store(store).build()) {
        cdp.ingest(Shoppers.stream(SEED + 30, SHOPPERS, 1));
      }
      store.checkpoint();
      try (Connection c = connect(dir)) {
        assertThat(count(c, "cdp_journal")).as("rows left after the next snapshot").isZero();
      }
    }
  }

  /**
   * Rows a routine snapshot covered but had not deleted yet (a crash between its deletes) hold
   * a person's values; an erasure of her afterwards deletes them too.
   */
  @Test
  void anErasureDeletesCoveredRowsACrashLeftBehind() throws Exception {
    List<Event> events = Shoppers.stream(SEED + 9, SHOPPERS, EVENTS);
    String her = "shopper.5@example.com";
    List<Object[]> journal = new ArrayList<>();
    try (JdbcStore store = open(dir, true, Long.MAX_VALUE)) {
      ingest(store, events);
      journal.addAll(journalRows(dir));
      store.checkpoint();
    }
    try (Connection c = connect(dir)) {
      insertJournalRows(c, journal);
      assertThat(rowsHolding(c, her)).as("covered rows left with her e-mail").isPositive();
      try (Statement s = c.createStatement()) {
        s.execute("SHUTDOWN");
      }
    }
    try (JdbcStore store = open(dir, true, Long.MAX_VALUE)) {
      try (Cdp cdp = Cdp.builder().store(store).build()) {
        assertThat(cdp.privacy().erase(Identifier.email(her)).events()).isPositive();
      }
      try (Connection c = connect(dir)) {
        assertThat(rowsHolding(c, her)).as("rows and files with her e-mail after the erasure")
            .isZero();
      }
    }
  }

  /**
   * A routine snapshot deletes the rows it covers after its commit, a few at a time: all of
   * them, however many, and none written after it started.
   */
  @Test
  void aSnapshotDeletesEveryRowItCoversInSmallCommits() throws SQLException {
    List<Event> events = Shoppers.stream(SEED + 8, SHOPPERS, 700);
    Map<String, Object> before;
    try (JdbcStore store = open(dir, true, Long.MAX_VALUE);
        Cdp cdp = Cdp.builder().store(store).build()) {
      for (Event e : events) {
        cdp.ingest(e); // a journal row each
      }
      try (Connection c = connect(dir)) {
        assertThat(count(c, "cdp_journal")).isGreaterThan(600);
      }
      store.checkpoint();
      try (Connection c = connect(dir)) {
        assertThat(count(c, "cdp_journal")).as("rows the snapshot covers").isZero();
      }
      before = records(store);
    }
    assertReopensAsBefore(before, events);
  }

  /**
   * An erasure in the journaled layout: at once (before any close), no live journal row and no
   * snapshot part holds a byte of the erased person's values, the others' data is intact, and
   * a reopen does not bring her back.
   */
  @Test
  void erasureLeavesNoLiveRowWithHerValues() throws Exception {
    List<Event> events = Shoppers.stream(SEED + 4, SHOPPERS, EVENTS);
    String her = "shopper.7@example.com";
    String herCustomer = "C-1007";
    try (JdbcStore store = open(dir, true, JdbcStore.DEFAULT_CHECKPOINT_BYTES)) {
      ingest(store, events);
      try (Connection c = connect(dir)) {
        assertThat(rowsHolding(c, her)).as("rows with her e-mail before the erasure")
            .isPositive();
      }
      try (Cdp cdp = Cdp.builder().store(store).build()) {
        assertThat(cdp.privacy().erase(Identifier.email(her)).events()).isPositive();
        assertThat(cdp.profiles().find(Identifier.email("shopper.8@example.com"))).isPresent();
      }
      try (Connection c = connect(dir)) {
        assertThat(rowsHolding(c, her)).as("journal rows and snapshot parts with her e-mail")
            .isZero();
        assertThat(rowsHolding(c, herCustomer)).as("... with her customer id").isZero();
        assertThat(rowsHolding(c, "shopper.8@example.com")).as("another shopper's data")
            .isPositive();
      }
    }
    try (JdbcStore store = open(dir, true, JdbcStore.DEFAULT_CHECKPOINT_BYTES);
        Cdp cdp = Cdp.builder().store(store).build()) {
      assertThat(cdp.profiles().find(Identifier.email(her))).isEmpty();
      assertThat(cdp.profiles().find(Identifier.customerId(herCustomer))).isEmpty();
      assertThat(cdp.profiles().find(Identifier.email("shopper.8@example.com"))).isPresent();
    }
  }

  /**
   * Snapshots after the first one in a process append the journal rows to the last snapshot's
   * frames (the old file's bytes carried over unchanged) until the file would pass three times
   * the last copied one's size; then they copy the workspace again. Either way the store
   * reopens to what it held.
   */
  @Test
  void snapshotsAppendTheJournalUntilTheFileHasGrownThenCopyAgain() throws Exception {
    List<Event> events = Shoppers.stream(SEED + 6, SHOPPERS, EVENTS);
    int chunk = EVENTS / 10;
    Map<String, Object> before;
    int appended = 0;
    int copiedAfterAppends = 0;
    try (JdbcStore store = open(dir, true, Long.MAX_VALUE)) {
      ingest(store, events.subList(0, chunk));
      store.checkpoint();
      byte[] last = onlySnapshotFile();
      long lastCopied = last.length;
      for (int i = 1; i < 10; i++) {
        ingest(store, events.subList(i * chunk, (i + 1) * chunk));
        store.checkpoint();
        byte[] now = onlySnapshotFile();
        // An appended file starts with the last one's bytes but its end mark and check sum.
        boolean append = now.length > last.length && java.util.Arrays.equals(
            now, 0, last.length - 8, last, 0, last.length - 8);
        if (append) {
          appended++;
          assertThat((long) now.length).as("an appended file stays within three copied sizes")
              .isLessThanOrEqualTo(3 * lastCopied);
        } else {
          assertThat(appended).as("a copy only once appending would pass the bound")
              .isPositive();
          lastCopied = now.length;
          copiedAfterAppends++;
        }
        last = now;
      }
      before = records(store);
    }
    assertThat(appended).as("snapshots that appended").isGreaterThanOrEqualTo(2);
    assertThat(copiedAfterAppends).as("snapshots that copied after appends").isPositive();
    assertReopensAsBefore(before, events);
  }

  /**
   * An append carries the old file's frames over without decoding them, so only its check sum
   * can tell a damaged byte in one: the snapshot then fails, records nothing, and the journal
   * keeps its rows.
   */
  @Test
  void anAppendOverADamagedSnapshotFailsAndRecordsNothing() throws Exception {
    List<Event> events = Shoppers.stream(SEED + 10, SHOPPERS, EVENTS);
    try (JdbcStore store = open(dir, true, Long.MAX_VALUE)) {
      ingest(store, events.subList(0, EVENTS / 2));
      store.checkpoint();
      Path file;
      try (java.util.stream.Stream<Path> files = java.nio.file.Files.list(
          dir.resolve("snapshots"))) {
        file = files.findFirst().orElseThrow();
      }
      byte[] bytes = java.nio.file.Files.readAllBytes(file);
      bytes[bytes.length / 2] ^= 0x01;
      java.nio.file.Files.write(file, bytes);
      ingest(store, events.subList(EVENTS / 2, EVENTS / 2 + 200)); // small: this one appends
      long rows;
      try (Connection c = connect(dir)) {
        rows = count(c, "cdp_journal");
      }
      assertThatThrownBy(store::checkpoint).isInstanceOf(StorageException.class)
          .hasMessageContaining("fails its check sum");
      try (Connection c = connect(dir);
          Statement s = c.createStatement();
          ResultSet rs = s.executeQuery("SELECT file_name FROM cdp_snapshots")) {
        assertThat(rs.next()).isTrue();
        assertThat(rs.getString(1)).as("the damaged file is still the one recorded")
            .isEqualTo(file.getFileName().toString());
        assertThat(count(c, "cdp_journal")).as("journal rows kept").isEqualTo(rows);
      }
      try (java.util.stream.Stream<Path> files = java.nio.file.Files.list(
          dir.resolve("snapshots"))) {
        assertThat(files.count()).as("no half-written file left").isEqualTo(1);
      }
    }
  }

  /** An erasure copies the workspace: her values in frames an append carried over are gone. */
  @Test
  void erasureAfterAppendedSnapshotsLeavesNothing() throws Exception {
    List<Event> events = Shoppers.stream(SEED + 7, SHOPPERS, EVENTS);
    String her = "shopper.3@example.com";
    try (JdbcStore store = open(dir, true, Long.MAX_VALUE)) {
      ingest(store, events.subList(0, EVENTS / 2));
      store.checkpoint();
      byte[] first = onlySnapshotFile();
      ingest(store, events.subList(EVENTS / 2, EVENTS));
      store.checkpoint();
      byte[] second = onlySnapshotFile();
      assertThat(java.util.Arrays.equals(second, 0, first.length - 8, first, 0,
          first.length - 8)).as("the second snapshot appended to the first").isTrue();
      try (Connection c = connect(dir)) {
        assertThat(rowsHolding(c, her)).isPositive();
      }
      try (Cdp cdp = Cdp.builder().store(store).build()) {
        assertThat(cdp.privacy().erase(Identifier.email(her)).events()).isPositive();
      }
      try (Connection c = connect(dir)) {
        assertThat(rowsHolding(c, her)).as("journal rows and snapshot files with her e-mail")
            .isZero();
        assertThat(rowsHolding(c, "shopper.4@example.com")).isPositive();
      }
    }
  }

  /** The journal's rows as they are stored: seq, workspace, body, body_text. */
  private static List<Object[]> journalRows(Path dir) throws SQLException {
    List<Object[]> rows = new ArrayList<>();
    try (Connection c = connect(dir);
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery(
            "SELECT seq, workspace, body, body_text FROM cdp_journal ORDER BY seq")) {
      while (rs.next()) {
        rows.add(new Object[] {rs.getLong(1), rs.getString(2), rs.getBytes(3), rs.getString(4)});
      }
    }
    return rows;
  }

  /** Puts journal rows back as {@link #journalRows} read them (rows a crash left). */
  private static void insertJournalRows(Connection c, List<Object[]> rows) throws SQLException {
    try (PreparedStatement p = c.prepareStatement(
        "INSERT INTO cdp_journal (seq, workspace, body, body_text) VALUES (?, ?, ?, ?)")) {
      for (Object[] row : rows) {
        p.setLong(1, (Long) row[0]);
        p.setString(2, (String) row[1]);
        p.setBytes(3, (byte[]) row[2]);
        p.setString(4, (String) row[3]);
        p.executeUpdate();
      }
    }
  }

  /** A new instance on the directory holds the records it held, and every event. */
  private void assertReopensAsBefore(Map<String, Object> before, List<Event> events) {
    try (JdbcStore store = open(dir, true, JdbcStore.DEFAULT_CHECKPOINT_BYTES)) {
      assertThat(records(store)).isEqualTo(before);
      check(store, events);
    }
  }

  private byte[] onlySnapshotFile() throws java.io.IOException {
    List<byte[]> files = snapshotFiles();
    assertThat(files).hasSize(1);
    return files.get(0);
  }

  /**
   * A key rotation in the journaled layout writes every snapshot again under the current key
   * while a writer goes on; afterwards no cell holds the old key id and the store opens with
   * the new key alone. Before it, the new key alone cannot open the store (it names the key id
   * it lacks).
   */
  @Test
  void keyRotationRewritesEverythingUnderTheCurrentKey() throws Exception {
    List<Event> events = Shoppers.stream(SEED + 5, SHOPPERS, EVENTS);
    try (JdbcStore store = JdbcStore.builder().h2File(dir)
        .encryption(keys("k1", "k1")).build()) {
      ingest(store, events.subList(0, EVENTS / 2));
    }
    assertThatThrownBy(() -> JdbcStore.builder().h2File(dir)
        .encryption(keys("k2", "k2")).build())
        .isInstanceOf(StorageException.class).hasMessageContaining("key id k1")
        .hasMessageNotContaining("shopper");
    try (JdbcStore store = JdbcStore.builder().h2File(dir)
        .encryption(keys("k2", "k1", "k2")).build();
        Cdp cdp = Cdp.builder().store(store).build()) {
      Thread writer = new Thread(() -> {
        List<Event> rest = events.subList(EVENTS / 2, EVENTS);
        for (int i = 0; i < rest.size(); i += 50) {
          cdp.ingest(rest.subList(i, Math.min(rest.size(), i + 50)));
        }
      });
      writer.start();
      store.rotateKeys(io.cdpkit.storage.jdbc.KeyRotation.Listener.NONE);
      writer.join();
      store.rotateKeys(io.cdpkit.storage.jdbc.KeyRotation.Listener.NONE);
      try (Connection c = connect(dir)) {
        assertThat(keyIds(c)).containsOnly("k2");
      }
    }
    try (JdbcStore store = JdbcStore.builder().h2File(dir)
        .encryption(keys("k2", "k2")).build()) {
      check(store, events);
    }
  }

  private static io.cdpkit.storage.jdbc.Encryption keys(String current, String... ids) {
    io.cdpkit.storage.jdbc.Encryption.Builder b = io.cdpkit.storage.jdbc.Encryption.builder();
    for (String id : ids) {
      byte[] key = new byte[32];
      new java.util.Random(id.hashCode()).nextBytes(key);
      b.dataKey(id, key);
    }
    byte[] index = new byte[32];
    new java.util.Random(42).nextBytes(index);
    return b.currentKey(current).indexKey(index).build();
  }

  /** The key ids of the journal's rows and of the snapshot files' frames. */
  private java.util.Set<String> keyIds(Connection c) throws Exception {
    java.util.Set<String> ids = new java.util.TreeSet<>();
    try (Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT body, body_text FROM cdp_journal")) {
      while (rs.next()) {
        assertThat(rs.getBytes(1)).as("plain body in an encrypted store").isNull();
        ids.add(io.cdpkit.storage.jdbc.internal.AesGcmCodec.keyIdOf(rs.getString(2)));
      }
    }
    java.util.regex.Pattern frame = java.util.regex.Pattern.compile("e1:([A-Za-z0-9_.-]+):");
    for (byte[] file : snapshotFiles()) {
      java.util.regex.Matcher m = frame.matcher(
          new String(file, java.nio.charset.StandardCharsets.ISO_8859_1));
      int frames = 0;
      while (m.find()) {
        ids.add(m.group(1));
        frames++;
      }
      assertThat(frames).as("encrypted frames in a snapshot file").isPositive();
    }
    return ids;
  }

  private List<byte[]> snapshotFiles() throws java.io.IOException {
    List<byte[]> out = new ArrayList<>();
    Path snapshots = dir.resolve("snapshots");
    if (java.nio.file.Files.isDirectory(snapshots)) {
      try (java.util.stream.Stream<Path> files = java.nio.file.Files.list(snapshots)) {
        for (Path f : files.toList()) {
          out.add(java.nio.file.Files.readAllBytes(f));
        }
      }
    }
    return out;
  }

  /** Journal rows and snapshot files whose bytes hold the value's UTF-8 bytes. */
  private int rowsHolding(Connection c, String value) throws Exception {
    byte[] needle = value.getBytes(java.nio.charset.StandardCharsets.UTF_8);
    int n = 0;
    try (Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT body FROM cdp_journal")) {
      while (rs.next()) {
        byte[] body = rs.getBytes(1);
        if (body != null && indexOf(body, needle) >= 0) {
          n++;
        }
      }
    }
    for (byte[] file : snapshotFiles()) {
      if (indexOf(file, needle) >= 0) {
        n++;
      }
    }
    return n;
  }

  private static int indexOf(byte[] hay, byte[] needle) {
    outer:
    for (int i = 0; i + needle.length <= hay.length; i++) {
      for (int j = 0; j < needle.length; j++) {
        if (hay[i + j] != needle[j]) {
          continue outer;
        }
      }
      return i;
    }
    return -1;
  }

  /**
   * A snapshot file that was altered (one byte), cut short or lost fails the open with a
   * message naming the file, rather than opening a store with half a workspace.
   */
  @Test
  void aDamagedSnapshotFailsTheOpen() throws Exception {
    List<Event> events = Shoppers.stream(SEED + 7, SHOPPERS, EVENTS);
    try (JdbcStore store = open(dir, true, JdbcStore.DEFAULT_CHECKPOINT_BYTES)) {
      ingest(store, events);
      store.checkpoint();
    }
    Path file;
    try (java.util.stream.Stream<Path> files = java.nio.file.Files.list(dir.resolve("snapshots"))) {
      file = files.filter(f -> f.toString().endsWith(".snapshot")).findFirst().orElseThrow();
    }
    byte[] good = java.nio.file.Files.readAllBytes(file);
    String name = file.getFileName().toString();

    // A flipped bit anywhere (in a body, which fails to decode or decodes to something else, or
    // in the check sum itself) fails the open naming the file.
    java.util.List<Integer> positions = new java.util.ArrayList<>();
    for (int k = 1; k < 40; k++) {
      positions.add((int) ((long) good.length * k / 40));
    }
    positions.add(good.length - 2);
    for (int at : positions) {
      byte[] flipped = good.clone();
      flipped[at] ^= 0x01;
      java.nio.file.Files.write(file, flipped);
      assertThatThrownBy(() -> open(dir, true, JdbcStore.DEFAULT_CHECKPOINT_BYTES))
          .as("bit flipped at %d of %d", at, good.length)
          .isInstanceOf(StorageException.class).hasMessageContaining(name);
    }

    java.nio.file.Files.write(file, java.util.Arrays.copyOf(good, good.length - 10));
    assertThatThrownBy(() -> open(dir, true, JdbcStore.DEFAULT_CHECKPOINT_BYTES))
        .isInstanceOf(StorageException.class).hasMessageContaining(name);

    java.nio.file.Files.delete(file);
    assertThatThrownBy(() -> open(dir, true, JdbcStore.DEFAULT_CHECKPOINT_BYTES))
        .isInstanceOf(StorageException.class).hasMessageContaining(name)
        .hasMessageContaining("missing");

    java.nio.file.Files.write(file, good);
    try (JdbcStore store = open(dir, true, JdbcStore.DEFAULT_CHECKPOINT_BYTES)) {
      check(store, events);
    }
  }

  @Test
  void aSecondProcessIsRefusedNamingWhy() throws Exception {
    try (Child child = new Child(dir.resolve("child.log"), "h2", dir.resolve("db").toString(),
        Long.toString(SEED), "2000", "100000", "0")) {
      child.awaitReady();
      assertThatThrownBy(() -> JdbcStore.h2File(dir.resolve("db")))
          .isInstanceOf(StorageException.class)
          .hasMessageContaining("is open in another process");
      child.kill();
    }
    try (JdbcStore store = JdbcStore.h2File(dir.resolve("db"))) {
      assertThat(store).as("the directory opens once the other process is gone").isNotNull();
    }
  }

  @Test
  void oneJournaledInstancePerDirectory() {
    try (JdbcStore store = open(dir, true, JdbcStore.DEFAULT_CHECKPOINT_BYTES)) {
      assertThatThrownBy(() -> open(dir, true, JdbcStore.DEFAULT_CHECKPOINT_BYTES))
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("already open");
    }
    open(dir, true, JdbcStore.DEFAULT_CHECKPOINT_BYTES).close();
  }

  @Test
  void onlyAnH2FileStoreIsJournaled() {
    assertThatThrownBy(() -> JdbcStore.builder().h2InMemory("journaled-" + System.nanoTime())
        .journal(true).build())
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("h2File");
  }

  private static long count(Connection c, String table) throws SQLException {
    try (Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT COUNT(*) FROM " + table)) {
      rs.next();
      return rs.getLong(1);
    }
  }

  private static void shutdown(Connection c) throws SQLException {
    try (Statement s = c.createStatement()) {
      s.execute("SHUTDOWN");
    }
  }

  private static Connection connect(Path dir) throws SQLException {
    return DriverManager.getConnection("jdbc:h2:file:" + dir.toAbsolutePath().resolve("cdpkit")
        + ";DB_CLOSE_ON_EXIT=FALSE", "sa", "");
  }
}
