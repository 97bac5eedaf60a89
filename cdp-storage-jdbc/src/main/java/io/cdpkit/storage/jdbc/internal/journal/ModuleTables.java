package io.cdpkit.storage.jdbc.internal.journal;

import io.cdpkit.activation.spi.storage.Delivery;
import io.cdpkit.activation.spi.storage.OutboxEntry;
import io.cdpkit.activation.spi.storage.OutboxStorage;
import io.cdpkit.core.StorageException;
import io.cdpkit.core.model.ProfileId;
import io.cdpkit.core.spi.storage.WriteTransaction;
import io.cdpkit.segmentation.spi.storage.Membership;
import io.cdpkit.segmentation.spi.storage.ScheduledCheck;
import io.cdpkit.segmentation.spi.storage.SegmentStorage;
import io.cdpkit.storage.jdbc.PiiCodec;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.Optional;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * The part of {@link TableLoader} that names classes of the optional modules (cdp-segmentation,
 * cdp-activation-spi). {@link TableLoader} reaches {@link Segments} and {@link Outbox} only
 * when a table of theirs has a row of the workspace; their signatures toward it name JDK and
 * core types only, so a host without those modules never loads a class of theirs unless it has
 * their rows (and then the rows cannot be read without them: an error naming the table).
 *
 * <p>Not thread-safe: each belongs to one load.
 */
final class ModuleTables {
  private ModuleTables() {}

  /** Segmentation's writer over the target's {@code SegmentStorage}. */
  static Segments segments(WriteTransaction target, String table) {
    return opened(() -> new Segments(capability(target, table,
        () -> target.capability(SegmentStorage.class), "SegmentStorage")), table,
        "cdp-segmentation");
  }

  /** Activation's writer over the target's {@code OutboxStorage}. */
  static Outbox outbox(WriteTransaction target, String table) {
    return opened(() -> new Outbox(capability(target, table,
        () -> target.capability(OutboxStorage.class), "OutboxStorage")), table,
        "cdp-activation-spi");
  }

  /** Runs {@code open}; a module missing from the class path is an error naming the table. */
  private static <T> T opened(Supplier<T> open, String table, String module) {
    try {
      return open.get();
    } catch (NoClassDefFoundError e) {
      throw new StorageException(table + " has rows of the workspace, which need " + module
          + " on the class path", false, e);
    }
  }

  private static <C> C capability(WriteTransaction target, String table,
      Supplier<Optional<C>> find, String name) {
    return find.get().orElseThrow(() -> new StorageException(table + " has rows of the"
        + " workspace, but the target store has no " + name + " to take them", false, null));
  }

  /** Writes memberships and scheduled checks. */
  static final class Segments {
    private final SegmentStorage storage;

    Segments(SegmentStorage storage) {
      this.storage = storage;
    }

    void membership(String segment, String profile, Instant since) {
      storage.putMembership(new Membership(segment, new ProfileId(profile), since));
    }

    void check(String profile, Instant at) {
      storage.putCheck(new ScheduledCheck(new ProfileId(profile), at));
    }
  }

  /** Writes outbox entries and delivery lines. */
  static final class Outbox {
    static final String OUTBOX_TRIGGER = "cdp_outbox.trigger_text";
    static final String OUTBOX_ERROR = "cdp_outbox.last_error";
    static final String DELIVERY_DETAIL = "cdp_deliveries.detail";
    static final String DELIVERY_REASON = "cdp_deliveries.reason";

    /** After the key (column 1): columns 2 to 15 of a {@code cdp_outbox} page. */
    static final String OUTBOX_COLUMNS = "rule_name, profile_id, channel, decided_second,"
        + " decided_nano, due_second, due_nano, attempts, status, trigger_text, lease,"
        + " lease_until_second, lease_until_nano, last_error";

    /** After the id (column 1): columns 2 to 10 of a {@code cdp_deliveries} page. */
    static final String DELIVERY_COLUMNS = "profile_id, at_second, at_nano, rule_name, channel,"
        + " outbox_key, attempt, outcome, reason, detail";

    private final OutboxStorage storage;

    Outbox(OutboxStorage storage) {
      this.storage = storage;
    }

    /** The entry in the current row ({@link #OUTBOX_COLUMNS}), as {@code Rows} reads it. */
    void entry(ResultSet rs, String ws, PiiCodec pii) throws SQLException {
      String lease = rs.getString(12);
      Instant until = lease == null ? null : TableLoader.instant(rs, 13);
      OutboxEntry e = new OutboxEntry(rs.getString(1), rs.getString(2),
          new ProfileId(rs.getString(3)), rs.getString(4), TableLoader.instant(rs, 5),
          TableLoader.instant(rs, 7), rs.getInt(9), OutboxEntry.Status.valueOf(rs.getString(10)),
          pii.reveal(ws, OUTBOX_TRIGGER, rs.getString(11)), lease, until,
          revealNullable(pii, ws, OUTBOX_ERROR, rs.getString(15)));
      if (!storage.insertOutbox(e)) {
        throw new IllegalStateException("cdp_outbox: the target already holds an entry this"
            + " would copy");
      }
    }

    /** The delivery line in the current row ({@link #DELIVERY_COLUMNS}). */
    void delivery(ResultSet rs, String ws, PiiCodec pii) throws SQLException {
      storage.putDelivery(new Delivery(rs.getString(1), new ProfileId(rs.getString(2)),
          TableLoader.instant(rs, 3), rs.getString(5), rs.getString(6), rs.getString(7),
          rs.getInt(8), rs.getString(9), revealNullable(pii, ws, DELIVERY_REASON,
          rs.getString(10)), pii.reveal(ws, DELIVERY_DETAIL, rs.getString(11))));
    }

    private static @Nullable String revealNullable(PiiCodec pii, String ws, String column,
        @Nullable String stored) {
      return stored == null ? null : pii.reveal(ws, column, stored);
    }
  }
}
