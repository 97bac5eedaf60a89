package io.cdpkit.storage.jdbc.internal;

import io.cdpkit.core.StorageException;
import io.cdpkit.storage.jdbc.PiiCodec;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Refuses to open a database with another codec than the one its data was written with: a
 * database written with encryption opened without it (reads would fail, lookups by identifier
 * would miss and create duplicates), one written with one index key opened with another (every
 * lookup would miss), or one written in plain text opened with encryption. The first start
 * records a fingerprint of the codec in {@code cdp_codec}; every later start compares.
 *
 * <p>Fingerprints: {@code none} for {@link PiiCodec#IDENTITY}, {@code hmac-sha256:<hex>} for
 * encryption (a keyed hash of a constant under the index key, see
 * {@link AesGcmCodec#fingerprint}), {@code custom} for any other codec (which this guard cannot
 * tell apart). The data keys are not fingerprinted: a value under a key id the store lacks fails
 * when read, naming the key id.
 *
 * <p>Stateless; thread-safe.
 */
final class CodecGuard {
  private static final Logger LOG = LoggerFactory.getLogger(CodecGuard.class);

  static final String NONE = "none";
  static final String CUSTOM = "custom";

  private CodecGuard() {}

  static String fingerprint(PiiCodec pii) {
    if (pii == PiiCodec.IDENTITY) {
      return NONE;
    }
    if (pii instanceof AesGcmCodec aes) {
      return aes.fingerprint();
    }
    return CUSTOM;
  }

  /**
   * Records {@code mine} at the first start, or compares it with the recorded one.
   *
   * @throws StorageException (not retryable) when they differ, or when encryption would be
   *     turned on for a database that already holds data written before a codec was recorded
   */
  static void check(Connection c, String mine) throws SQLException {
    boolean autoCommit = c.getAutoCommit();
    c.setAutoCommit(true);
    try {
      String recorded = recorded(c);
      if (recorded == null) {
        if (!NONE.equals(mine) && !CUSTOM.equals(mine) && holdsData(c)) {
          throw new StorageException("the database holds data written before encryption at"
              + " rest was recorded for it: encryption can only be turned on for a new"
              + " database", false, null);
        }
        try (PreparedStatement p = c.prepareStatement(
            "INSERT INTO cdp_codec (id, fingerprint, recorded_at) VALUES (1, ?, ?)")) {
          p.setString(1, mine);
          p.setString(2, Instant.now().toString());
          p.executeUpdate();
          LOG.info("CDPKit store codec recorded ({})", describe(mine));
          return;
        } catch (SQLException e) {
          // Another node recorded its codec first: compare with that one.
          recorded = recorded(c);
          if (recorded == null) {
            throw e;
          }
        }
      }
      if (!recorded.equals(mine)) {
        throw new StorageException(mismatch(recorded, mine), false, null);
      }
    } finally {
      c.setAutoCommit(autoCommit);
    }
  }

  private static @Nullable String recorded(Connection c) throws SQLException {
    try (Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT fingerprint FROM cdp_codec WHERE id = 1")) {
      return rs.next() ? rs.getString(1) : null;
    }
  }

  private static boolean holdsData(Connection c) throws SQLException {
    for (String table : new String[] {"cdp_events", "cdp_nodes", "cdp_profiles",
        "cdp_metadata", "cdp_outbox", "cdp_journal", "cdp_snapshots"}) {
      try (Statement s = c.createStatement();
          ResultSet rs = s.executeQuery("SELECT 1 FROM " + table + " LIMIT 1")) {
        if (rs.next()) {
          return true;
        }
      }
    }
    return false;
  }

  private static String describe(String fingerprint) {
    return switch (fingerprint) {
      case NONE -> "no encryption";
      case CUSTOM -> "a custom PiiCodec";
      default -> "encryption, index key " + fingerprint;
    };
  }

  static String mismatch(String recorded, String mine) {
    String head = "the database was written with " + describe(recorded) + ", but this store"
        + " has " + describe(mine);
    if (NONE.equals(recorded) || CUSTOM.equals(recorded)) {
      return head + ": refusing to mix its data with data written otherwise";
    }
    if (NONE.equals(mine) || CUSTOM.equals(mine)) {
      return head + ": open it with its Encryption keys";
    }
    return head + ": with another index key every lookup by identifier would miss; open it"
        + " with the index key it was written with";
  }
}
