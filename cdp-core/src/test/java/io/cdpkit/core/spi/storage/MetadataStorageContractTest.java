package io.cdpkit.core.spi.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.entry;

import io.cdpkit.core.model.ProfileId;
import io.cdpkit.core.model.WorkspaceId;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/**
 * The storage contract of the {@link MetadataStorage} capability, written only against the public
 * SPI: what every store that offers it must do. A store passes it as it passes
 * {@link StoreContractTest}, by subclassing it once and returning a fresh, empty store from
 * {@link #createStore()}:
 *
 * <pre>{@code
 * class MyStoreMetadataContractTest extends MetadataStorageContractTest {
 *   @Override
 *   protected Store createStore() {
 *     return MyStore.openFreshSchema();
 *   }
 * }
 * }</pre>
 *
 * <p>Decisions the SPI leaves implicit and this suite pins down: keys order by
 * {@link String#compareTo} and compare exactly (case, trailing spaces); a prefix is plain text
 * ({@code %} and {@code _} are no wildcards); deleting what is not there changes nothing; a write
 * transaction reads its own writes; metadata is written, rolled back and seen by others together
 * with the engine's records of the same transaction; its writes in a read transaction throw
 * {@link IllegalStateException}.
 */
public abstract class MetadataStorageContractTest extends StoreContractSupport {

  /** The transaction's metadata: the store must have the capability. */
  protected static MetadataStorage meta(ReadTransaction tx) {
    return tx.require(MetadataStorage.class);
  }

  protected Map<String, String> readMetadata(String prefix) {
    return readMetadata(SHOP, prefix);
  }

  protected Map<String, String> readMetadata(WorkspaceId ws, String prefix) {
    return store.read(ws, tx -> meta(tx).metadata(prefix));
  }

  // ---------------------------------------------------------------------------------------------

  @Nested
  @DisplayName("Metadata")
  class Metadata {

    @Test
    @DisplayName("metadata(prefix) returns exactly the entries whose key starts with the prefix,"
        + " sorted by key in String.compareTo order")
    void prefixAndOrder() {
      update(tx -> {
        meta(tx).putMetadata("segment/vip", "{\"min_orders\":3}");
        meta(tx).putMetadata("segment/churn-risk", "{\"days\":90}");
        meta(tx).putMetadata("segment/Vip", "upper case is another key");
        meta(tx).putMetadata("segments", "not under segment/");
        meta(tx).putMetadata("segment/", "the prefix itself");
        meta(tx).putMetadata("schedule/next", "2026-03-02T00:00:00Z");
        meta(tx).putMetadata("seg", "shorter than the prefix");
      });

      assertThat(readMetadata("segment/")).containsExactly(
          entry("segment/", "the prefix itself"),
          entry("segment/Vip", "upper case is another key"),
          entry("segment/churn-risk", "{\"days\":90}"),
          entry("segment/vip", "{\"min_orders\":3}"));
      assertThat(readMetadata("segment")).containsOnlyKeys("segment/", "segment/Vip",
          "segment/churn-risk", "segment/vip", "segments");
      assertThat(readMetadata("").keySet()).containsExactly("schedule/next", "seg", "segment/",
          "segment/Vip", "segment/churn-risk", "segment/vip", "segments");
      assertThat(readMetadata("segment/v")).containsOnlyKeys("segment/vip");
      assertThat(readMetadata("Segment/")).isEmpty();
      assertThat(readMetadata("segment/vip/")).isEmpty();
    }

    @Test
    @DisplayName("a prefix is text, not a pattern: '%', '_', '!' and '\\' match only themselves")
    void prefixIsNotAPattern() {
      update(tx -> {
        meta(tx).putMetadata("a_b/1", "underscore");
        meta(tx).putMetadata("aXb/1", "letter");
        meta(tx).putMetadata("100%/x", "percent");
        meta(tx).putMetadata("100x/y", "no percent");
        meta(tx).putMetadata("a!b/1", "bang");
        meta(tx).putMetadata("a!!b/1", "two bangs");
        meta(tx).putMetadata("c\\d/1", "backslash");
        meta(tx).putMetadata("cd/1", "no backslash");
      });

      assertThat(readMetadata("a_b")).containsOnlyKeys("a_b/1");
      assertThat(readMetadata("100%")).containsOnlyKeys("100%/x");
      assertThat(readMetadata("a!b")).containsOnlyKeys("a!b/1");
      assertThat(readMetadata("a!")).containsOnlyKeys("a!b/1", "a!!b/1");
      assertThat(readMetadata("c\\")).containsOnlyKeys("c\\d/1");
      assertThat(readMetadata("%")).isEmpty();
      assertThat(readMetadata("_")).isEmpty();
    }

