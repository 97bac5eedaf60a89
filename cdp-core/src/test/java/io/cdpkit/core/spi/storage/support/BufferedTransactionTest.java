package io.cdpkit.core.spi.storage.support;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cdpkit.core.model.Identifier;
import io.cdpkit.core.model.IdentifierType;
import io.cdpkit.core.model.ProfileId;
import io.cdpkit.core.model.ProfileState;
import io.cdpkit.core.spi.storage.IdentityNode;
import io.cdpkit.core.spi.storage.ProfileRecord;
import io.cdpkit.core.spi.storage.Savepoint;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** What the base class does itself, seen through the smallest store on it. */
class BufferedTransactionTest {
  private final MapRowStore.Tables tables = new MapRowStore.Tables();

  private static ProfileRecord profile(String id) {
    return new ProfileRecord(ProfileId.of(id), ProfileState.EMPTY,
        Map.of(IdentifierType.EMAIL, 1), 1);
  }

  private static IdentityNode node(String email, String profile) {
    return new IdentityNode(Identifier.email(email), ProfileId.of(profile), "c-" + profile);
  }

  @Test
  @DisplayName("the commit receives the net effect: each key once, rolled-back writes left out")
  void commitReceivesTheNetEffect() {
    MapRowStore.Tx tx = new MapRowStore.Tx(tables);
    tx.putProfile(profile("p-a"));
    tx.putNode(node("a@example.com", "p-a"));
    Savepoint sp = tx.savepoint();
    tx.putProfile(profile("p-b"));
    tx.deleteProfile(ProfileId.of("p-a"));
    tx.rollbackTo(sp);
    tx.putNode(node("a@example.com", "p-a2"));
    tx.deleteNode(Identifier.email("gone@example.com"));

    Changes c = tx.changes();
    assertThat(c.putProfiles()).extracting(ProfileRecord::id).containsExactly(ProfileId.of("p-a"));
    assertThat(c.deletedProfiles()).isEmpty();
    assertThat(c.putNodes()).containsExactly(node("a@example.com", "p-a2"));
    assertThat(c.deletedNodes()).containsExactly(Identifier.email("gone@example.com"));
    assertThat(c.changesState()).isTrue();
    tx.commit();
    assertThat(tables.profiles).containsOnlyKeys(ProfileId.of("p-a"));
    assertThatThrownBy(() -> tx.putProfile(profile("p-c")))
        .isInstanceOf(IllegalStateException.class);
  }

  @Test
  @DisplayName("a read transaction refuses every write, a capability's buffered ones too")
  void readTransactionRefusesWrites() {
    MapRowStore.Tx tx = new MapRowStore.Tx(tables);
    tx.makeReadOnly();
    BufferedMap<String, String> own = new BufferedMap<>(tx);
    assertThatThrownBy(() -> tx.putProfile(profile("p-a")))
        .isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(() -> tx.putMetadata("k", "v")).isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(() -> own.put("k", "v")).isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(tx::commit).isInstanceOf(IllegalStateException.class);
    assertThat(own.isEmpty()).isTrue();
  }

  @Test
  @DisplayName("a capability's buffered map reads through, and rolls back with the transaction")
  void bufferedMapRollsBackWithTheTransaction() {
    MapRowStore.Tx tx = new MapRowStore.Tx(tables);
    List<String> committedReads = new ArrayList<>();
    BufferedMap<String, String> m = new BufferedMap<>(tx, k -> {
      committedReads.add(k);
      return k.equals("old") ? Optional.of("committed") : Optional.empty();
    });
    m.put("a", "1");
    Savepoint sp = tx.savepoint();
    m.put("a", "2");
    m.delete("old");
    m.put("b", "3");
    assertThat(m.get("old")).isEmpty();
    tx.rollbackTo(sp);

    assertThat(m.get("a")).contains("1");
    assertThat(m.get("old")).contains("committed");
    assertThat(m.get("b")).isEmpty();
    assertThat(committedReads).containsExactly("old", "b");
    m.delete("old");
    assertThat(m.puts()).containsExactly("1");
    assertThat(m.deletions()).containsExactly("old");
    assertThat(m.overlay(List.of("committed", "x"), v -> v.equals("committed") ? "old" : v,
        v -> true)).containsExactly("x", "1");
  }

  @Test
  @DisplayName("pages of profiles neither skip nor repeat rows the transaction deleted or added")
  void pagesMergeTheTransactionsWrites() {
    MapRowStore.Tx setUp = new MapRowStore.Tx(tables);
    for (int i = 0; i < 1_600; i++) {
      setUp.putProfile(profile(String.format("p-%04d", i)));
    }
    setUp.commit();

    MapRowStore.Tx tx = new MapRowStore.Tx(tables);
    TreeSet<ProfileId> expected = new TreeSet<>(tables.profiles.keySet());
    // More hidden rows at the start than one read fetches beyond the limit.
    for (int i = 0; i < 1_500; i++) {
      ProfileId id = ProfileId.of(String.format("p-%04d", i));
      tx.deleteProfile(id);
      expected.remove(id);
    }
    for (String id : List.of("p-0000a", "p-1550a", "p-9999")) {
      tx.putProfile(profile(id));
      expected.add(ProfileId.of(id));
    }

    List<ProfileId> scanned = new ArrayList<>();
    ProfileId after = null;
    while (true) {
      List<ProfileRecord> page = tx.profilesAfter(after, 7);
      if (page.isEmpty()) {
        break;
      }
      assertThat(page.size()).isLessThanOrEqualTo(7);
      page.forEach(r -> scanned.add(r.id()));
      after = page.get(page.size() - 1).id();
    }
    assertThat(scanned).containsExactlyElementsOf(expected);
  }
}
