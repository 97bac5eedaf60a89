package io.cdpkit.core.internal.memory;

import static org.assertj.core.api.Assertions.assertThat;

import io.cdpkit.core.model.Identifier;
import io.cdpkit.core.model.ProfileId;
import io.cdpkit.core.model.ProfileState;
import io.cdpkit.core.model.WorkspaceId;
import io.cdpkit.core.spi.storage.IdentityNode;
import io.cdpkit.core.spi.storage.PrivacyStorage;
import io.cdpkit.core.spi.storage.ProfileRecord;
import io.cdpkit.core.spi.storage.Savepoint;
import io.cdpkit.core.spi.storage.Store;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.UUID;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The in-memory store keeps profile ids for scans in a sorted array that is rebuilt as profiles
 * are added, and drops removed ids at a rebuild: a removal rolled back after such a rebuild must
 * still leave its profile in scans, exactly once.
 */
class InMemoryProfileOrderTest {
  private static final WorkspaceId WS = WorkspaceId.DEFAULT;

  private static ProfileRecord profile(String id) {
    return new ProfileRecord(ProfileId.of(id), ProfileState.EMPTY, Map.of(), 1);
  }

  private static List<ProfileId> scan(Store store) {
    return store.read(WS, tx -> tx.profilesAfter(null, 100_000).stream()
        .map(ProfileRecord::id).toList());
  }

  @Test
  @DisplayName("a profile deleted, then rolled back to a savepoint after thousands of new"
      + " profiles, is scanned once; the new ones are not")
  void rollbackAfterRebuilds() {
    Store store = Store.inMemory();
    store.write(WS, tx -> {
      for (int i = 0; i < 5000; i++) {
        tx.putProfile(profile(String.format("p%05d", i)));
      }
      return null;
    });
    List<ProfileId> before = scan(store);
    assertThat(before).hasSize(5000).isSorted();
    store.write(WS, tx -> {
      Savepoint sp = tx.savepoint();
      for (int i = 0; i < 5000; i += 2) {
        tx.deleteProfile(ProfileId.of(String.format("p%05d", i)));
      }
      for (int i = 0; i < 9000; i++) {
        tx.putProfile(profile(String.format("q%05d", i)));
      }
      tx.rollbackTo(sp);
      tx.putProfile(profile("p00000"));
      return null;
    });
    assertThat(scan(store)).isEqualTo(before);
    List<ProfileId> tail = store.read(WS, tx -> tx.profilesAfter(ProfileId.of("p04997"), 10)
        .stream().map(ProfileRecord::id).toList());
    assertThat(tail).containsExactly(ProfileId.of("p04998"), ProfileId.of("p04999"));
  }

  private static String uuid(char kind, int i) {
    return new UUID(kind * 0x9E3779B97F4A7C15L + i * 0x632BE59BD9B4E019L, i).toString();
  }

  private static IdentityNode node(int i, String profile) {
    return new IdentityNode(Identifier.anonymousId("a" + i), ProfileId.of(profile),
        uuid('c', i));
  }

  /**
   * With UUID ids, a profile slot freed while the scan order still holds it is held until the
   * order has dropped it, then reused by other profiles; a profile put again meanwhile gets
   * another slot. Scans, records and nodes must stay right through all of it and its rollback.
   */
  @Test
  @DisplayName("UUID profiles merged away, put again in other slots, their slots reused after"
      + " rebuilds, and all of it rolled back: scans, records and nodes stay right")
  void heldSlotsReused() {
    Store store = Store.inMemory();
    TreeSet<String> model = new TreeSet<>();
    store.write(WS, tx -> {
      for (int i = 0; i < 6000; i++) {
        tx.putProfile(profile(uuid('u', i)));
        tx.putNode(node(i, uuid('u', i)));
        model.add(uuid('u', i));
      }
      return null;
    });
    store.write(WS, tx -> {
      // Merge each even profile into the next one: its node moves, its record goes.
      for (int i = 0; i < 6000; i += 2) {
        tx.putNode(node(i, uuid('u', i + 1)));
        tx.deleteProfile(ProfileId.of(uuid('u', i)));
        model.remove(uuid('u', i));
        if (i % 4 == 0) {
          tx.putProfile(profile(uuid('u', i))); // back, in another slot
          model.add(uuid('u', i));
        }
      }
      for (int i = 0; i < 12_000; i++) {
        tx.putProfile(profile(uuid('v', i)));
        model.add(uuid('v', i));
      }
      return null;
    });
    List<String> expected = new ArrayList<>(model);
    assertThat(scan(store).stream().map(ProfileId::value).toList()).isEqualTo(expected);
    store.read(WS, tx -> {
      for (int i = 0; i < 6000; i++) {
        String owner = uuid('u', i % 2 == 0 ? i + 1 : i);
        assertThat(tx.node(Identifier.anonymousId("a" + i)).orElseThrow().profile().value())
            .isEqualTo(owner);
        assertThat(tx.profile(ProfileId.of(uuid('u', i))).isPresent())
            .isEqualTo(i % 2 == 1 || i % 4 == 0);
      }
      for (int i = 1; i < 6000; i += 2) {
        assertThat(tx.nodesOfProfile(ProfileId.of(uuid('u', i))).stream()
            .map(n -> n.identifier().value()).toList()).containsExactly("a" + i, "a" + (i - 1));
        assertThat(tx.nodesOfComponent(uuid('c', i))).hasSize(1);
      }
      return null;
    });
    store.write(WS, tx -> {
      Savepoint sp = tx.savepoint();
      PrivacyStorage privacy = tx.require(PrivacyStorage.class);
      for (int i = 1; i < 6000; i += 2) {
        privacy.deleteNode(Identifier.anonymousId("a" + i));
        privacy.deleteNode(Identifier.anonymousId("a" + (i - 1)));
        tx.deleteProfile(ProfileId.of(uuid('u', i)));
      }
      for (int i = 0; i < 20_000; i++) {
        tx.putProfile(profile(uuid('w', i)));
        tx.putNode(node(100_000 + i, uuid('w', i)));
      }
      tx.rollbackTo(sp);
      return null;
    });
    assertThat(scan(store).stream().map(ProfileId::value).toList()).isEqualTo(expected);
    long count = store.read(WS, tx -> tx.profileCount());
    assertThat(count).isEqualTo(expected.size());
    store.read(WS, tx -> {
      for (int i = 1; i < 6000; i += 2) {
        assertThat(tx.nodesOfProfile(ProfileId.of(uuid('u', i))).stream()
            .map(n -> n.profile().value()).distinct().toList()).containsExactly(uuid('u', i));
      }
      assertThat(tx.node(Identifier.anonymousId("a100000"))).isEmpty();
      return null;
    });
  }
}