    @Test
    @DisplayName("keys are exact: case, trailing spaces and accents make different keys")
    void keysAreExact() {
      update(tx -> {
        meta(tx).putMetadata("k", "plain");
        meta(tx).putMetadata("K", "upper");
        meta(tx).putMetadata("k ", "trailing space");
        meta(tx).putMetadata("ı", "dotless i");
        meta(tx).putMetadata("i", "dotted i");
      });

      assertThat(readMetadata("")).containsExactly(entry("K", "upper"), entry("i", "dotted i"),
          entry("k", "plain"), entry("k ", "trailing space"), entry("ı", "dotless i"));
    }

    @Test
    @DisplayName("putMetadata replaces the value of a key; deleteMetadata removes it, and"
        + " deleting an absent key changes nothing")
    void replaceAndDelete() {
      update(tx -> {
        meta(tx).putMetadata("segment/vip", "v1");
        meta(tx).putMetadata("segment/churn", "c1");
      });
      update(tx -> meta(tx).putMetadata("segment/vip", "v2"));
      assertThat(readMetadata("segment/")).containsExactly(entry("segment/churn", "c1"),
          entry("segment/vip", "v2"));

      update(tx -> {
        meta(tx).deleteMetadata("segment/churn");
        meta(tx).deleteMetadata("segment/never-written");
      });
      assertThat(readMetadata("")).containsExactly(entry("segment/vip", "v2"));

      update(tx -> meta(tx).putMetadata("segment/churn", "c2"));
      assertThat(readMetadata("segment/")).containsExactly(entry("segment/churn", "c2"),
          entry("segment/vip", "v2"));
    }

    @Test
    @DisplayName("keys and values at their limits round-trip: a 200-character key, a value of"
        + " 1 MiB characters, an empty value, any text")
    void limitsRoundTrip() {
      String longKey = "k".repeat(MetadataStorage.MAX_KEY_LENGTH - 2) + "🛍";
      String bigValue = "€" + "x".repeat(MetadataStorage.MAX_VALUE_LENGTH - 2) + "€";
      String text = "İstanbul — \"quoted\" \\ back\nslash\ttab 🛍 {\"json\": [1, 2]}";
      update(tx -> {
        meta(tx).putMetadata(longKey, "long key");
        meta(tx).putMetadata("big", bigValue);
        meta(tx).putMetadata("empty", "");
        meta(tx).putMetadata("text", text);
        meta(tx).putMetadata("ключ/日本", "unicode key");
      });

      Map<String, String> all = readMetadata("");
      assertThat(all).containsOnlyKeys(longKey, "big", "empty", "text", "ключ/日本");
      assertThat(all.get(longKey)).isEqualTo("long key");
      assertThat(all.get("big")).hasSize(MetadataStorage.MAX_VALUE_LENGTH)
          .isEqualTo(bigValue);
      assertThat(all.get("empty")).isEmpty();
      assertThat(all.get("text")).isEqualTo(text);
      assertThat(readMetadata("ключ/")).containsExactly(entry("ключ/日本", "unicode key"));
    }

    @Test
    @DisplayName("an empty key, a key over 200 characters or a value over 1 MiB characters is"
        + " refused with IllegalArgumentException, and the transaction goes on")
    void illegalEntriesRefused() {
      update(tx -> {
        assertThatThrownBy(() -> meta(tx).putMetadata("", "v"))
            .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> meta(tx).putMetadata(
            "k".repeat(MetadataStorage.MAX_KEY_LENGTH + 1), "v"))
            .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> meta(tx).putMetadata("too-big",
            "x".repeat(MetadataStorage.MAX_VALUE_LENGTH + 1)))
            .isInstanceOf(IllegalArgumentException.class);
        meta(tx).putMetadata("fine", "kept");
      });

      assertThat(readMetadata("")).containsExactly(entry("fine", "kept"));
    }

    @Test
    @DisplayName("a write transaction reads its own puts and deletes, laid over what is committed")
    void readsOwnWrites() {
      update(tx -> {
        meta(tx).putMetadata("segment/a", "a1");
        meta(tx).putMetadata("segment/b", "b1");
        meta(tx).putMetadata("segment/c", "c1");
      });

      update(tx -> {
        meta(tx).putMetadata("segment/b", "b2");
        meta(tx).deleteMetadata("segment/c");
        meta(tx).putMetadata("segment/0", "new");
        meta(tx).putMetadata("other/x", "elsewhere");
        meta(tx).putMetadata("segment/d", "short-lived");
        meta(tx).deleteMetadata("segment/d");

        assertThat(meta(tx).metadata("segment/")).containsExactly(entry("segment/0", "new"),
            entry("segment/a", "a1"), entry("segment/b", "b2"));
        assertThat(meta(tx).metadata("other/")).containsExactly(entry("other/x", "elsewhere"));
      });
    }

    @Test
    @DisplayName("metadata of one workspace is invisible in another, and the same key is two"
        + " entries")
    void workspaceIsolation() {
      update(tx -> meta(tx).putMetadata("segment/vip", "amsterdam"));
      update(OTHER_SHOP, tx -> {
        meta(tx).putMetadata("segment/vip", "istanbul");
        meta(tx).putMetadata("segment/only-there", "x");
      });
      update(OTHER_SHOP, tx -> meta(tx).deleteMetadata("segment/only-there"));

      assertThat(readMetadata("")).containsExactly(entry("segment/vip", "amsterdam"));
      assertThat(readMetadata(OTHER_SHOP, ""))
          .containsExactly(entry("segment/vip", "istanbul"));
    }
  }

  // ---------------------------------------------------------------------------------------------

  @Nested
  @DisplayName("Metadata in transactions")
  class Transactions {

    @Test
    @DisplayName("a new store has the capability, in read and write transactions, and no metadata")
    void startsEmpty() {
      Optional<MetadataStorage> inRead = read(tx -> tx.capability(MetadataStorage.class));
      assertThat(inRead).isPresent();
      assertThat(readMetadata("")).isEmpty();
      assertThat(readMetadata(OTHER_SHOP, "")).isEmpty();
      update(tx -> assertThat(meta(tx).metadata("")).isEmpty());
    }

    @Test
    @DisplayName("putMetadata and deleteMetadata in a read transaction throw"
        + " IllegalStateException and change nothing")
    void readTransactionCannotWrite() {
      update(tx -> meta(tx).putMetadata("segment/vip", "v1"));

      read(tx -> {
        MetadataStorage m = meta(tx);
        assertThatThrownBy(() -> m.putMetadata("segment/vip", "v2"))
            .isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> m.putMetadata("segment/new", "n1"))
            .isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> m.deleteMetadata("segment/vip"))
            .isInstanceOf(IllegalStateException.class);
        assertThat(m.metadata("")).containsExactly(entry("segment/vip", "v1"));
        return null;
      });

      assertThat(readMetadata("")).containsExactly(entry("segment/vip", "v1"));
    }

    @Test
    @DisplayName("metadata written in one transaction with the engine's records commits with"
        + " them, and is undone with them when the transaction throws")
    void togetherWithCoreRecords() {
      update(tx -> {
        tx.putProfile(profile(AYSE, 1));
        meta(tx).putMetadata("segment/vip", "v1");
      });
      assertThat(readProfile(AYSE)).contains(profile(AYSE, 1));
      assertThat(readMetadata("")).containsExactly(entry("segment/vip", "v1"));

      updateAndFail(tx -> {
        tx.insertEvent(order("m-1", at(1), AYSE_EMAIL));
        tx.putProfile(profile(AYSE, 2));
        tx.putProfile(profile(BOB, 1));
        meta(tx).putMetadata("segment/vip", "v2");
        meta(tx).putMetadata("segment/churn", "c1");
      });

      assertThat(readProfile(AYSE)).contains(profile(AYSE, 1));
      assertThat(readProfile(BOB)).isEmpty();
      assertThat(readEvent("m-1")).isEmpty();
      assertThat(readMetadata("")).containsExactly(entry("segment/vip", "v1"));
    }

    @Test
    @DisplayName("a capability looked up before a savepoint is rolled back by rollbackTo with the"
        + " engine's records, and the transaction goes on through it")
    void savepointWithCoreRecords() {
      update(tx -> {
        MetadataStorage m = meta(tx);
        m.putMetadata("segment/kept", "k1");
        tx.putProfile(profile(AYSE, 1));
        Savepoint sp = tx.savepoint();
        m.putMetadata("segment/kept", "k2");
        m.putMetadata("segment/dropped", "d1");
        tx.putProfile(profile(BOB, 1));
        tx.rollbackTo(sp);

        assertThat(m.metadata("")).containsExactly(entry("segment/kept", "k1"));
        assertThat(tx.profile(BOB)).isEmpty();
        m.putMetadata("segment/after", "a1");
      });

      assertThat(readMetadata("")).containsExactly(entry("segment/after", "a1"),
          entry("segment/kept", "k1"));
      assertThat(readProfile(AYSE)).contains(profile(AYSE, 1));
      assertThat(readProfile(BOB)).isEmpty();
    }

    @Test
    @DisplayName("metadata put, replaced and deleted is restored")
    void throwUndoesAll() {
      update(tx -> {
        meta(tx).putMetadata("segment/vip", "v1");
        meta(tx).putMetadata("segment/churn", "c1");
      });

      updateAndFail(tx -> {
        meta(tx).putMetadata("segment/vip", "v2");
        meta(tx).deleteMetadata("segment/churn");
        meta(tx).putMetadata("segment/new", "n1");
        meta(tx).deleteMetadata("segment/new");
        meta(tx).putMetadata("segment/new", "n2");
        meta(tx).putMetadata("schedule/x", "x");
      });

      assertThat(readMetadata("")).containsExactly(entry("segment/churn", "c1"),
          entry("segment/vip", "v1"));
    }

    @Test
    @DisplayName("rollbackTo undoes metadata written after the savepoint and keeps what came"
        + " before")
    void savepoint() {
      update(tx -> meta(tx).putMetadata("segment/old", "o1"));

      update(tx -> {
        meta(tx).putMetadata("segment/vip", "v1");
        Savepoint sp = tx.savepoint();
        meta(tx).putMetadata("segment/vip", "v2");
        meta(tx).deleteMetadata("segment/old");
        meta(tx).putMetadata("segment/new", "n1");
        tx.rollbackTo(sp);

        assertThat(meta(tx).metadata("segment/")).containsExactly(entry("segment/old", "o1"),
            entry("segment/vip", "v1"));
        meta(tx).putMetadata("segment/later", "l1");
      });

      assertThat(readMetadata("")).containsExactly(entry("segment/later", "l1"),
          entry("segment/old", "o1"), entry("segment/vip", "v1"));
    }
  }

  // ---------------------------------------------------------------------------------------------

  @Nested
  @DisplayName("Metadata and concurrency")
  class Concurrency {

    /** What the reads of {@link #SHOP} show, as plain values. */
    private Map<String, Object> state(ReadTransaction tx) {
      Map<String, Object> s = new LinkedHashMap<>();
      s.put("scan", tx.profilesAfter(null, 100));
      s.put("metadata", Map.copyOf(meta(tx).metadata("")));
      return s;
    }

    @Test
    @DisplayName("profiles and metadata written by a transaction are invisible to other threads"
        + " until it commits")
    void uncommittedExtensionWritesAreInvisible() throws Exception {
      update(tx -> {
        tx.putProfile(profile(BOB, 1));
        meta(tx).putMetadata("segment/vip", "v1");
        meta(tx).putMetadata("segment/gone", "g1");
      });

      assertUncommittedWritesInvisible(tx -> {
        tx.putProfile(profile(AYSE, 1));
        tx.deleteProfile(BOB);
        meta(tx).putMetadata("segment/vip", "v2");
        meta(tx).putMetadata("segment/churn", "c1");
        meta(tx).deleteMetadata("segment/gone");
      }, this::state);

      read(tx -> {
        assertThat(tx.profilesAfter(null, 10)).containsExactly(profile(AYSE, 1));
        assertThat(meta(tx).metadata("")).containsExactly(entry("segment/churn", "c1"),
            entry("segment/vip", "v2"));
        return null;
      });
    }

    @Test
    @DisplayName("a reader running next to a writer sees the profiles and metadata of each"
        + " transaction whole or not at all")
    void readersNeverSeeHalfAnExtensionWrite() throws Exception {
      int writes = 150;
      assertReadersSeeWholeTransactions(writes, (tx, step) -> {
        ProfileId p = ProfileId.of(String.format(Locale.ROOT, "p-%04d", step));
        tx.putProfile(profile(p, step));
        meta(tx).putMetadata("member/" + p.value(), Integer.toString(step));
        meta(tx).putMetadata("progress", Integer.toString(step));
      }, tx -> {
        int progress = Integer.parseInt(meta(tx).metadata("progress").getOrDefault("progress",
            "0"));
        int scanned = scan(tx, 64).size();
        int members = meta(tx).metadata("member/").size();
        ProfileId latest = ProfileId.of(String.format(Locale.ROOT, "p-%04d", progress));
        boolean latestWhole = progress == 0
            || (meta(tx).metadata("member/" + latest.value()).containsKey(
                "member/" + latest.value()) && tx.profile(latest).isPresent());
        ProfileId next = ProfileId.of(String.format(Locale.ROOT, "p-%04d", progress + 1));
        boolean nextAbsent = meta(tx).metadata("member/" + next.value()).isEmpty()
            && tx.profile(next).isEmpty();
        if (scanned != progress || members != progress || !latestWhole || !nextAbsent) {
          return "progress=" + progress + " scanned=" + scanned + " members=" + members
              + " latestWhole=" + latestWhole + " nextAbsent=" + nextAbsent;
        }
        return null;
      });

      assertThat(readMetadata("member/")).hasSize(writes);
    }
  }
}
